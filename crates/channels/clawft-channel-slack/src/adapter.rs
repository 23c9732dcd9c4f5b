//! [`SlackChannel`]: the [`ChannelAdapter`] implementation (start/stop, send, react).

use std::sync::Arc;

use async_trait::async_trait;
use base64::Engine;
use clawft_channel_kit::markdown::to_slack_mrkdwn;
use clawft_channel_kit::{ChannelStats, ChannelTask, SplitLimits, split_message};
use clawft_plugin::{
    AttachmentData, ChannelAdapter, ChannelCapabilities, ChannelHealth, ChannelState, InboundSink,
    MessageRef, OutboundMessage, PluginError, PluginResult, RichTextSupport, TextFormat,
    ThreadSupport,
};
use serde_json::{Value, json};

use crate::config::SlackConfig;
use crate::convert::{CHANNEL, reaction_name};
use crate::web::{Token, WebApi};

/// State shared between the adapter and the socket task.
pub(crate) struct Shared {
    pub cfg: SlackConfig,
    pub web: WebApi,
    pub stats: ChannelStats,
}

/// The Slack channel. Build it with [`crate::build`].
pub struct SlackChannel {
    shared: Arc<Shared>,
    task: ChannelTask,
}

impl SlackChannel {
    /// A channel for validated settings (no I/O until [`ChannelAdapter::start`]).
    pub fn new(cfg: SlackConfig) -> PluginResult<Self> {
        let web = WebApi::new(
            &cfg.api_base,
            &cfg.bot_token,
            &cfg.app_token,
            cfg.send_attempts,
        )?;
        Ok(Self {
            shared: Arc::new(Shared {
                cfg,
                web,
                stats: ChannelStats::new(),
            }),
            task: ChannelTask::new(),
        })
    }
}

/// The thread to post into: the explicit thread, else (outside DMs) the message replied to.
fn thread_ts(msg: &OutboundMessage) -> Option<String> {
    msg.thread_id.clone().or_else(|| {
        msg.reply_to
            .clone()
            .filter(|_| !msg.chat_id.starts_with('D'))
    })
}

#[async_trait]
impl ChannelAdapter for SlackChannel {
    fn name(&self) -> &str {
        CHANNEL
    }

    fn capabilities(&self) -> ChannelCapabilities {
        ChannelCapabilities {
            text: true,
            rich_text: RichTextSupport::Blocks,
            images: true,
            files: true,
            reactions: true,
            threads: ThreadSupport::Threads,
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
        let bot_user = self
            .shared
            .web
            .bot_user_id()
            .await
            .inspect_err(|e| self.shared.stats.fail(e))?;
        let shared = self.shared.clone();
        self.task
            .spawn(|cancel| crate::socket::run(shared, inbound, bot_user, cancel));
        Ok(())
    }

    async fn stop(&self) -> PluginResult<()> {
        self.task.stop(CHANNEL, &self.shared.stats).await;
        Ok(())
    }

    async fn send(&self, msg: &OutboundMessage) -> PluginResult<String> {
        let thread = thread_ts(msg);
        let limits = SplitLimits {
            max_chars: self.shared.cfg.max_message_chars,
            max_lines: 0,
        };
        let mut last_ts = None;
        let mut sent = 0u64;
        for chunk in split_message(&msg.content.text, limits)
            .iter()
            .filter(|c| !c.trim().is_empty())
        {
            let text = match msg.content.format {
                TextFormat::Markdown => to_slack_mrkdwn(chunk),
                _ => chunk.clone(),
            };
            let mut body = json!({"channel": msg.chat_id, "text": text, "mrkdwn": true});
            if let Some(ts) = &thread {
                body["thread_ts"] = json!(ts);
            }
            let v = self
                .shared
                .web
                .call("chat.postMessage", Token::Bot, &body)
                .await;
            let v = v.inspect_err(|e| self.shared.stats.record_error(e))?;
            last_ts = v
                .get("ts")
                .and_then(Value::as_str)
                .map(str::to_owned)
                .or(last_ts);
            sent += 1;
        }
        for att in &msg.attachments {
            let bytes = match &att.data {
                AttachmentData::Path(p) => tokio::fs::read(p).await.map_err(|e| {
                    PluginError::NotFound(format!("cannot read attachment `{p}`: {e}"))
                })?,
                AttachmentData::Base64(b) => base64::engine::general_purpose::STANDARD
                    .decode(b.trim())
                    .map_err(|e| {
                        PluginError::InvalidArguments(format!(
                            "attachment `{}` is not valid base64: {e}",
                            att.name
                        ))
                    })?,
                AttachmentData::Url(u) | AttachmentData::PlatformId(u) => {
                    let mut body = json!({"channel": msg.chat_id, "text": u});
                    if let Some(ts) = &thread {
                        body["thread_ts"] = json!(ts);
                    }
                    let v = self
                        .shared
                        .web
                        .call("chat.postMessage", Token::Bot, &body)
                        .await?;
                    last_ts = v
                        .get("ts")
                        .and_then(Value::as_str)
                        .map(str::to_owned)
                        .or(last_ts);
                    sent += 1;
                    continue;
                }
            };
            self.shared
                .web
                .upload_file(&msg.chat_id, thread.as_deref(), &att.name, bytes)
                .await
                .inspect_err(|e| self.shared.stats.record_error(e))?;
            sent += 1;
        }
        self.shared.stats.record_outbound(sent);
        match last_ts {
            Some(ts) => Ok(ts),
            None if sent > 0 => Ok(String::new()),
            None => Err(PluginError::InvalidArguments(
                "nothing to send: the message has no text and no attachments".into(),
            )),
        }
    }

    async fn react(&self, chat_id: &str, target: &MessageRef, emoji: &str) -> PluginResult<()> {
        let body =
            json!({"channel": chat_id, "timestamp": target.id, "name": reaction_name(emoji)});
        match self
            .shared
            .web
            .call("reactions.add", Token::Bot, &body)
            .await
        {
            Err(PluginError::InvalidArguments(m)) if m.contains("already_reacted") => Ok(()),
            other => other.map(|_| ()),
        }
    }

    fn health(&self) -> ChannelHealth {
        self.shared.stats.health()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies_thread_outside_dms() {
        let mut m = OutboundMessage::new("slack", "C1", "x");
        m.reply_to = Some("1.0".into());
        assert_eq!(thread_ts(&m).as_deref(), Some("1.0"));
        m.thread_id = Some("0.5".into());
        assert_eq!(thread_ts(&m).as_deref(), Some("0.5"));
        let mut d = OutboundMessage::new("slack", "D1", "x");
        d.reply_to = Some("1.0".into());
        assert_eq!(thread_ts(&d), None);
    }
}
