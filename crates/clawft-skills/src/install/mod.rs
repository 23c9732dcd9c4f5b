//! `weft skill install`: fetch a skill from git, ClawHub, an archive or a folder, check it,
//! and place it in the managed skills folder atomically, with a lockfile.
//!
//! Fetching (sources, git, archives and their limits, ClawHub, signatures, staging) is
//! [`clawft_fetch`]'s; this module keeps what is particular to skills: finding the folder
//! with `SKILL.md`, validating it, the lockfile and ClawHub's `origin.json`, and the rules
//! for replacing an installed skill. Everything is staged in `<managed>/.staging/` (a
//! dot-folder the loader skips) and moved into place with a rename, so a failed, hostile
//! or interrupted install leaves the managed folder exactly as it was. Install steps a
//! skill declares (`metadata.openclaw.install`) are never run.

mod lockfile;

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use clawft_fetch::{Fetcher, Staging, find_bundles};

/// Size limits for fetched skills (the limits of the `skills.install` section).
pub use clawft_fetch::FetchLimits as InstallLimits;
/// The `skills.install` config section.
pub use clawft_fetch::FetchSettings as InstallSettings;
pub use clawft_fetch::{
    ClawHub, DEFAULT_CLAWHUB_URL, DEFAULT_MAX_DOWNLOAD_BYTES, DEFAULT_MAX_FILES,
    DEFAULT_MAX_UNPACKED_BYTES, FetchError, SearchHit, SignatureCheck, SourceSpec, fingerprint,
};
pub use lockfile::{LockEntry, Lockfile};

use crate::SkillLimits;

/// The config section the skill installer's settings live in.
pub const SETTINGS_SECTION: &str = "skills.install";

/// How deep below a fetched tree's root skills are looked for.
const MAX_SEARCH_DEPTH: usize = 3;

/// Why an install failed. Each says what to do.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum InstallError {
    /// Getting the source failed (unreachable, unknown ref, hostile archive, signature...).
    #[error(transparent)]
    Fetch(#[from] FetchError),
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
}

impl InstallError {
    fn io(path: &Path, source: std::io::Error) -> Self {
        FetchError::io(path, source).into()
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

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Installs into one managed folder.
pub struct Installer {
    root: PathBuf,
    fetcher: Fetcher,
}

impl Installer {
    /// Install into `root` (`~/.clawft/skills`, or a workspace's `skills/`).
    pub fn new(root: impl Into<PathBuf>, settings: InstallSettings) -> Result<Self, InstallError> {
        Ok(Self {
            root: root.into(),
            fetcher: Fetcher::new(settings, SETTINGS_SECTION)?,
        })
    }

    /// The managed folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The ClawHub client.
    pub fn clawhub(&self) -> &ClawHub {
        self.fetcher.clawhub()
    }

    /// The lockfile.
    pub fn lockfile(&self) -> Result<Lockfile, InstallError> {
        Lockfile::read(&self.root)
    }

    /// Fetch, check and install `spec`. `progress` receives short status lines.
    pub async fn install(
        &self,
        spec: &SourceSpec,
        options: InstallOptions,
        progress: &(dyn Fn(&str) + Sync),
    ) -> Result<Installed, InstallError> {
        let staging = Staging::new(&self.root.join(".staging"))?;
        let fetched = self
            .fetcher
            .fetch(spec, staging.path(), options.force, progress)
            .await?;
        let skill_dir = locate(&fetched.root, &spec.to_string())?;
        progress("checking the skill");
        let parsed = crate::load_skill_file(
            &skill_dir.join(crate::format::SKILL_FILE),
            &skill_dir,
            &SkillLimits::default(),
        )
        .map_err(|e| InstallError::Invalid(e.to_string()))?;
        let name = parsed.doc.name.clone();
        if !clawft_fetch::is_folder_name(&name) {
            return Err(InstallError::Invalid(format!(
                "`{name}` cannot be a folder name"
            )));
        }
        let sha256 = fingerprint(&skill_dir).map_err(|e| FetchError::HostileArchive {
            reason: e.to_string(),
        })?;
        let signed = self.fetcher.check_signature(
            spec,
            &sha256,
            fetched.signature.as_deref(),
            options.allow_unsigned,
        )?;

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
                .is_some_and(|p| p.source == spec.record_text());
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
            let fresh = staging.path().join("install").join(&name);
            clawft_fetch::copy_tree(&skill_dir, &fresh)?;
            clawft_fetch::replace_dir(&fresh, &target, &staging.path().join("old"))?;
        }
        let entry = LockEntry {
            source: spec.record_text(),
            kind: spec.kind().to_owned(),
            path: spec.subpath().map(str::to_owned),
            reference: spec.reference().map(str::to_owned),
            resolved: fetched.resolved,
            sha256,
            signed,
            installed_at: now(),
        };
        if let Some(release) = &fetched.clawhub {
            lockfile::write_origin(&target, release, entry.installed_at)?;
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
        let spec = SourceSpec::parse(
            &entry.source,
            entry.path.as_deref(),
            entry.reference.as_deref(),
        )?
        .unpinned();
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
        if !clawft_fetch::is_folder_name(name) {
            return Err(self.not_installed(name, &lock));
        }
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
            let hint = clawft_plugin::suggest::did_you_mean(name, names.iter().copied())
                .unwrap_or_default();
            format!("installed: {}{hint}", names.join(", "))
        };
        FetchError::NotFound {
            what: format!("installed skill `{name}` in `{}`", self.root.display()),
            help,
        }
        .into()
    }
}

/// The folder holding the skill: `base` itself, or the only skill below it.
fn locate(base: &Path, source_text: &str) -> Result<PathBuf, InstallError> {
    let mut found = find_bundles(base, MAX_SEARCH_DEPTH, |dir| {
        dir.join(crate::format::SKILL_FILE).is_file()
    });
    match found.len() {
        0 => Err(InstallError::NoSkill(source_text.to_owned())),
        1 => Ok(base.join(found.remove(0))),
        _ => Err(InstallError::Ambiguous {
            source_text: source_text.to_owned(),
            choices: found.iter().map(|p| p.display().to_string()).collect(),
        }),
    }
}
