//! The MCP client (feature `client`): connects the servers named in the `mcp_servers`
//! config section and registers each of their tools in clawft's tool registry as
//! `<server>__<tool>` (see [`naming`]), so the agent calls them like built-in tools.
//!
//! * [`McpServersSettings`] parses and checks the section (no I/O).
//! * [`McpClients::connect_all`] connects every enabled server concurrently, each within
//!   its `connect_timeout_secs`; a server that fails is reported in the returned
//!   [`ConnectReport`]s and skipped, the others load.
//! * A call forwards to the server: a remote `isError` result, a timeout or a dropped
//!   connection is a failed [`ToolOutput`](clawft_plugin::ToolOutput) the model reads,
//!   never a panic or a hang. A dropped connection is reopened by the next call.
//! * `notifications/tools/list_changed` re-lists that server's tools and swaps them in
//!   the registry in one version.
//! * Stdio servers run in their own process group with only a few environment variables
//!   ([`settings::DEFAULT_ENV_PASSTHROUGH`]) plus their `env`; they are killed when the
//!   connection is dropped, and [`McpClients::shutdown`] first closes their stdin and
//!   gives them [`SHUTDOWN_TIMEOUT`] to exit.
//! * Long-running commands call [`McpClients::retry_failed`]: a server that was down at
//!   start is retried in the background with doubling delays ([`RetryDelays`]) and its
//!   tools join the registry once it answers.

pub mod error;
pub mod naming;
pub mod settings;

mod connect;
mod convert;
mod handler;
mod remote_tool;
mod server;
mod transport;

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use clawft_core::ToolRegistry;

pub use error::McpClientError;
pub use naming::tool_name;
pub use settings::{McpServerConfig, McpServersSettings, PlainOrSecret, ServerTransport};

use server::RemoteServer;

/// How long [`McpClients::shutdown`] waits for all servers together: stdio servers get
/// EOF on stdin and should exit; past this they are killed (SIGKILL).
pub const SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(2);

/// Waits between background attempts to connect a server that failed at start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryDelays {
    /// Wait before the first retry; doubled after each failure.
    pub first: Duration,
    /// Longest wait between two attempts.
    pub max: Duration,
}

impl Default for RetryDelays {
    /// 5 s, doubling up to 5 min: a server started a little after weft is picked up
    /// quickly, and one that stays down costs one attempt every 5 minutes.
    fn default() -> Self {
        Self {
            first: Duration::from_secs(5),
            max: Duration::from_secs(300),
        }
    }
}

/// The outcome of connecting one server.
#[derive(Debug)]
pub struct ConnectReport {
    /// The server's name.
    pub server: String,
    /// The registered tool names, or why the server was skipped.
    pub result: Result<Vec<String>, McpClientError>,
    /// How long connecting took (or failing did).
    pub elapsed: Duration,
}

/// The connected servers. Their tools stay registered while this value lives; drop it
/// or call [`shutdown`](Self::shutdown) to disconnect (calls then fail with a readable
/// error).
#[derive(Default)]
pub struct McpClients {
    servers: Vec<Arc<RemoteServer>>,
    /// Servers that failed at start, not yet handed to [`Self::retry_failed`].
    failed: Vec<Arc<RemoteServer>>,
    /// Servers being retried in the background, and their retry tasks.
    retrying: Vec<(Arc<RemoteServer>, tokio::task::AbortHandle)>,
}

impl Drop for McpClients {
    fn drop(&mut self) {
        for (_, task) in &self.retrying {
            task.abort();
        }
    }
}

impl McpClients {
    /// Connects every enabled server of `settings` concurrently and registers their
    /// tools in `registry`. Relative `cwd`s (and the default `cwd`) are `workspace`.
    pub async fn connect_all(
        settings: &McpServersSettings,
        registry: Arc<ToolRegistry>,
        workspace: &Path,
    ) -> (Self, Vec<ConnectReport>) {
        let mut attempts = tokio::task::JoinSet::new();
        for config in settings.enabled() {
            let server = RemoteServer::new(config.clone(), workspace.to_owned(), registry.clone());
            attempts.spawn(async move {
                let began = Instant::now();
                let result = server.start().await;
                (server, result, began.elapsed())
            });
        }
        let mut servers = Vec::new();
        let mut failed = Vec::new();
        let mut reports = Vec::new();
        while let Some(joined) = attempts.join_next().await {
            let Ok((server, result, elapsed)) = joined else {
                tracing::error!("an MCP connect task panicked; this is a bug");
                continue;
            };
            let report = ConnectReport {
                server: server.name().to_owned(),
                result: result.map(|()| server.tool_names()),
                elapsed,
            };
            if report.result.is_ok() {
                servers.push(server);
            } else {
                failed.push(server);
            }
            reports.push(report);
        }
        reports.sort_by(|a, b| a.server.cmp(&b.server));
        servers.sort_by(|a, b| a.name().cmp(b.name()));
        (
            Self {
                servers,
                failed,
                retrying: Vec::new(),
            },
            reports,
        )
    }

    /// Names of the connected servers.
    pub fn servers(&self) -> Vec<&str> {
        self.servers.iter().map(|s| s.name()).collect()
    }

    /// Keep trying, in the background, the servers that failed to connect at start,
    /// waiting `delays` between attempts. A server that answers registers its tools (so
    /// the agent and weft's own MCP clients see them); the attempts stop then, or when
    /// this value is shut down or dropped. Failed attempts are logged at debug level,
    /// the first failure having been reported already.
    pub fn retry_failed(&mut self, delays: RetryDelays) {
        for server in std::mem::take(&mut self.failed) {
            let retried = Arc::clone(&server);
            let task = tokio::spawn(async move {
                let mut wait = delays.first;
                loop {
                    tokio::time::sleep(wait).await;
                    match retried.start().await {
                        Ok(()) => {
                            tracing::info!(
                                server = %retried.name(),
                                tools = retried.tool_names().len(),
                                "MCP server connected on retry"
                            );
                            return;
                        }
                        Err(err) => {
                            wait = (wait * 2).min(delays.max);
                            tracing::debug!(
                                server = %retried.name(),
                                retry_in_secs = wait.as_secs(),
                                "MCP server still unavailable: {err}"
                            );
                        }
                    }
                }
            });
            self.retrying.push((server, task.abort_handle()));
        }
    }

    /// Closes every session within [`SHUTDOWN_TIMEOUT`] (children still running then are
    /// killed when this value drops). Background retries stop.
    pub async fn shutdown(self) {
        for (_, task) in &self.retrying {
            task.abort();
        }
        let mut closing = tokio::task::JoinSet::new();
        let retried = self.retrying.iter().map(|(server, _)| server);
        for server in self.servers.iter().chain(retried) {
            let server = Arc::clone(server);
            closing.spawn(async move { server.shutdown(SHUTDOWN_TIMEOUT).await });
        }
        let _ = tokio::time::timeout(SHUTDOWN_TIMEOUT, closing.join_all()).await;
    }
}
