//! Turning Slack Events API events (`message`, `app_mention`) into [`InboundMessage`]s, and
//! unicode emoji into Slack reaction names.

use clawft_plugin::{
    Attachment, AttachmentData, ChatKind, ChatRef, InboundMessage, MessageRef, RichText, Sender,
};
use serde_json::{Map, Value};

/// Channel name used in messages and session keys.
pub const CHANNEL: &str = "slack";

fn str_of<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

fn strip_mention(text: &str, bot_user: &str) -> String {
    let cleaned = text.replace(&format!("<@{bot_user}>"), "");
    cleaned
        .split(' ')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
        .trim()
        .to_owned()
}

/// Convert an event. `message` events in channels that mention the bot are skipped (the
/// matching `app_mention` event delivers them), as are edits, bot messages and the bot's own.
pub(crate) fn to_inbound(event: &Value, bot_user: &str) -> Option<InboundMessage> {
    let kind = str_of(event, "type")?;
    if kind != "message" && kind != "app_mention" {
        return None;
    }
    if let Some(sub) = str_of(event, "subtype")
        && sub != "file_share"
        && sub != "thread_broadcast"
    {
        return None;
    }
    if event.get("bot_id").is_some_and(|b| !b.is_null()) {
        return None;
    }
    let user = str_of(event, "user")?;
    if user == bot_user {
        return None;
    }
    let channel = str_of(event, "channel")?;
    let ts = str_of(event, "ts")?;
    let raw = str_of(event, "text").unwrap_or_default();
    let direct = str_of(event, "channel_type") == Some("im");
    let mention_tag = format!("<@{bot_user}>");
    let has_mention = raw.contains(&mention_tag);
    if kind == "message" && !direct && has_mention {
        return None; // app_mention carries it
    }
    let thread_ts = str_of(event, "thread_ts").filter(|t| *t != ts);
    let parent_is_bot = str_of(event, "parent_user_id") == Some(bot_user);
    let mentioned = direct || kind == "app_mention" || has_mention || parent_is_bot;
    let text = if has_mention {
        strip_mention(raw, bot_user)
    } else {
        raw.to_owned()
    };

    let attachments: Vec<Attachment> = event
        .get("files")
        .and_then(Value::as_array)
        .map(|files| {
            files
                .iter()
                .filter_map(|f| {
                    Some(Attachment {
                        name: str_of(f, "name").unwrap_or("file").to_owned(),
                        mime_type: str_of(f, "mimetype")
                            .unwrap_or("application/octet-stream")
                            .to_owned(),
                        size: f.get("size").and_then(Value::as_u64),
                        data: AttachmentData::PlatformId(str_of(f, "id")?.to_owned()),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    if text.is_empty() && attachments.is_empty() {
        return None;
    }
    let timestamp_ms = ts
        .split('.')
        .next()
        .and_then(|s| s.parse::<u64>().ok())
        .map_or(0, |s| s * 1000);
    let mut metadata = Map::new();
    if let Some(team) = str_of(event, "team") {
        metadata.insert("team".into(), Value::String(team.to_owned()));
    }
    Some(InboundMessage {
        channel: CHANNEL.into(),
        id: ts.to_owned(),
        chat: ChatRef {
            id: channel.to_owned(),
            kind: if direct {
                ChatKind::Direct
            } else if thread_ts.is_some() {
                ChatKind::Thread
            } else {
                ChatKind::Group
            },
        },
        sender: Sender {
            id: user.to_owned(),
            display_name: None,
            is_bot: false,
        },
        content: RichText::plain(text),
        attachments,
        reply_to: thread_ts.map(|t| MessageRef {
            id: t.to_owned(),
            from_bot: parent_is_bot,
        }),
        thread_id: thread_ts.map(str::to_owned),
        reaction: None,
        mentioned,
        timestamp_ms,
        metadata,
    })
}

/// Slack reaction name for `emoji`: `:name:` and `name` pass through, common unicode emoji
/// are translated.
pub(crate) fn reaction_name(emoji: &str) -> String {
    let table = [
        ("👍", "+1"),
        ("👎", "-1"),
        ("❤️", "heart"),
        ("❤", "heart"),
        ("👀", "eyes"),
        ("✅", "white_check_mark"),
        ("🎉", "tada"),
        ("😂", "joy"),
        ("🙏", "pray"),
        ("🔥", "fire"),
        ("😄", "smile"),
        ("🤔", "thinking_face"),
        ("⏳", "hourglass_flowing_sand"),
    ];
    table.iter().find(|(u, _)| *u == emoji).map_or_else(
        || emoji.trim_matches(':').to_owned(),
        |(_, n)| (*n).to_owned(),
    )
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn dms_mentions_and_duplicates() {
        let dm = json!({"type": "message", "channel": "D1", "channel_type": "im", "user": "U1", "text": "hi", "ts": "1700000000.000100"});
        let m = to_inbound(&dm, "UB").unwrap();
        assert_eq!(m.chat.kind, ChatKind::Direct);
        assert!(m.mentioned);
        assert_eq!(m.timestamp_ms, 1_700_000_000_000);

        let chan_msg = json!({"type": "message", "channel": "C1", "channel_type": "channel", "user": "U1", "text": "<@UB> hi", "ts": "1.2"});
        assert!(
            to_inbound(&chan_msg, "UB").is_none(),
            "app_mention delivers it"
        );
        let mention = json!({"type": "app_mention", "channel": "C1", "user": "U1", "text": "<@UB> hi", "ts": "1.2"});
        let m = to_inbound(&mention, "UB").unwrap();
        assert!(m.mentioned);
        assert_eq!(m.content.text, "hi");
        assert_eq!(m.chat.kind, ChatKind::Group);

        let plain = json!({"type": "message", "channel": "C1", "channel_type": "channel", "user": "U1", "text": "chatter", "ts": "1.3"});
        assert!(!to_inbound(&plain, "UB").unwrap().mentioned);
    }

    #[test]
    fn threads_bots_and_edits() {
        let reply = json!({"type": "message", "channel": "C1", "channel_type": "channel", "user": "U1", "text": "more",
            "ts": "2.0", "thread_ts": "1.0", "parent_user_id": "UB"});
        let m = to_inbound(&reply, "UB").unwrap();
        assert!(m.mentioned);
        assert_eq!(m.thread_id.as_deref(), Some("1.0"));
        assert_eq!(m.chat.kind, ChatKind::Thread);
        let bot = json!({"type": "message", "channel": "C1", "user": "U2", "bot_id": "B1", "text": "x", "ts": "3.0"});
        assert!(to_inbound(&bot, "UB").is_none());
        let edit =
            json!({"type": "message", "subtype": "message_changed", "channel": "C1", "ts": "4.0"});
        assert!(to_inbound(&edit, "UB").is_none());
        let own = json!({"type": "message", "channel": "D1", "channel_type": "im", "user": "UB", "text": "x", "ts": "5.0"});
        assert!(to_inbound(&own, "UB").is_none());
    }

    #[test]
    fn reaction_names() {
        assert_eq!(reaction_name("👍"), "+1");
        assert_eq!(reaction_name(":rocket:"), "rocket");
        assert_eq!(reaction_name("eyes"), "eyes");
    }
}
