//! `weft skill install`: fetch a skill from git, ClawHub, an archive or a folder, check it,
//! and place it in the managed skills folder atomically, with a lockfile.
//!
//! Everything is staged in `<managed>/.staging/` (a dot-folder the loader skips) and moved
//! into place with a rename, so a failed, hostile or interrupted install leaves the managed
//! folder exactly as it was. Install steps a skill declares (`metadata.openclaw.install`)
//! are never run.

mod archive;
mod clawhub;
mod fingerprint;
mod git;
mod lockfile;
mod source;
mod verify;

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::Deserialize;

pub use clawhub::{ClawHub, SearchHit};
pub use fingerprint::fingerprint;
pub use lockfile::{LockEntry, Lockfile};
pub use source::SourceSpec;
pub use verify::SignatureCheck;

use crate::SkillLimits;

/// Default cap on a download, in bytes.
pub const DEFAULT_MAX_DOWNLOAD_BYTES: u64 = 20 * 1024 * 1024;
/// Default cap on the unpacked size of an archive, in bytes.
pub const DEFAULT_MAX_UNPACKED_BYTES: u64 = 50 * 1024 * 1024;
/// Default cap on files in an archive.
pub const DEFAULT_MAX_FILES: usize = 2_000;
/// Default ClawHub registry.
pub const DEFAULT_CLAWHUB_URL: &str = "https://clawhub.ai";

/// Size limits for fetched skills.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct InstallLimits {
    /// Bytes downloaded at most; more is refused. Default [`DEFAULT_MAX_DOWNLOAD_BYTES`].
    pub max_download_bytes: u64,
    /// Bytes an archive may unpack to; more is refused. Default [`DEFAULT_MAX_UNPACKED_BYTES`].
    pub max_unpacked_bytes: u64,
    /// Files an archive may hold; more is refused. Default [`DEFAULT_MAX_FILES`].
    pub max_files: usize,
}

impl Default for InstallLimits {
    fn default() -> Self {
        Self {
            max_download_bytes: DEFAULT_MAX_DOWNLOAD_BYTES,
            max_unpacked_bytes: DEFAULT_MAX_UNPACKED_BYTES,
            max_files: DEFAULT_MAX_FILES,
        }
    }
}

/// The `skills.install` config section.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct InstallSettings {
    /// Size limits.
    #[serde(flatten)]
    pub limits: InstallLimits,
    /// ClawHub base URL. Default [`DEFAULT_CLAWHUB_URL`] (`CLAWHUB_URL` overrides).
    pub clawhub_url: String,
    /// Ed25519 public keys (base64) whose signatures are trusted.
    pub trusted_keys: Vec<String>,
    /// Refuse unsigned sources (unless `--allow-unsigned`). Default false.
    pub require_signatures: bool,
}

impl Default for InstallSettings {
    fn default() -> Self {
        Self {
            limits: InstallLimits::default(),
            clawhub_url: std::env::var("CLAWHUB_URL")
                .unwrap_or_else(|_| DEFAULT_CLAWHUB_URL.to_owned()),
            trusted_keys: Vec::new(),
            require_signatures: false,
        }
    }
}

/// Why an install failed. Each says what to do.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum InstallError {
    /// The source text is not understood.
    #[error("cannot install from `{source_text}`: {reason}")]
    BadSource {
        /// What was typed.
        source_text: String,
        /// Why.
        reason: String,
    },
    /// The host or registry could not be reached.
    #[error(
        "could not reach {what}: {reason}\nhelp: check the address and your network, then retry"
    )]
    Unreachable {
        /// URL or repository.
        what: String,
        /// Cause.
        reason: String,
    },
    /// The git ref does not exist.
    #[error(
        "`{url}` has no branch, tag or commit `{reference}`\nhelp: check the name with `git ls-remote {url}`"
    )]
    UnknownRef {
        /// Repository.
        url: String,
        /// The ref.
        reference: String,
    },
    /// A git command failed.
    #[error("git failed: {message}")]
    Git {
        /// git's stderr.
        message: String,
    },
    /// Something was not found.
    #[error("{what} was not found\nhelp: {help}")]
    NotFound {
        /// What.
        what: String,
        /// What to do.
        help: String,
    },
    /// No SKILL.md where one was expected.
    #[error(
        "no SKILL.md in `{0}`\nhelp: point at the skill's folder (`--path sub/folder` for repositories)"
    )]
    NoSkill(String),
    /// Several skills and no choice made.
    #[error("`{source_text}` holds several skills: {}\nhelp: pick one with `--path <folder>`", .choices.join(", "))]
    Ambiguous {
        /// The source.
        source_text: String,
        /// Relative folders.
        choices: Vec<String>,
    },
    /// SKILL.md does not validate.
    #[error(
        "the skill does not validate: {0}\nhelp: fix the SKILL.md (see `weft skill check`) or contact its author"
    )]
    Invalid(String),
    /// The archive is dangerous or too big.
    #[error("refused a hostile or oversized archive: {reason}")]
    HostileArchive {
        /// What was wrong.
        reason: String,
    },
    /// A signature did not verify.
    #[error("signature check failed: {reason}")]
    BadSignature {
        /// Why.
        reason: String,
    },
    /// Signatures are required and this source has none.
    #[error(
        "`{0}` is not signed and `skills.install.require_signatures` is on\nhelp: pass `--allow-unsigned` to install it anyway"
    )]
    Unsigned(String),
    /// ClawHub flagged the skill.
    #[error("ClawHub marks `{slug}` as {verdict}{help}")]
    Flagged {
        /// Slug.
        slug: String,
        /// Verdict.
        verdict: String,
        /// What the user can do.
        help: String,
    },
    /// A different skill with the same name is installed.
    #[error("a different skill named `{name}` is already installed at `{}`\nhelp: pass `--force` to replace it", .path.display())]
    Collision {
        /// Skill name.
        name: String,
        /// Where.
        path: PathBuf,
    },
    /// The installed copy was edited since install.
    #[error("`{name}` was edited since it was installed (`{}`)\nhelp: pass `--force` to overwrite your edits", .path.display())]
    LocalEdits {
        /// Skill name.
        name: String,
        /// Where.
        path: PathBuf,
    },
    /// The lockfile is unreadable.
    #[error("the lockfile `{}` is unreadable: {reason}", .path.display())]
    Lockfile {
        /// Path.
        path: PathBuf,
        /// Parse error.
        reason: String,
    },
    /// Bad install settings.
    #[error("invalid `skills.install` settings: {reason}")]
    Config {
        /// Why.
        reason: String,
    },
    /// File-system failure.
    #[error("`{}`: {source}", .path.display())]
    Io {
        /// Path.
        path: PathBuf,
        /// Cause.
        source: std::io::Error,
    },
}

impl InstallError {
    fn io(path: &Path, source: std::io::Error) -> Self {
        let source = if source.kind() == std::io::ErrorKind::PermissionDenied {
            std::io::Error::new(
                source.kind(),
                format!("{source} (check the folder's permissions)"),
            )
        } else {
            source
        };
        Self::Io {
            path: path.to_owned(),
            source,
        }
    }
}

/// Per-install choices.
#[derive(Debug, Clone, Copy, Default)]
pub struct InstallOptions {
    /// Replace a different skill of the same name, overwrite local edits, accept a
    /// `suspicious` ClawHub verdict.
    pub force: bool,
    /// Install unsigned sources even when signatures are required.
    pub allow_unsigned: bool,
}

/// What an install did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Installed {
    /// Skill name.
    pub name: String,
    /// Its folder.
    pub dir: PathBuf,
    /// The lock entry written.
    pub entry: LockEntry,
    /// The previous lock entry, when this replaced or updated one.
    pub previous: Option<LockEntry>,
    /// The content was already installed.
    pub unchanged: bool,
}

/// Removes the staging folder however the install ends.
struct Staging(PathBuf);

impl Drop for Staging {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Installs into one managed folder.
pub struct Installer {
    root: PathBuf,
    settings: InstallSettings,
    http: reqwest::Client,
    clawhub: ClawHub,
    keys: Vec<ed25519_dalek::VerifyingKey>,
}

impl Installer {
    /// Install into `root` (`~/.clawft/skills`, or a workspace's `skills/`).
    pub fn new(root: impl Into<PathBuf>, settings: InstallSettings) -> Result<Self, InstallError> {
        let http = clawft_http::client_builder()
            .connect_timeout(std::time::Duration::from_secs(15))
            .build()
            .map_err(|e| InstallError::Config {
                reason: e.to_string(),
            })?;
        let keys = verify::parse_keys(&settings.trusted_keys)?;
        let clawhub = ClawHub::new(&settings.clawhub_url, http.clone());
        Ok(Self {
            root: root.into(),
            settings,
            http,
            clawhub,
            keys,
        })
    }

    /// The managed folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The ClawHub client.
    pub fn clawhub(&self) -> &ClawHub {
        &self.clawhub
    }

    /// The lockfile.
    pub fn lockfile(&self) -> Result<Lockfile, InstallError> {
        Lockfile::read(&self.root)
    }

    fn staging(&self) -> Result<Staging, InstallError> {
        let base = self.root.join(".staging");
        // Leftovers of interrupted installs (older than an hour) are removed.
        if let Ok(entries) = std::fs::read_dir(&base) {
            for entry in entries.flatten() {
                let old = entry
                    .metadata()
                    .and_then(|m| m.modified())
                    .ok()
                    .and_then(|t| t.elapsed().ok())
                    .is_some_and(|a| a.as_secs() > 3600);
                if old {
                    let _ = std::fs::remove_dir_all(entry.path());
                }
            }
        }
        let dir = base.join(format!(
            "{}-{}",
            std::process::id(),
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or(0)
        ));
        std::fs::create_dir_all(&dir).map_err(|e| InstallError::io(&dir, e))?;
        Ok(Staging(dir))
    }

    /// Fetch, check and install `spec`. `progress` receives short status lines.
    pub async fn install(
        &self,
        spec: &SourceSpec,
        options: InstallOptions,
        progress: &(dyn Fn(&str) + Sync),
    ) -> Result<Installed, InstallError> {
        let staging = self.staging()?;
        let (base, resolved, signature, clawhub) =
            self.fetch(spec, &staging.0, options, progress).await?;
        let skill_dir = locate(&base, &spec.to_string())?;
        progress("checking the skill");
        let parsed = crate::load_skill_file(
            &skill_dir.join(crate::format::SKILL_FILE),
            &skill_dir,
            &SkillLimits::default(),
        )
        .map_err(|e| InstallError::Invalid(e.to_string()))?;
        let name = parsed.doc.name.clone();
        if name.is_empty() || name.starts_with('.') || name.contains(['/', '\\']) {
            return Err(InstallError::Invalid(format!(
                "`{name}` cannot be a folder name"
            )));
        }
        let sha256 = fingerprint(&skill_dir).map_err(|e| InstallError::HostileArchive {
            reason: e.to_string(),
        })?;
        let signed = match verify::check(&sha256, signature.as_deref(), &self.keys)? {
            SignatureCheck::Verified => true,
            SignatureCheck::Unsigned
                if self.settings.require_signatures && !options.allow_unsigned =>
            {
                return Err(InstallError::Unsigned(spec.to_string()));
            }
            SignatureCheck::Unsigned => false,
        };

        let mut lock = self.lockfile()?;
        let previous = lock.skills.get(&name).cloned();
        let target = self.root.join(&name);
        let mut unchanged = false;
        if target.exists() {
            let current = fingerprint(&target)
                .map_err(|e| InstallError::io(&target, std::io::Error::other(e)))?;
            unchanged = current == sha256;
            let edited = previous.as_ref().is_some_and(|p| p.sha256 != current);
            // Same name from another source (or a hand-made skill) is a different skill.
            let same_source = previous
                .as_ref()
                .is_some_and(|p| p.source == spec_source_text(spec));
            if !unchanged && !options.force && (!same_source || edited) {
                return Err(if edited {
                    InstallError::LocalEdits { name, path: target }
                } else {
                    InstallError::Collision { name, path: target }
                });
            }
        }
        if !unchanged {
            progress("installing");
            let fresh = staging.0.join("install").join(&name);
            copy_tree(&skill_dir, &fresh)?;
            replace_dir(&fresh, &target, &staging.0.join("old"))?;
        }
        let entry = LockEntry {
            source: spec_source_text(spec),
            kind: spec.kind().to_owned(),
            path: match spec {
                SourceSpec::Git { subpath, .. } => subpath.clone(),
                _ => None,
            },
            reference: match spec {
                SourceSpec::Git { reference, .. } => reference.clone(),
                _ => None,
            },
            resolved,
            sha256,
            signed,
            installed_at: now(),
        };
        if let Some((slug, version)) = clawhub {
            lockfile::write_origin(
                &target,
                self.clawhub.base(),
                &slug,
                &version,
                entry.installed_at,
            )?;
        }
        lock.version = 1;
        lock.skills.insert(name.clone(), entry.clone());
        lock.write(&self.root)?;
        Ok(Installed {
            name,
            dir: target,
            entry,
            previous,
            unchanged,
        })
    }

    /// Re-resolve an installed skill from its recorded source and install what changed.
    pub async fn update(
        &self,
        name: &str,
        options: InstallOptions,
        progress: &(dyn Fn(&str) + Sync),
    ) -> Result<Installed, InstallError> {
        let lock = self.lockfile()?;
        let entry = lock
            .skills
            .get(name)
            .ok_or_else(|| self.not_installed(name, &lock))?;
        let target = self.root.join(name);
        if target.exists() && !options.force {
            let current = fingerprint(&target)
                .map_err(|e| InstallError::io(&target, std::io::Error::other(e)))?;
            if current != entry.sha256 {
                return Err(InstallError::LocalEdits {
                    name: name.to_owned(),
                    path: target,
                });
            }
        }
        let mut spec = SourceSpec::parse(
            &entry.source,
            entry.path.as_deref(),
            entry.reference.as_deref(),
        )?;
        if let SourceSpec::ClawHub { version, .. } = &mut spec {
            *version = None;
        }
        self.install(
            &spec,
            InstallOptions {
                force: true,
                ..options
            },
            progress,
        )
        .await
    }

    /// Delete an installed skill and its lock entry.
    pub fn remove(&self, name: &str) -> Result<PathBuf, InstallError> {
        let mut lock = self.lockfile()?;
        let target = self.root.join(name);
        if !target.join(crate::format::SKILL_FILE).exists() && !lock.skills.contains_key(name) {
            return Err(self.not_installed(name, &lock));
        }
        if target.exists() {
            std::fs::remove_dir_all(&target).map_err(|e| InstallError::io(&target, e))?;
        }
        lock.skills.remove(name);
        lock.write(&self.root)?;
        Ok(target)
    }

    fn not_installed(&self, name: &str, lock: &Lockfile) -> InstallError {
        let names: Vec<&str> = lock.skills.keys().map(String::as_str).collect();
        let help = if names.is_empty() {
            "nothing is installed in this folder".to_owned()
        } else {
            format!("installed: {}", names.join(", "))
        };
        InstallError::NotFound {
            what: format!("installed skill `{name}` in `{}`", self.root.display()),
            help,
        }
    }

    /// Get the source into `staging`; returns (folder holding the skill(s), resolved id,
    /// signature, ClawHub (slug, version)).
    async fn fetch(
        &self,
        spec: &SourceSpec,
        staging: &Path,
        options: InstallOptions,
        progress: &(dyn Fn(&str) + Sync),
    ) -> Result<(PathBuf, String, Option<String>, Option<(String, String)>), InstallError> {
        let limits = &self.settings.limits;
        match spec {
            SourceSpec::Local { path } => {
                if !path.is_dir() {
                    return Err(InstallError::NotFound {
                        what: format!("folder `{}`", path.display()),
                        help: "check the path".into(),
                    });
                }
                Ok((path.clone(), "local".into(), None, None))
            }
            SourceSpec::Git {
                url,
                subpath,
                reference,
            } => {
                progress(&format!("fetching {url}"));
                let repo = staging.join("repo");
                let commit =
                    git::fetch(url, reference.as_deref(), subpath.as_deref(), &repo).await?;
                let base = match subpath {
                    Some(sub) => repo.join(sub.trim_matches('/')),
                    None => repo,
                };
                if !base.is_dir() {
                    return Err(InstallError::NoSkill(format!(
                        "{url} at {}",
                        subpath.as_deref().unwrap_or("/")
                    )));
                }
                Ok((base, commit, None, None))
            }
            SourceSpec::Archive { url } => {
                progress(&format!("downloading {url}"));
                let resp = self
                    .http
                    .get(url)
                    .send()
                    .await
                    .and_then(reqwest::Response::error_for_status)
                    .map_err(|e| InstallError::Unreachable {
                        what: url.clone(),
                        reason: e.to_string(),
                    })?;
                let bytes = clawhub::read_capped(resp, limits.max_download_bytes).await?;
                let out = staging.join("unpacked");
                if url.to_ascii_lowercase().ends_with(".zip") {
                    archive::extract_zip(&bytes, &out, limits)?;
                } else {
                    archive::extract_tar_gz(&bytes, &out, limits)?;
                }
                let digest = fingerprint::hex(&<sha2::Sha256 as sha2::Digest>::digest(&bytes));
                Ok((out, format!("sha256:{digest}"), None, None))
            }
            SourceSpec::ClawHub { slug, version, .. } => {
                progress(&format!("resolving {slug} on {}", self.clawhub.base()));
                let version = self
                    .clawhub
                    .resolve_version(slug, version.as_deref())
                    .await?;
                match self.clawhub.verdict(slug).await?.as_deref() {
                    Some("malware") => {
                        return Err(InstallError::Flagged {
                            slug: slug.clone(),
                            verdict: "malware".into(),
                            help: "; it will not be installed".into(),
                        });
                    }
                    Some("suspicious") if !options.force => {
                        return Err(InstallError::Flagged {
                            slug: slug.clone(),
                            verdict: "suspicious".into(),
                            help: "\nhelp: read its SKILL.md first; pass `--force` to install it anyway".into(),
                        });
                    }
                    _ => {}
                }
                let signature = self.clawhub.signature(slug, &version).await?;
                progress(&format!("downloading {slug} {version}"));
                let bytes = self.clawhub.download(slug, &version, limits).await?;
                let out = staging.join("unpacked");
                archive::extract_zip(&bytes, &out, limits)?;
                Ok((
                    out,
                    version.clone(),
                    signature,
                    Some((slug.clone(), version)),
                ))
            }
        }
    }
}

fn spec_source_text(spec: &SourceSpec) -> String {
    match spec {
        SourceSpec::Git { url, .. } => url.clone(),
        SourceSpec::Local { path } => path
            .canonicalize()
            .unwrap_or_else(|_| path.clone())
            .display()
            .to_string(),
        other => other.to_string(),
    }
}

/// The folder holding the skill: `base` itself, or the only skill below it.
fn locate(base: &Path, source_text: &str) -> Result<PathBuf, InstallError> {
    if base.join(crate::format::SKILL_FILE).is_file() {
        return Ok(base.to_owned());
    }
    let mut found = Vec::new();
    let mut stack = vec![(base.to_owned(), 0)];
    while let Some((dir, depth)) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if !entry.file_type().is_ok_and(|t| t.is_dir())
                || name.starts_with('.')
                || crate::discover::is_skipped_dir(entry.file_name().as_os_str())
            {
                continue;
            }
            if path.join(crate::format::SKILL_FILE).is_file() {
                found.push(path);
            } else if depth < 3 {
                stack.push((path, depth + 1));
            }
        }
    }
    match found.len() {
        0 => Err(InstallError::NoSkill(source_text.to_owned())),
        1 => Ok(found.remove(0)),
        _ => {
            let mut choices: Vec<String> = found
                .iter()
                .map(|p| p.strip_prefix(base).unwrap_or(p).display().to_string())
                .collect();
            choices.sort();
            Err(InstallError::Ambiguous {
                source_text: source_text.to_owned(),
                choices,
            })
        }
    }
}

fn copy_tree(from: &Path, to: &Path) -> Result<(), InstallError> {
    let files = fingerprint::files(from).map_err(|e| InstallError::HostileArchive {
        reason: e.to_string(),
    })?;
    std::fs::create_dir_all(to).map_err(|e| InstallError::io(to, e))?;
    for (rel, path) in files {
        let dest = to.join(&rel);
        if let Some(parent) = dest.parent() {
            std::fs::create_dir_all(parent).map_err(|e| InstallError::io(parent, e))?;
        }
        std::fs::copy(&path, &dest).map_err(|e| InstallError::io(&dest, e))?;
    }
    Ok(())
}

/// Put `fresh` at `target`, moving an existing `target` aside first; both renames stay on
/// one file system (staging is inside the managed folder).
fn replace_dir(fresh: &Path, target: &Path, aside: &Path) -> Result<(), InstallError> {
    if let Some(parent) = target.parent() {
        std::fs::create_dir_all(parent).map_err(|e| InstallError::io(parent, e))?;
    }
    if target.exists() {
        std::fs::rename(target, aside).map_err(|e| InstallError::io(target, e))?;
    }
    if let Err(err) = std::fs::rename(fresh, target) {
        if aside.exists() {
            let _ = std::fs::rename(aside, target);
        }
        return Err(InstallError::io(target, err));
    }
    Ok(())
}
