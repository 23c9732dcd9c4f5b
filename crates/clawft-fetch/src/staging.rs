//! Putting things in place without half states: a staging folder removed however an
//! install ends, tree copies that refuse symlinks, a directory swap by rename, and
//! atomic file writes. Staging lives inside the managed folder (a dot-folder loaders
//! skip) so every rename stays on one file system.

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::{FetchError, fingerprint};

/// Age after which a leftover staging folder (from an interrupted install) is removed.
pub const STALE_STAGING_SECS: u64 = 3600;

/// A fresh folder under `<managed>/.staging/`, removed when dropped.
#[derive(Debug)]
pub struct Staging(PathBuf);

impl Staging {
    /// Create a unique folder under `base`, first removing leftovers older than
    /// [`STALE_STAGING_SECS`].
    pub fn new(base: &Path) -> Result<Self, FetchError> {
        if let Ok(entries) = std::fs::read_dir(base) {
            for entry in entries.flatten() {
                let old = entry
                    .metadata()
                    .and_then(|m| m.modified())
                    .ok()
                    .and_then(|t| t.elapsed().ok())
                    .is_some_and(|a| a.as_secs() > STALE_STAGING_SECS);
                if old {
                    let _ = std::fs::remove_dir_all(entry.path());
                }
            }
        }
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let dir = base.join(format!("{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir).map_err(|e| FetchError::io(&dir, e))?;
        Ok(Self(dir))
    }

    /// The folder.
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Copy every regular file under `from` to `to` (created), skipping `.git` and refusing
/// symlinks anywhere in the tree.
pub fn copy_tree(from: &Path, to: &Path) -> Result<(), FetchError> {
    let files = fingerprint::files(from).map_err(|e| FetchError::HostileArchive {
        reason: e.to_string(),
    })?;
    std::fs::create_dir_all(to).map_err(|e| FetchError::io(to, e))?;
    for (rel, path) in files {
        let dest = to.join(&rel);
        if let Some(parent) = dest.parent() {
            std::fs::create_dir_all(parent).map_err(|e| FetchError::io(parent, e))?;
        }
        std::fs::copy(&path, &dest).map_err(|e| FetchError::io(&dest, e))?;
    }
    Ok(())
}

/// Put `fresh` at `target`, moving an existing `target` to `aside` first (and back if the
/// second rename fails). `aside` should be inside the staging folder so it is cleaned up.
pub fn replace_dir(fresh: &Path, target: &Path, aside: &Path) -> Result<(), FetchError> {
    if let Some(parent) = target.parent() {
        std::fs::create_dir_all(parent).map_err(|e| FetchError::io(parent, e))?;
    }
    if target.exists() {
        std::fs::rename(target, aside).map_err(|e| FetchError::io(target, e))?;
    }
    if let Err(err) = std::fs::rename(fresh, target) {
        if aside.exists() {
            let _ = std::fs::rename(aside, target);
        }
        return Err(FetchError::io(target, err));
    }
    Ok(())
}

/// Write via a temp file, fsync and rename, so a crash leaves the old or the new file.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), FetchError> {
    use std::io::Write;
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| FetchError::io(dir, e))?;
    let tmp: PathBuf = dir.join(format!(
        ".{}.tmp-{}",
        path.file_name().and_then(|n| n.to_str()).unwrap_or("f"),
        std::process::id()
    ));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if let Err(err) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(FetchError::io(path, err));
    }
    Ok(())
}

/// Whether `name` (a skill name, a plugin id) can be one folder directly inside a managed
/// directory: not empty, not hidden, no path separators. Checked before anything is
/// joined to the managed root, so a name can never reach outside it.
pub fn is_folder_name(name: &str) -> bool {
    !name.is_empty() && !name.starts_with('.') && !name.contains(['/', '\\'])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn staging_is_removed_and_replace_swaps_whole_folders() {
        let root = tempfile::tempdir().unwrap();
        let base = root.path().join(".staging");
        let staging = Staging::new(&base).unwrap();
        let kept = staging.path().to_owned();
        std::fs::create_dir_all(kept.join("src/sub")).unwrap();
        std::fs::write(kept.join("src/sub/a.txt"), "new").unwrap();
        copy_tree(&kept.join("src"), &kept.join("fresh")).unwrap();

        let target = root.path().join("thing");
        std::fs::create_dir_all(&target).unwrap();
        std::fs::write(target.join("old.txt"), "old").unwrap();
        replace_dir(&kept.join("fresh"), &target, &kept.join("old")).unwrap();
        assert_eq!(
            std::fs::read_to_string(target.join("sub/a.txt")).unwrap(),
            "new"
        );
        assert!(!target.join("old.txt").exists());
        drop(staging);
        assert!(!kept.exists(), "staging is removed on drop");

        write_atomic(&root.path().join("f.json"), b"1").unwrap();
        write_atomic(&root.path().join("f.json"), b"2").unwrap();
        assert_eq!(std::fs::read(root.path().join("f.json")).unwrap(), b"2");
    }

    #[cfg(unix)]
    #[test]
    fn copy_tree_refuses_symlinks() {
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(root.path().join("src")).unwrap();
        std::os::unix::fs::symlink("/etc/passwd", root.path().join("src/link")).unwrap();
        let err = copy_tree(&root.path().join("src"), &root.path().join("dst")).unwrap_err();
        assert!(err.to_string().contains("symlink"), "{err}");
    }
}
