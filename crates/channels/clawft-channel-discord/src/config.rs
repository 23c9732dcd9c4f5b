//! The `discord` channel's settings and their validation.

use std::fmt;

use clawft_channel_kit::{AccessPolicy, ReconnectBackoff, SplitLimits};
use serde::Deserialize;

use crate::convert::CHANNEL;

/// Gateway intents: `GUILDS | GUILD_MESSAGES | GUILD_MESSAGE_REACTIONS | DIRECT_MESSAGES |
/// MESSAGE_CONTENT` (1 | 512 | 1024 | 4096 | 32768).
pub const DEFAULT_INTENTS: u64 = 1 | (1 << 9) | (1 << 10) | (1 << 12) | (1 << 15);

/// Settings of the Discord channel (the `channels.discord` object of the gateway config).
///
/// See the crate docs for the table of fields and defaults. `Debug` never prints the token.
#[derive(Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DiscordConfig {
    /// The bot token (Developer Portal → Bot). Never logged.
    pub bot_token: String,
    /// REST API base, including the version.
    pub api_base: String,
    /// Gateway intents bitfield.
    pub intents: u64,
    /// Who may talk to the bot.
    pub access: AccessPolicy,
    /// Longest message sent, in characters (Discord allows 2,000).
    pub max_message_chars: usize,
    /// Most lines in one message before splitting (long messages collapse in the client).
    pub max_message_lines: usize,
    /// First reconnect delay after a failed connection, in ms.
    pub reconnect_base_ms: u64,
    /// Longest reconnect delay, in ms.
    pub reconnect_max_ms: u64,
    /// Shortest wait before re-identifying after op 9 INVALID_SESSION (`d: false`), in ms.
    pub invalid_session_min_ms: u64,
    /// Longest such wait, in ms (Discord asks for a random 1–5 s).
    pub invalid_session_max_ms: u64,
    /// How long to wait for HELLO after connecting, in ms.
    pub hello_timeout_ms: u64,
    /// Attempts per REST call when rate limited or the network fails.
    pub send_attempts: u32,
}

impl Default for DiscordConfig {
    /// Every field at its documented default; the tokens are empty and fail validation.
    fn default() -> Self {
        Self {
            bot_token: Default::default(),
            api_base: Self::DEFAULT_API_BASE.to_owned(),
            intents: DEFAULT_INTENTS,
            access: Default::default(),
            max_message_chars: Self::DEFAULT_MAX_MESSAGE_CHARS,
            max_message_lines: Self::DEFAULT_MAX_MESSAGE_LINES,
            reconnect_base_ms: Self::DEFAULT_RECONNECT_BASE_MS,
            reconnect_max_ms: Self::DEFAULT_RECONNECT_MAX_MS,
            invalid_session_min_ms: Self::DEFAULT_INVALID_SESSION_MIN_MS,
            invalid_session_max_ms: Self::DEFAULT_INVALID_SESSION_MAX_MS,
            hello_timeout_ms: Self::DEFAULT_HELLO_TIMEOUT_MS,
            send_attempts: Self::DEFAULT_SEND_ATTEMPTS,
        }
    }
}

impl DiscordConfig {
    /// Default `api_base`.
    pub const DEFAULT_API_BASE: &'static str = "https://discord.com/api/v10";
    /// Default `max_message_chars`: 2,000.
    pub const DEFAULT_MAX_MESSAGE_CHARS: usize = SplitLimits::DISCORD.max_chars;
    /// Default `max_message_lines`: 17.
    pub const DEFAULT_MAX_MESSAGE_LINES: usize = SplitLimits::DISCORD.max_lines;
    /// Default `reconnect_base_ms`: 1 s.
    pub const DEFAULT_RECONNECT_BASE_MS: u64 = ReconnectBackoff::DEFAULT_BASE_MS;
    /// Default `reconnect_max_ms`: 60 s.
    pub const DEFAULT_RECONNECT_MAX_MS: u64 = ReconnectBackoff::DEFAULT_MAX_MS;
    /// Default `invalid_session_min_ms`: 1 s.
    pub const DEFAULT_INVALID_SESSION_MIN_MS: u64 = 1_000;
    /// Default `invalid_session_max_ms`: 5 s.
    pub const DEFAULT_INVALID_SESSION_MAX_MS: u64 = 5_000;
    /// Default `hello_timeout_ms`: 30 s.
    pub const DEFAULT_HELLO_TIMEOUT_MS: u64 = 30_000;
    /// Default `send_attempts`: 4.
    pub const DEFAULT_SEND_ATTEMPTS: u32 = 4;

    /// Parse and validate settings (no I/O).
    pub fn from_value(settings: serde_json::Value) -> Result<Self, DiscordConfigError> {
        let cfg: Self = clawft_channel_kit::parse_channel_settings(CHANNEL, settings)?;
        cfg.validate()?;
        Ok(cfg)
    }

    fn validate(&self) -> Result<(), DiscordConfigError> {
        let bad =
            |field: &str, message: &str| Err(DiscordConfigError::new(CHANNEL, field, message));
        if self.bot_token.trim().is_empty() || self.bot_token.chars().any(char::is_whitespace) {
            return bad(
                "bot_token",
                "is missing, empty or contains spaces; paste the bot token from the Developer Portal (without `Bot `)",
            );
        }
        if reqwest::Url::parse(&self.api_base).is_err() || !self.api_base.starts_with("http") {
            return bad("api_base", "is not an http(s) URL");
        }
        if !(64..=2_000).contains(&self.max_message_chars) {
            return bad("max_message_chars", "must be between 64 and 2000");
        }
        if self.invalid_session_min_ms > self.invalid_session_max_ms {
            return bad(
                "invalid_session_min_ms",
                "must not exceed `invalid_session_max_ms`",
            );
        }
        if self.send_attempts == 0 {
            return bad("send_attempts", "must be at least 1");
        }
        Ok(())
    }
}

impl fmt::Debug for DiscordConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DiscordConfig")
            .field("bot_token", &"<redacted>")
            .field("api_base", &self.api_base)
            .field("intents", &self.intents)
            .field("access", &self.access)
            .finish_non_exhaustive()
    }
}

/// Bad Discord channel settings (the kit's error, naming the `discord` channel).
pub type DiscordConfigError = clawft_channel_kit::ChannelConfigError;

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn defaults_are_pinned() {
        let cfg = DiscordConfig::from_value(json!({"bot_token": "abc"})).unwrap();
        assert_eq!(cfg.api_base, "https://discord.com/api/v10");
        assert_eq!(cfg.intents, 38_401);
        assert_eq!(cfg.max_message_chars, 2_000);
        assert_eq!(cfg.max_message_lines, 17);
        assert_eq!(cfg.reconnect_base_ms, 1_000);
        assert_eq!(cfg.reconnect_max_ms, 60_000);
        assert_eq!(
            (cfg.invalid_session_min_ms, cfg.invalid_session_max_ms),
            (1_000, 5_000)
        );
        assert_eq!(cfg.hello_timeout_ms, 30_000);
        assert_eq!(cfg.send_attempts, 4);
        assert_eq!(cfg.access, AccessPolicy::default());
    }

    #[test]
    fn errors_name_the_bad_field() {
        let err = DiscordConfig::from_value(json!({"intents": 1})).unwrap_err();
        assert!(err.to_string().contains("bot_token"), "{err}");
        let err =
            DiscordConfig::from_value(json!({"bot_token": "a", "intents": "all"})).unwrap_err();
        assert!(err.to_string().contains("`intents`"), "{err}");
        let err = DiscordConfig::from_value(json!({"bot_token": "a", "max_message_chars": 5000}))
            .unwrap_err();
        assert!(err.to_string().contains("`max_message_chars`"), "{err}");
        let err = DiscordConfig::from_value(json!({"bot_token": "a", "guild": 1})).unwrap_err();
        assert!(err.to_string().contains("guild"), "{err}");
        let cfg = DiscordConfig::from_value(json!({"bot_token": "sekrit"})).unwrap();
        assert!(!format!("{cfg:?}").contains("sekrit"));
    }
}
