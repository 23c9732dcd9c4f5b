//! Settings for fetching: size limits, the ClawHub registry, trusted signing keys. The same
//! shape is the `skills.install` and the `wasm.install` config section.

use serde::{Deserialize, Serialize};

/// Default cap on a download, in bytes.
pub const DEFAULT_MAX_DOWNLOAD_BYTES: u64 = 20 * 1024 * 1024;
/// Default cap on the unpacked size of an archive, in bytes.
pub const DEFAULT_MAX_UNPACKED_BYTES: u64 = 50 * 1024 * 1024;
/// Default cap on files in an archive.
pub const DEFAULT_MAX_FILES: usize = 2_000;
/// Default ClawHub registry.
pub const DEFAULT_CLAWHUB_URL: &str = "https://clawhub.ai";

/// Size limits for fetched sources. Each applies to one install.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FetchLimits {
    /// Bytes downloaded at most (archive URLs, ClawHub); more stops the download and
    /// refuses the install. Default [`DEFAULT_MAX_DOWNLOAD_BYTES`].
    pub max_download_bytes: u64,
    /// Bytes an archive may unpack to; more refuses the install before anything is
    /// installed. Default [`DEFAULT_MAX_UNPACKED_BYTES`].
    pub max_unpacked_bytes: u64,
    /// Files an archive may hold; more refuses the install. Default [`DEFAULT_MAX_FILES`].
    pub max_files: usize,
}

impl Default for FetchLimits {
    fn default() -> Self {
        Self {
            max_download_bytes: DEFAULT_MAX_DOWNLOAD_BYTES,
            max_unpacked_bytes: DEFAULT_MAX_UNPACKED_BYTES,
            max_files: DEFAULT_MAX_FILES,
        }
    }
}

/// An install settings section (`skills.install`, `wasm.install`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FetchSettings {
    /// Size limits.
    #[serde(flatten)]
    pub limits: FetchLimits,
    /// ClawHub base URL. Default [`DEFAULT_CLAWHUB_URL`] (`CLAWHUB_URL` overrides).
    pub clawhub_url: String,
    /// Ed25519 public keys (base64) whose signatures are trusted.
    pub trusted_keys: Vec<String>,
    /// Refuse unsigned sources (unless `--allow-unsigned`). Default false.
    pub require_signatures: bool,
}

impl Default for FetchSettings {
    fn default() -> Self {
        Self {
            limits: FetchLimits::default(),
            clawhub_url: std::env::var("CLAWHUB_URL")
                .unwrap_or_else(|_| DEFAULT_CLAWHUB_URL.to_owned()),
            trusted_keys: Vec::new(),
            require_signatures: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_defaults_hold() {
        let limits = FetchLimits::default();
        assert_eq!(limits.max_download_bytes, 20 * 1024 * 1024);
        assert_eq!(limits.max_unpacked_bytes, 50 * 1024 * 1024);
        assert_eq!(limits.max_files, 2_000);
        let settings: FetchSettings = serde_json::from_str("{\"max_files\": 5}").unwrap();
        assert_eq!(settings.limits.max_files, 5);
        assert!(!settings.require_signatures && settings.trusted_keys.is_empty());
        assert!(serde_json::from_str::<FetchSettings>("{\"max_filez\": 5}").is_err());
        let both: FetchSettings =
            serde_json::from_str("{\"clawhub_url\": \"http://h\", \"max_files\": 5}").unwrap();
        assert_eq!(
            (both.clawhub_url.as_str(), both.limits.max_files),
            ("http://h", 5)
        );
    }
}
