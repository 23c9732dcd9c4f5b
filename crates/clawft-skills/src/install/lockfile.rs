//! The install record: `<managed>/.lock.json` (name → source, resolved ref/version, sha256,
//! time), and ClawHub's `<skill>/.clawhub/origin.json` so OpenClaw's tooling recognises
//! installs. Both are written atomically.

use std::collections::BTreeMap;
use std::path::Path;

use clawft_fetch::{ClawHubRelease, FetchError, write_atomic};
use serde::{Deserialize, Serialize};

use super::InstallError;

/// File name of the lockfile inside the managed skills folder.
pub const LOCKFILE: &str = ".lock.json";

/// One installed skill.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockEntry {
    /// What the user typed (re-resolved by `update`).
    pub source: String,
    /// `git`, `clawhub`, `archive` or `local`.
    pub kind: String,
    /// `--path` given at install, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// `--ref` given at install, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// Commit, ClawHub version, or archive/local fingerprint.
    pub resolved: String,
    /// Fingerprint of the installed tree.
    pub sha256: String,
    /// Whether a trusted signature was verified.
    #[serde(default)]
    pub signed: bool,
    /// Unix seconds.
    pub installed_at: u64,
}

/// The lockfile.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lockfile {
    /// Format version (1).
    pub version: u32,
    /// Installed skills by name.
    pub skills: BTreeMap<String, LockEntry>,
}

impl Lockfile {
    /// Read `<dir>/.lock.json` (empty when absent).
    pub fn read(dir: &Path) -> Result<Self, InstallError> {
        let path = dir.join(LOCKFILE);
        match std::fs::read_to_string(&path) {
            Ok(text) => serde_json::from_str(&text).map_err(|e| InstallError::Lockfile {
                path,
                reason: e.to_string(),
            }),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(Self {
                version: 1,
                skills: BTreeMap::new(),
            }),
            Err(err) => Err(FetchError::io(&path, err).into()),
        }
    }

    /// Write `<dir>/.lock.json` atomically.
    pub fn write(&self, dir: &Path) -> Result<(), InstallError> {
        let text = serde_json::to_string_pretty(self).map_err(|e| InstallError::Lockfile {
            path: dir.join(LOCKFILE),
            reason: e.to_string(),
        })?;
        Ok(write_atomic(&dir.join(LOCKFILE), text.as_bytes())?)
    }
}

/// ClawHub's `.clawhub/origin.json`.
pub fn write_origin(
    skill_dir: &Path,
    release: &ClawHubRelease,
    installed_at: u64,
) -> Result<(), InstallError> {
    let origin = serde_json::json!({
        "version": 1, "registry": release.registry, "slug": release.slug,
        "installedVersion": release.version, "installedAt": installed_at * 1000
    });
    Ok(write_atomic(
        &skill_dir.join(".clawhub/origin.json"),
        origin.to_string().as_bytes(),
    )?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_starts_empty() {
        let dir = tempfile::tempdir().unwrap();
        let mut lock = Lockfile::read(dir.path()).unwrap();
        assert!(lock.skills.is_empty());
        lock.skills.insert(
            "a".into(),
            LockEntry {
                source: "s".into(),
                kind: "git".into(),
                path: None,
                reference: None,
                resolved: "abc".into(),
                sha256: "f".into(),
                signed: false,
                installed_at: 1,
            },
        );
        lock.write(dir.path()).unwrap();
        assert_eq!(Lockfile::read(dir.path()).unwrap(), lock);
        std::fs::write(dir.path().join(LOCKFILE), "{broken").unwrap();
        assert!(
            Lockfile::read(dir.path())
                .unwrap_err()
                .to_string()
                .contains(".lock.json")
        );
    }
}
