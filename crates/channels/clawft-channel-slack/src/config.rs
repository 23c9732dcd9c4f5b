//! The `slack` channel's settings and their validation.

use std::fmt;

use clawft_channel_kit::{AccessPolicy, ReconnectBackoff, SplitLimits};
use serde::Deserialize;

use crate::convert::CHANNEL;

/// Settings of the Slack channel (the `channels.slack` object of the gateway config).
///
/// See the crate docs for the table of fields and defaults. `Debug` never prints tokens.
#[derive(Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SlackConfig {
    /// Bot token (`xoxb-...`) for the Web API. Never logged.
    pub bot_token: String,
    /// App-level token (`xapp-...`, scope `connections:write`) for Socket Mode. Never logged.
    pub app_token: String,
    /// Web API base URL.
    pub api_base: String,
    /// Who may talk to the bot.
    pub access: AccessPolicy,
    /// Longest message sent, in characters; longer replies are split.
    pub max_message_chars: usize,
    /// First reconnect delay after a failed connection, in ms.
    pub reconnect_base_ms: u64,
    /// Longest reconnect delay, in ms.
    pub reconnect_max_ms: u64,
    /// Attempts per Web API call when rate limited or the network fails.
    pub send_attempts: u32,
}

impl Default for SlackConfig {
    /// Every field at its documented default; the tokens are empty and fail validation.
    fn default() -> Self {
        Self {
            bot_token: Default::default(),
            app_token: Default::default(),
            api_base: Self::DEFAULT_API_BASE.to_owned(),
            access: Default::default(),
            max_message_chars: Self::DEFAULT_MAX_MESSAGE_CHARS,
            reconnect_base_ms: Self::DEFAULT_RECONNECT_BASE_MS,
            reconnect_max_ms: Self::DEFAULT_RECONNECT_MAX_MS,
            send_attempts: Self::DEFAULT_SEND_ATTEMPTS,
        }
    }
}

impl SlackConfig {
    /// Default `api_base`: `https://slack.com/api`.
    pub const DEFAULT_API_BASE: &'static str = "https://slack.com/api";
    /// Default `max_message_chars`: 8,000.
    pub const DEFAULT_MAX_MESSAGE_CHARS: usize = SplitLimits::SLACK.max_chars;
    /// Largest `max_message_chars` accepted: 40,000 (Slack truncates beyond).
    pub const MAX_MESSAGE_CHARS: usize = 40_000;
    /// Default `reconnect_base_ms`: 1 s.
    pub const DEFAULT_RECONNECT_BASE_MS: u64 = ReconnectBackoff::DEFAULT_BASE_MS;
    /// Default `reconnect_max_ms`: 60 s.
    pub const DEFAULT_RECONNECT_MAX_MS: u64 = ReconnectBackoff::DEFAULT_MAX_MS;
    /// Default `send_attempts`: 4.
    pub const DEFAULT_SEND_ATTEMPTS: u32 = 4;

    /// Parse and validate settings (no I/O).
    pub fn from_value(settings: serde_json::Value) -> Result<Self, SlackConfigError> {
        let cfg: Self = clawft_channel_kit::parse_channel_settings(CHANNEL, settings)?;
        cfg.validate()?;
        Ok(cfg)
    }

    fn validate(&self) -> Result<(), SlackConfigError> {
        let bad = |field: &str, message: &str| Err(SlackConfigError::new(CHANNEL, field, message));
        if !self.bot_token.starts_with("xoxb-") {
            return bad(
                "bot_token",
                "must be a bot token starting with `xoxb-` (OAuth & Permissions page)",
            );
        }
        if !self.app_token.starts_with("xapp-") {
            return bad(
                "app_token",
                "must be an app-level token starting with `xapp-` with the `connections:write` scope (Basic Information page)",
            );
        }
        if reqwest::Url::parse(&self.api_base).is_err() || !self.api_base.starts_with("http") {
            return bad("api_base", "is not an http(s) URL");
        }
        if !(64..=Self::MAX_MESSAGE_CHARS).contains(&self.max_message_chars) {
            return bad("max_message_chars", "must be between 64 and 40000");
        }
        if self.send_attempts == 0 {
            return bad("send_attempts", "must be at least 1");
        }
        Ok(())
    }
}

impl fmt::Debug for SlackConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SlackConfig")
            .field("bot_token", &"<redacted>")
            .field("app_token", &"<redacted>")
            .field("api_base", &self.api_base)
            .field("access", &self.access)
            .finish_non_exhaustive()
    }
}

/// Bad Slack channel settings (the kit's error, naming the `slack` channel).
pub type SlackConfigError = clawft_channel_kit::ChannelConfigError;

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn defaults_are_pinned() {
        let cfg =
            SlackConfig::from_value(json!({"bot_token": "xoxb-1", "app_token": "xapp-1"})).unwrap();
        assert_eq!(cfg.api_base, "https://slack.com/api");
        assert_eq!(cfg.max_message_chars, 8_000);
        assert_eq!(cfg.reconnect_base_ms, 1_000);
        assert_eq!(cfg.reconnect_max_ms, 60_000);
        assert_eq!(cfg.send_attempts, 4);
        assert_eq!(cfg.access, AccessPolicy::default());
        assert!(!format!("{cfg:?}").contains("xoxb-1"));
    }

    #[test]
    fn errors_name_the_bad_field() {
        let err = SlackConfig::from_value(json!({"bot_token": "xoxb-1"})).unwrap_err();
        assert!(err.to_string().contains("app_token"), "{err}");
        let err = SlackConfig::from_value(json!({"bot_token": "xoxp-1", "app_token": "xapp-1"}))
            .unwrap_err();
        assert!(err.to_string().contains("`bot_token`"), "{err}");
        let err = SlackConfig::from_value(json!({"bot_token": "xoxb-1", "app_token": "xapp-1", "access": {"require_mention": "yes"}}))
            .unwrap_err();
        assert!(
            err.to_string().contains("`access.require_mention`"),
            "{err}"
        );
    }
}
