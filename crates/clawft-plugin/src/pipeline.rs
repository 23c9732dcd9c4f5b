//! The [`PipelineStage`] trait: one step in assembling a model turn.

use std::path::PathBuf;

use async_trait::async_trait;
use serde_json::{Map, Value};

use crate::conversation::ChatMessage;
use crate::error::PluginResult;
use crate::message::InboundMessage;

/// Everything a turn is built from. Stages run in order and may add system-prompt sections,
/// rewrite the history, or stop the turn with a direct reply.
#[derive(Debug, Clone)]
pub struct TurnContext {
    /// The message that started the turn.
    pub inbound: InboundMessage,
    /// The workspace directory.
    pub workspace: PathBuf,
    /// System-prompt sections in order, each `(title, text)`; joined by the host.
    pub system_sections: Vec<(String, String)>,
    /// Earlier conversation, oldest first.
    pub history: Vec<ChatMessage>,
    /// Set by a stage to answer without calling the model (routing, canned replies).
    pub direct_reply: Option<String>,
    /// Free-form values stages pass to each other.
    pub extras: Map<String, Value>,
}

impl TurnContext {
    /// A context for `inbound` with empty prompt and history.
    pub fn new(inbound: InboundMessage, workspace: impl Into<PathBuf>) -> Self {
        Self {
            inbound,
            workspace: workspace.into(),
            system_sections: Vec::new(),
            history: Vec::new(),
            direct_reply: None,
            extras: Map::new(),
        }
    }

    /// Append a titled section to the system prompt.
    pub fn add_section(&mut self, title: impl Into<String>, text: impl Into<String>) {
        self.system_sections.push((title.into(), text.into()));
    }

    /// The system prompt: sections joined with their titles as markdown headings.
    pub fn system_prompt(&self) -> String {
        let mut out = String::new();
        for (title, text) in &self.system_sections {
            if !out.is_empty() {
                out.push_str("\n\n");
            }
            if !title.is_empty() {
                out.push_str("## ");
                out.push_str(title);
                out.push_str("\n\n");
            }
            out.push_str(text.trim_end());
        }
        out
    }
}

/// One step of the turn pipeline.
#[async_trait]
pub trait PipelineStage: Send + Sync {
    /// Stage name, for logs and ordering.
    fn name(&self) -> &str;

    /// Inspect or change the turn.
    async fn process(&self, ctx: &mut TurnContext) -> PluginResult<()>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn system_prompt_joins_titled_sections() {
        let mut ctx = TurnContext::new(InboundMessage::text("cli", "c", "u", "hi"), "/tmp");
        ctx.add_section("", "You are helpful.");
        ctx.add_section("SOUL.md", "Be kind.\n");
        assert_eq!(
            ctx.system_prompt(),
            "You are helpful.\n\n## SOUL.md\n\nBe kind."
        );
    }
}
