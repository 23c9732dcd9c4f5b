//! The clawft plugin contract.
//!
//! This crate is what a plugin author depends on, and nothing else: it defines the six
//! extension traits, the messages they exchange, the plugin manifest and the shared error
//! type. It depends on no other clawft crate and on no async runtime, so a plugin compiles
//! against a small, stable surface.
//!
//! | trait | what it extends |
//! |---|---|
//! | [`Tool`] | a function the model can call (JSON Schema parameters, JSON result) |
//! | [`ChannelAdapter`] | a chat platform: receives [`InboundMessage`]s, sends [`OutboundMessage`]s |
//! | [`PipelineStage`] | one step in assembling a model turn (context, personality, routing) |
//! | [`Skill`] | instructions the model activates on demand (`SKILL.md`) |
//! | [`MemoryBackend`] | durable key/value + search memory |
//! | [`VoiceHandler`] | speech in/out (placeholder: no implementation ships yet) |
//!
//! Slash commands contributed by skills and plugins implement [`SlashCommand`] and arrive
//! through a [`CommandSource`].
//!
//! Async trait methods use [`async_trait`] so the traits stay object safe
//! (`Arc<dyn Tool>`) without tying the crate to a runtime.

pub mod capabilities;
pub mod channel;
pub mod command;
pub mod conversation;
pub mod error;
pub mod manifest;
pub mod memory;
pub mod message;
pub mod pipeline;
pub mod skill;
pub mod suggest;
pub mod tool;
pub mod voice;

pub use async_trait::async_trait;
pub use capabilities::{ChannelCapabilities, RichTextSupport, ThreadSupport};
pub use channel::{ChannelAdapter, ChannelHealth, ChannelState, InboundSink};
pub use command::{
    CommandContext, CommandOrigin, CommandOutcome, CommandSource, CommandSpec, SlashCommand,
};
pub use conversation::{ChatMessage, Role, ToolCall};
pub use error::{PluginError, PluginResult};
pub use manifest::{Manifest, ManifestError, ManifestFormat, Permissions};
pub use memory::{MemoryBackend, MemoryEntry};
pub use message::{
    Attachment, AttachmentData, ChatKind, ChatRef, InboundMessage, MessageRef, OutboundMessage,
    Reaction, RichText, Sender, TextFormat,
};
pub use pipeline::{PipelineStage, TurnContext};
pub use skill::{Skill, SkillDescriptor};
pub use tool::{MessageSink, Tool, ToolAnnotations, ToolContext, ToolOutput, ToolSpec};
pub use voice::VoiceHandler;
