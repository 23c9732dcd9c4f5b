//! [`TelegramChannel`]: the [`ChannelAdapter`] implementation (start/stop, send, commands).

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use async_trait::async_trait;
use base64::Engine;
use clawft_channel_kit::markdown::to_telegram_html;
use clawft_channel_kit::{ChannelStats, ChannelTask, SplitLimits, split_message};
use clawft_plugin::{
    Attachment, AttachmentData, ChannelAdapter, ChannelCapabilities, ChannelHealth, ChannelState,
    CommandSpec, InboundSink, OutboundMessage, PluginError, PluginResult, RichTextSupport,
    TextFormat, ThreadSupport,
};
use serde_json::{Value, json};

use crate::api::{BotApi, Upload};
use crate::config::TelegramConfig;
use crate::inbound::{BotIdentity, CHANNEL};

/// State shared between the adapter and its polling task.
pub(crate) struct Shared {
    pub cfg: TelegramConfig,
    pub api: BotApi,
    pub stats: ChannelStats,
    me: OnceLock<BotIdentity>,
}

impl Shared {
    pub(crate) fn identity(&self) -> Option<BotIdentity> {
        self.me.get().cloned()
    }

    /// Call `getMe` and remember the answer.
    pub(crate) async fn fetch_identity(&self) -> PluginResult<BotIdentity> {
        let v = self
            .api
            .call_once("getMe", &json!({}), Duration::from_secs(30))
            .await?;
        let me: BotIdentity = serde_json::from_value(v).map_err(|e| {
            PluginError::other(format!(
                "telegram `getMe` answered an unexpected shape: {e}"
            ))
        })?;
        tracing::info!(bot_id = me.id, username = ?me.username, "telegram bot identified");
        Ok(self.me.get_or_init(|| me).clone())
    }
}

/// The Telegram channel. Build it with [`crate::build`].
pub struct TelegramChannel {
    shared: Arc<Shared>,
    task: ChannelTask,
}

impl TelegramChannel {
    /// A channel for validated settings (no I/O until [`ChannelAdapter::start`]).
    pub fn new(cfg: TelegramConfig) -> PluginResult<Self> {
        let api = BotApi::new(&cfg.api_base, &cfg.bot_token, cfg.send_attempts)?;
        Ok(Self {
            shared: Arc::new(Shared {
                cfg,
                api,
                stats: ChannelStats::new(),
                me: OnceLock::new(),
            }),
            task: ChannelTask::new(),
        })
    }

    fn limits(&self) -> SplitLimits {
        SplitLimits {
            max_chars: self.shared.cfg.max_message_chars,
            max_lines: 0,
        }
    }

    /// Send one text chunk; falls back to plain text if Telegram cannot parse the HTML.
    async fn send_chunk(
        &self,
        base: &Value,
        chunk: &str,
        format: TextFormat,
    ) -> PluginResult<Value> {
        let mut body = base.clone();
        match format {
            TextFormat::Plain => body["text"] = json!(chunk),
            TextFormat::Markdown => {
                body["text"] = json!(to_telegram_html(chunk));
                body["parse_mode"] = json!("HTML");
            }
            TextFormat::Html => {
                body["text"] = json!(chunk);
                body["parse_mode"] = json!("HTML");
            }
        }
        match self.shared.api.call("sendMessage", &body).await {
            Err(PluginError::InvalidArguments(msg))
                if body.get("parse_mode").is_some() && msg.contains("parse") =>
            {
                tracing::warn!(error = %msg, "telegram could not parse the formatted text; sending it plain");
                let mut plain = base.clone();
                plain["text"] = json!(chunk);
                self.shared.api.call("sendMessage", &plain).await
            }
            other => other,
        }
    }

    async fn send_attachment(&self, base: &Value, att: &Attachment) -> PluginResult<Value> {
        let (method, field) = if att.is_image() && att.mime_type != "image/gif" {
            ("sendPhoto", "photo")
        } else {
            ("sendDocument", "document")
        };
        let bytes = match &att.data {
            AttachmentData::Url(v) | AttachmentData::PlatformId(v) => {
                let mut body = base.clone();
                body[field] = json!(v);
                return self.shared.api.call(method, &body).await;
            }
            AttachmentData::Path(path) => tokio::fs::read(path).await.map_err(|e| {
                PluginError::NotFound(format!("cannot read attachment `{path}`: {e}"))
            })?,
            AttachmentData::Base64(data) => base64::engine::general_purpose::STANDARD
                .decode(data.trim())
                .map_err(|e| {
                    PluginError::InvalidArguments(format!(
                        "attachment `{}` is not valid base64: {e}",
                        att.name
                    ))
                })?,
        };
        let mut fields = Vec::new();
        if let Some(obj) = base.as_object() {
            for (k, v) in obj {
                let text = match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                fields.push((k.clone(), text));
            }
        }
        let upload = Upload {
            field,
            file_name: att.name.clone(),
            mime_type: att.mime_type.clone(),
            bytes,
        };
        self.shared.api.upload(method, &fields, &upload).await
    }
}

fn chat_id_value(chat_id: &str) -> Value {
    chat_id
        .parse::<i64>()
        .map_or_else(|_| json!(chat_id), |n| json!(n))
}

fn message_id(result: &Value) -> Option<String> {
    result
        .get("message_id")
        .and_then(Value::as_i64)
        .map(|n| n.to_string())
}

/// Telegram's rules: name 1–32 of `[a-z0-9_]`, description 1–256 characters, 100 commands.
fn telegram_commands(commands: &[CommandSpec]) -> Vec<Value> {
    commands
        .iter()
        .filter(|c| {
            !c.name.is_empty()
                && c.name.len() <= 32
                && c.name
                    .chars()
                    .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '_')
        })
        .take(100)
        .map(|c| {
            let desc: String = c.description.trim().chars().take(256).collect();
            let desc = if desc.is_empty() {
                c.name.clone()
            } else {
                desc
            };
            json!({"command": c.name, "description": desc})
        })
        .collect()
}

#[async_trait]
impl ChannelAdapter for TelegramChannel {
    fn name(&self) -> &str {
        CHANNEL
    }

    fn capabilities(&self) -> ChannelCapabilities {
        ChannelCapabilities {
            text: true,
            rich_text: RichTextSupport::Markdown,
            images: true,
            files: true,
            reactions: false,
            threads: ThreadSupport::ReplyTo,
            group_chat: true,
            proactive_outbound: true,
            max_message_chars: self.shared.cfg.max_message_chars,
        }
    }

    async fn start(&self, inbound: Arc<dyn InboundSink>) -> PluginResult<()> {
        if self.task.is_running() {
            return Ok(());
        }
        self.shared.stats.set_state(ChannelState::Connecting);
        self.shared.cfg.access.warn_if_locked_out(CHANNEL);
        match self.shared.fetch_identity().await {
            Ok(_) => {}
            Err(e @ PluginError::PermissionDenied(_)) => {
                self.shared.stats.fail(&e);
                return Err(e);
            }
            Err(e) => {
                tracing::warn!(error = %e, "telegram `getMe` failed; will keep trying in the background");
                self.shared.stats.record_error(&e);
            }
        }
        let shared = self.shared.clone();
        self.task
            .spawn(|cancel| crate::poll::run(shared, inbound, cancel));
        Ok(())
    }

    async fn stop(&self) -> PluginResult<()> {
        self.task.stop(CHANNEL, &self.shared.stats).await;
        Ok(())
    }

    async fn send(&self, msg: &OutboundMessage) -> PluginResult<String> {
        let mut base = json!({"chat_id": chat_id_value(&msg.chat_id)});
        if let Some(thread) = msg.thread_id.as_deref().and_then(|t| t.parse::<i64>().ok()) {
            base["message_thread_id"] = json!(thread);
        }
        let reply_to = msg.reply_to.as_deref().and_then(|r| r.parse::<i64>().ok());
        let with_reply = |base: &Value, first: bool| {
            let mut b = base.clone();
            if let (true, Some(id)) = (first, reply_to) {
                b["reply_parameters"] =
                    json!({"message_id": id, "allow_sending_without_reply": true});
            }
            b
        };
        let mut last_id = None;
        let mut sent = 0u64;
        let chunks = split_message(&msg.content.text, self.limits());
        for chunk in chunks.iter().filter(|c| !c.trim().is_empty()) {
            let body = with_reply(&base, sent == 0);
            let result = self.send_chunk(&body, chunk, msg.content.format).await;
            let result = result.inspect_err(|e| self.shared.stats.record_error(e))?;
            last_id = message_id(&result).or(last_id);
            sent += 1;
        }
        for att in &msg.attachments {
            let body = with_reply(&base, sent == 0);
            let result = self.send_attachment(&body, att).await;
            let result = result.inspect_err(|e| self.shared.stats.record_error(e))?;
            last_id = message_id(&result).or(last_id);
            sent += 1;
        }
        self.shared.stats.record_outbound(sent);
        last_id.ok_or_else(|| {
            PluginError::InvalidArguments(
                "nothing to send: the message has no text and no attachments".into(),
            )
        })
    }

    async fn register_commands(&self, commands: &[CommandSpec]) -> PluginResult<()> {
        let list = telegram_commands(commands);
        if list.len() < commands.len() {
            tracing::info!(
                skipped = commands.len() - list.len(),
                "some commands do not fit Telegram's naming rules and were not published"
            );
        }
        self.shared
            .api
            .call("setMyCommands", &json!({"commands": list}))
            .await?;
        Ok(())
    }

    fn health(&self) -> ChannelHealth {
        self.shared.stats.health()
    }
}

#[cfg(test)]
mod tests {
    use clawft_plugin::CommandOrigin;

    use super::*;

    #[test]
    fn commands_follow_telegram_rules() {
        let spec = |name: &str, desc: &str| CommandSpec {
            name: name.into(),
            description: desc.into(),
            argument_hint: None,
            origin: CommandOrigin::Builtin,
        };
        let out = telegram_commands(&[
            spec("help", "Show help"),
            spec("Bad-Name", "x"),
            spec("new", ""),
        ]);
        assert_eq!(
            out,
            vec![
                json!({"command": "help", "description": "Show help"}),
                json!({"command": "new", "description": "new"}),
            ]
        );
    }

    #[test]
    fn chat_ids_are_numbers_when_they_can_be() {
        assert_eq!(chat_id_value("-100123"), json!(-100123));
        assert_eq!(chat_id_value("@channel"), json!("@channel"));
    }
}
