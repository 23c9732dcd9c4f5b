//! clawft's MCP server: every registered tool and every available skill, served to MCP
//! clients (IDEs, Claude Desktop, the official SDKs) over stdio and streamable HTTP.
//!
//! [`McpServer`] is one handler over clawft's shared registries, built with
//! [`McpServer::builder`] from an `Arc<`[`ToolRegistry`](clawft_core::ToolRegistry)`>` and an
//! `Arc<`[`SkillRegistry`](clawft_skills::SkillRegistry)`>`. It is served unchanged over
//! [`serve_stdio`] and [`serve_http`] (rmcp's `StreamableHttpService` in axum). It speaks
//! every protocol revision rmcp knows, from `2024-11-05` to the stateless `2026-07-28`,
//! and negotiates the newest the client offers.
//!
//! # What clients see
//!
//! | MCP surface | from | notes |
//! |---|---|---|
//! | tools | every registered tool | JSON Schema and `readOnlyHint`/`destructiveHint`/`idempotentHint`/`openWorldHint` from its [`ToolAnnotations`](clawft_plugin::ToolAnnotations) |
//! | tools | every available, model-invocable skill, as `skill__<name>` | the prefix keeps a skill from shadowing a built-in tool; a call returns the instructions with resolved paths plus the `arguments` text, or runs the skill's `command-tool` when it dispatches to one |
//! | prompts | every available, user-invocable skill, named `<name>` | one optional argument, `arguments`, described by `argument-hint` |
//! | resources | files of every available skill | `skill://<name>/SKILL.md` and the other files of its folder, bounded by [`McpLimits`] |
//!
//! # Live updates
//!
//! When the skill registry changes (hot reload) the server sends
//! `notifications/tools/list_changed`, `prompts/list_changed` and `resources/list_changed`;
//! when the tool registry's version changes it sends `tools/list_changed`. Sessions on a
//! protocol with an `initialize` handshake (up to `2025-11-25`) get them as plain
//! notifications; `2026-07-28` clients get them on their `subscriptions/listen` stream.
//!
//! # Errors
//!
//! A tool that fails returns a result with `isError: true` (the model reads it); an unknown
//! tool, prompt or resource is a JSON-RPC `-32602` error; a tool that panics is reported as
//! a failed call and the server keeps serving. Nothing but protocol messages goes to stdout.
//!
//! # Features
//!
//! | feature | effect | default |
//! |---|---|---|
//! | `stdio` | [`serve_stdio`]: serve over the process's stdin/stdout | on |
//! | `http` | [`serve_http`], [`http_router`]: streamable HTTP in axum with bearer-token auth and Origin checks | on |
//! | `client` | [`client`]: connect the servers of the `mcp_servers` config section (stdio child processes or streamable HTTP) and register their tools as `<server>__<tool>` | off |
//!
//! # Client
//!
//! The other direction: with the `client` feature, [`client::McpClients`] connects the
//! MCP servers configured under `mcp_servers` and registers their tools in the same
//! [`ToolRegistry`](clawft_core::ToolRegistry), so the agent (and this server, inside
//! `weft gateway`) sees them as `<server>__<tool>`. See the [`client`] module.

pub mod error;
pub mod notify;
pub mod prompts;
pub mod resources;
pub mod server;
pub mod settings;
pub mod tools;

#[cfg(feature = "client")]
pub mod client;
#[cfg(feature = "http")]
pub mod http;
#[cfg(feature = "stdio")]
pub mod stdio;
#[cfg(feature = "http")]
pub mod token;

pub use error::McpError;
pub use server::{McpServer, McpServerBuilder};
pub use settings::{HttpSettings, McpLimits, McpSettings};
pub use tools::{SKILL_TOOL_PREFIX, skill_tool_name};

#[cfg(feature = "http")]
pub use http::{HttpAuth, HttpOptions, http_router, serve_http};
#[cfg(feature = "stdio")]
pub use stdio::serve_stdio;
#[cfg(feature = "http")]
pub use token::{TOKEN_FILE, load_or_create_token};

/// Cancels the streams of [`http_router`]; re-exported for hosts embedding the router.
pub use tokio_util::sync::CancellationToken;

/// Re-exported so hosts can name rmcp types (e.g. `ProtocolVersion`) without a direct
/// dependency.
pub use rmcp;
