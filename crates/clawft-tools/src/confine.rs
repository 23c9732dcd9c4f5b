//! Resolving user-supplied paths inside the workspace, refusing `..` and symlink escapes.

use std::path::{Component, Path, PathBuf};

/// Resolve `requested` (relative to `workspace`, or absolute inside it) to a path that is
/// inside the workspace even after following symlinks. The target need not exist; its
/// deepest existing ancestor is canonicalised and checked.
pub fn resolve(workspace: &Path, requested: &str) -> Result<PathBuf, String> {
    if requested.trim().is_empty() {
        return Err("the path is empty".into());
    }
    let root = workspace.canonicalize().map_err(|e| {
        format!(
            "the workspace `{}` is not accessible: {e}",
            workspace.display()
        )
    })?;
    let requested_path = Path::new(requested);
    let joined = if requested_path.is_absolute() {
        requested_path.to_owned()
    } else {
        root.join(requested_path)
    };

    // Lexical normalisation first, so `a/../../x` is refused even if `a` does not exist.
    let mut normal = PathBuf::new();
    for part in joined.components() {
        match part {
            Component::ParentDir => {
                if !normal.pop() {
                    return Err(outside(requested));
                }
            }
            Component::CurDir => {}
            other => normal.push(other),
        }
    }
    if !normal.starts_with(&root) {
        return Err(outside(requested));
    }

    // Follow symlinks on the existing part of the path.
    let mut existing = normal.clone();
    let mut rest = Vec::new();
    while !existing.exists() && existing.symlink_metadata().is_err() {
        match (
            existing.file_name().map(ToOwned::to_owned),
            existing.parent(),
        ) {
            (Some(name), Some(parent)) => {
                rest.push(name);
                existing = parent.to_owned();
            }
            _ => break,
        }
    }
    let real = existing.canonicalize().map_err(|_| {
        // A dangling symlink cannot be canonicalised: treat as an escape attempt.
        format!("`{requested}` points through a broken symlink")
    })?;
    if !real.starts_with(&root) {
        return Err(format!(
            "`{requested}` resolves outside the workspace through a symlink"
        ));
    }
    let mut resolved = real;
    for name in rest.into_iter().rev() {
        resolved.push(name);
    }
    Ok(resolved)
}

fn outside(requested: &str) -> String {
    format!("`{requested}` is outside the workspace; file tools only work inside it")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inside_paths_resolve_and_escapes_are_refused() {
        let ws = tempfile::tempdir().unwrap();
        let root = ws.path().canonicalize().unwrap();
        std::fs::create_dir(root.join("sub")).unwrap();
        assert_eq!(
            resolve(&root, "sub/new.txt").unwrap(),
            root.join("sub/new.txt")
        );
        assert_eq!(
            resolve(&root, "a/b/../c.txt").unwrap(),
            root.join("a/c.txt")
        );
        assert_eq!(
            resolve(&root, root.join("x").to_str().unwrap()).unwrap(),
            root.join("x")
        );
        for bad in ["../x", "sub/../../x", "/etc/passwd", ""] {
            assert!(resolve(&root, bad).is_err(), "{bad} accepted");
        }
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_out_of_the_workspace_are_refused() {
        let ws = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        let root = ws.path().canonicalize().unwrap();
        std::os::unix::fs::symlink(outside.path(), root.join("link")).unwrap();
        std::os::unix::fs::symlink(root.join("sub"), root.join("inner")).unwrap();
        std::fs::create_dir(root.join("sub")).unwrap();
        let err = resolve(&root, "link/secret.txt").unwrap_err();
        assert!(err.contains("symlink"), "{err}");
        assert!(resolve(&root, "inner/ok.txt").is_ok());
    }
}
