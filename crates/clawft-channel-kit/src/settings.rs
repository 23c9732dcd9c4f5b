//! Reading a channel's settings object with the path of the offending field in errors.

use serde::de::DeserializeOwned;
use serde_json::Value;

/// Why settings were refused: the field path (`access.dm_policy`; empty for the whole
/// object) and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingsError {
    /// Dotted path of the field.
    pub field: String,
    /// What is wrong.
    pub message: String,
}

/// Bad settings of one channel, as every channel crate reports them: the channel, the
/// field path (empty for the whole object) and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "invalid `{channel}` channel settings{}: {message}\nhelp: see the field table in the clawft-channel-{channel} docs",
    if field.is_empty() { String::new() } else { format!(" at `{field}`") }
)]
pub struct ChannelConfigError {
    /// The channel's name (`telegram`).
    pub channel: &'static str,
    /// Dotted path of the field, empty for the whole object.
    pub field: String,
    /// What is wrong with it.
    pub message: String,
}

impl ChannelConfigError {
    /// `field` of `channel` is refused because of `message`.
    pub fn new(channel: &'static str, field: &str, message: impl Into<String>) -> Self {
        Self {
            channel,
            field: field.to_owned(),
            message: message.into(),
        }
    }
}

/// Deserialize `channel`'s `settings` into `T`, naming the field that failed.
pub fn parse_channel_settings<T: DeserializeOwned>(
    channel: &'static str,
    settings: Value,
) -> Result<T, ChannelConfigError> {
    parse_settings(settings).map_err(|e| ChannelConfigError {
        channel,
        field: e.field,
        message: e.message,
    })
}

/// Deserialize `settings` into `T`, naming the field that failed.
pub fn parse_settings<T: DeserializeOwned>(settings: Value) -> Result<T, SettingsError> {
    serde_path_to_error::deserialize(settings).map_err(|err| {
        let path = err.path().to_string();
        SettingsError {
            field: if path == "." { String::new() } else { path },
            message: err.into_inner().to_string(),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Outer {
        inner: Inner,
    }

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Inner {
        n: u32,
    }

    #[test]
    fn names_the_failing_field() {
        let err = parse_settings::<Outer>(serde_json::json!({"inner": {"n": "x"}})).unwrap_err();
        assert_eq!(err.field, "inner.n");
        let err = parse_settings::<Outer>(serde_json::json!(5)).unwrap_err();
        assert_eq!(err.field, "");
        assert!(parse_settings::<Outer>(serde_json::json!({"inner": {"n": 1}})).is_ok());
    }
}
