//! Turning Telegram updates into [`InboundMessage`]s: chat kinds, photos and documents,
//! replies, topics and group mention detection.

use clawft_plugin::{
    Attachment, AttachmentData, ChatKind, ChatRef, InboundMessage, MessageRef, RichText, Sender,
};
use serde::Deserialize;
use serde_json::{Map, Value};

/// Channel name used in messages and session keys.
pub const CHANNEL: &str = "telegram";

/// Who the bot is (from `getMe`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub(crate) struct BotIdentity {
    pub id: i64,
    #[serde(default)]
    pub username: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct User {
    pub id: i64,
    #[serde(default)]
    pub is_bot: bool,
    #[serde(default)]
    pub first_name: String,
    #[serde(default)]
    pub last_name: Option<String>,
    #[serde(default)]
    pub username: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Chat {
    pub id: i64,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub title: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct PhotoSize {
    pub file_id: String,
    #[serde(default)]
    pub width: u64,
    #[serde(default)]
    pub height: u64,
    #[serde(default)]
    pub file_size: Option<u64>,
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Document {
    pub file_id: String,
    #[serde(default)]
    pub file_name: Option<String>,
    #[serde(default)]
    pub mime_type: Option<String>,
    #[serde(default)]
    pub file_size: Option<u64>,
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Message {
    pub message_id: i64,
    #[serde(default)]
    pub from: Option<User>,
    pub chat: Chat,
    #[serde(default)]
    pub date: i64,
    #[serde(default)]
    pub text: Option<String>,
    #[serde(default)]
    pub caption: Option<String>,
    #[serde(default)]
    pub photo: Option<Vec<PhotoSize>>,
    #[serde(default)]
    pub document: Option<Document>,
    #[serde(default)]
    pub reply_to_message: Option<Box<Message>>,
    #[serde(default)]
    pub message_thread_id: Option<i64>,
    #[serde(default)]
    pub is_topic_message: Option<bool>,
}

/// Remove `@username` (ASCII, case-insensitive, whole word) from `text` and tidy the
/// spaces. Returns the new text and whether the mention was there.
fn strip_mention(text: &str, username: &str) -> (String, bool) {
    if username.is_empty() {
        return (text.to_owned(), false);
    }
    let mut found_any = false;
    let needle = format!("@{}", username.to_ascii_lowercase());
    let lower = text.to_ascii_lowercase();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while let Some(found) = lower[i..].find(&needle) {
        let at = i + found;
        let end = at + needle.len();
        let boundary = text[end..]
            .chars()
            .next()
            .is_none_or(|c| !(c.is_ascii_alphanumeric() || c == '_'));
        out.push_str(&text[i..at]);
        if boundary {
            found_any = true;
        } else {
            out.push_str(&text[at..end]);
        }
        i = end;
    }
    out.push_str(&text[i..]);
    if !found_any {
        return (text.to_owned(), false);
    }
    let tidy = out
        .split(' ')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    (tidy.trim().to_owned(), true)
}

/// Convert a `message` update. Returns the message and the sender's aliases (username) for
/// the access policy, or `None` for messages with nothing to hand on (service messages).
pub(crate) fn to_inbound(msg: &Message, me: &BotIdentity) -> Option<(InboundMessage, Vec<String>)> {
    let from = msg.from.as_ref()?;
    let kind = match msg.chat.kind.as_str() {
        "private" => ChatKind::Direct,
        _ => ChatKind::Group,
    };
    let raw_text = msg
        .text
        .clone()
        .or_else(|| msg.caption.clone())
        .unwrap_or_default();

    let mut attachments = Vec::new();
    if let Some(best) = msg.photo.as_ref().and_then(|sizes| {
        sizes
            .iter()
            .max_by_key(|p| (p.width * p.height, p.file_size))
    }) {
        attachments.push(Attachment {
            name: "photo.jpg".into(),
            mime_type: "image/jpeg".into(),
            size: best.file_size,
            data: AttachmentData::PlatformId(best.file_id.clone()),
        });
    }
    if let Some(doc) = &msg.document {
        attachments.push(Attachment {
            name: doc.file_name.clone().unwrap_or_else(|| "document".into()),
            mime_type: doc
                .mime_type
                .clone()
                .unwrap_or_else(|| "application/octet-stream".into()),
            size: doc.file_size,
            data: AttachmentData::PlatformId(doc.file_id.clone()),
        });
    }
    if raw_text.trim().is_empty() && attachments.is_empty() {
        return None;
    }

    let reply_to = msg.reply_to_message.as_ref().map(|r| MessageRef {
        id: r.message_id.to_string(),
        from_bot: r.from.as_ref().is_some_and(|u| u.id == me.id),
    });
    let username = me.username.as_deref().unwrap_or_default();
    let (text, mentions_bot) = strip_mention(&raw_text, username);
    let is_command = raw_text.starts_with('/');
    let mentioned = kind == ChatKind::Direct
        || mentions_bot
        || is_command
        || reply_to.as_ref().is_some_and(|r| r.from_bot);

    let display_name = match (&from.last_name, from.first_name.is_empty()) {
        (Some(last), false) => Some(format!("{} {last}", from.first_name)),
        (None, false) => Some(from.first_name.clone()),
        _ => from.username.clone(),
    };
    let mut metadata = Map::new();
    if let Some(u) = &from.username {
        metadata.insert("sender_username".into(), Value::String(u.clone()));
    }
    if let Some(t) = &msg.chat.title {
        metadata.insert("chat_title".into(), Value::String(t.clone()));
    }
    metadata.insert("chat_type".into(), Value::String(msg.chat.kind.clone()));
    let aliases = from.username.iter().cloned().collect();

    let inbound = InboundMessage {
        channel: CHANNEL.into(),
        id: msg.message_id.to_string(),
        chat: ChatRef {
            id: msg.chat.id.to_string(),
            kind,
        },
        sender: Sender {
            id: from.id.to_string(),
            display_name,
            is_bot: from.is_bot,
        },
        content: RichText::plain(text),
        attachments,
        reply_to,
        thread_id: msg
            .message_thread_id
            .filter(|_| msg.is_topic_message == Some(true))
            .map(|t| t.to_string()),
        reaction: None,
        mentioned,
        timestamp_ms: u64::try_from(msg.date)
            .unwrap_or_default()
            .saturating_mul(1000),
        metadata,
    };
    Some((inbound, aliases))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn me() -> BotIdentity {
        BotIdentity {
            id: 999,
            username: Some("ClawBot".into()),
        }
    }

    fn parse(v: Value) -> Message {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn private_text_is_direct_and_mentioned() {
        let m = parse(
            json!({"message_id": 5, "date": 1_700_000_000, "chat": {"id": 42, "type": "private"},
            "from": {"id": 42, "is_bot": false, "first_name": "Ann", "username": "ann"}, "text": "hello"}),
        );
        let (msg, aliases) = to_inbound(&m, &me()).unwrap();
        assert_eq!(msg.chat.kind, ChatKind::Direct);
        assert!(msg.mentioned);
        assert_eq!(msg.id, "5");
        assert_eq!(msg.sender.display_name.as_deref(), Some("Ann"));
        assert_eq!(msg.timestamp_ms, 1_700_000_000_000);
        assert_eq!(aliases, vec!["ann".to_owned()]);
    }

    #[test]
    fn group_mentions_and_replies_to_the_bot() {
        let base = json!({"message_id": 6, "date": 0, "chat": {"id": -100, "type": "supergroup", "title": "G"},
            "from": {"id": 1, "first_name": "Bo"}});
        let mut v = base.clone();
        v["text"] = json!("hey @clawbot what's up");
        let (msg, _) = to_inbound(&parse(v), &me()).unwrap();
        assert!(msg.mentioned);
        assert_eq!(msg.content.text, "hey what's up");

        let mut v = base.clone();
        v["text"] = json!("just chatting, @clawbotter");
        let (msg, _) = to_inbound(&parse(v), &me()).unwrap();
        assert!(!msg.mentioned);
        assert_eq!(msg.content.text, "just chatting, @clawbotter");

        let mut v = base.clone();
        v["text"] = json!("yes");
        v["reply_to_message"] = json!({"message_id": 3, "chat": {"id": -100, "type": "supergroup"}, "from": {"id": 999, "is_bot": true}});
        let (msg, _) = to_inbound(&parse(v), &me()).unwrap();
        assert!(msg.mentioned);
        assert_eq!(
            msg.reply_to,
            Some(MessageRef {
                id: "3".into(),
                from_bot: true
            })
        );

        let mut v = base;
        v["text"] = json!("unrelated");
        let (msg, _) = to_inbound(&parse(v), &me()).unwrap();
        assert!(!msg.mentioned);
        assert_eq!(msg.chat.kind, ChatKind::Group);
    }

    #[test]
    fn photos_and_documents_become_platform_id_attachments() {
        let m = parse(
            json!({"message_id": 7, "date": 0, "chat": {"id": 1, "type": "private"},
            "from": {"id": 1, "first_name": "A"}, "caption": "look",
            "photo": [{"file_id": "small", "width": 90, "height": 90}, {"file_id": "big", "width": 800, "height": 600, "file_size": 5000}],
            "document": {"file_id": "doc1", "file_name": "a.pdf", "mime_type": "application/pdf", "file_size": 10}}),
        );
        let (msg, _) = to_inbound(&m, &me()).unwrap();
        assert_eq!(msg.content.text, "look");
        assert_eq!(msg.attachments.len(), 2);
        assert_eq!(
            msg.attachments[0].data,
            AttachmentData::PlatformId("big".into())
        );
        assert_eq!(msg.attachments[0].size, Some(5000));
        assert_eq!(msg.attachments[1].name, "a.pdf");
        assert_eq!(
            msg.attachments[1].data,
            AttachmentData::PlatformId("doc1".into())
        );
    }

    #[test]
    fn service_messages_and_topics() {
        let m = parse(
            json!({"message_id": 8, "date": 0, "chat": {"id": 1, "type": "group"}, "from": {"id": 1}}),
        );
        assert!(to_inbound(&m, &me()).is_none());
        let m = parse(
            json!({"message_id": 9, "date": 0, "chat": {"id": 1, "type": "supergroup"}, "from": {"id": 1},
            "text": "/help@ClawBot", "message_thread_id": 77, "is_topic_message": true}),
        );
        let (msg, _) = to_inbound(&m, &me()).unwrap();
        assert_eq!(msg.thread_id.as_deref(), Some("77"));
        assert_eq!(msg.content.text, "/help");
        assert!(msg.mentioned);
    }
}
