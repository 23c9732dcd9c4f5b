//! Finding and loading skills across layered sources.
//!
//! Each root is either a skill folder itself (it holds `SKILL.md`) or a folder of skill
//! folders, possibly grouped (`<root>/<group>/<skill>/SKILL.md`) down to
//! `max_scan_depth` levels. A folder holding `SKILL.md` is a skill and is not searched
//! further. Dot-directories and [`SKIP_DIRS`] are never entered; symlinked folders are
//! loaded only when they resolve inside their root, and never descended into. Malformed
//! skills are reported (file, line, reason) and skipped; the rest load. Same-name skills
//! in lower-precedence sources are recorded as shadowed by the winner.

use std::collections::{HashMap, HashSet, VecDeque};
use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};

use crate::file::load_skill_file;
use crate::format::SKILL_FILE;
use crate::layer::SkillSource;
use crate::limits::SkillLimits;
use crate::loaded::{LoadError, LoadReport, LoadWarning, LoadedSkill, ShadowedSkill};

/// Directory names never scanned or watched (dot-directories are skipped as well).
pub const SKIP_DIRS: [&str; 10] = [
    "node_modules",
    ".git",
    "dist",
    ".venv",
    "venv",
    "__pycache__",
    ".mypy_cache",
    ".pytest_cache",
    "build",
    ".cache",
];

/// Whether a directory with this name is skipped: a dot-directory or one of [`SKIP_DIRS`].
pub fn is_skipped_dir(name: &OsStr) -> bool {
    let name = name.to_string_lossy();
    name.starts_with('.') || SKIP_DIRS.contains(&name.as_ref())
}

/// What scanning one root found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RootScan {
    /// Skill folders (each holds `SKILL.md`), shallower first, by name within a level.
    pub skill_dirs: Vec<PathBuf>,
    /// Folders searched (the root and the group folders below it).
    pub searched_dirs: Vec<PathBuf>,
    /// Whether `max_candidates_per_root` stopped the scan.
    pub capped: bool,
    /// Folders that could not be listed.
    pub errors: Vec<LoadError>,
}

fn has_skill_file(dir: &Path) -> bool {
    // `symlink_metadata`: a dangling or escaping SKILL.md link is still a candidate, so
    // the loader can report it instead of the skill vanishing silently.
    fs::symlink_metadata(dir.join(SKILL_FILE)).is_ok()
}

/// Lists the skill folders under `root` (see the module doc for the rules).
pub fn scan_root(root: &Path, limits: &SkillLimits) -> RootScan {
    let mut scan = RootScan::default();
    if has_skill_file(root) {
        scan.skill_dirs.push(root.to_path_buf());
        return scan;
    }
    let mut queue = VecDeque::from([(root.to_path_buf(), 0usize)]);
    while let Some((dir, depth)) = queue.pop_front() {
        let entries = match fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(err) => {
                scan.errors.push(LoadError {
                    path: dir.clone(),
                    line: None,
                    reason: format!("could not list the directory: {err}"),
                });
                continue;
            }
        };
        scan.searched_dirs.push(dir);
        let mut entries: Vec<fs::DirEntry> = entries.filter_map(Result::ok).collect();
        entries.sort_by_key(fs::DirEntry::file_name);
        for entry in entries {
            if is_skipped_dir(&entry.file_name()) {
                continue;
            }
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            let path = entry.path();
            let is_dir = kind.is_dir() || (kind.is_symlink() && path.is_dir());
            if !is_dir {
                continue;
            }
            if has_skill_file(&path) {
                if scan.skill_dirs.len() >= limits.max_candidates_per_root {
                    scan.capped = true;
                    return scan;
                }
                scan.skill_dirs.push(path);
            } else if kind.is_dir() && depth + 1 < limits.max_scan_depth {
                queue.push_back((path, depth + 1));
            }
        }
    }
    scan
}

/// Scans `sources` (any order; they are ranked by layer, then by position) and loads
/// every skill, resolving name clashes by precedence.
pub fn discover(sources: &[SkillSource], limits: &SkillLimits) -> LoadReport {
    let mut ranked: Vec<&SkillSource> = sources.iter().collect();
    ranked.sort_by_key(|s| s.layer);
    let mut report = LoadReport::default();
    let mut by_name: HashMap<String, usize> = HashMap::new();
    let mut seen_roots = HashSet::new();

    for source in ranked {
        let root = &source.root;
        if !root.is_dir() {
            if root.exists() {
                report.warnings.push(LoadWarning::new(
                    root,
                    "skill directory is not a directory; skipped",
                ));
            }
            continue;
        }
        let Ok(real_root) = root.canonicalize() else {
            continue;
        };
        if !seen_roots.insert(real_root) {
            continue;
        }
        let scan = scan_root(root, limits);
        report.errors.extend(scan.errors);
        if scan.capped {
            report.warnings.push(LoadWarning::new(
                root,
                format!(
                    "stopped scanning after {} skill folders (`max_candidates_per_root`); \
                     the rest are not loaded",
                    limits.max_candidates_per_root
                ),
            ));
        }
        let mut loaded = 0usize;
        for dir in scan.skill_dirs {
            let path = dir.join(SKILL_FILE);
            if loaded == limits.max_skills_per_source {
                report.warnings.push(LoadWarning::new(
                    root,
                    format!(
                        "loaded {loaded} skills from this directory (`max_skills_per_source`); \
                         the rest are skipped"
                    ),
                ));
                break;
            }
            let parsed = match load_skill_file(&path, root, limits) {
                Ok(parsed) => parsed,
                Err(err) => {
                    report.errors.push(LoadError::from_error(&path, &err));
                    continue;
                }
            };
            loaded += 1;
            report.warnings.extend(
                parsed
                    .warnings
                    .into_iter()
                    .map(|d| LoadWarning::from_diagnostic(&path, d)),
            );
            let skill = LoadedSkill::new(parsed.doc, source.layer, root);
            match by_name.get(skill.name()) {
                Some(&index) => {
                    let winner = &mut report.skills[index];
                    if winner.layer == skill.layer {
                        report.warnings.push(LoadWarning::new(
                            &path,
                            format!(
                                "a second skill named `{}` in the {} layer is hidden by `{}`\n\
                                 help: rename one of them",
                                skill.name(),
                                skill.layer,
                                winner.path().display()
                            ),
                        ));
                    }
                    winner.shadows.push(ShadowedSkill {
                        layer: skill.layer,
                        path,
                    });
                }
                None => {
                    by_name.insert(skill.name().to_owned(), report.skills.len());
                    report.skills.push(skill);
                }
            }
        }
    }
    report.skills.sort_by(|a, b| a.doc.name.cmp(&b.doc.name));
    report
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layer::SkillLayer;

    fn skill(root: &Path, rel: &str, frontmatter: &str) {
        let dir = root.join(rel);
        fs::create_dir_all(&dir).expect("mkdir");
        fs::write(
            dir.join(SKILL_FILE),
            format!("---\n{frontmatter}\n---\nbody\n"),
        )
        .expect("write");
    }

    #[test]
    fn grouped_layouts_and_skip_list() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let root = tmp.path();
        skill(root, "a", "description: a");
        skill(root, "group/b", "description: b");
        skill(root, "g1/g2/c", "description: c");
        skill(root, "g1/g2/g3/too-deep", "description: x");
        skill(root, "node_modules/hidden", "description: x");
        skill(root, ".hidden/h", "description: x");
        skill(root, "a/nested", "description: x");
        let scan = scan_root(root, &SkillLimits::default());
        let names: Vec<_> = scan
            .skill_dirs
            .iter()
            .map(|p| p.strip_prefix(root).expect("under root").to_path_buf())
            .collect();
        assert_eq!(
            names,
            [Path::new("a"), Path::new("group/b"), Path::new("g1/g2/c")]
        );
        assert!(!scan.capped);
    }

    #[test]
    fn root_that_is_a_skill() {
        let tmp = tempfile::tempdir().expect("tempdir");
        skill(tmp.path(), "", "description: d");
        let scan = scan_root(tmp.path(), &SkillLimits::default());
        assert_eq!(scan.skill_dirs, [tmp.path().to_path_buf()]);
    }

    #[test]
    fn candidate_cap_stops_scan() {
        let tmp = tempfile::tempdir().expect("tempdir");
        for i in 0..4 {
            skill(tmp.path(), &format!("s{i}"), "description: d");
        }
        let limits = SkillLimits {
            max_candidates_per_root: 3,
            ..SkillLimits::default()
        };
        let scan = scan_root(tmp.path(), &limits);
        assert_eq!(scan.skill_dirs.len(), 3);
        assert!(scan.capped);
        let report = discover(
            &[SkillSource::new(SkillLayer::Bundled, tmp.path())],
            &limits,
        );
        assert_eq!(report.skills.len(), 3);
        assert!(
            report.warnings[0]
                .message
                .contains("max_candidates_per_root")
        );
    }

    #[test]
    fn precedence_and_shadows() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let (ws, managed, bundled) = (
            tmp.path().join("ws"),
            tmp.path().join("m"),
            tmp.path().join("b"),
        );
        skill(&ws, "x", "description: from workspace");
        skill(&managed, "x", "description: from managed");
        skill(&bundled, "x", "description: from bundled");
        skill(&bundled, "y", "description: only bundled");
        let sources = [
            SkillSource::new(SkillLayer::Bundled, &bundled),
            SkillSource::new(SkillLayer::Workspace, &ws),
            SkillSource::new(SkillLayer::Managed, &managed),
        ];
        let report = discover(&sources, &SkillLimits::default());
        assert!(report.errors.is_empty());
        let x = report.get("x").expect("x loads");
        assert_eq!(x.doc.description, "from workspace");
        assert_eq!(x.layer, SkillLayer::Workspace);
        let shadowed: Vec<_> = x.shadows.iter().map(|s| s.layer).collect();
        assert_eq!(shadowed, [SkillLayer::Managed, SkillLayer::Bundled]);
        assert_eq!(x.shadows[0].path, managed.join("x").join(SKILL_FILE));
        assert_eq!(report.get("y").map(|s| s.layer), Some(SkillLayer::Bundled));
    }

    #[test]
    fn malformed_skills_are_reported_and_the_rest_load() {
        let tmp = tempfile::tempdir().expect("tempdir");
        skill(tmp.path(), "good", "description: fine");
        skill(tmp.path(), "bad", "name: bad");
        let report = discover(
            &[SkillSource::new(SkillLayer::Managed, tmp.path())],
            &SkillLimits::default(),
        );
        assert_eq!(report.skills.len(), 1);
        assert_eq!(report.errors.len(), 1);
        let err = &report.errors[0];
        assert_eq!(err.path, tmp.path().join("bad").join(SKILL_FILE));
        assert_eq!(err.line, Some(1));
        assert!(err.reason.contains("missing required `description`"));
    }

    #[test]
    fn per_source_cap_and_duplicate_roots() {
        let tmp = tempfile::tempdir().expect("tempdir");
        for i in 0..3 {
            skill(tmp.path(), &format!("s{i}"), "description: d");
        }
        let limits = SkillLimits {
            max_skills_per_source: 2,
            ..SkillLimits::default()
        };
        let sources = [
            SkillSource::new(SkillLayer::Workspace, tmp.path()),
            SkillSource::new(SkillLayer::Managed, tmp.path()),
        ];
        let report = discover(&sources, &limits);
        assert_eq!(report.skills.len(), 2);
        assert!(
            report.skills.iter().all(|s| s.shadows.is_empty()),
            "same root scanned once"
        );
        assert_eq!(report.warnings.len(), 1);
        assert!(report.warnings[0].message.contains("max_skills_per_source"));
    }

    #[test]
    fn same_layer_duplicate_warns() {
        let tmp = tempfile::tempdir().expect("tempdir");
        skill(tmp.path(), "one", "name: dup\ndescription: first");
        skill(tmp.path(), "two", "name: dup\ndescription: second");
        let report = discover(
            &[SkillSource::new(SkillLayer::Plugin, tmp.path())],
            &SkillLimits::default(),
        );
        assert_eq!(report.skills.len(), 1);
        assert_eq!(report.skills[0].doc.description, "first");
        assert!(
            report
                .warnings
                .iter()
                .any(|w| w.message.contains("second skill named `dup`"))
        );
    }

    #[test]
    fn missing_roots_are_quiet() {
        let report = discover(
            &[SkillSource::new(
                SkillLayer::Workspace,
                "/definitely/not/here",
            )],
            &SkillLimits::default(),
        );
        assert_eq!(report, LoadReport::default());
    }
}
