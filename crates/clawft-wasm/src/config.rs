//! The `wasm` config section and what a caller grants one plugin.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

use clawft_plugin::Permissions;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::limits::WasmLimits;

/// The `wasm` section of clawft's config.
///
/// ```json
/// "wasm": {
///   "limits": {"fuel_per_call": 500000000, "deadline_ms": 5000},
///   "cache_dir": "~/.clawft/cache/wasm",
///   "plugins": {
///     "weather": {"secrets": {"api.weather.example": {"authorization": {"env": "WEATHER_TOKEN"}}}}
///   }
/// }
/// ```
///
/// Defaults: [`WasmLimits::default`], no disk cache (the CLI passes
/// `$CLAWFT_HOME/cache/wasm`), the on-demand allocator, no secrets.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WasmConfig {
    /// Limits for every plugin call.
    pub limits: WasmLimits,
    /// Where compiled components are cached; `None` disables the disk cache.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cache_dir: Option<PathBuf>,
    /// Use wasmtime's pooling allocator (reserves virtual memory up front for faster
    /// instantiation). Off by default: see the crate's benchmark notes.
    pub pooling: bool,
    /// Per-plugin settings by plugin id.
    pub plugins: BTreeMap<String, PluginSettings>,
    /// What `weft plugin install` may download and which signing keys it trusts
    /// (feature `install`): `max_download_bytes`, `max_unpacked_bytes`, `max_files`,
    /// `clawhub_url`, `trusted_keys`, `require_signatures`. Defaults:
    /// [`clawft_fetch::FetchSettings::default`].
    #[cfg(feature = "install")]
    pub install: clawft_fetch::FetchSettings,
}

/// Settings for one plugin.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PluginSettings {
    /// Secret headers by host, then header name; each value is a secret reference
    /// (`{"env": "NAME"}`, `{"file": "/path"}`) that the caller resolves into
    /// [`PluginGrants::secrets`]. The host must also be declared in the manifest.
    pub secrets: BTreeMap<String, BTreeMap<String, Value>>,
}

/// A secret value. Its `Debug` and `Display` are redacted so it never reaches a log.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretValue(String);

impl SecretValue {
    /// Wrap a resolved secret.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret itself; used only where it is sent.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SecretValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretValue(<redacted>)")
    }
}

/// A header the host adds to every request a plugin sends to `host`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretHeader {
    /// Exact host name (case-insensitive), e.g. `api.example.com`.
    pub host: String,
    /// Header name, e.g. `authorization`.
    pub header: String,
    /// Header value.
    pub value: SecretValue,
}

/// What the caller grants one plugin on top of its manifest.
///
/// Capabilities need two keys: the manifest asks, the host grants. With `approved` set,
/// a plugin whose manifest asks for anything else (e.g. it changed after installation)
/// is refused at load.
#[derive(Debug, Clone, Default)]
pub struct PluginGrants {
    /// The permissions a human approved (from the install record); `None` grants what
    /// the manifest asks.
    pub approved: Option<Permissions>,
    /// Headers the host injects; never visible to the plugin.
    pub secrets: Vec<SecretHeader>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_grant_nothing_and_cache_nothing() {
        let c = WasmConfig::default();
        assert_eq!(c.limits, WasmLimits::default());
        assert_eq!(c.cache_dir, None);
        assert!(!c.pooling);
        assert!(c.plugins.is_empty());
        let g = PluginGrants::default();
        assert!(g.approved.is_none() && g.secrets.is_empty());
    }

    #[test]
    fn secrets_are_redacted() {
        let s = SecretValue::new("hunter2");
        assert_eq!(format!("{s:?}"), "SecretValue(<redacted>)");
        assert_eq!(s.expose(), "hunter2");
    }

    #[test]
    fn section_parses() {
        let c: WasmConfig = serde_json::from_value(serde_json::json!({
            "limits": {"deadline_ms": 5},
            "plugins": {"w": {"secrets": {"api.x.com": {"authorization": {"env": "T"}}}}}
        }))
        .unwrap();
        assert_eq!(c.limits.deadline_ms, 5);
        assert!(c.plugins["w"].secrets["api.x.com"].contains_key("authorization"));
    }
}
