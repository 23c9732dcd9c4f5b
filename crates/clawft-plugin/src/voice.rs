//! The [`VoiceHandler`] trait: speech to text and text to speech.
//!
//! This is a placeholder for the voice workstream: the trait is part of the contract so
//! plugins can be written against it, but clawft ships no implementation yet and the host
//! does not route audio to it.

use async_trait::async_trait;

use crate::error::PluginResult;
use crate::message::Attachment;

/// Converts between audio and text.
#[async_trait]
pub trait VoiceHandler: Send + Sync {
    /// Handler name.
    fn name(&self) -> &str;

    /// Transcribe an audio attachment to text.
    async fn transcribe(&self, audio: &Attachment) -> PluginResult<String>;

    /// Speak `text`, returning an audio attachment.
    async fn synthesize(&self, text: &str) -> PluginResult<Attachment>;
}
