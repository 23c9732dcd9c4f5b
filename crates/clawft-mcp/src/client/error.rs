//! [`McpClientError`]: why the `mcp_servers` section is invalid, or why one server could
//! not be connected. A failing tool call is never an error here: the model reads it as
//! a failed tool result.

/// Why a configured MCP server cannot be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum McpClientError {
    /// The `mcp_servers` section is invalid.
    #[error(
        "invalid config: `{key}`: {message}\nhelp: see the `mcp_servers` example in the README or `weft onboard`"
    )]
    Config {
        /// Dotted key, e.g. `mcp_servers.github.args`.
        key: String,
        /// What is wrong.
        message: String,
    },
    /// A secret reference of the server could not be read.
    #[error("{0}")]
    Secret(String),
    /// The stdio server's program could not be started.
    #[error(
        "cannot start `{command}`: {source}\nhelp: check `mcp_servers.{server}.command`: is the program installed and on PATH?"
    )]
    Spawn {
        /// The server's name.
        server: String,
        /// The program.
        command: String,
        /// Why.
        source: std::io::Error,
    },
    /// The transport could not be set up (e.g. a header value that HTTP refuses).
    #[error("{0}")]
    Transport(String),
    /// The `initialize` handshake failed.
    #[error("the MCP handshake failed: {reason}{stderr}")]
    Handshake {
        /// What rmcp reported.
        reason: String,
        /// The last lines the server wrote to stderr, if any (`; stderr: ...`).
        stderr: String,
    },
    /// `tools/list` failed after the handshake.
    #[error("listing its tools failed: {0}")]
    ListTools(String),
    /// The server did not finish connecting in time.
    #[error(
        "no answer within {secs} s{stderr}\nhelp: raise `mcp_servers.{server}.connect_timeout_secs` if the server is slow to start"
    )]
    ConnectTimeout {
        /// The server's name.
        server: String,
        /// The limit.
        secs: u64,
        /// The last lines the server wrote to stderr, if any (`; stderr: ...`).
        stderr: String,
    },
}

impl McpClientError {
    pub(crate) fn config(key: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Config {
            key: key.into(),
            message: message.into(),
        }
    }
}
