//! The Discord channel for clawft: a [`ChannelAdapter`] over the gateway websocket and REST.
//!
//! * **Gateway (E1)**: HELLO → heartbeats at the given interval (first one jittered), with
//!   ACK tracking: a heartbeat that finds the previous one unacknowledged marks a zombie
//!   connection, which is closed and **resumed**. IDENTIFY carries `intents`; READY stores
//!   `session_id`, `resume_gateway_url` and the bot's id; every dispatch's `s` is tracked.
//!   After a dropped socket, op 7 RECONNECT, a resumable close code or op 9 with `d: true`,
//!   the channel connects to `resume_gateway_url?v=10&encoding=json` and sends op 6 RESUME
//!   `{token, session_id, seq}`; events the gateway replays are delivered like any other.
//!   It re-identifies only after op 9 with `d: false` (after a random 1–5 s) or close codes
//!   4007/4009, and gives up on 4004 (bad token) and 4010–4014.
//! * **Inbound**: `MESSAGE_CREATE` → [`clawft_plugin::InboundMessage`] (markdown). In guilds
//!   the bot answers when mentioned or replied to (unless `access.require_mention` is false);
//!   DMs always count as mentioned. Attachments arrive as URLs.
//! * **Outbound**: `POST /channels/{id}/messages` (or the thread's id), split at 2,000
//!   characters and 17 lines with code fences balanced; the first chunk replies via
//!   `message_reference`; local/base64 files are uploaded as multipart `files[n]` with
//!   `payload_json`; URL attachments are posted as links. Reactions use
//!   `PUT .../reactions/{emoji}/@me`.
//! * **Rate limits**: 429 waits for `Retry-After` / `X-RateLimit-Reset-After` / the body's
//!   `retry_after` (the longest) and retries up to `send_attempts` times.
//!
//! Slash commands are not registered as Discord application commands (they would need the
//! interactions endpoint); users type `/command` as a normal message.
//!
//! ## Settings
//!
//! [`build`] takes the `channels.discord` JSON object with secrets already resolved.
//! Unknown fields are rejected.
//!
//! | field | type | default | meaning |
//! |---|---|---|---|
//! | `bot_token` | string | required | bot token, without the `Bot ` prefix; never logged |
//! | `api_base` | URL | `https://discord.com/api/v10` | REST base; the gateway URL comes from `GET {api_base}/gateway/bot` |
//! | `intents` | integer | `38401` | GUILDS, GUILD_MESSAGES, GUILD_MESSAGE_REACTIONS, DIRECT_MESSAGES, MESSAGE_CONTENT |
//! | `access.allow_from` | list | `[]` | user ids or usernames allowed; `"*"` = everyone |
//! | `access.dm_policy` | `open`/`allowlist`/`refuse` | `allowlist` | unknown senders in DMs |
//! | `access.group_policy` | `open`/`allowlist`/`disabled` | `allowlist` | who may talk in guild channels |
//! | `access.require_mention` | bool | `true` | in guilds answer only when mentioned or replied to |
//! | `max_message_chars` | integer | `2000` | split size (64–2000) |
//! | `max_message_lines` | integer | `17` | split when a chunk would have more lines (0 = no line limit) |
//! | `reconnect_base_ms` | integer | `1000` | first delay after a failed connection |
//! | `reconnect_max_ms` | integer | `60000` | longest delay between failed connections |
//! | `invalid_session_min_ms` | integer | `1000` | shortest wait before re-identifying after op 9 `d: false` |
//! | `invalid_session_max_ms` | integer | `5000` | longest such wait |
//! | `hello_timeout_ms` | integer | `30000` | wait for HELLO after connecting |
//! | `send_attempts` | integer | `4` | tries per REST call on 429 / network errors |
//!
//! ## Capabilities
//!
//! | text | rich text | images | files | reactions | threads | groups | proactive |
//! |---|---|---|---|---|---|---|---|
//! | yes | markdown | yes | yes | yes | threads (post with `thread_id`) | yes | yes, to a channel id |

mod adapter;
pub mod config;
mod convert;
mod gateway;
mod rest;

use std::sync::Arc;

use clawft_plugin::ChannelAdapter;

pub use adapter::DiscordChannel;
pub use config::{DEFAULT_INTENTS, DiscordConfig, DiscordConfigError};
pub use convert::CHANNEL;

/// Build the Discord channel from its settings (the `channels.discord` object).
///
/// Validates the settings without any I/O; the error names the bad field.
pub fn build(settings: serde_json::Value) -> Result<Arc<dyn ChannelAdapter>, DiscordConfigError> {
    let cfg = DiscordConfig::from_value(settings)?;
    let channel = DiscordChannel::new(cfg)
        .map_err(|e| DiscordConfigError::new(CHANNEL, "", e.to_string()))?;
    Ok(Arc::new(channel))
}
