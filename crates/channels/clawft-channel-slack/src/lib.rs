//! The Slack channel for clawft: a [`ChannelAdapter`] over Socket Mode and the Web API.
//!
//! * **Start**: `auth.test` with the bot token (a rejected token fails `start`) learns the
//!   bot's user id; then Socket Mode: `apps.connections.open` with the app token gives a
//!   websocket URL.
//! * **Socket Mode**: every envelope is acknowledged immediately with
//!   `{"envelope_id": ...}` (Slack redelivers after 3 s otherwise; redeliveries are
//!   de-duplicated). A `disconnect` message (`refresh_requested`, `warning`, ...) or a
//!   dropped socket opens a fresh URL and reconnects (jittered backoff on failures).
//! * **Inbound**: `message` events in DMs, `app_mention` events in channels, and thread
//!   replies under the bot's own messages (`parent_user_id`). Channel messages that mention
//!   the bot arrive once, through `app_mention`. Files arrive as
//!   [`clawft_plugin::AttachmentData::PlatformId`] (the Slack file id).
//! * **Outbound**: markdown is converted to mrkdwn (`**b**` → `*b*`, `[t](u)` → `<u|t>`),
//!   split at 8,000 characters with code fences balanced, posted with `chat.postMessage`;
//!   `thread_id` (or, outside DMs, `reply_to`) becomes `thread_ts`. Files go through
//!   `files.getUploadURLExternal` + upload + `files.completeUploadExternal`.
//!   Reactions use `reactions.add` (common unicode emoji are mapped to Slack names).
//! * **Rate limits**: HTTP 429 or `ratelimited` waits for `Retry-After` and retries.
//!
//! ## Settings
//!
//! [`build`] takes the `channels.slack` JSON object with secrets already resolved.
//! Unknown fields are rejected.
//!
//! | field | type | default | meaning |
//! |---|---|---|---|
//! | `bot_token` | string | required | `xoxb-` bot token; never logged |
//! | `app_token` | string | required | `xapp-` app-level token with `connections:write`; never logged |
//! | `api_base` | URL | `https://slack.com/api` | Web API base (tests point it at a fake) |
//! | `access.allow_from` | list | `[]` | user ids allowed; `"*"` = everyone |
//! | `access.dm_policy` | `open`/`allowlist`/`refuse` | `allowlist` | unknown senders in DMs |
//! | `access.group_policy` | `open`/`allowlist`/`disabled` | `allowlist` | who may talk in channels |
//! | `access.require_mention` | bool | `true` | in channels answer only when mentioned or in the bot's threads |
//! | `max_message_chars` | integer | `8000` | split size (64–40000) |
//! | `reconnect_base_ms` | integer | `1000` | first delay after a failed connection |
//! | `reconnect_max_ms` | integer | `60000` | longest delay between failed connections |
//! | `send_attempts` | integer | `4` | tries per Web API call on 429 / network errors |
//!
//! ## Capabilities
//!
//! | text | rich text | images | files | reactions | threads | groups | proactive |
//! |---|---|---|---|---|---|---|---|
//! | yes | mrkdwn (`Blocks`) | yes | yes | yes | threads (`thread_ts`) | yes | yes, to a channel id |

mod adapter;
pub mod config;
mod convert;
mod socket;
mod web;

use std::sync::Arc;

use clawft_plugin::ChannelAdapter;

pub use adapter::SlackChannel;
pub use config::{SlackConfig, SlackConfigError};
pub use convert::CHANNEL;

/// Build the Slack channel from its settings (the `channels.slack` object).
///
/// Validates the settings without any I/O; the error names the bad field.
pub fn build(settings: serde_json::Value) -> Result<Arc<dyn ChannelAdapter>, SlackConfigError> {
    let cfg = SlackConfig::from_value(settings)?;
    let channel =
        SlackChannel::new(cfg).map_err(|e| SlackConfigError::new(CHANNEL, "", e.to_string()))?;
    Ok(Arc::new(channel))
}
