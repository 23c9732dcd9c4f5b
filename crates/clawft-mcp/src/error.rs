//! [`McpError`]: why the server could not start or keep serving. Failures of single calls
//! never surface here; they are MCP results or JSON-RPC errors sent to the client.

use std::path::PathBuf;

/// Why serving failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum McpError {
    /// The MCP session could not be set up (the client sent no valid `initialize`, or the
    /// transport closed first).
    #[error("the MCP session did not start: {0}")]
    Initialize(String),
    /// The session ended with an error.
    #[error("the MCP session failed: {0}")]
    Session(String),
    /// The HTTP address could not be parsed or bound.
    #[error(
        "cannot listen on `{addr}`: {source}\nhelp: pick a free port, e.g. `--http 127.0.0.1:8765`"
    )]
    Bind {
        /// The address asked for.
        addr: String,
        /// Why.
        source: std::io::Error,
    },
    /// Serving without a token was asked for on an address other clients can reach.
    #[error(
        "refusing to serve MCP over HTTP on `{addr}` without a token: only loopback addresses may be open\nhelp: drop `--no-auth` (a token is then required), or bind 127.0.0.1"
    )]
    OpenNonLoopback {
        /// The address asked for.
        addr: String,
    },
    /// The bearer token file could not be read or written.
    #[error("cannot {action} the MCP token file `{path}`: {source}")]
    Token {
        /// `read` or `write`.
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// An I/O error while serving.
    #[error("MCP transport I/O failed: {0}")]
    Io(#[from] std::io::Error),
}
