//! The `mcp_servers` config section in `weft agent` and `weft gateway`: connect every
//! configured MCP server and put its tools in the registry as `<server>__<tool>`
//! (feature `mcp`). A server that fails is reported on one line and skipped. Without the
//! feature a configured section is reported as ignored.

use std::sync::Arc;

use clawft_core::ToolRegistry;
use clawft_core::config::LoadedConfig;

/// How failures to connect are reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Report {
    /// One `warning:` line per failed server on stderr (`weft agent`); nothing with
    /// `--quiet`.
    Stderr {
        /// `--quiet` was given.
        quiet: bool,
    },
    /// A `tracing` warning per failed server (`weft gateway`, which also lists them in
    /// its start-up summary).
    Log,
}

impl Report {
    /// Tell the user `line` the way this report goes.
    fn warn(self, line: &str) {
        match self {
            Self::Stderr { quiet: false } => eprintln!("warning: {line}"),
            Self::Stderr { quiet: true } => {}
            Self::Log => tracing::warn!("{line}"),
        }
    }
}

/// The connected servers; their tools stay registered while this lives.
pub struct McpServers {
    #[cfg(feature = "mcp")]
    clients: clawft_mcp::client::McpClients,
    /// One line per configured, enabled server for start-up summaries:
    /// `name (N tools)` or `name (failed: why)`.
    pub summary: Vec<String>,
}

impl McpServers {
    /// Connects the servers of `mcp_servers` and registers their tools in `tools`.
    ///
    /// # Errors
    /// An invalid `mcp_servers` section (the message names the key). A server that
    /// cannot be reached is not an error: it is reported as `report` says and skipped.
    #[cfg(feature = "mcp")]
    pub async fn connect(
        loaded: &LoadedConfig,
        tools: &Arc<ToolRegistry>,
        report: Report,
    ) -> anyhow::Result<Self> {
        use clawft_mcp::client::McpClients;

        let settings = settings(loaded)?;
        if settings.is_empty() {
            return Ok(Self {
                clients: McpClients::default(),
                summary: Vec::new(),
            });
        }
        let (clients, reports) =
            McpClients::connect_all(&settings, tools.clone(), &loaded.workspace).await;
        let mut summary = Vec::new();
        for connect in reports {
            let name = &connect.server;
            match &connect.result {
                Ok(names) => {
                    tracing::info!(server = %name, tools = names.len(), ms = connect.elapsed.as_millis() as u64, "MCP server ready");
                    summary.push(format!("{name} ({} tools)", names.len()));
                }
                Err(err) => {
                    let line = err.to_string().lines().collect::<Vec<_>>().join("; ");
                    report.warn(&format!("MCP server `{name}` skipped: {line}"));
                    summary.push(format!("{name} (failed: {line})"));
                }
            }
        }
        Ok(Self { clients, summary })
    }

    /// Without the `mcp` feature: warns that a configured `mcp_servers` is ignored.
    #[cfg(not(feature = "mcp"))]
    pub async fn connect(
        loaded: &LoadedConfig,
        _tools: &Arc<ToolRegistry>,
        report: Report,
    ) -> anyhow::Result<Self> {
        if loaded.config.sections.contains_key("mcp_servers") {
            report.warn(
                "`mcp_servers` is configured, but this weft was built without the `mcp` feature; those tools are not loaded",
            );
        }
        Ok(Self {
            summary: Vec::new(),
        })
    }

    /// Keep retrying in the background the servers that failed to connect (for the
    /// long-running gateway and interactive chat); their tools join when they answer.
    pub fn retry_failed(&mut self) {
        #[cfg(feature = "mcp")]
        self.clients
            .retry_failed(clawft_mcp::client::RetryDelays::default());
    }

    /// Disconnects every server (stdio servers are closed, then killed if they linger).
    pub async fn shutdown(self) {
        #[cfg(feature = "mcp")]
        self.clients.shutdown().await;
    }
}

/// `name: transport` for each configured server, for `weft status` (no connection is
/// made).
///
/// # Errors
/// An invalid `mcp_servers` section.
pub fn describe(loaded: &LoadedConfig) -> anyhow::Result<Vec<(String, String)>> {
    #[cfg(feature = "mcp")]
    {
        use clawft_mcp::client::ServerTransport;
        Ok(settings(loaded)?
            .servers
            .values()
            .map(|server| {
                let how = match &server.transport {
                    ServerTransport::Stdio { command, .. } => format!("stdio `{command}`"),
                    ServerTransport::Http { url, .. } => format!("http {url}"),
                };
                let off = if server.enabled { "" } else { ", disabled" };
                (server.name.clone(), format!("{how}{off}"))
            })
            .collect())
    }
    #[cfg(not(feature = "mcp"))]
    {
        Ok(loaded
            .config
            .sections
            .get("mcp_servers")
            .and_then(serde_json::Value::as_object)
            .map(|servers| {
                servers
                    .keys()
                    .map(|name| (name.clone(), "not loaded: built without `mcp`".to_owned()))
                    .collect()
            })
            .unwrap_or_default())
    }
}

/// The parsed section; a bad key is reported like every other config error, naming the
/// config files.
#[cfg(feature = "mcp")]
fn settings(loaded: &LoadedConfig) -> anyhow::Result<clawft_mcp::client::McpServersSettings> {
    use clawft_mcp::client::{McpClientError, McpServersSettings};
    McpServersSettings::from_section(loaded.config.sections.get("mcp_servers")).map_err(|err| {
        match err {
            McpClientError::Config { key, message } => {
                let files = if loaded.files.is_empty() {
                    "defaults (no config file)".to_owned()
                } else {
                    loaded
                        .files
                        .iter()
                        .map(|f| format!("`{}`", f.display()))
                        .collect::<Vec<_>>()
                        .join(" + ")
                };
                clawft_core::config::ConfigError::Invalid {
                    files,
                    key,
                    message,
                }
                .into()
            }
            other => other.into(),
        }
    })
}
