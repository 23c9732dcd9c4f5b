//! The base instructions: identity, workspace and conversation facts.

use async_trait::async_trait;
use clawft_plugin::{PipelineStage, PluginResult, TurnContext};

/// Default instructions when `agent.system_prompt` is not set.
pub const DEFAULT_INSTRUCTIONS: &str = "You are a personal AI assistant running on clawft. \
Be concise and helpful. Use the tools you are given when they help; when a tool fails, read \
its error and adjust instead of repeating the same call. File tools work inside the workspace \
directory only.";

/// Adds the base instructions and the facts of this conversation.
pub struct BaseInstructions {
    instructions: String,
}

impl BaseInstructions {
    /// Use `custom` instead of [`DEFAULT_INSTRUCTIONS`] when given.
    pub fn new(custom: Option<String>) -> Self {
        Self {
            instructions: custom.unwrap_or_else(|| DEFAULT_INSTRUCTIONS.to_owned()),
        }
    }
}

#[async_trait]
impl PipelineStage for BaseInstructions {
    fn name(&self) -> &str {
        "base-instructions"
    }

    async fn process(&self, ctx: &mut TurnContext) -> PluginResult<()> {
        let facts = format!(
            "Workspace: {}\nChannel: {} (chat {})",
            ctx.workspace.display(),
            ctx.inbound.channel,
            ctx.inbound.chat.id
        );
        ctx.add_section("", format!("{}\n\n{facts}", self.instructions));
        Ok(())
    }
}
