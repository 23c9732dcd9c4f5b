//! [`DiscordChannel`]: the [`ChannelAdapter`] implementation (start/stop, send, react).

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use base64::Engine;
use clawft_channel_kit::{ChannelStats, ChannelTask, SplitLimits, split_message};
use clawft_plugin::{
    Attachment, AttachmentData, ChannelAdapter, ChannelCapabilities, ChannelHealth, ChannelState,
    InboundSink, MessageRef, OutboundMessage, PluginError, PluginResult, RichTextSupport,
    ThreadSupport,
};
use serde_json::json;

use crate::config::DiscordConfig;
use crate::convert::CHANNEL;
use crate::rest::{FileUpload, Rest};

/// State shared between the adapter and the gateway task.
pub(crate) struct Shared {
    pub cfg: DiscordConfig,
    pub rest: Rest,
    pub stats: ChannelStats,
    bot_id: Mutex<Option<String>>,
}

impl Shared {
    pub(crate) fn bot_id(&self) -> Option<String> {
        self.bot_id.lock().ok().and_then(|g| g.clone())
    }

    pub(crate) fn set_bot_id(&self, id: &str) {
        if let Ok(mut g) = self.bot_id.lock() {
            *g = Some(id.to_owned());
        }
    }
}

/// The Discord channel. Build it with [`crate::build`].
pub struct DiscordChannel {
    shared: Arc<Shared>,
    task: ChannelTask,
}

impl DiscordChannel {
    /// A channel for validated settings (no I/O until [`ChannelAdapter::start`]).
    pub fn new(cfg: DiscordConfig) -> PluginResult<Self> {
        let rest = Rest::new(&cfg.api_base, &cfg.bot_token, cfg.send_attempts)?;
        Ok(Self {
            shared: Arc::new(Shared {
                cfg,
                rest,
                stats: ChannelStats::new(),
                bot_id: Mutex::new(None),
            }),
            task: ChannelTask::new(),
        })
    }

    async fn file(att: &Attachment) -> PluginResult<Option<FileUpload>> {
        let bytes = match &att.data {
            AttachmentData::Path(p) => tokio::fs::read(p)
                .await
                .map_err(|e| PluginError::NotFound(format!("cannot read attachment `{p}`: {e}")))?,
            AttachmentData::Base64(b) => base64::engine::general_purpose::STANDARD
                .decode(b.trim())
                .map_err(|e| {
                    PluginError::InvalidArguments(format!(
                        "attachment `{}` is not valid base64: {e}",
                        att.name
                    ))
                })?,
            AttachmentData::Url(_) | AttachmentData::PlatformId(_) => return Ok(None),
        };
        Ok(Some(FileUpload {
            name: att.name.clone(),
            mime_type: att.mime_type.clone(),
            bytes,
        }))
    }
}

#[async_trait]
impl ChannelAdapter for DiscordChannel {
    fn name(&self) -> &str {
        CHANNEL
    }

    fn capabilities(&self) -> ChannelCapabilities {
        ChannelCapabilities {
            text: true,
            rich_text: RichTextSupport::Markdown,
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
        self.shared.cfg.access.warn_if_locked_out(CHANNEL);
        self.shared.stats.set_state(ChannelState::Connecting);
        let shared = self.shared.clone();
        self.task
            .spawn(|cancel| crate::gateway::run(shared, inbound, cancel));
        Ok(())
    }

    async fn stop(&self) -> PluginResult<()> {
        self.task.stop(CHANNEL, &self.shared.stats).await;
        Ok(())
    }

    async fn send(&self, msg: &OutboundMessage) -> PluginResult<String> {
        // Discord threads are channels: post into the thread when one is given.
        let target = msg.thread_id.as_deref().unwrap_or(&msg.chat_id);
        let limits = SplitLimits {
            max_chars: self.shared.cfg.max_message_chars,
            max_lines: self.shared.cfg.max_message_lines,
        };
        let mut chunks: Vec<String> = split_message(&msg.content.text, limits)
            .into_iter()
            .filter(|c| !c.trim().is_empty())
            .collect();
        let mut files = Vec::new();
        let mut links = Vec::new();
        for att in &msg.attachments {
            match Self::file(att).await? {
                Some(f) => files.push(f),
                None => {
                    if let AttachmentData::Url(u) = &att.data {
                        links.push(u.clone());
                    }
                }
            }
        }
        chunks.extend(links);
        if chunks.is_empty() && files.is_empty() {
            return Err(PluginError::InvalidArguments(
                "nothing to send: the message has no text and no attachments".into(),
            ));
        }
        let total = chunks.len().max(1);
        let mut last_id = String::new();
        let mut sent = 0u64;
        for i in 0..total {
            let mut payload =
                json!({"allowed_mentions": {"parse": ["users"], "replied_user": true}});
            if let Some(text) = chunks.get(i) {
                payload["content"] = json!(text);
            }
            if let (0, Some(reply)) = (i, &msg.reply_to) {
                payload["message_reference"] =
                    json!({"message_id": reply, "fail_if_not_exists": false});
            }
            // Files ride on the last chunk.
            let with_files: &[FileUpload] = if i + 1 == total { &files } else { &[] };
            if !with_files.is_empty() {
                payload["attachments"] = json!(
                    with_files
                        .iter()
                        .enumerate()
                        .map(|(n, f)| json!({"id": n, "filename": f.name}))
                        .collect::<Vec<_>>()
                );
            }
            let result = self
                .shared
                .rest
                .create_message(target, &payload, with_files)
                .await;
            last_id = result.inspect_err(|e| self.shared.stats.record_error(e))?;
            sent += 1;
        }
        self.shared.stats.record_outbound(sent);
        Ok(last_id)
    }

    async fn react(&self, chat_id: &str, target: &MessageRef, emoji: &str) -> PluginResult<()> {
        self.shared
            .rest
            .add_reaction(chat_id, &target.id, emoji)
            .await
    }

    fn health(&self) -> ChannelHealth {
        self.shared.stats.health()
    }
}
