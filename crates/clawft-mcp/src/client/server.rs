//! [`RemoteServer`]: one configured server's connection and the tools it has in the
//! registry. Calls share the session; a session that died is reopened by the next call
//! (one attempt per call, bounded by the connect timeout), and the tool list is synced
//! into the registry after every (re)connect and every `tools/list_changed`.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use clawft_core::{RegistryError, ToolRegistry};
use clawft_plugin::{Tool, ToolOutput};
use rmcp::model::CallToolRequestParams;
use rmcp::service::ServiceError;
use rmcp::{Peer, RoleClient};
use serde_json::Value;

use super::connect::{Connected, Session, connect};
use super::convert::{tool_output, tool_spec};
use super::error::McpClientError;
use super::handler::Handler;
use super::naming::unique_tool_names;
use super::remote_tool::RemoteTool;
use super::settings::McpServerConfig;

/// One server: its settings, its live session (if any) and its registered tool names.
pub(crate) struct RemoteServer {
    config: McpServerConfig,
    workspace: PathBuf,
    registry: Arc<ToolRegistry>,
    me: Weak<RemoteServer>,
    /// The open session; `None` before the first connect and after a transport failure.
    session: tokio::sync::Mutex<Option<Session>>,
    /// Names this server has in the registry now.
    registered: Mutex<Vec<String>>,
    /// Serialises tool-list syncs (a notification racing a reconnect).
    syncing: tokio::sync::Mutex<()>,
}

impl RemoteServer {
    pub(crate) fn new(
        config: McpServerConfig,
        workspace: PathBuf,
        registry: Arc<ToolRegistry>,
    ) -> Arc<Self> {
        Arc::new_cyclic(|me| Self {
            config,
            workspace,
            registry,
            me: me.clone(),
            session: tokio::sync::Mutex::new(None),
            registered: Mutex::new(Vec::new()),
            syncing: tokio::sync::Mutex::new(()),
        })
    }

    pub(crate) fn name(&self) -> &str {
        &self.config.name
    }

    /// Names of the tools registered for this server.
    pub(crate) fn tool_names(&self) -> Vec<String> {
        self.registered
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// Opens the first session and registers the tools.
    pub(crate) async fn start(&self) -> Result<(), McpClientError> {
        let mut session = self.session.lock().await;
        self.open(&mut session).await.map(drop)
    }

    /// Connects, stores the session and syncs the tools; returns the new peer.
    async fn open(&self, slot: &mut Option<Session>) -> Result<Peer<RoleClient>, McpClientError> {
        let began = Instant::now();
        let Connected { session, tools } =
            connect(&self.config, &self.workspace, Handler::new(self.me.clone())).await?;
        let peer = session.peer().clone();
        *slot = Some(session);
        let _sync = self.syncing.lock().await;
        self.apply_tools(tools);
        tracing::info!(
            server = %self.config.name,
            tools = self.tool_names().len(),
            ms = began.elapsed().as_millis() as u64,
            "MCP server connected"
        );
        Ok(peer)
    }

    /// The peer of a live session, reconnecting once when the last one died.
    async fn peer(&self) -> Result<Peer<RoleClient>, McpClientError> {
        let mut slot = self.session.lock().await;
        if let Some(session) = slot.as_ref()
            && !session.is_closed()
            && !session.peer().is_transport_closed()
        {
            return Ok(session.peer().clone());
        }
        if slot.take().is_some() {
            tracing::info!(server = %self.config.name, "MCP server connection lost; reconnecting");
        }
        self.open(&mut slot).await
    }

    /// Forgets the session after a transport failure, so the next call reconnects.
    async fn drop_session(&self) {
        if let Some(mut session) = self.session.lock().await.take() {
            let _ = session.close_with_timeout(Duration::from_millis(500)).await;
        }
    }

    /// Closes the session within `timeout`: a stdio child gets EOF on stdin (rmcp would
    /// send SIGTERM after 3 s); one still running when the session is dropped is killed.
    pub(crate) async fn shutdown(&self, timeout: Duration) {
        if let Some(mut session) = self.session.lock().await.take() {
            let _ = session.close_with_timeout(timeout).await;
        }
    }

    /// Calls `remote` with `args`. Every failure is a result the model can read.
    pub(crate) async fn call(&self, remote: &str, args: Value) -> ToolOutput {
        let server = &self.config.name;
        let peer = match self.peer().await {
            Ok(peer) => peer,
            Err(err) => {
                return ToolOutput::error(format!(
                    "the MCP server `{server}` is unavailable: {err}"
                ));
            }
        };
        let Value::Object(arguments) = args else {
            return ToolOutput::error("the arguments must be a JSON object");
        };
        let params = CallToolRequestParams::new(remote.to_owned()).with_arguments(arguments);
        let secs = self.config.timeout_secs;
        let began = Instant::now();
        let outcome = tokio::time::timeout(Duration::from_secs(secs), peer.call_tool(params)).await;
        tracing::debug!(server = %server, tool = remote, us = began.elapsed().as_micros() as u64, "MCP tools/call answered");
        match outcome {
            Ok(Ok(result)) => tool_output(&result, self.config.max_output_chars),
            Ok(Err(ServiceError::McpError(err))) => ToolOutput::error(format!(
                "the MCP server `{server}` refused the call to `{remote}`: {}",
                err.message
            )),
            Ok(Err(err @ (ServiceError::TransportSend(_) | ServiceError::TransportClosed))) => {
                self.drop_session().await;
                ToolOutput::error(format!(
                    "the connection to the MCP server `{server}` failed during the call to `{remote}`: {err}; it will be reopened on the next call"
                ))
            }
            Ok(Err(err)) => ToolOutput::error(format!(
                "the call to `{remote}` on the MCP server `{server}` failed: {err}"
            )),
            Err(_) => ToolOutput::error(format!(
                "the MCP server `{server}` did not answer the call to `{remote}` within {secs} s (`mcp_servers.{server}.timeout_secs`)"
            )),
        }
    }

    /// Re-lists the tools after `tools/list_changed` and swaps them in the registry.
    pub(crate) async fn refresh_tools(&self, peer: &Peer<RoleClient>) {
        let _sync = self.syncing.lock().await;
        match peer.list_all_tools().await {
            Ok(tools) => {
                self.apply_tools(tools);
                tracing::info!(server = %self.config.name, tools = self.tool_names().len(), "MCP server tools changed");
            }
            Err(err) => {
                tracing::warn!(server = %self.config.name, %err, "could not re-list the MCP server's tools after list_changed");
            }
        }
    }

    /// Replaces this server's tools in the registry with `remote` (filtered by the
    /// `tools` allow-list), in one registry version.
    fn apply_tools(&self, remote: Vec<rmcp::model::Tool>) {
        let server = &self.config.name;
        if let Some(allowed) = &self.config.tools {
            for wanted in allowed {
                if !remote.iter().any(|t| t.name == *wanted) {
                    let hint = clawft_plugin::suggest::did_you_mean(
                        wanted,
                        remote.iter().map(|t| t.name.as_ref()),
                    )
                    .unwrap_or_default();
                    tracing::warn!(server = %server, "`mcp_servers.{server}.tools` lists `{wanted}`, which the server does not offer{hint}");
                }
            }
        }
        let offered: Vec<&rmcp::model::Tool> = remote
            .iter()
            .filter(|t| {
                self.config
                    .tools
                    .as_ref()
                    .is_none_or(|allowed| allowed.iter().any(|a| *a == t.name))
            })
            .collect();
        let names = unique_tool_names(server, offered.iter().map(|t| t.name.as_ref()));
        let mut tools: Vec<Arc<dyn Tool>> = Vec::new();
        for (remote, name) in offered.into_iter().zip(names) {
            match tool_spec(server, name, remote) {
                Ok(spec) => tools.push(Arc::new(RemoteTool {
                    server: self.me.clone(),
                    remote_name: remote.name.to_string(),
                    spec,
                })),
                Err(why) => {
                    tracing::warn!(server = %server, tool = %remote.name, "skipping the MCP tool: {why}")
                }
            }
        }
        let mut registered = self
            .registered
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        loop {
            let names: Vec<String> = tools.iter().map(|t| t.spec().name).collect();
            match self.registry.replace(&registered, tools.clone()) {
                Ok(()) => {
                    *registered = names;
                    return;
                }
                Err(RegistryError::Duplicate(taken)) => {
                    tracing::warn!(server = %server, "skipping the MCP tool `{taken}`: another tool already has that name");
                    tools.retain(|t| t.spec().name != taken);
                }
                Err(err) => {
                    tracing::warn!(server = %server, %err, "could not register the MCP server's tools");
                    return;
                }
            }
        }
    }
}
