//! Reading one `SKILL.md` safely: never through a symlink that leaves its skill root,
//! never more than `max_skill_file_bytes`, UTF-8 only.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use crate::error::{SkillError, SkillResult};
use crate::format::ParsedSkill;
use crate::limits::SkillLimits;
use crate::parse::parse_skill_md;

/// Reads `path`, which must resolve (after following symlinks) inside `root`.
///
/// # Errors
/// [`SkillError::OutsideRoot`] for a symlink escape, [`SkillError::TooLarge`] over
/// `max_bytes`, [`SkillError::NotUtf8`], or [`SkillError::Io`].
pub fn read_confined(path: &Path, root: &Path, max_bytes: u64) -> SkillResult<String> {
    let root_real = root.canonicalize().map_err(|e| SkillError::io(root, e))?;
    let real = path.canonicalize().map_err(|e| SkillError::io(path, e))?;
    if !real.starts_with(&root_real) {
        return Err(SkillError::OutsideRoot {
            path: path.to_path_buf(),
            target: real,
            root: root.to_path_buf(),
        });
    }
    let meta = std::fs::metadata(&real).map_err(|e| SkillError::io(path, e))?;
    if !meta.is_file() {
        return Err(SkillError::io(
            path,
            std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a regular file"),
        ));
    }
    if meta.len() > max_bytes {
        return Err(SkillError::TooLarge {
            path: path.to_path_buf(),
            size: meta.len(),
            limit: max_bytes,
        });
    }
    let file = File::open(&real).map_err(|e| SkillError::io(path, e))?;
    let mut bytes = Vec::new();
    file.take(max_bytes.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| SkillError::io(path, e))?;
    let size = bytes.len() as u64;
    if size > max_bytes {
        return Err(SkillError::TooLarge {
            path: path.to_path_buf(),
            size,
            limit: max_bytes,
        });
    }
    String::from_utf8(bytes).map_err(|e| SkillError::NotUtf8 {
        path: path.to_path_buf(),
        offset: e.utf8_error().valid_up_to(),
    })
}

/// Reads and parses the `SKILL.md` at `path`, found under the skill root `root`.
///
/// # Errors
/// Everything [`read_confined`] refuses, and [`SkillError::Parse`] with the line.
pub fn load_skill_file(path: &Path, root: &Path, limits: &SkillLimits) -> SkillResult<ParsedSkill> {
    let text = read_confined(path, root, limits.max_skill_file_bytes)?;
    parse_skill_md(&text, path, limits).map_err(|source| SkillError::Parse {
        path: path.to_path_buf(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use std::fs;

    use super::*;

    fn write(dir: &Path, rel: &str, text: &[u8]) -> std::path::PathBuf {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).expect("mkdir");
        }
        fs::write(&path, text).expect("write");
        path
    }

    #[test]
    fn reads_inside_root() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let path = write(tmp.path(), "a/SKILL.md", b"---\ndescription: d\n---\n");
        let parsed = load_skill_file(&path, tmp.path(), &SkillLimits::default()).expect("loads");
        assert_eq!(parsed.doc.name, "a");
    }

    #[test]
    fn refuses_over_size_with_limit_in_message() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let path = write(tmp.path(), "a/SKILL.md", &[b'x'; 101]);
        let err = read_confined(&path, tmp.path(), 100).expect_err("too large");
        assert!(matches!(
            err,
            SkillError::TooLarge {
                size: 101,
                limit: 100,
                ..
            }
        ));
        assert!(err.to_string().contains("limit of 100 bytes"));
    }

    #[test]
    fn refuses_non_utf8() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let path = write(tmp.path(), "a/SKILL.md", b"---\n\xff\n");
        let err = read_confined(&path, tmp.path(), 100).expect_err("not utf8");
        assert!(matches!(err, SkillError::NotUtf8 { offset: 4, .. }));
    }

    #[test]
    fn parse_errors_carry_path_and_line() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let path = write(tmp.path(), "a/SKILL.md", b"# no frontmatter\n");
        let err = load_skill_file(&path, tmp.path(), &SkillLimits::default()).expect_err("bad");
        assert_eq!(err.line(), Some(1));
        assert!(err.to_string().contains("SKILL.md:1: no frontmatter"));
    }

    #[cfg(unix)]
    #[test]
    fn refuses_symlink_escaping_root() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let outside = write(
            tmp.path(),
            "outside/SKILL.md",
            b"---\ndescription: d\n---\n",
        );
        let root = tmp.path().join("root");
        fs::create_dir_all(root.join("evil")).expect("mkdir");
        let link = root.join("evil/SKILL.md");
        std::os::unix::fs::symlink(&outside, &link).expect("symlink");
        let err = read_confined(&link, &root, 1000).expect_err("escape");
        assert!(matches!(err, SkillError::OutsideRoot { .. }), "{err}");
    }
}
