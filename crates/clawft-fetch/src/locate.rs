//! Finding what to install inside a fetched tree: the folder itself, or the folders below it
//! that hold a marker file (`SKILL.md`, `clawft.plugin.json`).

use std::path::{Path, PathBuf};

/// Directory names never searched (dot-directories such as `.git` are skipped as well);
/// the same set the skill loader skips.
pub const SKIP_DIRS: [&str; 5] = ["node_modules", "dist", "build", "venv", "__pycache__"];

/// The folders at most `max_depth` levels below `base` for which `is_bundle` holds, as
/// paths relative to `base`, sorted; `base` alone when it holds a bundle itself. A bundle's
/// own subfolders are not searched. Callers treat zero or several results as errors
/// naming the choices.
pub fn find_bundles(
    base: &Path,
    max_depth: usize,
    is_bundle: impl Fn(&Path) -> bool,
) -> Vec<PathBuf> {
    if is_bundle(base) {
        return vec![PathBuf::new()];
    }
    let mut found = Vec::new();
    let mut stack = vec![(base.to_owned(), 0)];
    while let Some((dir, depth)) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if !entry.file_type().is_ok_and(|t| t.is_dir())
                || name.starts_with('.')
                || SKIP_DIRS.contains(&name.as_str())
            {
                continue;
            }
            let path = entry.path();
            if is_bundle(&path) {
                found.push(path.strip_prefix(base).unwrap_or(&path).to_owned());
            } else if depth < max_depth {
                stack.push((path, depth + 1));
            }
        }
    }
    found.sort();
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_base_or_every_bundle_below_it() {
        let root = tempfile::tempdir().unwrap();
        let marker = |p: &Path| p.join("M").is_file();
        for dir in ["a", "group/b", "node_modules/c", ".hidden/d", "a/inner"] {
            std::fs::create_dir_all(root.path().join(dir)).unwrap();
            std::fs::write(root.path().join(dir).join("M"), "").unwrap();
        }
        assert_eq!(
            find_bundles(root.path(), 3, marker),
            [PathBuf::from("a"), PathBuf::from("group/b")]
        );
        assert_eq!(
            find_bundles(&root.path().join("a"), 3, marker),
            [PathBuf::new()]
        );
        assert!(find_bundles(&root.path().join("group"), 0, |_| false).is_empty());
    }
}
