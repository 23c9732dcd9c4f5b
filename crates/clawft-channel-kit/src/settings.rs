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
