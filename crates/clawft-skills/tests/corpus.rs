//! Loader tests against real files: every `SKILL.md` of the shared skill corpus (the
//! directory in `CLAWFT_SKILL_CORPUS`, else `shared/corpus/skills` beside the repository),
//! plus small hand-written fixtures for the malformed cases (module `fixtures`).
//!
//! Every corpus file must either load with the name and description its frontmatter
//! states (computed here independently: a plain YAML parse, or a plain line scan where
//! the YAML is invalid) or be on [`EXPECTED_REJECTIONS`] with the reason.

#[path = "corpus/fixtures.rs"]
mod fixtures;

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use clawft_skills::metadata::NAMESPACES;
use clawft_skills::{SkillLayer, SkillLimits, SkillSource, discover, load_skill_file};

/// Corpus skills that must be refused: (folder relative to the corpus, text the reason
/// contains, why).
const EXPECTED_REJECTIONS: &[(&str, &str, &str)] = &[
    (
        "openclaw-bundled/canvas",
        "no frontmatter",
        "starts with `# Canvas Skill`: no frontmatter, so no description (OpenClaw skips it too)",
    ),
    (
        "clawhub-archive/clawd-maf/cad-agent",
        "no frontmatter",
        "starts with `# CAD Agent`: no frontmatter",
    ),
    (
        "clawhub-archive/lxgicstudios/code-reviewer",
        "no frontmatter",
        "starts with `# Code Reviewer`: no frontmatter",
    ),
    (
        "clawhub-archive/trialskid/overseerr-request-media",
        "no frontmatter",
        "CRLF file starting with a `#` heading: no frontmatter",
    ),
    (
        "clawhub-archive/rknoche6/fast-browser-use",
        "missing required `description`",
        "valid YAML but uses `summary:` instead of `description:`",
    ),
];

fn corpus_dir() -> Option<PathBuf> {
    let dir = match std::env::var_os("CLAWFT_SKILL_CORPUS") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/skills"),
    };
    dir.is_dir().then_some(dir)
}

fn find_skill_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            find_skill_files(&path, out);
        } else if path.file_name().is_some_and(|n| n == "SKILL.md") {
            out.push(path);
        }
    }
}

/// What the frontmatter states, computed without the crate's parser.
struct Expected {
    name: String,
    description: String,
    /// The metadata namespace a plain YAML parse finds (None when YAML fails or none).
    namespace: Option<String>,
}

fn expected(text: &str, dir_name: &str) -> Expected {
    let text = text.trim_start_matches('\u{feff}').replace("\r\n", "\n");
    let block = text
        .strip_prefix("---\n")
        .and_then(|rest| rest.split_once("\n---").map(|(block, _)| block))
        .unwrap_or("");
    if let Ok(serde_yaml::Value::Mapping(map)) = serde_yaml::from_str::<serde_yaml::Value>(block) {
        let get = |key: &str| {
            map.get(key)
                .and_then(|v| v.as_str())
                .map(|s| s.trim().to_owned())
        };
        let namespace = map.get("metadata").and_then(|m| match m {
            serde_yaml::Value::Mapping(m) => NAMESPACES
                .iter()
                .find(|ns| m.get(**ns).is_some_and(serde_yaml::Value::is_mapping))
                .map(|ns| (*ns).to_owned()),
            _ => None,
        });
        return Expected {
            name: get("name").unwrap_or_else(|| dir_name.to_owned()),
            description: get("description").unwrap_or_default(),
            namespace,
        };
    }
    let line_value = |key: &str| {
        block.lines().find_map(|line| {
            let value = line.strip_prefix(key)?.strip_prefix(':')?.trim();
            let unquoted = value
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .unwrap_or(value);
            Some(unquoted.to_owned())
        })
    };
    Expected {
        name: line_value("name").unwrap_or_else(|| dir_name.to_owned()),
        description: line_value("description").unwrap_or_default(),
        namespace: None,
    }
}

#[test]
fn corpus_loads_or_is_an_expected_rejection() {
    let Some(corpus) = corpus_dir() else {
        println!(
            "SKIP corpus test: no skill corpus (set CLAWFT_SKILL_CORPUS, or provide \
             shared/corpus/skills next to the repository)"
        );
        return;
    };
    let limits = SkillLimits::default();
    let mut files = Vec::new();
    find_skill_files(&corpus, &mut files);
    assert!(!files.is_empty(), "no SKILL.md under {}", corpus.display());

    let mut loaded = 0usize;
    let mut rejected = BTreeSet::new();
    let mut failures = Vec::new();
    for path in &files {
        let dir = path.parent().expect("SKILL.md has a parent");
        let rel = dir.strip_prefix(&corpus).expect("under corpus");
        let rel = rel.to_string_lossy().replace('\\', "/");
        let rejection = EXPECTED_REJECTIONS.iter().find(|(r, _, _)| *r == rel);
        match (load_skill_file(path, &corpus, &limits), rejection) {
            (Err(err), Some((_, needle, _))) => {
                if err.reason().contains(needle) {
                    rejected.insert(rel);
                } else {
                    failures.push(format!("{rel}: rejected for the wrong reason: {err}"));
                }
            }
            (Err(err), None) => failures.push(format!("{rel}: unexpected rejection: {err}")),
            (Ok(_), Some((_, _, why))) => {
                failures.push(format!("{rel}: loaded, but was expected to fail ({why})"));
            }
            (Ok(parsed), None) => {
                loaded += 1;
                let text = fs::read_to_string(path).expect("readable");
                let dir_name = dir.file_name().expect("named").to_string_lossy();
                let want = expected(&text, &dir_name);
                let doc = &parsed.doc;
                if doc.name != want.name {
                    failures.push(format!("{rel}: name `{}` != `{}`", doc.name, want.name));
                }
                if doc.description != want.description {
                    failures.push(format!(
                        "{rel}: description {:?} != {:?}",
                        doc.description, want.description
                    ));
                }
                if want.namespace.is_some() && doc.metadata.namespace != want.namespace {
                    failures.push(format!(
                        "{rel}: metadata namespace {:?} != {:?}",
                        doc.metadata.namespace, want.namespace
                    ));
                }
                if doc.name != dir_name
                    && !parsed
                        .warnings
                        .iter()
                        .any(|w| w.message.contains("but the directory is"))
                {
                    failures.push(format!("{rel}: name/directory mismatch not warned about"));
                }
            }
        }
    }
    let total = files.len();
    println!(
        "corpus load rate: {loaded}/{total} ({:.1}%), {} expected rejections",
        100.0 * loaded as f64 / total as f64,
        rejected.len()
    );
    for (rel, _, _) in EXPECTED_REJECTIONS {
        if !rejected.contains(*rel) && !failures.iter().any(|f| f.starts_with(rel)) {
            failures.push(format!(
                "{rel}: listed as an expected rejection but not in the corpus"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "corpus failures:\n{}",
        failures.join("\n")
    );
    assert_eq!(loaded + rejected.len(), total);
}

#[test]
fn corpus_discovery_reports_exactly_the_rejections() {
    let Some(corpus) = corpus_dir() else {
        println!("SKIP corpus discovery test: no skill corpus");
        return;
    };
    let mut sources: Vec<SkillSource> = fs::read_dir(&corpus)
        .expect("corpus readable")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .map(|root| SkillSource::new(SkillLayer::Bundled, root))
        .collect();
    sources.sort_by(|a, b| a.root.cmp(&b.root));
    let report = discover(&sources, &SkillLimits::default());
    let errors: BTreeSet<String> = report
        .errors
        .iter()
        .map(|e| {
            let dir = e.path.parent().unwrap_or(&e.path);
            dir.strip_prefix(&corpus)
                .unwrap_or(dir)
                .to_string_lossy()
                .replace('\\', "/")
        })
        .collect();
    let expected: BTreeSet<String> = EXPECTED_REJECTIONS
        .iter()
        .map(|(r, _, _)| (*r).to_owned())
        .collect();
    assert_eq!(errors, expected);
    assert!(
        report.errors.iter().all(|e| e.line == Some(1)),
        "{:?}",
        report.errors
    );
    let mut files = Vec::new();
    find_skill_files(&corpus, &mut files);
    let shadowed: usize = report.skills.iter().map(|s| s.shadows.len()).sum();
    assert_eq!(report.skills.len() + shadowed + errors.len(), files.len());
    println!(
        "corpus discovery: {} skills, {shadowed} shadowed duplicates, {} errors, {} warnings",
        report.skills.len(),
        report.errors.len(),
        report.warnings.len()
    );
}
