//! Installing plugins from the sources `weft skill install` accepts (git, ClawHub,
//! archive URLs, folders) into `$CLAWFT_HOME/plugins/<id>/`. Fetching is
//! [`clawft_fetch`]'s; this module finds the plugin in the fetched tree, copies exactly the
//! files it needs (manifest, component, declared skill folders, signature) into staging,
//! validates that copy as the host would load it, checks its signature, asks for
//! permissions beyond what was approved before, and moves it into place with a rename.
//! A hostile, broken or interrupted source leaves the plugins folder as it was.

mod error;
mod record;

use std::path::{Path, PathBuf};

use clawft_fetch::{FetchError, FetchSettings, Fetcher, SourceSpec, Staging, find_bundles};
use clawft_plugin::{Manifest, Permissions};

pub use error::PluginInstallError;
pub use record::{
    INSTALL_RECORD, InstallRecord, RecordedRelease, RecordedSize, SIGNATURE_FILE, installed_dirs,
    rfc3339, rfc3339_now,
};

use crate::plugin::unapproved;
use crate::{LoadedPlugin, PluginGrants, WasmHost, load_plugin_with, locate_plugin};

/// The config section the plugin installer's settings live in.
pub const SETTINGS_SECTION: &str = "wasm.install";

/// How deep below a fetched tree's root plugins are looked for.
const MAX_SEARCH_DEPTH: usize = 3;

/// Per-install choices.
#[derive(Debug, Clone, Copy, Default)]
pub struct PluginInstallOptions {
    /// Replace a plugin of the same id from a different source, accept a `suspicious`
    /// ClawHub verdict.
    pub force: bool,
    /// Install unsigned sources even when `wasm.install.require_signatures` is on.
    pub allow_unsigned: bool,
}

/// Permissions waiting for the user's approval.
#[derive(Debug)]
pub struct ApprovalRequest<'a> {
    /// Plugin id.
    pub id: &'a str,
    /// Everything the plugin asks for.
    pub permissions: &'a Permissions,
    /// What needs approval: everything for a new plugin with sensitive permissions, only
    /// what was added for an update.
    pub needed: &'a [String],
    /// Whether the plugin was installed before (an update asking for more).
    pub is_update: bool,
}

/// The user's answer to an [`ApprovalRequest`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Grant the permissions.
    Approve,
    /// Refuse; nothing is installed.
    Decline,
    /// Nobody can be asked (no terminal); nothing is installed.
    CannotAsk,
}

/// What an install or update did.
#[derive(Debug)]
pub struct PluginInstalled {
    /// Its folder.
    pub dir: PathBuf,
    /// The record written.
    pub record: InstallRecord,
    /// The record it replaced, if any.
    pub previous: Option<InstallRecord>,
    /// The installed files were already the same.
    pub unchanged: bool,
    /// The plugin as validated (loaded from staging; for summaries).
    pub plugin: LoadedPlugin,
}

/// Installs plugins into one folder.
pub struct PluginInstaller {
    root: PathBuf,
    fetcher: Fetcher,
    host: WasmHost,
}

impl PluginInstaller {
    /// Install into `root` (`$CLAWFT_HOME/plugins`), validating with `host`.
    pub fn new(
        root: impl Into<PathBuf>,
        settings: FetchSettings,
        host: WasmHost,
    ) -> Result<Self, PluginInstallError> {
        Ok(Self {
            root: root.into(),
            fetcher: Fetcher::new(settings, SETTINGS_SECTION)?,
            host,
        })
    }

    /// The plugins folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Ids of the installed plugins, sorted.
    pub fn installed_ids(&self) -> Vec<String> {
        installed_dirs(&self.root)
            .iter()
            .filter_map(|d| d.file_name()?.to_str().map(str::to_owned))
            .collect()
    }

    /// Fetch, validate and install `spec`. `approve` is asked when permissions need
    /// approval; `progress` receives short status lines.
    pub async fn install(
        &self,
        spec: &SourceSpec,
        options: PluginInstallOptions,
        approve: &(dyn Fn(&ApprovalRequest<'_>) -> Decision + Sync),
        progress: &(dyn Fn(&str) + Sync),
    ) -> Result<PluginInstalled, PluginInstallError> {
        let source_text = spec.to_string();
        let staging = Staging::new(&self.root.join(".staging"))?;
        let fetched = self
            .fetcher
            .fetch(spec, staging.path(), options.force, progress)
            .await?;
        let found = locate(&fetched.root, &source_text)?;
        let manifest = locate_plugin(&found)
            .map_err(|error| PluginInstallError::Invalid {
                source_text: source_text.clone(),
                error,
            })?
            .manifest;
        let id = manifest.id.clone();
        let fresh = staging.path().join("install").join(&id);
        assemble(&found, &manifest, &fresh)?;

        progress("checking the plugin");
        let plugin = load_plugin_with(&fresh, &self.host, PluginGrants::default())
            .await
            .map_err(|error| PluginInstallError::Invalid {
                source_text: source_text.clone(),
                error,
            })?;
        let content_sha256 =
            clawft_fetch::fingerprint_without(&fresh, &[SIGNATURE_FILE, INSTALL_RECORD])
                .map_err(|e| FetchError::io(&fresh, e))?;
        let signature = match fetched.signature {
            Some(sig) => Some(sig),
            None => read_signature(&fresh)?,
        };
        let signed = self.fetcher.check_signature(
            spec,
            &content_sha256,
            signature.as_deref(),
            options.allow_unsigned,
        )?;

        let target = self.root.join(&id);
        let previous = self.previous(&target, &id)?;
        let same_source = previous
            .as_ref()
            .is_some_and(|p| p.source == spec.record_text() && p.path.as_deref() == spec.subpath());
        if target.exists() && !same_source && !options.force {
            return Err(PluginInstallError::Collision {
                id,
                installed_from: previous
                    .map(|p| p.source)
                    .unwrap_or_else(|| "not installed by weft".into()),
                path: target,
            });
        }
        // Approvals carry over only for the same source.
        let carried = previous
            .as_ref()
            .filter(|_| same_source)
            .map(|p| &p.approved_permissions);
        let asked = &plugin.manifest.permissions;
        let needed = match carried {
            Some(approved) => unapproved(asked, approved),
            None if asked.is_sensitive() => unapproved(asked, &Permissions::default()),
            None => Vec::new(),
        };
        if !needed.is_empty() {
            let request = ApprovalRequest {
                id: &id,
                permissions: asked,
                needed: &needed,
                is_update: carried.is_some(),
            };
            match approve(&request) {
                Decision::Approve => {}
                Decision::Decline => return Err(PluginInstallError::Declined { id }),
                Decision::CannotAsk => {
                    return Err(PluginInstallError::NeedsApproval {
                        id,
                        what: needed.join(", "),
                    });
                }
            }
        }

        let unchanged = same_source
            && previous
                .as_ref()
                .is_some_and(|p| p.content_sha256 == content_sha256);
        let record = InstallRecord {
            id: id.clone(),
            version: plugin.manifest.version.to_string(),
            source: spec.record_text(),
            kind: spec.kind().to_owned(),
            path: spec.subpath().map(str::to_owned),
            reference: spec.reference().map(str::to_owned),
            resolved: fetched.resolved,
            sha256: plugin.sha256.clone(),
            content_sha256,
            signed,
            size: RecordedSize {
                bytes: plugin.size.size,
                gzipped: plugin.size.gzipped,
            },
            approved_permissions: asked.clone(),
            installed_at: rfc3339_now(),
            clawft_version: env!("CARGO_PKG_VERSION").to_owned(),
            clawhub: fetched.clawhub.map(|r| RecordedRelease {
                registry: r.registry,
                slug: r.slug,
                version: r.version,
            }),
        };
        progress("installing");
        record.write(&fresh)?;
        clawft_fetch::replace_dir(&fresh, &target, &staging.path().join("old"))?;
        tracing::info!(plugin = %id, source = %record.source, resolved = %record.resolved, "installed plugin");
        Ok(PluginInstalled {
            dir: target,
            record,
            previous,
            unchanged,
            plugin,
        })
    }

    /// Re-resolve installed plugin `id` from its recorded source (a ClawHub version is
    /// unpinned) and install what that gives. Approved permissions carry over; more need
    /// `approve` again.
    pub async fn update(
        &self,
        id: &str,
        options: PluginInstallOptions,
        approve: &(dyn Fn(&ApprovalRequest<'_>) -> Decision + Sync),
        progress: &(dyn Fn(&str) + Sync),
    ) -> Result<PluginInstalled, PluginInstallError> {
        let dir = self.installed_dir(id)?;
        let record = InstallRecord::read(&dir)?;
        let spec = SourceSpec::parse(
            &record.source,
            record.path.as_deref(),
            record.reference.as_deref(),
        )?
        .unpinned();
        self.install(&spec, options, approve, progress).await
    }

    /// Remove installed plugin `id`: its folder is moved into staging, then deleted.
    pub fn remove(&self, id: &str) -> Result<PathBuf, PluginInstallError> {
        let dir = self.installed_dir(id)?;
        let staging = Staging::new(&self.root.join(".staging"))?;
        let aside = staging.path().join("removed");
        std::fs::rename(&dir, &aside).map_err(|e| FetchError::io(&dir, e))?;
        tracing::info!(plugin = %id, "removed plugin");
        Ok(dir)
    }

    /// The folder of installed plugin `id`, or an error naming the close ones.
    pub fn installed_dir(&self, id: &str) -> Result<PathBuf, PluginInstallError> {
        let dir = self.root.join(id);
        if clawft_fetch::is_folder_name(id) && dir.join(INSTALL_RECORD).is_file() {
            return Ok(dir);
        }
        let ids = self.installed_ids();
        let hint = match clawft_plugin::suggest::closest(id, ids.iter().map(String::as_str)) {
            Some(c) => format!("\nhelp: did you mean `{c}`?"),
            None if ids.is_empty() => "\nhelp: no plugins are installed".to_owned(),
            None => format!("\nhelp: installed: {}", ids.join(", ")),
        };
        Err(PluginInstallError::NotInstalled {
            id: id.to_owned(),
            root: self.root.clone(),
            hint,
        })
    }

    /// The record of what is installed at `target`, if anything weft installed is there.
    fn previous(
        &self,
        target: &Path,
        id: &str,
    ) -> Result<Option<InstallRecord>, PluginInstallError> {
        if !target.join(INSTALL_RECORD).is_file() {
            return Ok(None);
        }
        let record = InstallRecord::read(target)?;
        Ok((record.id == id).then_some(record))
    }
}

/// The folder holding the plugin: `base` itself, or the only plugin below it.
fn locate(base: &Path, source_text: &str) -> Result<PathBuf, PluginInstallError> {
    let mut found = find_bundles(base, MAX_SEARCH_DEPTH, |dir| Manifest::find_in(dir).is_ok());
    match found.len() {
        0 => Err(PluginInstallError::NoPlugin(source_text.to_owned())),
        1 => Ok(base.join(found.remove(0))),
        _ => Err(PluginInstallError::Ambiguous {
            source_text: source_text.to_owned(),
            choices: found.iter().map(|p| p.display().to_string()).collect(),
        }),
    }
}

/// Copy what an installed plugin needs from `from` to `to`: the manifest, the component,
/// a signature file, and the skill folders the manifest declares. Nothing else (sources,
/// build output) is installed.
fn assemble(from: &Path, manifest: &Manifest, to: &Path) -> Result<(), PluginInstallError> {
    let manifest_path = Manifest::find_in(from).map_err(|e| PluginInstallError::Invalid {
        source_text: from.display().to_string(),
        error: e.into(),
    })?;
    let mut files: Vec<PathBuf> = vec![
        manifest_path
            .strip_prefix(from)
            .unwrap_or(&manifest_path)
            .to_owned(),
    ];
    if let clawft_plugin::manifest::Entry::Wasm(wasm) = &manifest.entry {
        files.push(Path::new(wasm).to_owned());
    }
    if from.join(SIGNATURE_FILE).exists() {
        files.push(SIGNATURE_FILE.into());
    }
    for rel in files {
        let src = from.join(&rel);
        let meta = std::fs::symlink_metadata(&src).map_err(|e| FetchError::io(&src, e))?;
        if !meta.is_file() {
            return Err(PluginInstallError::NotAFile(src));
        }
        let dest = to.join(&rel);
        if let Some(parent) = dest.parent() {
            std::fs::create_dir_all(parent).map_err(|e| FetchError::io(parent, e))?;
        }
        std::fs::copy(&src, &dest).map_err(|e| FetchError::io(&dest, e))?;
    }
    for skills in &manifest.skills {
        let src = from.join(skills);
        if src.is_dir() {
            clawft_fetch::copy_tree(&src, &to.join(skills))?;
        }
    }
    Ok(())
}

/// The detached signature in `dir`, if there is one.
fn read_signature(dir: &Path) -> Result<Option<String>, PluginInstallError> {
    let path = dir.join(SIGNATURE_FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) => Ok(Some(text.trim().to_owned())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(FetchError::io(&path, e).into()),
    }
}
