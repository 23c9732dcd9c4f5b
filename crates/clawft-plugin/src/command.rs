//! Slash commands (`/help`, `/new`, `/<skill>`): the [`SlashCommand`] trait and the
//! [`CommandSource`] through which skills and plugins contribute commands that change at
//! run time.

use std::sync::Arc;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::PluginResult;

/// Where a command comes from, shown by `/help`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "name")]
pub enum CommandOrigin {
    /// Built into clawft.
    Builtin,
    /// A user-invocable skill.
    Skill(String),
    /// A plugin, by id.
    Plugin(String),
}

/// How a command presents itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommandSpec {
    /// Name without the slash: lowercase letters, digits and `_`, at most 32 characters.
    pub name: String,
    /// One line for `/help` (at most 100 characters).
    pub description: String,
    /// Hint for the argument, e.g. `<city>`.
    pub argument_hint: Option<String>,
    /// Who provides it.
    pub origin: CommandOrigin,
}

/// The conversation a command runs in.
#[derive(Debug, Clone)]
pub struct CommandContext {
    /// Channel name.
    pub channel: String,
    /// Chat id.
    pub chat_id: String,
    /// `channel:chat_id`.
    pub session_key: String,
}

/// What a command asks the host to do.
#[derive(Debug, Clone, PartialEq)]
pub enum CommandOutcome {
    /// Answer the user with this text; the model is not called.
    Reply(String),
    /// Send this text to the agent as the user's message (skill commands).
    Prompt(String),
    /// Call a tool directly with these arguments and reply with its output
    /// (`command-dispatch: tool`).
    CallTool {
        /// Tool name.
        tool: String,
        /// Arguments object.
        arguments: Value,
    },
    /// Forget this conversation's history.
    ClearSession,
}

/// A slash command.
#[async_trait]
pub trait SlashCommand: Send + Sync {
    /// Name, description, argument hint, origin.
    fn spec(&self) -> CommandSpec;

    /// Run with the raw text after the command name (trimmed; may be empty).
    async fn run(&self, args: &str, ctx: &CommandContext) -> PluginResult<CommandOutcome>;
}

/// A changing set of commands (e.g. one per loaded skill), asked on every lookup so that
/// `/help` always reflects what is loaded now.
pub trait CommandSource: Send + Sync {
    /// The commands available right now.
    fn commands(&self) -> Vec<Arc<dyn SlashCommand>>;
}
