//! The `telegram` channel's settings and their validation.

use std::fmt;
use std::path::PathBuf;

use clawft_channel_kit::{AccessPolicy, ReconnectBackoff, SplitLimits};
use serde::Deserialize;

use crate::inbound::CHANNEL;

/// Settings of the Telegram channel (the `channels.telegram` object of the gateway config).
///
/// See the crate docs for the table of fields and defaults. `Debug` never prints the token.
#[derive(Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TelegramConfig {
    /// The bot token from @BotFather (`123456:ABC...`). The gateway resolves secret
    /// references before handing the settings over; never logged.
    pub bot_token: String,
    /// Bot API base URL, without the trailing `/bot<token>`.
    pub api_base: String,
    /// Long-poll timeout of `getUpdates`, in seconds (Telegram allows up to 50).
    pub poll_timeout_secs: u64,
    /// Directory where the update offset is kept across restarts (`telegram-offset.json`).
    /// Without it the offset lives only in memory.
    pub state_dir: Option<PathBuf>,
    /// Who may talk to the bot.
    pub access: AccessPolicy,
    /// Longest message sent, in characters; longer replies are split.
    pub max_message_chars: usize,
    /// First reconnect delay after a failed poll, in ms.
    pub reconnect_base_ms: u64,
    /// Longest reconnect delay, in ms.
    pub reconnect_max_ms: u64,
    /// Attempts per outbound API call when rate limited or the network fails.
    pub send_attempts: u32,
}

impl Default for TelegramConfig {
    /// Every field at its documented default; the tokens are empty and fail validation.
    fn default() -> Self {
        Self {
            bot_token: Default::default(),
            api_base: Self::DEFAULT_API_BASE.to_owned(),
            poll_timeout_secs: Self::DEFAULT_POLL_TIMEOUT_SECS,
            state_dir: Default::default(),
            access: Default::default(),
            max_message_chars: Self::DEFAULT_MAX_MESSAGE_CHARS,
            reconnect_base_ms: Self::DEFAULT_RECONNECT_BASE_MS,
            reconnect_max_ms: Self::DEFAULT_RECONNECT_MAX_MS,
            send_attempts: Self::DEFAULT_SEND_ATTEMPTS,
        }
    }
}

impl TelegramConfig {
    /// Default `api_base`: `https://api.telegram.org`.
    pub const DEFAULT_API_BASE: &'static str = "https://api.telegram.org";
    /// Default `poll_timeout_secs`: 30.
    pub const DEFAULT_POLL_TIMEOUT_SECS: u64 = 30;
    /// Largest `poll_timeout_secs` accepted: 50.
    pub const MAX_POLL_TIMEOUT_SECS: u64 = 50;
    /// Default `max_message_chars`: 4,000 (Telegram's hard limit is 4,096).
    pub const DEFAULT_MAX_MESSAGE_CHARS: usize = SplitLimits::TELEGRAM.max_chars;
    /// Largest `max_message_chars` accepted: 4,096.
    pub const MAX_MESSAGE_CHARS: usize = 4_096;
    /// Default `reconnect_base_ms`: 1 s.
    pub const DEFAULT_RECONNECT_BASE_MS: u64 = ReconnectBackoff::DEFAULT_BASE_MS;
    /// Default `reconnect_max_ms`: 60 s.
    pub const DEFAULT_RECONNECT_MAX_MS: u64 = ReconnectBackoff::DEFAULT_MAX_MS;
    /// Default `send_attempts`: 4.
    pub const DEFAULT_SEND_ATTEMPTS: u32 = 4;

    /// Parse and validate settings (no I/O).
    pub fn from_value(settings: serde_json::Value) -> Result<Self, TelegramConfigError> {
        let cfg: Self = clawft_channel_kit::parse_channel_settings(CHANNEL, settings)?;
        cfg.validate()?;
        Ok(cfg)
    }

    fn validate(&self) -> Result<(), TelegramConfigError> {
        let bad =
            |field: &str, message: &str| Err(TelegramConfigError::new(CHANNEL, field, message));
        let token = self.bot_token.trim();
        if token.is_empty() {
            return bad(
                "bot_token",
                "is missing or empty; set it to the token @BotFather gave you",
            );
        }
        if !token.contains(':') || token.chars().any(char::is_whitespace) {
            return bad(
                "bot_token",
                "does not look like a bot token (`<bot id>:<secret>`)",
            );
        }
        if reqwest::Url::parse(&self.api_base).is_err()
            || !(self.api_base.starts_with("http://") || self.api_base.starts_with("https://"))
        {
            return bad("api_base", "is not an http(s) URL");
        }
        if self.poll_timeout_secs > Self::MAX_POLL_TIMEOUT_SECS {
            return bad("poll_timeout_secs", "must be at most 50");
        }
        if self.max_message_chars < 64 || self.max_message_chars > Self::MAX_MESSAGE_CHARS {
            return bad("max_message_chars", "must be between 64 and 4096");
        }
        if self.send_attempts == 0 {
            return bad("send_attempts", "must be at least 1");
        }
        Ok(())
    }

    /// The bot's numeric id: the part of the token before `:` (public, not secret).
    pub fn bot_id(&self) -> &str {
        self.bot_token.split(':').next().unwrap_or_default()
    }
}

impl fmt::Debug for TelegramConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TelegramConfig")
            .field("bot_token", &"<redacted>")
            .field("api_base", &self.api_base)
            .field("poll_timeout_secs", &self.poll_timeout_secs)
            .field("state_dir", &self.state_dir)
            .field("access", &self.access)
            .field("max_message_chars", &self.max_message_chars)
            .finish_non_exhaustive()
    }
}

/// Bad Telegram channel settings (the kit's error, naming the `telegram` channel).
pub type TelegramConfigError = clawft_channel_kit::ChannelConfigError;

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn defaults_are_pinned() {
        let cfg = TelegramConfig::from_value(json!({"bot_token": "1:abc"})).unwrap();
        assert_eq!(cfg.api_base, "https://api.telegram.org");
        assert_eq!(cfg.poll_timeout_secs, 30);
        assert_eq!(cfg.state_dir, None);
        assert_eq!(cfg.access, AccessPolicy::default());
        assert_eq!(cfg.max_message_chars, 4_000);
        assert_eq!(cfg.reconnect_base_ms, 1_000);
        assert_eq!(cfg.reconnect_max_ms, 60_000);
        assert_eq!(cfg.send_attempts, 4);
        assert_eq!(cfg.bot_id(), "1");
    }

    #[test]
    fn errors_name_the_bad_field() {
        let err = TelegramConfig::from_value(json!({})).unwrap_err();
        assert!(err.to_string().contains("bot_token"), "{err}");
        let err = TelegramConfig::from_value(json!({"bot_token": "1:a", "poll_timeout_secs": "x"}))
            .unwrap_err();
        assert!(err.to_string().contains("`poll_timeout_secs`"), "{err}");
        let err = TelegramConfig::from_value(
            json!({"bot_token": "1:a", "access": {"dm_policy": "maybe"}}),
        )
        .unwrap_err();
        assert!(err.to_string().contains("`access.dm_policy`"), "{err}");
        let err = TelegramConfig::from_value(json!({"bot_token": "1:a", "tokn": 1})).unwrap_err();
        assert!(err.to_string().contains("tokn"), "{err}");
        let err = TelegramConfig::from_value(json!({"bot_token": "  "})).unwrap_err();
        assert!(err.to_string().contains("`bot_token`"), "{err}");
        let err = TelegramConfig::from_value(json!({"bot_token": "1:a", "api_base": "ftp://x"}))
            .unwrap_err();
        assert!(err.to_string().contains("`api_base`"), "{err}");
    }

    #[test]
    fn debug_never_shows_the_token() {
        let cfg = TelegramConfig::from_value(json!({"bot_token": "1:supersecret"})).unwrap();
        assert!(!format!("{cfg:?}").contains("supersecret"));
    }
}
