//! The clawft runtime.
//!
//! Configuration ([`config`]), LLM providers ([`provider`]), the agent loop ([`agent`]), the
//! tool registry ([`tool_registry`]), sessions ([`session`]), the turn pipeline
//! ([`pipeline`]), the message bus ([`bus`]) and the [`plugin_host`]. This crate knows the
//! plugin traits from `clawft-plugin` and never a concrete channel, tool or WASM runtime:
//! those arrive as trait objects.

pub mod agent;
pub mod bus;
pub mod config;
pub mod pipeline;
pub mod plugin_host;
pub mod provider;
pub mod session;
pub mod slash;
/// "Did you mean" helpers (shared with every crate through the contract crate).
pub use clawft_plugin::suggest;
pub mod tool_registry;

pub use agent::{Agent, AgentError, AgentParts, TurnEvent, TurnObserver, TurnOutcome};
pub use bus::{BusLimits, InboundHandler, LocalBus, MessageBus};
pub use config::{Config, LoadedConfig, Paths};
pub use plugin_host::{ChannelStatus, PluginHost, PluginState};
pub use provider::{LlmProvider, build_provider};
pub use session::{JsonlSessionStore, SessionStore};
pub use slash::{CommandRegistry, Response, respond};
pub use tool_registry::{RegistryError, ToolRegistry, ToolSet};
