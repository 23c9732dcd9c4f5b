//! The Telegram channel for clawft: a [`ChannelAdapter`] over the Bot API.
//!
//! * **Inbound**: long polling with `getUpdates`. The offset is saved atomically to
//!   `state_dir/telegram-offset.json` after each update is handed to the agent, so a restart
//!   neither loses nor repeats updates. Text, captions, photos (largest size) and documents
//!   arrive as [`clawft_plugin::InboundMessage`]s; photos and documents carry their
//!   `file_id` as [`clawft_plugin::AttachmentData::PlatformId`].
//! * **Groups**: the bot answers when mentioned (`@botname`, learned with `getMe`), when a
//!   message replies to one of its own, or for `/commands`, unless `access.require_mention`
//!   is false. The mention is removed from the text.
//! * **Outbound**: markdown is converted to Telegram HTML (falling back to plain text if
//!   Telegram cannot parse it), split at 4,000 characters with code fences kept balanced,
//!   and the first chunk replies to `reply_to`. Attachments go out with `sendPhoto` /
//!   `sendDocument`: local paths and base64 as multipart uploads, URLs and file ids as is.
//! * **Rate limits**: a 429 waits `parameters.retry_after` seconds and retries (up to
//!   `send_attempts`); a failed poll backs off with jitter.
//! * **Commands**: [`ChannelAdapter::register_commands`] publishes the slash commands with
//!   `setMyCommands` (names that break Telegram's rules are skipped).
//!
//! ## Settings
//!
//! [`build`] takes the `channels.telegram` JSON object; secret references must already be
//! resolved. Unknown fields are rejected.
//!
//! | field | type | default | meaning |
//! |---|---|---|---|
//! | `bot_token` | string | required | token from @BotFather; never logged |
//! | `api_base` | URL | `https://api.telegram.org` | Bot API base (tests point it at a fake) |
//! | `poll_timeout_secs` | integer | `30` | `getUpdates` long-poll timeout, at most 50 |
//! | `state_dir` | path | none | where the offset file lives; without it the offset is kept in memory only |
//! | `access.allow_from` | list | `[]` | user ids or usernames allowed; `"*"` = everyone |
//! | `access.dm_policy` | `open`/`allowlist`/`refuse` | `allowlist` | unknown senders in private chats |
//! | `access.group_policy` | `open`/`allowlist`/`disabled` | `allowlist` | who may talk in groups |
//! | `access.require_mention` | bool | `true` | in groups answer only when mentioned or replied to |
//! | `max_message_chars` | integer | `4000` | split size (64–4096) |
//! | `reconnect_base_ms` | integer | `1000` | first delay after a failed poll |
//! | `reconnect_max_ms` | integer | `60000` | longest delay after failed polls |
//! | `send_attempts` | integer | `4` | tries per outbound call on 429 / network errors |
//!
//! ## Capabilities
//!
//! | text | rich text | images | files | reactions | threads | groups | proactive |
//! |---|---|---|---|---|---|---|---|
//! | yes | markdown (sent as HTML) | yes | yes | no | reply-to (and forum topics via `thread_id`) | yes | yes, to a `chat_id` |

mod adapter;
mod api;
pub mod config;
mod inbound;
mod offset;
mod poll;

use std::sync::Arc;

use clawft_plugin::ChannelAdapter;

pub use adapter::TelegramChannel;
pub use config::{TelegramConfig, TelegramConfigError};
pub use inbound::CHANNEL;
pub use offset::OFFSET_FILE;

/// Build the Telegram channel from its settings (the `channels.telegram` object).
///
/// Validates the settings without any I/O; the error names the bad field.
pub fn build(settings: serde_json::Value) -> Result<Arc<dyn ChannelAdapter>, TelegramConfigError> {
    let cfg = TelegramConfig::from_value(settings)?;
    let channel = TelegramChannel::new(cfg)
        .map_err(|e| TelegramConfigError::new(CHANNEL, "", e.to_string()))?;
    Ok(Arc::new(channel))
}
