//! [`RemoteTool`]: one tool of a remote MCP server as a clawft [`Tool`].

use std::sync::Weak;

use clawft_plugin::{PluginResult, Tool, ToolContext, ToolOutput, ToolSpec, async_trait};
use serde_json::Value;

use super::server::RemoteServer;

/// A remote tool registered as `<server>__<tool>`. Calling it forwards the arguments
/// to the server; the server's connection is shared by all its tools and outlives
/// registry snapshots, so a turn that began before a list change still calls through.
pub(crate) struct RemoteTool {
    pub(crate) server: Weak<RemoteServer>,
    pub(crate) remote_name: String,
    pub(crate) spec: ToolSpec,
}

#[async_trait]
impl Tool for RemoteTool {
    fn spec(&self) -> ToolSpec {
        self.spec.clone()
    }

    async fn call(&self, args: Value, _ctx: &ToolContext) -> PluginResult<ToolOutput> {
        let Some(server) = self.server.upgrade() else {
            return Ok(ToolOutput::error(format!(
                "`{}` is unavailable: the connection to its MCP server was shut down",
                self.spec.name
            )));
        };
        Ok(server.call(&self.remote_name, args).await)
    }
}
