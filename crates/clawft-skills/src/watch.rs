//! Hot reload: a [`SkillWatcher`] watches the skill directories and reloads the registry
//! when a `SKILL.md` (or a skill folder) appears, changes or disappears.
//!
//! Only the folders the loader scans are watched, each non-recursively: the roots, their
//! group folders down to `max_scan_depth`, and the skill folders themselves (at most
//! `max_watched_dirs`). So `node_modules`, `.git`, virtualenvs and skill assets never cost
//! a watch handle, which is what exhausts file handles in big trees with a recursive
//! watch. A root that does not exist yet is noticed through its parent folder. Events are
//! debounced (`watch_debounce_ms`); the watch set is refreshed before each reload.
//! Subscribers hear about the new snapshot through [`SkillRegistry::subscribe`] and
//! [`SkillRegistry::on_change`]. One thread, joined on drop; no async runtime.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use notify_debouncer_full::notify::event::{CreateKind, ModifyKind, RemoveKind};
use notify_debouncer_full::notify::{self, EventKind, RecommendedWatcher, RecursiveMode};
use notify_debouncer_full::{DebounceEventResult, DebouncedEvent, Debouncer, NoCache};

use crate::discover::{is_skipped_dir, scan_root};
use crate::error::{SkillError, SkillResult};
use crate::format::SKILL_FILE;
use crate::registry::SkillRegistry;

enum Msg {
    Events(DebounceEventResult),
    Resync,
    Stop,
}

/// Watches the registry's skill directories and reloads it on change. Stops (and joins
/// its thread) when dropped.
pub struct SkillWatcher {
    tx: Sender<Msg>,
    thread: Option<JoinHandle<()>>,
    watched: Arc<Mutex<Vec<PathBuf>>>,
}

impl std::fmt::Debug for SkillWatcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SkillWatcher")
            .field("watched_dirs", &self.watched_dirs().len())
            .finish_non_exhaustive()
    }
}

impl SkillWatcher {
    /// Starts watching every source of `registry`.
    ///
    /// # Errors
    /// [`SkillError::Watch`] when the OS watcher or the thread cannot be created. A folder
    /// that cannot be watched later is logged and skipped.
    pub fn start(registry: Arc<SkillRegistry>) -> SkillResult<Self> {
        let limits = registry.limits().clone();
        let (tx, rx) = mpsc::channel();
        let events_tx = tx.clone();
        let debouncer = notify_debouncer_full::new_debouncer_opt::<_, RecommendedWatcher, NoCache>(
            Duration::from_millis(limits.watch_debounce_ms),
            None,
            move |result: DebounceEventResult| {
                // The receiver is gone only while the watcher shuts down.
                let _ = events_tx.send(Msg::Events(result));
            },
            NoCache,
            notify::Config::default(),
        )
        .map_err(|err| SkillError::Watch {
            path: PathBuf::new(),
            message: err.to_string(),
        })?;
        let resync_tx = tx.clone();
        registry.on_change(move |_| {
            // Sources may have changed (`set_sources`): refresh the watch set.
            let _ = resync_tx.send(Msg::Resync);
        });
        let watched = Arc::new(Mutex::new(Vec::new()));
        let mut state = WatchState {
            debouncer,
            registry,
            watched: BTreeSet::new(),
            roots: Vec::new(),
            shared: Arc::clone(&watched),
        };
        state.sync();
        let thread = std::thread::Builder::new()
            .name("clawft-skill-watch".into())
            .spawn(move || state.run(rx))
            .map_err(|err| SkillError::Watch {
                path: PathBuf::new(),
                message: format!("could not start the watcher thread: {err}"),
            })?;
        Ok(Self {
            tx,
            thread: Some(thread),
            watched,
        })
    }

    /// The folders watched now.
    pub fn watched_dirs(&self) -> Vec<PathBuf> {
        self.watched
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }
}

impl Drop for SkillWatcher {
    fn drop(&mut self) {
        let _ = self.tx.send(Msg::Stop);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

struct WatchState {
    debouncer: Debouncer<RecommendedWatcher, NoCache>,
    registry: Arc<SkillRegistry>,
    watched: BTreeSet<PathBuf>,
    /// Every root as configured and as resolved (events may carry either form).
    roots: Vec<PathBuf>,
    shared: Arc<Mutex<Vec<PathBuf>>>,
}

impl WatchState {
    fn run(mut self, rx: Receiver<Msg>) {
        while let Ok(msg) = rx.recv() {
            match msg {
                Msg::Stop => break,
                Msg::Resync => self.sync(),
                Msg::Events(Ok(events)) => {
                    if events.iter().any(|e| self.is_relevant(e)) {
                        self.sync();
                        self.registry.reload();
                    }
                }
                Msg::Events(Err(errors)) => {
                    for err in errors {
                        tracing::warn!(error = %err, "skill watcher error");
                    }
                }
            }
        }
        self.debouncer.stop();
    }

    fn wanted(&mut self) -> BTreeSet<PathBuf> {
        let limits = self.registry.limits().clone();
        let mut roots = Vec::new();
        let mut want = BTreeSet::new();
        for source in self.registry.sources() {
            let root = source.root;
            if root.is_dir() {
                let scan = scan_root(&root, &limits);
                want.extend(scan.searched_dirs);
                want.extend(scan.skill_dirs);
                if let Ok(real) = root.canonicalize() {
                    roots.push(real);
                }
            } else if let Some(parent) = root.parent().filter(|p| p.is_dir()) {
                want.insert(parent.to_path_buf());
            }
            roots.push(root);
        }
        self.roots = roots;
        if want.len() > limits.max_watched_dirs {
            tracing::warn!(
                limit = limits.max_watched_dirs,
                found = want.len(),
                "too many skill folders to watch (`max_watched_dirs`); changes in the rest \
                 are picked up on the next reload"
            );
            want = want.into_iter().take(limits.max_watched_dirs).collect();
        }
        want
    }

    /// Brings the watch set in line with the folders on disk. Repeats while new watches
    /// were added, so a folder created between the scan and the watch is not missed.
    fn sync(&mut self) {
        for _ in 0..3 {
            let want = self.wanted();
            let stale: Vec<PathBuf> = self.watched.difference(&want).cloned().collect();
            for dir in stale {
                let _ = self.debouncer.unwatch(&dir);
                self.watched.remove(&dir);
            }
            let mut added = false;
            for dir in want.difference(&self.watched).cloned().collect::<Vec<_>>() {
                match self.debouncer.watch(&dir, RecursiveMode::NonRecursive) {
                    Ok(()) => {
                        self.watched.insert(dir);
                        added = true;
                    }
                    Err(err) => {
                        tracing::warn!(dir = %dir.display(), error = %err, "cannot watch skill folder");
                    }
                }
            }
            if !added {
                break;
            }
        }
        *self
            .shared
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) =
            self.watched.iter().cloned().collect();
    }

    fn is_relevant(&self, event: &DebouncedEvent) -> bool {
        event
            .paths
            .iter()
            .any(|path| is_relevant_path(&self.roots, path, &event.kind))
    }
}

/// Whether an event on `path` can change the skill set.
fn is_relevant_path(roots: &[PathBuf], path: &Path, kind: &EventKind) -> bool {
    let Some(root) = roots.iter().find(|root| path.starts_with(root)) else {
        return false;
    };
    let Ok(rel) = path.strip_prefix(root) else {
        return false;
    };
    if rel.components().any(|c| is_skipped_dir(c.as_os_str())) {
        return false;
    }
    if path.file_name().is_some_and(|name| name == SKILL_FILE) {
        return true;
    }
    let structural = matches!(
        kind,
        EventKind::Create(CreateKind::Folder | CreateKind::Any)
            | EventKind::Remove(RemoveKind::Folder | RemoveKind::Any)
            | EventKind::Modify(ModifyKind::Name(_))
    );
    structural && (path.is_dir() || !path.exists())
}

#[cfg(test)]
mod tests {
    use std::fs;
    use std::time::Instant;

    use super::*;
    use crate::layer::{SkillLayer, SkillSource};
    use crate::limits::SkillLimits;

    fn write_skill(dir: &Path, description: &str) {
        fs::create_dir_all(dir).expect("mkdir");
        fs::write(
            dir.join(SKILL_FILE),
            format!("---\ndescription: {description}\n---\n"),
        )
        .expect("write");
    }

    fn wait_for(registry: &SkillRegistry, what: impl Fn(&crate::SkillSnapshot) -> bool) -> bool {
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if what(&registry.snapshot()) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        false
    }

    #[test]
    fn new_skill_file_is_picked_up() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let root = tmp.path().join("skills");
        write_skill(&root.join("first"), "first");
        let registry = Arc::new(SkillRegistry::new(
            vec![SkillSource::new(SkillLayer::Managed, &root)],
            SkillLimits::default(),
        ));
        let rx = registry.subscribe();
        let watcher = SkillWatcher::start(Arc::clone(&registry)).expect("watcher starts");
        write_skill(&root.join("second"), "second");
        assert!(
            wait_for(&registry, |s| s.version > 1 && s.get("second").is_some()),
            "the new skill never appeared"
        );
        assert!(rx.try_iter().any(|s| s.get("second").is_some()));
        drop(watcher);
    }

    #[test]
    fn skip_listed_folders_are_not_watched() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let root = tmp.path().join("skills");
        write_skill(&root.join("a"), "a");
        fs::create_dir_all(root.join("node_modules/pkg")).expect("mkdir");
        fs::create_dir_all(root.join("a/references")).expect("mkdir");
        let registry = Arc::new(SkillRegistry::new(
            vec![SkillSource::new(SkillLayer::Managed, &root)],
            SkillLimits::default(),
        ));
        let watcher = SkillWatcher::start(registry).expect("watcher starts");
        let watched = watcher.watched_dirs();
        assert_eq!(watched, [root.clone(), root.join("a")]);
    }

    #[test]
    fn root_created_later_is_noticed() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let root = tmp.path().join("skills");
        let registry = Arc::new(SkillRegistry::new(
            vec![SkillSource::new(SkillLayer::Managed, &root)],
            SkillLimits::default(),
        ));
        let watcher = SkillWatcher::start(Arc::clone(&registry)).expect("watcher starts");
        assert_eq!(watcher.watched_dirs(), [tmp.path().to_path_buf()]);
        write_skill(&root.join("late"), "late");
        assert!(
            wait_for(&registry, |s| s.get("late").is_some()),
            "the skill in the new root never appeared"
        );
    }

    #[test]
    fn relevance_filter() {
        let roots = [PathBuf::from("/r")];
        let modify = EventKind::Modify(ModifyKind::Any);
        assert!(is_relevant_path(
            &roots,
            Path::new("/r/a/SKILL.md"),
            &modify
        ));
        assert!(!is_relevant_path(
            &roots,
            Path::new("/r/node_modules/x/SKILL.md"),
            &modify
        ));
        assert!(!is_relevant_path(
            &roots,
            Path::new("/r/.git/SKILL.md"),
            &modify
        ));
        assert!(!is_relevant_path(
            &roots,
            Path::new("/elsewhere/SKILL.md"),
            &modify
        ));
        assert!(!is_relevant_path(
            &roots,
            Path::new("/r/a/notes.md"),
            &modify
        ));
        let removed = EventKind::Remove(RemoveKind::Folder);
        assert!(is_relevant_path(&roots, Path::new("/r/gone"), &removed));
    }
}
