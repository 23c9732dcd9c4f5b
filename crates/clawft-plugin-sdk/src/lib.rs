//! Write a clawft WASM plugin in a few lines.
//!
//! A plugin is a WebAssembly component (target `wasm32-wasip2`) that implements the
//! `clawft:plugin@0.1.0` world (`crates/clawft-wasm/wit/since_v0.1.0/plugin.wit`):
//! it describes its tools and runs them. This crate generates the bindings and gives you
//! a trait and a macro:
//!
//! ```ignore
//! use clawft_plugin_sdk::{Plugin, PluginInfo, ToolInfo, ToolError, export_plugin};
//!
//! struct Hello;
//!
//! impl Plugin for Hello {
//!     fn describe() -> PluginInfo {
//!         PluginInfo::new("hello", env!("CARGO_PKG_VERSION")).tool(ToolInfo::new(
//!             "greet",
//!             "Greets someone by name.",
//!             r#"{"type":"object","properties":{"name":{"type":"string"}},"required":["name"]}"#,
//!         ))
//!     }
//!
//!     fn call(tool: &str, args: &str) -> Result<String, ToolError> {
//!         match tool {
//!             "greet" => Ok(format!("hello, {}", args)),
//!             other => Err(ToolError::UnknownTool(other.into())),
//!         }
//!     }
//! }
//!
//! export_plugin!(Hello);
//! ```
//!
//! Build with `cargo build --release --target wasm32-wasip2` (crate type `cdylib`) and
//! put the `.wasm` next to a `clawft.plugin.json` that names it in `entry.wasm` and
//! declares what the plugin may touch.
//!
//! What the host gives a plugin, and only when the manifest asks and the host grants:
//!
//! | need | how |
//! |---|---|
//! | files | `std::fs` under the declared directories (`$WORKSPACE/x` is `/workspace/x`) |
//! | environment | `std::env::var` for the declared names only |
//! | HTTP | [`http::get`] / [`http::request`] to the declared hosts |
//! | logging | [`log`] (rate-limited and truncated by the host) |
//!
//! | feature | effect | default |
//! |---|---|---|
//! | `json` | [`parse_args`] and [`to_json`] over serde_json | on |

pub mod http;

/// The generated bindings of the `clawft:plugin/plugin` world (for advanced use: raw
/// `wasi:http`, `wasi:io`, ... types).
#[allow(missing_docs, unsafe_code, clippy::all)]
pub mod bindings {
    wit_bindgen::generate!({
        path: "../clawft-wasm/wit/since_v0.1.0",
        world: "clawft:plugin/plugin",
        generate_all,
        pub_export_macro: true,
        export_macro_name: "__export_clawft_plugin",
        default_bindings_module: "::clawft_plugin_sdk::bindings",
    });
}

pub use bindings::clawft::plugin::host::Level;
pub use bindings::clawft::plugin::types::{PluginInfo, ToolError, ToolInfo};

/// What a plugin implements. See the crate docs for a complete plugin.
pub trait Plugin {
    /// The plugin's name, version and tools. Called once when the host loads it.
    fn describe() -> PluginInfo;

    /// Run `tool` with `args` (a JSON object as text). Return the result text (usually
    /// JSON) or a [`ToolError`] the model can read.
    fn call(tool: &str, args: &str) -> Result<String, ToolError>;
}

impl PluginInfo {
    /// A plugin called `name` at `version`, with no tools yet.
    pub fn new(name: &str, version: &str) -> Self {
        Self {
            name: name.to_owned(),
            version: version.to_owned(),
            tools: Vec::new(),
        }
    }

    /// Add a tool.
    pub fn tool(mut self, tool: ToolInfo) -> Self {
        self.tools.push(tool);
        self
    }
}

impl ToolInfo {
    /// A tool called `name`; `parameters_schema` is the JSON Schema of its arguments.
    pub fn new(name: &str, description: &str, parameters_schema: &str) -> Self {
        Self {
            name: name.to_owned(),
            description: description.to_owned(),
            parameters_schema: parameters_schema.to_owned(),
        }
    }
}

/// Write a line to the host's log, attributed to this plugin.
pub fn log(level: Level, message: &str) {
    bindings::clawft::plugin::host::log(level, message);
}

/// Deserialize a tool's arguments, turning a mismatch into
/// [`ToolError::InvalidArguments`] with serde's explanation.
#[cfg(feature = "json")]
pub fn parse_args<T: serde::de::DeserializeOwned>(args: &str) -> Result<T, ToolError> {
    serde_json::from_str(args).map_err(|err| ToolError::InvalidArguments(err.to_string()))
}

/// Serialize a result as JSON text.
#[cfg(feature = "json")]
pub fn to_json<T: serde::Serialize>(value: &T) -> Result<String, ToolError> {
    serde_json::to_string(value).map_err(|err| ToolError::Failed(err.to_string()))
}

/// Export `$plugin` (a type implementing [`Plugin`]) as the component's
/// `describe` / `execute-tool`.
#[macro_export]
macro_rules! export_plugin {
    ($plugin:ty) => {
        #[doc(hidden)]
        pub struct __ClawftPluginExport;

        impl $crate::bindings::Guest for __ClawftPluginExport {
            fn describe() -> $crate::PluginInfo {
                <$plugin as $crate::Plugin>::describe()
            }

            fn execute_tool(
                name: ::std::string::String,
                arguments_json: ::std::string::String,
            ) -> ::std::result::Result<::std::string::String, $crate::ToolError> {
                <$plugin as $crate::Plugin>::call(&name, &arguments_json)
            }
        }

        $crate::bindings::__export_clawft_plugin!(__ClawftPluginExport);
    };
}
