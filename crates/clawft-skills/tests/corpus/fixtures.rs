//! Hand-written malformed and unusual skills (`tests/fixtures/skills`), plus cases built at
//! test time (an oversized file, a symlink escaping its root).

use std::fs;
use std::path::{Path, PathBuf};

use clawft_skills::{LoadReport, SkillLayer, SkillLimits, SkillSource, discover, metadata::Os};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/skills")
}

fn load_fixtures() -> LoadReport {
    discover(
        &[SkillSource::new(SkillLayer::Workspace, fixtures())],
        &SkillLimits::default(),
    )
}

fn error_for<'a>(report: &'a LoadReport, skill: &str) -> &'a clawft_skills::LoadError {
    report
        .errors
        .iter()
        .find(|e| {
            e.path
                .parent()
                .and_then(Path::file_name)
                .is_some_and(|n| n == skill)
        })
        .unwrap_or_else(|| panic!("no error for `{skill}`: {:?}", report.errors))
}

#[test]
fn malformed_fixtures_are_reported_and_the_rest_load() {
    let report = load_fixtures();
    let names: Vec<&str> = report.skills.iter().map(|s| s.name()).collect();
    assert_eq!(names, ["colon-description", "crlf-bom", "json5-metadata"]);
    assert_eq!(report.errors.len(), 2, "{:?}", report.errors);

    let none = error_for(&report, "no-frontmatter");
    assert_eq!(none.line, Some(1));
    assert!(none.reason.starts_with("no frontmatter"), "{}", none.reason);
    assert!(
        none.to_string()
            .contains("no-frontmatter/SKILL.md:1: no frontmatter")
    );

    let missing = error_for(&report, "missing-description");
    assert_eq!(missing.line, Some(1));
    assert!(missing.reason.contains("missing required `description`"));
    assert!(missing.reason.contains("help:"));
}

#[test]
fn unquoted_colon_description_loads_with_a_warning() {
    let report = load_fixtures();
    let skill = report.get("colon-description").expect("loads");
    assert_eq!(
        skill.doc.description,
        "Use when: the user asks about colons in YAML values"
    );
    assert!(
        !skill.doc.user_invocable,
        "typed YAML values survive the recovery"
    );
    assert_eq!(skill.doc.metadata.namespace.as_deref(), Some("clawdbot"));
    assert_eq!(skill.doc.metadata.requires.bins, ["jq"]);
    let warning = report
        .warnings
        .iter()
        .find(|w| w.path.ends_with("colon-description/SKILL.md"))
        .expect("a warning about the invalid YAML");
    assert_eq!(warning.line, Some(3));
    assert!(warning.message.contains("not valid YAML"));
}

#[test]
fn crlf_and_bom_are_normalised() {
    let raw = fs::read(fixtures().join("crlf-bom/SKILL.md")).expect("fixture");
    assert!(
        raw.starts_with(b"\xef\xbb\xbf---\r\n"),
        "fixture lost its BOM/CRLF bytes"
    );
    let report = load_fixtures();
    let skill = report.get("crlf-bom").expect("loads");
    assert_eq!(
        skill.doc.description,
        "Written on Windows: BOM and CRLF line ends."
    );
    assert!(!skill.doc.body.contains('\r'));
    assert_eq!(skill.doc.body_line, 5);
    let instructions = skill.doc.instructions();
    let folder = fixtures().join("crlf-bom");
    assert!(instructions.contains(&format!("See {}/notes.md", folder.display())));
}

#[test]
fn json5_metadata_is_typed() {
    let report = load_fixtures();
    let skill = report.get("json5-metadata").expect("loads");
    let meta = &skill.doc.metadata;
    assert_eq!(meta.namespace.as_deref(), Some("openclaw"));
    assert_eq!(meta.emoji.as_deref(), Some("🧩"));
    assert_eq!(meta.os, [Os::Darwin, Os::Linux]);
    assert_eq!(meta.primary_env.as_deref(), Some("DEMO_API_KEY"));
    assert_eq!(meta.requires.bins, ["demo"]);
    assert_eq!(meta.requires.env, ["DEMO_API_KEY"]);
    assert_eq!(meta.install.len(), 1);
    assert_eq!(meta.install[0].kind.as_deref(), Some("brew"));
    assert_eq!(meta.install[0].raw["formula"], "demo");
    assert_eq!(meta.extra["custom"]["kept"], true);
    assert_eq!(
        skill.doc.homepage.as_deref(),
        Some("https://example.invalid/json5")
    );
}

#[test]
fn oversized_file_is_refused_with_the_limit() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("huge");
    fs::create_dir_all(&dir).expect("mkdir");
    let mut text = String::from("---\ndescription: big\n---\n");
    text.push_str(&"x".repeat(256_001));
    fs::write(dir.join("SKILL.md"), text).expect("write");
    fs::create_dir_all(tmp.path().join("small")).expect("mkdir");
    fs::write(
        tmp.path().join("small/SKILL.md"),
        "---\ndescription: s\n---\n",
    )
    .expect("write");
    let report = discover(
        &[SkillSource::new(SkillLayer::Managed, tmp.path())],
        &SkillLimits::default(),
    );
    assert_eq!(report.skills.len(), 1);
    let err = error_for(&report, "huge");
    assert_eq!(err.line, None);
    assert!(
        err.reason
            .contains("over the SKILL.md size limit of 256000 bytes"),
        "{}",
        err.reason
    );
}

#[cfg(unix)]
#[test]
fn symlink_escaping_its_root_is_refused() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let outside = tmp.path().join("outside/secret");
    fs::create_dir_all(&outside).expect("mkdir");
    fs::write(outside.join("SKILL.md"), "---\ndescription: outside\n---\n").expect("write");
    let root = tmp.path().join("root");
    fs::create_dir_all(root.join("linked-file")).expect("mkdir");
    std::os::unix::fs::symlink(outside.join("SKILL.md"), root.join("linked-file/SKILL.md"))
        .expect("symlink file");
    std::os::unix::fs::symlink(&outside, root.join("linked-dir")).expect("symlink dir");
    fs::create_dir_all(root.join("inside")).expect("mkdir");
    fs::write(root.join("inside/SKILL.md"), "---\ndescription: in\n---\n").expect("write");
    let report = discover(
        &[SkillSource::new(SkillLayer::Managed, &root)],
        &SkillLimits::default(),
    );
    let names: Vec<&str> = report.skills.iter().map(|s| s.name()).collect();
    assert_eq!(names, ["inside"]);
    assert_eq!(report.errors.len(), 2, "{:?}", report.errors);
    for skill in ["linked-file", "linked-dir"] {
        let err = error_for(&report, skill);
        assert!(
            err.reason.contains("outside its skill root"),
            "{}",
            err.reason
        );
    }
}
