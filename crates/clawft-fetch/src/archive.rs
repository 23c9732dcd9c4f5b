//! Safe extraction of `.zip` and `.tar.gz` bundles: no absolute paths, no `..`, no links,
//! and caps on total size and file count. A hostile archive is refused before anything
//! reaches a managed directory (extraction happens in a staging folder).

use std::io::Read;
use std::path::{Component, Path, PathBuf};

use crate::{FetchError, FetchLimits};

/// A relative path from an archive entry, refusing anything that could leave `dest`.
fn safe_relative(name: &str) -> Result<PathBuf, String> {
    let path = Path::new(name);
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::Normal(p) => out.push(p),
            Component::CurDir => {}
            Component::ParentDir => {
                return Err(format!("entry `{name}` climbs out of the archive (`..`)"));
            }
            Component::RootDir | Component::Prefix(_) => {
                return Err(format!("entry `{name}` has an absolute path"));
            }
        }
    }
    if name.contains('\\') {
        return Err(format!("entry `{name}` uses backslashes"));
    }
    Ok(out)
}

struct Budget<'a> {
    limits: &'a FetchLimits,
    section: &'a str,
    bytes: u64,
    files: usize,
}

impl Budget<'_> {
    fn add_file(&mut self, size: u64, name: &str) -> Result<(), String> {
        self.files += 1;
        self.bytes += size;
        if self.files > self.limits.max_files {
            return Err(format!(
                "more than {} files (`{}.max_files`)",
                self.limits.max_files, self.section
            ));
        }
        if self.bytes > self.limits.max_unpacked_bytes {
            return Err(format!(
                "unpacks to more than {} bytes at `{name}` (`{}.max_unpacked_bytes`)",
                self.limits.max_unpacked_bytes, self.section
            ));
        }
        Ok(())
    }
}

/// Copy at most `limit` bytes; more is an error (a lying size header does not help).
fn copy_capped(reader: &mut impl Read, dest: &Path, limit: u64, name: &str) -> Result<u64, String> {
    let mut file = std::fs::File::create(dest)
        .map_err(|e| format!("cannot write `{}`: {e}", dest.display()))?;
    let copied = std::io::copy(&mut reader.take(limit + 1), &mut file)
        .map_err(|e| format!("cannot extract `{name}`: {e}"))?;
    if copied > limit {
        return Err(format!("entry `{name}` is larger than {limit} bytes"));
    }
    Ok(copied)
}

/// Extract a zip archive into `dest`. `section` names the settings holding `limits` in
/// messages (`skills.install`).
pub fn extract_zip(
    bytes: &[u8],
    dest: &Path,
    limits: &FetchLimits,
    section: &str,
) -> Result<(), FetchError> {
    let fail = |reason: String| FetchError::HostileArchive { reason };
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| fail(format!("not a zip archive: {e}")))?;
    let mut budget = Budget {
        limits,
        section,
        bytes: 0,
        files: 0,
    };
    for i in 0..zip.len() {
        let mut entry = zip
            .by_index(i)
            .map_err(|e| fail(format!("unreadable entry {i}: {e}")))?;
        let name = entry.name().to_owned();
        let rel = safe_relative(&name).map_err(fail)?;
        if entry.is_symlink() {
            return Err(fail(format!("entry `{name}` is a symlink")));
        }
        let target = dest.join(&rel);
        if entry.is_dir() {
            std::fs::create_dir_all(&target).map_err(|e| FetchError::io(&target, e))?;
            continue;
        }
        budget.add_file(entry.size(), &name).map_err(fail)?;
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(|e| FetchError::io(parent, e))?;
        }
        let left = limits
            .max_unpacked_bytes
            .saturating_sub(budget.bytes - entry.size());
        let written = copy_capped(&mut entry, &target, left, &name).map_err(fail)?;
        budget.bytes = budget.bytes - entry.size() + written;
    }
    Ok(())
}

/// Extract a gzipped tar archive into `dest`; `section` as for [`extract_zip`].
pub fn extract_tar_gz(
    bytes: &[u8],
    dest: &Path,
    limits: &FetchLimits,
    section: &str,
) -> Result<(), FetchError> {
    let fail = |reason: String| FetchError::HostileArchive { reason };
    let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(bytes));
    let mut budget = Budget {
        limits,
        section,
        bytes: 0,
        files: 0,
    };
    for entry in tar
        .entries()
        .map_err(|e| fail(format!("not a tar.gz archive: {e}")))?
    {
        let mut entry = entry.map_err(|e| fail(format!("unreadable entry: {e}")))?;
        let name = entry
            .path()
            .map_err(|e| fail(e.to_string()))?
            .to_string_lossy()
            .into_owned();
        let rel = safe_relative(&name).map_err(fail)?;
        let kind = entry.header().entry_type();
        let target = dest.join(&rel);
        if kind.is_dir() {
            std::fs::create_dir_all(&target).map_err(|e| FetchError::io(&target, e))?;
        } else if kind.is_file() {
            let size = entry.header().size().unwrap_or(0);
            budget.add_file(size, &name).map_err(fail)?;
            if let Some(parent) = target.parent() {
                std::fs::create_dir_all(parent).map_err(|e| FetchError::io(parent, e))?;
            }
            copy_capped(
                &mut entry,
                &target,
                size.min(limits.max_unpacked_bytes),
                &name,
            )
            .map_err(fail)?;
        } else if kind.is_symlink() || kind.is_hard_link() {
            return Err(fail(format!("entry `{name}` is a link")));
        } else if !matches!(
            kind,
            tar::EntryType::XGlobalHeader | tar::EntryType::XHeader
        ) {
            return Err(fail(format!(
                "entry `{name}` is not a regular file or folder"
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn good_zip_extracts_and_hostile_ones_are_refused() {
        let limits = FetchLimits::default();
        let dir = tempfile::tempdir().unwrap();
        extract_zip(
            &crate::testing::zip_of(&[("s/SKILL.md", b"x"), ("s/refs/a.md", b"y")]),
            dir.path(),
            &limits,
            "t",
        )
        .unwrap();
        assert_eq!(std::fs::read(dir.path().join("s/refs/a.md")).unwrap(), b"y");

        for bad in ["../evil", "/etc/evil", "a/../../evil"] {
            let err = extract_zip(
                &crate::testing::zip_of(&[(bad, b"x")]),
                dir.path(),
                &limits,
                "t",
            )
            .unwrap_err()
            .to_string();
            assert!(
                err.contains("hostile") || err.contains("refused"),
                "{bad}: {err}"
            );
        }
        let small = FetchLimits {
            max_unpacked_bytes: 10,
            ..FetchLimits::default()
        };
        assert!(
            extract_zip(
                &crate::testing::zip_of(&[("big", &[0u8; 100])]),
                dir.path(),
                &small,
                "t"
            )
            .is_err()
        );
        let few = FetchLimits {
            max_files: 1,
            ..FetchLimits::default()
        };
        assert!(
            extract_zip(
                &crate::testing::zip_of(&[("a", b"1"), ("b", b"2")]),
                dir.path(),
                &few,
                "t"
            )
            .is_err()
        );
        assert!(extract_zip(b"not a zip", dir.path(), &limits, "t").is_err());
    }

    #[test]
    fn tar_links_are_refused() {
        let mut raw = Vec::new();
        {
            let gz = flate2::write::GzEncoder::new(&mut raw, flate2::Compression::fast());
            let mut b = tar::Builder::new(gz);
            let mut h = tar::Header::new_gnu();
            h.set_entry_type(tar::EntryType::Symlink);
            h.set_size(0);
            b.append_link(&mut h, "s/link", "/etc/passwd").unwrap();
            b.into_inner().unwrap().finish().unwrap();
        }
        let dir = tempfile::tempdir().unwrap();
        let err = extract_tar_gz(&raw, dir.path(), &FetchLimits::default(), "t")
            .unwrap_err()
            .to_string();
        assert!(err.contains("link"), "{err}");
    }
}
