//! [`WasmTool`]: one tool of a WASM plugin as an ordinary [`Tool`].

use std::sync::Arc;

use async_trait::async_trait;
use clawft_plugin::{PluginResult, Tool, ToolContext, ToolOutput, ToolSpec};
use serde_json::Value;

use crate::runtime::PluginRuntime;

/// A tool provided by a WASM plugin. Each call runs in a fresh store under the host's
/// limits; a limit hit or a crash is a [`ToolOutput::error`] naming the plugin and the
/// limit, and the host keeps serving.
pub struct WasmTool {
    runtime: Arc<PluginRuntime>,
    spec: ToolSpec,
}

impl WasmTool {
    pub(crate) fn new(runtime: Arc<PluginRuntime>, spec: ToolSpec) -> Self {
        Self { runtime, spec }
    }

    /// Id of the plugin providing this tool.
    pub fn plugin_id(&self) -> &str {
        &self.runtime.id
    }
}

impl std::fmt::Debug for WasmTool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WasmTool")
            .field("plugin", &&*self.runtime.id)
            .field("name", &self.spec.name)
            .finish()
    }
}

#[async_trait]
impl Tool for WasmTool {
    fn spec(&self) -> ToolSpec {
        self.spec.clone()
    }

    async fn call(&self, args: Value, ctx: &ToolContext) -> PluginResult<ToolOutput> {
        let args = serde_json::to_string(&args)?;
        Ok(self
            .runtime
            .call(&self.spec.name, &args, &ctx.workspace)
            .await)
    }
}
