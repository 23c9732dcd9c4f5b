//! Host bindings for `clawft:plugin@0.1.0` (`wit/since_v0.1.0`, frozen).
//!
//! The generated bindings stay private; the rest of the crate sees [`Pre`] and plain
//! crate types, converted at this boundary. A later WIT version gets its own module
//! next to this one, and the loader picks the module whose world the component fits.

use wasmtime::Store;
use wasmtime::component::{HasSelf, InstancePre, Linker};

use crate::log::Level;
use crate::plugin::{PluginInfo, ToolInfo};
use crate::state::StoreState;

/// The WIT package version this module implements.
pub(crate) const VERSION: &str = "0.1.0";

mod bindings {
    wasmtime::component::bindgen!({
        path: "wit/since_v0.1.0",
        world: "clawft:plugin/plugin",
        exports: { default: async },
        require_store_data_send: true,
        with: {
            "wasi:http": wasmtime_wasi_http::p2::bindings::http,
            "wasi": wasmtime_wasi::p2::bindings,
        },
    });
}

use bindings::clawft::plugin::{host, types};

/// Add the `clawft:plugin/host@0.1.0` interface to `linker`.
pub(crate) fn add_to_linker(linker: &mut Linker<StoreState>) -> wasmtime::Result<()> {
    host::add_to_linker::<StoreState, HasSelf<StoreState>>(linker, |state| state)
}

impl host::Host for StoreState {
    fn log(&mut self, level: host::Level, message: String) {
        let level = match level {
            host::Level::Trace => Level::Trace,
            host::Level::Debug => Level::Debug,
            host::Level::Info => Level::Info,
            host::Level::Warn => Level::Warn,
            host::Level::Error => Level::Error,
        };
        self.log.line(level, &message);
    }
}

impl types::Host for StoreState {}

/// How a tool call failed, as the plugin reported it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ToolFailure {
    InvalidArguments(String),
    UnknownTool(String),
    Failed(String),
}

impl From<types::ToolError> for ToolFailure {
    fn from(err: types::ToolError) -> Self {
        match err {
            types::ToolError::InvalidArguments(m) => Self::InvalidArguments(m),
            types::ToolError::UnknownTool(m) => Self::UnknownTool(m),
            types::ToolError::Failed(m) => Self::Failed(m),
        }
    }
}

impl From<types::PluginInfo> for PluginInfo {
    fn from(info: types::PluginInfo) -> Self {
        Self {
            name: info.name,
            version: info.version,
            tools: info
                .tools
                .into_iter()
                .map(|t| ToolInfo {
                    name: t.name,
                    description: t.description,
                    parameters_schema: t.parameters_schema,
                })
                .collect(),
        }
    }
}

/// A component linked against the 0.1.0 world, ready to instantiate per call.
#[derive(Clone)]
pub(crate) struct Pre(bindings::PluginPre<StoreState>);

impl Pre {
    /// Check that the component exports the 0.1.0 world.
    pub(crate) fn new(pre: InstancePre<StoreState>) -> wasmtime::Result<Self> {
        Ok(Self(bindings::PluginPre::new(pre)?))
    }

    /// Instantiate and call `describe`.
    pub(crate) async fn describe(
        &self,
        store: &mut Store<StoreState>,
    ) -> wasmtime::Result<PluginInfo> {
        let plugin = self.0.instantiate_async(&mut *store).await?;
        Ok(plugin.call_describe(&mut *store).await?.into())
    }

    /// Instantiate once, for callers that reuse the instance (benchmarks).
    pub(crate) async fn instantiate(
        &self,
        store: &mut Store<StoreState>,
    ) -> wasmtime::Result<Instance> {
        Ok(Instance(self.0.instantiate_async(&mut *store).await?))
    }

    /// Instantiate and call `execute-tool`.
    pub(crate) async fn execute(
        &self,
        store: &mut Store<StoreState>,
        tool: &str,
        args: &str,
    ) -> wasmtime::Result<Result<String, ToolFailure>> {
        let plugin = self.0.instantiate_async(&mut *store).await?;
        let result = plugin.call_execute_tool(&mut *store, tool, args).await?;
        Ok(result.map_err(ToolFailure::from))
    }
}

/// A live instance of the 0.1.0 world.
pub(crate) struct Instance(bindings::Plugin);

impl Instance {
    /// Call `execute-tool` on this instance.
    pub(crate) async fn execute(
        &self,
        store: &mut Store<StoreState>,
        tool: &str,
        args: &str,
    ) -> wasmtime::Result<Result<String, ToolFailure>> {
        let result = self.0.call_execute_tool(&mut *store, tool, args).await?;
        Ok(result.map_err(ToolFailure::from))
    }
}
