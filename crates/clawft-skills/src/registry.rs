//! The live skill set: an immutable [`SkillSnapshot`] swapped atomically on reload.
//!
//! Readers call [`SkillRegistry::snapshot`] and keep the `Arc` they got for as long as they
//! need a consistent view (a session turn); a reload never changes a snapshot in place.
//! Each change bumps `version`. A skill that loaded before and now fails to parse (a
//! broken edit) stays in its last good version, and the error is still reported.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex, MutexGuard};

use arc_swap::ArcSwap;

use crate::discover::discover;
use crate::layer::SkillSource;
use crate::limits::SkillLimits;
use crate::loaded::{LoadError, LoadWarning, LoadedSkill, ShadowedSkill};

/// One consistent view of the loaded skills.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SkillSnapshot {
    /// Increases by one with every change; the first load is version 1.
    pub version: u64,
    /// The winning skill for each name.
    pub skills: BTreeMap<String, Arc<LoadedSkill>>,
    /// Skills that could not be loaded.
    pub errors: Vec<LoadError>,
    /// Non-fatal problems.
    pub warnings: Vec<LoadWarning>,
    /// Names of skills whose file is broken now and which are served from their last good
    /// version.
    pub kept_last_good: Vec<String>,
}

impl SkillSnapshot {
    /// The skill named `name`.
    pub fn get(&self, name: &str) -> Option<&Arc<LoadedSkill>> {
        self.skills.get(name)
    }

    /// The skills, by name.
    pub fn iter(&self) -> impl Iterator<Item = &Arc<LoadedSkill>> {
        self.skills.values()
    }

    /// How many skills are loaded.
    pub fn len(&self) -> usize {
        self.skills.len()
    }

    /// Whether no skill is loaded.
    pub fn is_empty(&self) -> bool {
        self.skills.is_empty()
    }

    /// The loaded name closest to a mistyped one, for "did you mean" hints.
    pub fn closest_name(&self, typed: &str) -> Option<&str> {
        let max = (typed.chars().count() / 3).max(2);
        self.skills
            .keys()
            .map(|name| (clawft_plugin::suggest::edit_distance(typed, name), name))
            .filter(|(d, _)| *d <= max)
            .min()
            .map(|(_, name)| name.as_str())
    }

    fn same_content(&self, other: &Self) -> bool {
        self.skills == other.skills
            && self.errors == other.errors
            && self.warnings == other.warnings
            && self.kept_last_good == other.kept_last_good
    }
}

/// What a reload did.
#[derive(Debug, Clone)]
pub struct ReloadOutcome {
    /// The snapshot now current.
    pub snapshot: Arc<SkillSnapshot>,
    /// Whether anything changed (when not, the version stayed the same).
    pub changed: bool,
}

type Callback = Box<dyn Fn(&Arc<SkillSnapshot>) + Send + Sync>;

/// The skill registry: sources, limits, the current snapshot and its subscribers.
pub struct SkillRegistry {
    current: ArcSwap<SkillSnapshot>,
    sources: Mutex<Vec<SkillSource>>,
    limits: SkillLimits,
    reload_lock: Mutex<()>,
    channels: Mutex<Vec<Sender<Arc<SkillSnapshot>>>>,
    callbacks: Mutex<Vec<Callback>>,
}

impl std::fmt::Debug for SkillRegistry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SkillRegistry")
            .field("version", &self.version())
            .field("sources", &*lock(&self.sources))
            .finish_non_exhaustive()
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl SkillRegistry {
    /// Scans `sources` now and holds the result as version 1.
    pub fn new(sources: Vec<SkillSource>, limits: SkillLimits) -> Self {
        let registry = Self {
            current: ArcSwap::from_pointee(SkillSnapshot::default()),
            sources: Mutex::new(sources),
            limits,
            reload_lock: Mutex::new(()),
            channels: Mutex::new(Vec::new()),
            callbacks: Mutex::new(Vec::new()),
        };
        registry.reload();
        registry
    }

    /// The current snapshot. Keep the `Arc` for a consistent view.
    pub fn snapshot(&self) -> Arc<SkillSnapshot> {
        self.current.load_full()
    }

    /// The current version.
    pub fn version(&self) -> u64 {
        self.current.load().version
    }

    /// The limits in force.
    pub fn limits(&self) -> &SkillLimits {
        &self.limits
    }

    /// The sources scanned, in the order given.
    pub fn sources(&self) -> Vec<SkillSource> {
        lock(&self.sources).clone()
    }

    /// Replaces the sources (e.g. a plugin added a skill directory) and reloads.
    pub fn set_sources(&self, sources: Vec<SkillSource>) -> ReloadOutcome {
        *lock(&self.sources) = sources;
        self.reload()
    }

    /// Receives every new snapshot after a change. Dropping the receiver unsubscribes.
    pub fn subscribe(&self) -> Receiver<Arc<SkillSnapshot>> {
        let (tx, rx) = mpsc::channel();
        lock(&self.channels).push(tx);
        rx
    }

    /// Calls `callback` with every new snapshot after a change, on the reloading thread.
    pub fn on_change(&self, callback: impl Fn(&Arc<SkillSnapshot>) + Send + Sync + 'static) {
        lock(&self.callbacks).push(Box::new(callback));
    }

    /// Rescans every source and swaps in the result if anything changed.
    pub fn reload(&self) -> ReloadOutcome {
        let _serial = lock(&self.reload_lock);
        let previous = self.current.load_full();
        let report = discover(&self.sources(), &self.limits);
        let mut next = SkillSnapshot {
            version: previous.version,
            skills: report
                .skills
                .into_iter()
                .map(|s| (s.doc.name.clone(), Arc::new(s)))
                .collect(),
            errors: report.errors,
            warnings: report.warnings,
            kept_last_good: Vec::new(),
        };
        keep_last_good(&previous, &mut next);
        if previous.version > 0 && next.same_content(&previous) {
            return ReloadOutcome {
                snapshot: previous,
                changed: false,
            };
        }
        next.version = previous.version + 1;
        let next = Arc::new(next);
        self.current.store(Arc::clone(&next));
        tracing::debug!(
            version = next.version,
            skills = next.len(),
            "skill snapshot swapped"
        );
        lock(&self.channels).retain(|tx| tx.send(Arc::clone(&next)).is_ok());
        for callback in lock(&self.callbacks).iter() {
            callback(&next);
        }
        ReloadOutcome {
            snapshot: next,
            changed: true,
        }
    }
}

/// For every error about a file that a previous skill was loaded from, serve that skill
/// from the previous snapshot, unless a higher-precedence skill of the same name won.
fn keep_last_good(previous: &SkillSnapshot, next: &mut SkillSnapshot) {
    for error in &mut next.errors {
        let Some(old) = previous.iter().find(|s| s.path() == error.path) else {
            continue;
        };
        let name = old.name().to_owned();
        if let Some(current) = next.skills.get(&name) {
            if current.layer <= old.layer {
                continue;
            }
            let mut kept = LoadedSkill::clone(old);
            kept.shadows.retain(|s| s.path != current.path());
            kept.shadows.insert(0, shadow_of(current));
            next.skills.insert(name.clone(), Arc::new(kept));
        } else {
            next.skills.insert(name.clone(), Arc::clone(old));
        }
        error.reason.push_str(&format!(
            "\nnote: skill `{name}` keeps its last good version until the file is fixed"
        ));
        next.kept_last_good.push(name);
    }
}

fn shadow_of(skill: &LoadedSkill) -> ShadowedSkill {
    ShadowedSkill {
        layer: skill.layer,
        path: Path::to_path_buf(skill.path()),
    }
}

#[cfg(test)]
mod tests {
    use std::fs;
    use std::path::PathBuf;

    use super::*;
    use crate::layer::SkillLayer;

    fn write(root: &Path, name: &str, frontmatter: &str) -> PathBuf {
        let dir = root.join(name);
        fs::create_dir_all(&dir).expect("mkdir");
        let path = dir.join("SKILL.md");
        fs::write(&path, format!("---\n{frontmatter}\n---\nbody\n")).expect("write");
        path
    }

    fn registry(root: &Path) -> SkillRegistry {
        SkillRegistry::new(
            vec![SkillSource::new(SkillLayer::Managed, root)],
            SkillLimits::default(),
        )
    }

    #[test]
    fn first_load_is_version_one_and_unchanged_reload_keeps_it() {
        let tmp = tempfile::tempdir().expect("tempdir");
        write(tmp.path(), "a", "description: a");
        let reg = registry(tmp.path());
        assert_eq!(reg.version(), 1);
        assert!(reg.snapshot().get("a").is_some());
        let outcome = reg.reload();
        assert!(!outcome.changed);
        assert_eq!(reg.version(), 1);
    }

    #[test]
    fn reload_swaps_and_readers_keep_their_snapshot() {
        let tmp = tempfile::tempdir().expect("tempdir");
        write(tmp.path(), "a", "description: a");
        let reg = registry(tmp.path());
        let held = reg.snapshot();
        let rx = reg.subscribe();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&seen);
        reg.on_change(move |s| lock(&sink).push(s.version));
        write(tmp.path(), "b", "description: b");
        let outcome = reg.reload();
        assert!(outcome.changed);
        assert_eq!(outcome.snapshot.version, 2);
        assert_eq!(held.version, 1);
        assert!(held.get("b").is_none());
        assert!(reg.snapshot().get("b").is_some());
        assert_eq!(rx.try_recv().expect("notified").version, 2);
        assert_eq!(*lock(&seen), [2]);
    }

    #[test]
    fn broken_edit_keeps_last_good_version() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let path = write(tmp.path(), "a", "description: good");
        let reg = registry(tmp.path());
        fs::write(&path, "---\nname: a\n---\nno description now\n").expect("break it");
        let snap = reg.reload().snapshot;
        assert_eq!(snap.version, 2);
        assert_eq!(
            snap.get("a").map(|s| s.doc.description.as_str()),
            Some("good")
        );
        assert_eq!(snap.kept_last_good, ["a"]);
        assert_eq!(snap.errors.len(), 1);
        assert!(snap.errors[0].reason.contains("last good version"));
        // Fixing it serves the new version.
        fs::write(&path, "---\ndescription: fixed\n---\n").expect("fix it");
        let snap = reg.reload().snapshot;
        assert_eq!(
            snap.get("a").map(|s| s.doc.description.as_str()),
            Some("fixed")
        );
        assert!(snap.errors.is_empty() && snap.kept_last_good.is_empty());
    }

    #[test]
    fn broken_higher_layer_still_beats_lower_layer() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let (ws, bundled) = (tmp.path().join("ws"), tmp.path().join("b"));
        let ws_path = write(&ws, "x", "description: workspace");
        write(&bundled, "x", "description: bundled");
        let reg = SkillRegistry::new(
            vec![
                SkillSource::new(SkillLayer::Workspace, &ws),
                SkillSource::new(SkillLayer::Bundled, &bundled),
            ],
            SkillLimits::default(),
        );
        fs::write(&ws_path, "no frontmatter").expect("break it");
        let snap = reg.reload().snapshot;
        let x = snap.get("x").expect("x");
        assert_eq!(x.doc.description, "workspace");
        assert_eq!(x.shadows.len(), 1);
        assert_eq!(x.shadows[0].layer, SkillLayer::Bundled);
    }

    #[test]
    fn deleted_skill_disappears() {
        let tmp = tempfile::tempdir().expect("tempdir");
        write(tmp.path(), "a", "description: a");
        let reg = registry(tmp.path());
        fs::remove_dir_all(tmp.path().join("a")).expect("rm");
        assert!(reg.reload().snapshot.is_empty());
    }

    #[test]
    fn did_you_mean() {
        let tmp = tempfile::tempdir().expect("tempdir");
        write(tmp.path(), "github", "description: gh");
        let snap = registry(tmp.path()).snapshot();
        assert_eq!(snap.closest_name("githbu"), Some("github"));
        assert_eq!(snap.closest_name("weather"), None);
    }
}
