//! Turning `MESSAGE_CREATE` dispatches into [`InboundMessage`]s.

use clawft_plugin::{
    Attachment, AttachmentData, ChatKind, ChatRef, InboundMessage, MessageRef, RichText, Sender,
};
use serde_json::{Map, Value};

/// Channel name used in messages and session keys.
pub const CHANNEL: &str = "discord";

fn str_of<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

/// Remove `<@id>` / `<@!id>` mentions of the bot and tidy the spaces.
fn strip_bot_mention(text: &str, bot_id: &str) -> String {
    let cleaned = text
        .replace(&format!("<@{bot_id}>"), "")
        .replace(&format!("<@!{bot_id}>"), "");
    cleaned
        .split(' ')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
        .trim()
        .to_owned()
}

/// Convert the `d` of a `MESSAGE_CREATE`. `bot_id` is the bot's own user id from READY.
/// Returns `None` for messages with nothing to hand on.
pub(crate) fn to_inbound(d: &Value, bot_id: &str) -> Option<InboundMessage> {
    let author = d.get("author")?;
    let author_id = str_of(author, "id")?;
    if author_id == bot_id {
        return None;
    }
    let id = str_of(d, "id")?.to_owned();
    let channel_id = str_of(d, "channel_id")?.to_owned();
    let in_guild = d.get("guild_id").is_some_and(|g| !g.is_null());
    let raw = str_of(d, "content").unwrap_or_default();

    let mentions_bot = d
        .get("mentions")
        .and_then(Value::as_array)
        .is_some_and(|m| m.iter().any(|u| str_of(u, "id") == Some(bot_id)))
        || raw.contains(&format!("<@{bot_id}>"))
        || raw.contains(&format!("<@!{bot_id}>"));
    let reply_to = d
        .get("message_reference")
        .and_then(|r| str_of(r, "message_id"))
        .map(|mid| MessageRef {
            id: mid.to_owned(),
            from_bot: d
                .get("referenced_message")
                .and_then(|m| m.get("author"))
                .and_then(|a| str_of(a, "id"))
                == Some(bot_id),
        });
    let mentioned = !in_guild || mentions_bot || reply_to.as_ref().is_some_and(|r| r.from_bot);

    let attachments: Vec<Attachment> = d
        .get("attachments")
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .filter_map(|a| {
                    Some(Attachment {
                        name: str_of(a, "filename").unwrap_or("file").to_owned(),
                        mime_type: str_of(a, "content_type")
                            .unwrap_or("application/octet-stream")
                            .to_owned(),
                        size: a.get("size").and_then(Value::as_u64),
                        data: AttachmentData::Url(str_of(a, "url")?.to_owned()),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    let text = if mentions_bot {
        strip_bot_mention(raw, bot_id)
    } else {
        raw.to_owned()
    };
    if text.is_empty() && attachments.is_empty() {
        return None;
    }

    let display_name = d
        .get("member")
        .and_then(|m| str_of(m, "nick"))
        .or_else(|| str_of(author, "global_name"))
        .or_else(|| str_of(author, "username"))
        .map(str::to_owned);
    let mut metadata = Map::new();
    if let Some(u) = str_of(author, "username") {
        metadata.insert("sender_username".into(), Value::String(u.to_owned()));
    }
    if let Some(g) = str_of(d, "guild_id") {
        metadata.insert("guild_id".into(), Value::String(g.to_owned()));
    }
    let timestamp_ms = id
        .parse::<u64>()
        .map_or(0, |snowflake| (snowflake >> 22) + 1_420_070_400_000);

    Some(InboundMessage {
        channel: CHANNEL.into(),
        id,
        chat: ChatRef {
            id: channel_id,
            kind: if in_guild {
                ChatKind::Group
            } else {
                ChatKind::Direct
            },
        },
        sender: Sender {
            id: author_id.to_owned(),
            display_name,
            is_bot: author.get("bot").and_then(Value::as_bool).unwrap_or(false),
        },
        content: RichText::markdown(text),
        attachments,
        reply_to,
        thread_id: None,
        reaction: None,
        mentioned,
        timestamp_ms,
        metadata,
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn guild_messages_need_a_mention_or_a_reply_to_the_bot() {
        let base = json!({"id": "1100000000000000000", "channel_id": "c1", "guild_id": "g1",
            "author": {"id": "u1", "username": "ann"}, "content": "hello", "mentions": []});
        let m = to_inbound(&base, "b1").unwrap();
        assert_eq!(m.chat.kind, ChatKind::Group);
        assert!(!m.mentioned);
        assert!(m.timestamp_ms > 1_420_070_400_000);

        let mut v = base.clone();
        v["content"] = json!("<@b1> hi there");
        v["mentions"] = json!([{"id": "b1"}]);
        let m = to_inbound(&v, "b1").unwrap();
        assert!(m.mentioned);
        assert_eq!(m.content.text, "hi there");

        let mut v = base.clone();
        v["message_reference"] = json!({"message_id": "m0"});
        v["referenced_message"] = json!({"id": "m0", "author": {"id": "b1"}});
        let m = to_inbound(&v, "b1").unwrap();
        assert!(m.mentioned);
        assert_eq!(
            m.reply_to,
            Some(MessageRef {
                id: "m0".into(),
                from_bot: true
            })
        );
    }

    #[test]
    fn dms_attachments_and_own_messages() {
        let v = json!({"id": "5", "channel_id": "dm1", "author": {"id": "u1", "username": "ann", "global_name": "Ann"},
            "content": "", "attachments": [{"id": "a", "filename": "x.png", "content_type": "image/png", "size": 3, "url": "https://cdn/x.png"}]});
        let m = to_inbound(&v, "b1").unwrap();
        assert_eq!(m.chat.kind, ChatKind::Direct);
        assert!(m.mentioned);
        assert_eq!(m.sender.display_name.as_deref(), Some("Ann"));
        assert_eq!(
            m.attachments[0].data,
            AttachmentData::Url("https://cdn/x.png".into())
        );
        let own =
            json!({"id": "6", "channel_id": "dm1", "author": {"id": "b1"}, "content": "echo"});
        assert!(to_inbound(&own, "b1").is_none());
    }
}
