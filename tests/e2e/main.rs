//! End-to-end tests of the `weft` binary, one module per topic.

mod agent;
mod architecture;
mod channels;
mod cli;
mod config;
mod gateway;
mod mcp;
mod mcp_client;
mod onboard;
mod plugin_install;
mod skill_install;
mod skills;
mod wasm_plugin;
