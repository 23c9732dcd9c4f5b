//! The clawft WASM plugin host.
//!
//! A WASM plugin is a WebAssembly component implementing the `clawft:plugin` world (see
//! `wit/since_v0.1.0/plugin.wit` in this crate) plus a manifest (`clawft.plugin.json`)
//! saying what it may touch. [`load_plugin`] checks the size budget, compiles the
//! component (or loads it from the on-disk cache), links it once ([`wasmtime::InstancePre`]),
//! asks it to `describe` its tools and returns each as an ordinary
//! [`clawft_plugin::Tool`]: the agent, slash commands and MCP see no difference from a
//! built-in tool.
//!
//! ```no_run
//! # async fn demo() -> Result<(), clawft_wasm::WasmError> {
//! use clawft_wasm::{WasmConfig, WasmHost, load_plugin};
//! let host = WasmHost::new(&WasmConfig::default())?;
//! let plugin = load_plugin("plugins/http-fetch".as_ref(), &host).await?;
//! for tool in &plugin.tools {
//!     println!("{}", tool.spec().name);
//! }
//! # Ok(()) }
//! ```
//!
//! # Sandbox
//!
//! Every call runs in a fresh [`wasmtime::Store`] (no state survives between calls or
//! leaks between plugins) under [`WasmLimits`]: fuel, a wall-clock deadline (epoch
//! interruption driven by one ticker thread per host), a memory ceiling and
//! instance/table caps. A plugin gets nothing by default; its manifest asks for:
//!
//! | permission | what the plugin sees |
//! |---|---|
//! | `filesystem: [{path, write}]` | the directory, preopened read-only unless `write`; `$WORKSPACE/x` is `/workspace/x`, `~/x` is `/home/x`, `/abs` is `/abs`, a relative `x` (in the plugin directory) is `/plugin/x` |
//! | `env: [NAME]` | those variables, if set in the host; nothing else |
//! | `network: [host]` | `wasi:http` requests to matching hosts (http/https only); loopback, private, link-local and metadata addresses only for an exact host entry; at most [`WasmLimits::http_requests_per_minute`] |
//! | `exec` | nothing: WASM plugins cannot run processes |
//!
//! Secrets are never handed to a plugin: the caller passes them in [`PluginGrants`] and
//! the host adds them as headers to requests for the named host.
//!
//! # Features
//!
//! | feature | effect | default |
//! |---|---|---|
//! | `install` | the `install` module: install, update and remove plugins from git, ClawHub, archive URLs and folders | off |
//!
//! # Safety
//!
//! The crate denies `unsafe` except in one function: loading a compiled component from
//! the on-disk cache this crate wrote (see `cache.rs`).

#![deny(unsafe_code)]

mod cache;
mod config;
mod engine;
mod error;
mod http;
#[cfg(feature = "install")]
pub mod install;
mod limits;
mod log;
mod plugin;
mod runtime;
mod sandbox;
mod size;
mod state;
mod tool;
mod v0_1;

pub use cache::{CacheOutcome, sha256_hex};
pub use config::{PluginGrants, PluginSettings, SecretHeader, SecretValue, WasmConfig};
pub use engine::WasmHost;
pub use error::WasmError;
pub use http::is_public;
pub use limits::*;
pub use plugin::{
    LoadedPlugin, PluginFiles, PluginInfo, ToolInfo, load_component, load_plugin, load_plugin_with,
    locate_plugin,
};
pub use size::{MAX_PLUGIN_BYTES, MAX_PLUGIN_GZIP_BYTES, SizeReport, check_size};
pub use tool::WasmTool;

/// The `clawft:plugin` WIT versions this host can load, oldest first.
pub const SUPPORTED_WIT_VERSIONS: &[&str] = &[v0_1::VERSION];
