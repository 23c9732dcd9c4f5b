//! Secret references: config names where a secret lives, never the secret itself.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::ConfigError;

/// Where a secret is kept. Written in config as `{"env": "NAME"}`, `{"file": "/path"}` or
/// `{"keyring": "service/account"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SecretRef {
    /// An environment variable.
    Env(String),
    /// A file whose content (trimmed) is the secret; e.g. a systemd credential.
    File(PathBuf),
    /// An OS keyring entry `service/account`.
    Keyring(String),
}

/// A resolved secret. Its `Debug` output is redacted so it never reaches a log.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// The secret's value; call only where it is sent to its destination.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Wrap a value obtained elsewhere (e.g. a well-known env var).
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl SecretRef {
    /// Read the secret. `what` names the config key, for the error message.
    pub fn resolve(&self, what: &str) -> Result<Secret, ConfigError> {
        match self {
            Self::Env(name) => match std::env::var(name) {
                Ok(v) if !v.is_empty() => Ok(Secret(v)),
                _ => Err(ConfigError::Secret {
                    key: what.to_owned(),
                    message: format!(
                        "environment variable `{name}` is not set\nhelp: export {name}=..."
                    ),
                }),
            },
            Self::File(path) => std::fs::read_to_string(path)
                .map(|s| Secret(s.trim().to_owned()))
                .map_err(|err| ConfigError::Secret {
                    key: what.to_owned(),
                    message: format!("could not read secret file `{}`: {err}", path.display()),
                }),
            Self::Keyring(entry) => Err(ConfigError::Secret {
                key: what.to_owned(),
                message: format!(
                    "keyring entry `{entry}` cannot be read: this build of weft has no OS keyring support\nhelp: use {{\"env\": \"NAME\"}} or {{\"file\": \"/path\"}} instead"
                ),
            }),
        }
    }
}

/// Replace every secret reference (`{"env": …}`, `{"file": …}`, `{"keyring": …}`) held by a
/// secret-named key in `doc` with the secret's value, so plugin settings (e.g. a channel's
/// `bot_token`) arrive resolved. `prefix` names the section for error messages.
pub fn resolve_secret_refs(doc: &Value, prefix: &str) -> Result<Value, ConfigError> {
    match doc {
        Value::Object(map) => {
            let mut out = serde_json::Map::new();
            for (key, child) in map {
                let path = if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}.{key}")
                };
                let resolved = match serde_json::from_value::<SecretRef>(child.clone()) {
                    Ok(reference) if is_secret_key(key) && child.is_object() => {
                        Value::String(reference.resolve(&path)?.expose().to_owned())
                    }
                    _ => resolve_secret_refs(child, &path)?,
                };
                out.insert(key.clone(), resolved);
            }
            Ok(Value::Object(out))
        }
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, v)| resolve_secret_refs(v, &format!("{prefix}[{i}]")))
            .collect::<Result<Vec<_>, _>>()
            .map(Value::Array),
        other => Ok(other.clone()),
    }
}

/// Key names that hold secrets wherever they appear in config.
fn is_secret_key(key: &str) -> bool {
    let key = key.to_ascii_lowercase().replace('-', "_");
    matches!(
        key.as_str(),
        "api_key"
            | "apikey"
            | "token"
            | "password"
            | "secret"
            | "client_secret"
            | "access_token"
            | "refresh_token"
            | "bot_token"
            | "app_token"
            | "signing_secret"
            | "app_secret"
            | "verify_token"
            | "private_key"
            | "bearer_token"
    ) || key.ends_with("_token")
        || key.ends_with("_secret")
        || key.ends_with("_password")
        || key.ends_with("_api_key")
}

/// Find literal secrets in a config document: every secret-named key whose value is a plain
/// string. Returns the dotted paths.
pub fn find_literal_secrets(doc: &Value) -> Vec<String> {
    let mut found = Vec::new();
    walk(doc, String::new(), &mut found);
    found
}

fn walk(value: &Value, path: String, found: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                let child_path = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                if is_secret_key(key) && matches!(child, Value::String(s) if !s.is_empty()) {
                    found.push(child_path);
                } else {
                    walk(child, child_path, found);
                }
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                walk(child, format!("{path}[{i}]"), found);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn finds_literal_secrets_anywhere() {
        let doc = json!({
            "providers": {"openai": {"api_key": "sk-live"}, "ok": {"api_key": {"env": "X"}}},
            "channels": {"telegram": {"bot_token": "123:abc"}, "list": [{"password": "p"}]},
            "agent": {"model": "gpt", "max_tokens": 100}
        });
        let mut found = find_literal_secrets(&doc);
        found.sort();
        assert_eq!(
            found,
            [
                "channels.list[0].password",
                "channels.telegram.bot_token",
                "providers.openai.api_key"
            ]
        );
    }

    #[test]
    fn resolves_env_and_file_and_redacts_debug() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("s");
        std::fs::write(&file, "  hunter2\n").unwrap();
        let secret = SecretRef::File(file).resolve("k").unwrap();
        assert_eq!(secret.expose(), "hunter2");
        assert_eq!(format!("{secret:?}"), "Secret(<redacted>)");
        let missing =
            SecretRef::Env("CLAWFT_TEST_SURELY_UNSET_VAR".into()).resolve("providers.x.api_key");
        let msg = missing.unwrap_err().to_string();
        assert!(
            msg.contains("CLAWFT_TEST_SURELY_UNSET_VAR") && msg.contains("providers.x.api_key"),
            "{msg}"
        );
    }

    #[test]
    fn resolves_references_inside_plugin_settings() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("tok");
        std::fs::write(&file, "123:abc\n").unwrap();
        let doc = json!({"telegram": {"bot_token": {"file": file}, "allow": ["me"], "nested": [{"app_token": {"file": file}}]}});
        let out = resolve_secret_refs(&doc, "channels").unwrap();
        assert_eq!(out["telegram"]["bot_token"], "123:abc");
        assert_eq!(out["telegram"]["nested"][0]["app_token"], "123:abc");
        assert_eq!(out["telegram"]["allow"], json!(["me"]));
        let bad = json!({"slack": {"bot_token": {"env": "CLAWFT_TEST_UNSET_TOKEN_VAR"}}});
        let err = resolve_secret_refs(&bad, "channels")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("channels.slack.bot_token") && err.contains("CLAWFT_TEST_UNSET_TOKEN_VAR"),
            "{err}"
        );
    }

    #[test]
    fn parses_reference_forms() {
        let r: SecretRef = serde_json::from_value(json!({"env": "A"})).unwrap();
        assert_eq!(r, SecretRef::Env("A".into()));
        let r: SecretRef = serde_json::from_value(json!({"keyring": "svc/acct"})).unwrap();
        assert!(r.resolve("k").unwrap_err().to_string().contains("keyring"));
    }
}
