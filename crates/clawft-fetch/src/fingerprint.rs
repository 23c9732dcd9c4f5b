//! Content hashes of bundle folders (ClawHub's fingerprint) and safe folder walks.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// Every regular file under `root`, as sorted relative `/`-separated paths. Metadata folders
/// (`.git`, `.clawhub`, `.clawdhub`) are skipped. A symlink anywhere is an error.
pub fn files(root: &Path) -> std::io::Result<Vec<(String, PathBuf)>> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_owned()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir)? {
            let entry = entry?;
            let kind = entry.file_type()?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if kind.is_symlink() {
                return Err(std::io::Error::other(format!(
                    "`{}` is a symlink; installed bundles may not contain symlinks",
                    entry.path().display()
                )));
            }
            if kind.is_dir() {
                if ![".git", ".clawhub", ".clawdhub"].contains(&name.as_str()) {
                    stack.push(entry.path());
                }
            } else if kind.is_file() {
                let rel = entry
                    .path()
                    .strip_prefix(root)
                    .map(|p| p.to_string_lossy().replace('\\', "/"))
                    .unwrap_or(name);
                out.push((rel, entry.path()));
            }
        }
    }
    out.sort();
    Ok(out)
}

/// sha256 over the sorted lines `<relative path>:<sha256 of the file>` (ClawHub's fingerprint).
pub fn fingerprint(root: &Path) -> std::io::Result<String> {
    fingerprint_without(root, &[])
}

/// [`fingerprint`] leaving out the files at the relative paths `skip` (records and detached
/// signatures that live beside the content they describe).
pub fn fingerprint_without(root: &Path, skip: &[&str]) -> std::io::Result<String> {
    let mut lines = Vec::new();
    for (rel, path) in files(root)? {
        if skip.contains(&rel.as_str()) {
            continue;
        }
        let digest = Sha256::digest(std::fs::read(path)?);
        lines.push(format!("{rel}:{}", hex(&digest)));
    }
    Ok(hex(&Sha256::digest(lines.join("\n").as_bytes())))
}

/// Lowercase hex.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_depends_on_paths_and_contents_only() {
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        for dir in [a.path(), b.path()] {
            std::fs::create_dir_all(dir.join("refs")).unwrap();
            std::fs::write(dir.join("SKILL.md"), "x").unwrap();
            std::fs::write(dir.join("refs/g.md"), "y").unwrap();
        }
        std::fs::create_dir_all(b.path().join(".clawhub")).unwrap();
        std::fs::write(b.path().join(".clawhub/origin.json"), "{}").unwrap();
        assert_eq!(
            fingerprint(a.path()).unwrap(),
            fingerprint(b.path()).unwrap()
        );
        std::fs::write(b.path().join("refs/g.md"), "z").unwrap();
        assert_ne!(
            fingerprint(a.path()).unwrap(),
            fingerprint(b.path()).unwrap()
        );
        assert_eq!(fingerprint(a.path()).unwrap().len(), 64);
        std::fs::write(a.path().join("install.json"), "{}").unwrap();
        assert_ne!(
            fingerprint(a.path()).unwrap(),
            fingerprint_without(a.path(), &["install.json"]).unwrap()
        );
        std::fs::remove_file(a.path().join("install.json")).unwrap();
        assert_eq!(
            fingerprint(a.path()).unwrap(),
            fingerprint_without(a.path(), &["install.json"]).unwrap()
        );
    }
}
