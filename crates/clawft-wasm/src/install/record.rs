//! `install.json`, the record inside each installed plugin's folder: where it came from,
//! what that resolved to, its hashes, whether it was signed, and the permissions the user
//! approved. A plugin loads with exactly those permissions, and only while its component
//! still has the recorded sha256.

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use clawft_fetch::FetchError;
use clawft_plugin::Permissions;
use serde::{Deserialize, Serialize};

use super::PluginInstallError;

/// Name of the install record inside an installed plugin's folder.
pub const INSTALL_RECORD: &str = "install.json";

/// Name of a detached signature next to a plugin's manifest: base64 Ed25519 over the
/// plugin's fingerprint (every installed file except this one and `install.json`).
pub const SIGNATURE_FILE: &str = "clawft.plugin.sig";

/// Component size as recorded.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordedSize {
    /// Bytes.
    pub bytes: u64,
    /// Bytes gzipped.
    pub gzipped: u64,
}

/// The ClawHub release a plugin came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordedRelease {
    /// Registry base URL.
    pub registry: String,
    /// Slug.
    pub slug: String,
    /// Version.
    pub version: String,
}

/// The contents of `install.json`. Records written before sources other than local
/// folders existed lack `kind`, `resolved`, `content_sha256` and `signed`; they read as a
/// local, unsigned install.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct InstallRecord {
    /// Plugin id.
    pub id: String,
    /// Manifest version.
    pub version: String,
    /// What `update` re-resolves: a clone URL, archive URL, ClawHub slug or folder.
    pub source: String,
    /// `git`, `clawhub`, `archive` or `local`.
    pub kind: String,
    /// Folder inside the repository, if one was chosen.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Branch, tag or commit asked for, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// What the source resolved to: commit, ClawHub version, `sha256:` of an archive, `local`.
    pub resolved: String,
    /// SHA-256 of the component, checked at every load.
    pub sha256: String,
    /// Fingerprint of the installed files (without this record and a signature file).
    pub content_sha256: String,
    /// Whether a trusted signature was verified.
    pub signed: bool,
    /// Component size.
    pub size: RecordedSize,
    /// Permissions the user approved.
    pub approved_permissions: Permissions,
    /// RFC 3339 UTC.
    pub installed_at: String,
    /// The clawft version that installed it.
    pub clawft_version: String,
    /// The ClawHub release, for ClawHub sources.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clawhub: Option<RecordedRelease>,
}

impl InstallRecord {
    /// Read `<dir>/install.json`.
    pub fn read(dir: &Path) -> Result<Self, PluginInstallError> {
        let path = dir.join(INSTALL_RECORD);
        let text = std::fs::read_to_string(&path).map_err(|e| FetchError::io(&path, e))?;
        serde_json::from_str(&text).map_err(|e| PluginInstallError::Record {
            path,
            reason: e.to_string(),
        })
    }

    /// Write `<dir>/install.json` atomically.
    pub fn write(&self, dir: &Path) -> Result<(), PluginInstallError> {
        let path = dir.join(INSTALL_RECORD);
        let text = serde_json::to_string_pretty(self).map_err(|e| PluginInstallError::Record {
            path: path.clone(),
            reason: e.to_string(),
        })?;
        Ok(clawft_fetch::write_atomic(&path, text.as_bytes())?)
    }

    /// The commit (shortened), version or digest this record resolved to, for display.
    pub fn short_resolved(&self) -> &str {
        let r = self.resolved.as_str();
        if r.len() == 40 && r.bytes().all(|b| b.is_ascii_hexdigit()) {
            &r[..12]
        } else if let Some(hex) = r.strip_prefix("sha256:") {
            &hex[..hex.len().min(12)]
        } else {
            r
        }
    }
}

/// Folders under `root` holding an installed plugin (an `install.json`), sorted.
pub fn installed_dirs(root: &Path) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.join(INSTALL_RECORD).is_file())
                .collect()
        })
        .unwrap_or_default();
    dirs.sort();
    dirs
}

/// Now as RFC 3339 UTC (`2025-01-31T12:00:00Z`).
pub fn rfc3339_now() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    rfc3339(secs)
}

/// Unix seconds as RFC 3339 UTC.
pub fn rfc3339(secs: i64) -> String {
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_dates() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(1_738_324_800), "2025-01-31T12:00:00Z");
    }

    #[test]
    fn old_records_read_and_new_ones_round_trip() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("a");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::create_dir_all(root.path().join("not-installed")).unwrap();
        std::fs::write(
            dir.join(INSTALL_RECORD),
            r#"{"id": "a", "version": "0.1.0", "source": "/src/a", "sha256": "ff",
               "size": {"bytes": 1, "gzipped": 1}, "approved_permissions": {},
               "installed_at": "2025-01-31T12:00:00Z", "clawft_version": "0.1.0"}"#,
        )
        .unwrap();
        let mut record = InstallRecord::read(&dir).unwrap();
        assert_eq!((record.id.as_str(), record.signed), ("a", false));
        record.resolved = "0123456789abcdef0123456789abcdef01234567".into();
        assert_eq!(record.short_resolved(), "0123456789ab");
        record.write(&dir).unwrap();
        assert_eq!(InstallRecord::read(&dir).unwrap(), record);
        std::fs::write(dir.join(INSTALL_RECORD), "{broken").unwrap();
        let err = InstallRecord::read(&dir).unwrap_err().to_string();
        assert!(err.contains("install.json"), "{err}");
        assert_eq!(installed_dirs(root.path()), [dir]);
    }
}
