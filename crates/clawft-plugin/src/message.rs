//! Messages exchanged between channels and the agent.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// What kind of conversation a chat is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ChatKind {
    /// A one-to-one conversation with the bot.
    #[default]
    Direct,
    /// A group, room, channel or space with several members.
    Group,
    /// A thread inside a group.
    Thread,
}

/// Identifies a chat on a channel.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ChatRef {
    /// Platform id of the chat (Telegram chat id, Slack channel id, email thread, ...).
    pub id: String,
    /// Direct, group or thread.
    #[serde(default)]
    pub kind: ChatKind,
}

/// Who sent a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sender {
    /// Platform id of the sender.
    pub id: String,
    /// Human-readable name, when the platform gives one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// Whether the sender is a bot (bots are usually ignored).
    #[serde(default)]
    pub is_bot: bool,
}

/// The markup of a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum TextFormat {
    /// Plain text.
    #[default]
    Plain,
    /// CommonMark markdown (what the model writes).
    Markdown,
    /// HTML.
    Html,
}

/// A text with its markup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct RichText {
    /// The text itself.
    pub text: String,
    /// How `text` is marked up.
    #[serde(default)]
    pub format: TextFormat,
}

impl RichText {
    /// Plain text.
    pub fn plain(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            format: TextFormat::Plain,
        }
    }

    /// Markdown text.
    pub fn markdown(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            format: TextFormat::Markdown,
        }
    }
}

/// Where the bytes of an attachment are.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "type", content = "value")]
pub enum AttachmentData {
    /// A file on the local disk.
    Path(String),
    /// A URL the channel can fetch (or already hosts).
    Url(String),
    /// Base64-encoded bytes, for small payloads.
    Base64(String),
    /// A platform file id (Telegram `file_id`, Slack file id) to be resolved by the adapter.
    PlatformId(String),
}

/// An image, document, audio clip or other file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    /// File name, as shown to users.
    pub name: String,
    /// MIME type, e.g. `image/png`.
    pub mime_type: String,
    /// Size in bytes, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    /// Where the bytes are.
    pub data: AttachmentData,
}

impl Attachment {
    /// Whether this attachment is an image (by MIME type).
    pub fn is_image(&self) -> bool {
        self.mime_type.starts_with("image/")
    }
}

/// A reference to an earlier message, for replies and reactions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageRef {
    /// Platform id of the message.
    pub id: String,
    /// Whether that message was sent by the bot itself (a reply to the bot counts as a mention).
    #[serde(default)]
    pub from_bot: bool,
}

/// An emoji reaction to a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reaction {
    /// The message reacted to.
    pub target: MessageRef,
    /// The emoji (unicode or platform shortcode).
    pub emoji: String,
}

/// A message a channel received, normalised for the agent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InboundMessage {
    /// Channel name (`telegram`, `slack`, `cli`, ...).
    pub channel: String,
    /// Platform id of this message.
    pub id: String,
    /// The chat it arrived in.
    pub chat: ChatRef,
    /// Who sent it.
    pub sender: Sender,
    /// The text.
    pub content: RichText,
    /// Files that came with it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<Attachment>,
    /// The message this one replies to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_to: Option<MessageRef>,
    /// Thread id, where the platform has threads.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thread_id: Option<String>,
    /// A reaction event instead of (or with) text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reaction: Option<Reaction>,
    /// Whether the bot was mentioned (always true in direct chats).
    #[serde(default)]
    pub mentioned: bool,
    /// Unix time in milliseconds.
    pub timestamp_ms: u64,
    /// Platform-specific extras the agent may pass on to tools.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub metadata: Map<String, Value>,
}

impl InboundMessage {
    /// A plain-text direct message, handy for the CLI and tests.
    pub fn text(channel: &str, chat_id: &str, sender_id: &str, text: &str) -> Self {
        Self {
            channel: channel.to_owned(),
            id: String::new(),
            chat: ChatRef {
                id: chat_id.to_owned(),
                kind: ChatKind::Direct,
            },
            sender: Sender {
                id: sender_id.to_owned(),
                display_name: None,
                is_bot: false,
            },
            content: RichText::plain(text),
            attachments: Vec::new(),
            reply_to: None,
            thread_id: None,
            reaction: None,
            mentioned: true,
            timestamp_ms: 0,
            metadata: Map::new(),
        }
    }

    /// The session key `channel:chat_id` that orders this chat's messages.
    pub fn session_key(&self) -> String {
        format!("{}:{}", self.channel, self.chat.id)
    }
}

/// A message the agent sends through a channel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutboundMessage {
    /// Channel name to send through.
    pub channel: String,
    /// Chat to send to.
    pub chat_id: String,
    /// The text (usually markdown from the model; the adapter converts it).
    pub content: RichText,
    /// Files to send.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<Attachment>,
    /// Reply to this message, where the platform supports it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_to: Option<String>,
    /// Post into this thread, where the platform supports it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thread_id: Option<String>,
    /// Platform-specific extras (e.g. a WhatsApp template name).
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub metadata: Map<String, Value>,
}

impl OutboundMessage {
    /// A markdown reply to `inbound`, in the same chat and thread.
    pub fn reply_to(inbound: &InboundMessage, markdown: impl Into<String>) -> Self {
        Self {
            channel: inbound.channel.clone(),
            chat_id: inbound.chat.id.clone(),
            content: RichText::markdown(markdown),
            attachments: Vec::new(),
            reply_to: (!inbound.id.is_empty()).then(|| inbound.id.clone()),
            thread_id: inbound.thread_id.clone(),
            metadata: Map::new(),
        }
    }

    /// A new markdown message to a chat (proactive outbound).
    pub fn new(channel: &str, chat_id: &str, markdown: impl Into<String>) -> Self {
        Self {
            channel: channel.to_owned(),
            chat_id: chat_id.to_owned(),
            content: RichText::markdown(markdown),
            attachments: Vec::new(),
            reply_to: None,
            thread_id: None,
            metadata: Map::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_key_is_channel_and_chat() {
        let msg = InboundMessage::text("telegram", "42", "u1", "hi");
        assert_eq!(msg.session_key(), "telegram:42");
    }

    #[test]
    fn reply_keeps_chat_thread_and_reply_target() {
        let mut msg = InboundMessage::text("slack", "C1", "U1", "hi");
        msg.id = "m7".into();
        msg.thread_id = Some("t9".into());
        let out = OutboundMessage::reply_to(&msg, "hello");
        assert_eq!(out.chat_id, "C1");
        assert_eq!(out.reply_to.as_deref(), Some("m7"));
        assert_eq!(out.thread_id.as_deref(), Some("t9"));
        assert_eq!(out.content.format, TextFormat::Markdown);
    }

    #[test]
    fn inbound_round_trips_through_json() {
        let mut msg = InboundMessage::text("cli", "local", "me", "hello");
        msg.attachments.push(Attachment {
            name: "a.png".into(),
            mime_type: "image/png".into(),
            size: Some(3),
            data: AttachmentData::Base64("AAAA".into()),
        });
        let json = serde_json::to_string(&msg).unwrap();
        let back: InboundMessage = serde_json::from_str(&json).unwrap();
        assert_eq!(back, msg);
        assert!(back.attachments[0].is_image());
    }
}
