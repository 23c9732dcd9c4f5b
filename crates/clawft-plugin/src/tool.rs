//! The [`Tool`] trait: a function the model can call.

use std::path::PathBuf;
use std::sync::Arc;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::PluginResult;
use crate::message::OutboundMessage;

/// Hints about a tool's behaviour, passed on to MCP clients and approval prompts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ToolAnnotations {
    /// The tool does not change anything outside itself.
    #[serde(default)]
    pub read_only: bool,
    /// The tool may delete or overwrite data.
    #[serde(default)]
    pub destructive: bool,
    /// Calling twice with the same arguments has the same effect as once.
    #[serde(default)]
    pub idempotent: bool,
    /// The tool talks to the world outside the machine (network).
    #[serde(default)]
    pub open_world: bool,
}

/// How a tool presents itself to the model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolSpec {
    /// Unique name (`[a-zA-Z0-9_-]{1,64}`).
    pub name: String,
    /// What the tool does, for the model.
    pub description: String,
    /// JSON Schema of the arguments object.
    pub parameters: Value,
    /// Behaviour hints.
    #[serde(default)]
    pub annotations: ToolAnnotations,
}

/// The outcome of a tool call as the model reads it.
///
/// A failure the model can act on (file not found, command exited 1) is a `ToolOutput`
/// with `is_error = true`, not a [`crate::PluginError`]: errors are for calls that could not
/// be made at all.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolOutput {
    /// Text shown to the model.
    pub content: String,
    /// Whether the call failed.
    #[serde(default)]
    pub is_error: bool,
}

impl ToolOutput {
    /// A successful result.
    pub fn ok(content: impl Into<String>) -> Self {
        Self {
            content: content.into(),
            is_error: false,
        }
    }

    /// A failed result the model should see.
    pub fn error(content: impl Into<String>) -> Self {
        Self {
            content: content.into(),
            is_error: true,
        }
    }
}

/// Sends messages to channels on behalf of a tool (the `message` tool, cron deliveries).
#[async_trait]
pub trait MessageSink: Send + Sync {
    /// Queue `msg` for delivery through its channel.
    async fn send(&self, msg: OutboundMessage) -> PluginResult<()>;
}

/// What a tool may know about the call it serves.
#[derive(Clone)]
pub struct ToolContext {
    /// The workspace directory file tools are confined to.
    pub workspace: PathBuf,
    /// Channel of the conversation (`cli`, `telegram`, ...).
    pub channel: String,
    /// Chat id of the conversation.
    pub chat_id: String,
    /// Where outbound messages go, when the host provides one.
    pub messages: Option<Arc<dyn MessageSink>>,
}

impl std::fmt::Debug for ToolContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ToolContext")
            .field("workspace", &self.workspace)
            .field("channel", &self.channel)
            .field("chat_id", &self.chat_id)
            .field("messages", &self.messages.is_some())
            .finish()
    }
}

impl ToolContext {
    /// A context for a conversation in `workspace`, without a message sink.
    pub fn new(workspace: impl Into<PathBuf>, channel: &str, chat_id: &str) -> Self {
        Self {
            workspace: workspace.into(),
            channel: channel.to_owned(),
            chat_id: chat_id.to_owned(),
            messages: None,
        }
    }
}

/// A function the model can call.
///
/// Implementations validate their own arguments and return [`ToolOutput::error`] for
/// failures the model can correct.
#[async_trait]
pub trait Tool: Send + Sync {
    /// Name, description and parameter schema.
    fn spec(&self) -> ToolSpec;

    /// Run the tool with `args` (a JSON object matching [`ToolSpec::parameters`]).
    async fn call(&self, args: Value, ctx: &ToolContext) -> PluginResult<ToolOutput>;
}
