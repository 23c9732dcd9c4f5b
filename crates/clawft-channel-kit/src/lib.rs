//! Shared building blocks for clawft chat channels.
//!
//! Channel crates (`clawft-channel-telegram`, `-discord`, `-slack`, ...) depend on
//! `clawft-plugin` and on this kit, never on `clawft-core`. The kit holds what every
//! platform needs and nothing platform-specific beyond small dialect helpers:
//!
//! | module | what it does |
//! |---|---|
//! | [`split`] | splits long replies at a platform's char and line limits, keeping UTF-8 and code fences intact |
//! | [`markdown`] | converts the model's CommonMark to Telegram HTML / MarkdownV2 escaping and Slack mrkdwn |
//! | [`retry`] | reads rate-limit hints (`retry_after`, `Retry-After`, `X-RateLimit-Reset-After`) and retries transient failures |
//! | [`backoff`] | jittered exponential reconnect backoff |
//! | [`access`] | who may talk to the bot: sender allowlist, DM policy, group mention rule |
//! | [`stats`] | counters and state that produce a [`clawft_plugin::ChannelHealth`] |
//! | `testing` | (feature `testing`) a recording inbound sink for adapter tests |
//! | [`task`] | the channel's background task: started once, cancelled and awaited on stop |

pub mod access;
pub mod backoff;
pub mod markdown;
pub mod retry;
pub mod settings;
pub mod split;
pub mod stats;
pub mod task;
#[cfg(feature = "testing")]
pub mod testing;

pub use access::{AccessDecision, AccessPolicy, DmPolicy, GroupPolicy};
pub use backoff::ReconnectBackoff;
pub use retry::{RetryPolicy, rate_limit_delay, retry_after_from_headers, retry_after_from_json};
pub use settings::{ChannelConfigError, SettingsError, parse_channel_settings, parse_settings};
pub use split::{Chunk, SplitLimits, split_chunks, split_message};
pub use stats::{ChannelStats, now_ms};
pub use task::{ChannelTask, wait_to_reconnect};
