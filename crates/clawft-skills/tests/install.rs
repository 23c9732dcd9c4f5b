//! Installing skills from real git repositories (file://) and a loopback ClawHub that
//! speaks the same API, including hostile bundles. After every refused install the
//! managed folder must be exactly as it was.

use clawft_fetch::testing::zip_of;
use std::path::Path;
use std::process::Command;

use axum::extract::{Path as UrlPath, Query};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use base64::Engine;
use clawft_skills::install::{
    FetchError, InstallError, InstallOptions, InstallSettings, Installer, SourceSpec, fingerprint,
};
use ed25519_dalek::{Signer, SigningKey};
use serde_json::json;

fn quiet(_: &str) {}

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@t")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@t")
        .output()
        .expect("git");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn skill_md(name: &str, text: &str) -> String {
    format!("---\nname: {name}\ndescription: {text}\n---\nBody of {name}: {text}\n")
}

/// A bare repo with two skills; returns (bare path, work path).
fn repo(root: &Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let bare = root.join("skills.git");
    let work = root.join("work");
    std::fs::create_dir_all(&bare).unwrap();
    git(&bare, &["init", "-q", "--bare", "-b", "main"]);
    git(root, &["clone", "-q", bare.to_str().unwrap(), "work"]);
    for (dir, text) in [("alpha", "first version"), ("beta", "beta skill")] {
        std::fs::create_dir_all(work.join("skills").join(dir)).unwrap();
        std::fs::write(
            work.join("skills").join(dir).join("SKILL.md"),
            skill_md(dir, text),
        )
        .unwrap();
    }
    git(&work, &["checkout", "-q", "-b", "main"]);
    git(&work, &["add", "."]);
    git(&work, &["commit", "-q", "-m", "one"]);
    git(&work, &["tag", "v1"]);
    git(&work, &["push", "-q", "origin", "main", "--tags"]);
    (bare, work)
}

fn snapshot(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if name != ".staging" {
                out.push(name);
            }
        }
    }
    out.sort();
    out
}

#[tokio::test]
async fn git_install_update_and_remove() {
    let tmp = tempfile::tempdir().unwrap();
    let (bare, work) = repo(tmp.path());
    let managed = tmp.path().join("managed");
    let installer = Installer::new(&managed, InstallSettings::default()).unwrap();
    let url = format!("file://{}", bare.display());

    let err = installer
        .install(
            &SourceSpec::parse(&url, None, None).unwrap(),
            InstallOptions::default(),
            &quiet,
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&err, InstallError::Ambiguous { choices, .. } if choices == &["skills/alpha", "skills/beta"]),
        "{err}"
    );

    let spec = SourceSpec::parse(&url, Some("skills/alpha"), Some("v1")).unwrap();
    let done = installer
        .install(&spec, InstallOptions::default(), &quiet)
        .await
        .unwrap();
    assert_eq!(done.name, "alpha");
    assert!(
        std::fs::read_to_string(managed.join("alpha/SKILL.md"))
            .unwrap()
            .contains("first version")
    );
    assert!(
        !managed.join("beta").exists(),
        "sparse: only the chosen skill"
    );
    let lock = installer.lockfile().unwrap();
    let entry = &lock.skills["alpha"];
    assert_eq!(
        (
            entry.kind.as_str(),
            entry.path.as_deref(),
            entry.reference.as_deref()
        ),
        ("git", Some("skills/alpha"), Some("v1"))
    );
    assert_eq!(entry.resolved.len(), 40, "a commit id");
    assert_eq!(entry.sha256, fingerprint(&managed.join("alpha")).unwrap());

    // A new commit on main; update follows the recorded source (pinned to v1 → unchanged).
    std::fs::write(
        work.join("skills/alpha/SKILL.md"),
        skill_md("alpha", "second version"),
    )
    .unwrap();
    git(&work, &["commit", "-q", "-am", "two"]);
    git(&work, &["push", "-q", "origin", "main"]);
    let same = installer
        .update("alpha", InstallOptions::default(), &quiet)
        .await
        .unwrap();
    assert!(same.unchanged);
    let main = SourceSpec::parse(&url, Some("skills/alpha"), Some("main")).unwrap();
    let newer = installer
        .install(&main, InstallOptions::default(), &quiet)
        .await
        .unwrap();
    assert!(!newer.unchanged);
    assert_ne!(newer.previous.unwrap().resolved, newer.entry.resolved);
    assert!(
        std::fs::read_to_string(managed.join("alpha/SKILL.md"))
            .unwrap()
            .contains("second version")
    );

    // Local edits are protected.
    std::fs::write(managed.join("alpha/notes.md"), "mine").unwrap();
    let err = installer
        .update("alpha", InstallOptions::default(), &quiet)
        .await
        .unwrap_err();
    assert!(matches!(err, InstallError::LocalEdits { .. }), "{err}");

    let bad_ref = SourceSpec::parse(&url, Some("skills/alpha"), Some("no-such-branch")).unwrap();
    let err = installer
        .install(&bad_ref, InstallOptions::default(), &quiet)
        .await
        .unwrap_err();
    assert!(
        matches!(err, InstallError::Fetch(FetchError::UnknownRef { .. })),
        "{err}"
    );

    // A name that is not one folder inside the managed directory is never joined to it:
    // a skill folder beside the managed directory survives `remove("../outside")`.
    let outside = managed.parent().unwrap().join("outside");
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::write(outside.join("SKILL.md"), "---\nname: outside\n---\nx\n").unwrap();
    assert!(installer.remove("../outside").is_err());
    assert!(outside.join("SKILL.md").exists());
    std::fs::remove_dir_all(&outside).unwrap();

    installer.remove("alpha").unwrap();
    assert!(!managed.join("alpha").exists());
    assert!(installer.lockfile().unwrap().skills.is_empty());
    assert!(installer.remove("alpha").is_err());
    assert_eq!(snapshot(&managed), [".lock.json"], "no staging leftovers");
}

#[tokio::test]
async fn name_collisions_need_force() {
    let tmp = tempfile::tempdir().unwrap();
    let managed = tmp.path().join("managed");
    std::fs::create_dir_all(managed.join("notes")).unwrap();
    std::fs::write(
        managed.join("notes/SKILL.md"),
        skill_md("notes", "hand made"),
    )
    .unwrap();
    let src = tmp.path().join("src/notes");
    std::fs::create_dir_all(&src).unwrap();
    std::fs::write(src.join("SKILL.md"), skill_md("notes", "installed")).unwrap();
    let installer = Installer::new(&managed, InstallSettings::default()).unwrap();
    let spec = SourceSpec::Local { path: src.clone() };
    let err = installer
        .install(&spec, InstallOptions::default(), &quiet)
        .await
        .unwrap_err();
    assert!(matches!(err, InstallError::Collision { .. }), "{err}");
    assert!(
        std::fs::read_to_string(managed.join("notes/SKILL.md"))
            .unwrap()
            .contains("hand made")
    );
    installer
        .install(
            &spec,
            InstallOptions {
                force: true,
                ..Default::default()
            },
            &quiet,
        )
        .await
        .unwrap();
    assert!(
        std::fs::read_to_string(managed.join("notes/SKILL.md"))
            .unwrap()
            .contains("installed")
    );
}

/// A loopback ClawHub: `/api/v1/skills/{slug}`, `/moderation`, `/versions/{v}`, `/download`, `/search`.
async fn clawhub(key: &SigningKey) -> String {
    let good_files = skill_md("weather", "Forecasts from wttr.in");
    let good = zip_of(&[("SKILL.md", good_files.as_bytes())]);
    // The signature covers the fingerprint of the unpacked skill.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("SKILL.md"), &good_files).unwrap();
    let sig = base64::engine::general_purpose::STANDARD.encode(
        key.sign(fingerprint(dir.path()).unwrap().as_bytes())
            .to_bytes(),
    );
    let bad_sig =
        base64::engine::general_purpose::STANDARD.encode(key.sign(b"something else").to_bytes());
    let slip = zip_of(&[
        ("SKILL.md", skill_md("slip", "x").as_bytes()),
        ("../../escaped.txt", b"pwned"),
    ]);
    let big = zip_of(&[
        ("SKILL.md", skill_md("big", "x").as_bytes()),
        ("blob.bin", &vec![0u8; 300_000]),
    ]);
    let app = axum::Router::new()
        .route("/api/v1/skills/{slug}", get(|UrlPath(slug): UrlPath<String>| async move {
            if slug == "missing" { StatusCode::NOT_FOUND.into_response() } else { axum::Json(json!({"slug": slug, "latestVersion": {"version": "1.0.0"}})).into_response() }
        }))
        .route("/api/v1/skills/{slug}/moderation", get(|UrlPath(slug): UrlPath<String>| async move {
            let verdict = match slug.as_str() { "evil" => "malware", "shady" => "suspicious", _ => "clean" };
            axum::Json(json!({"verdict": verdict}))
        }))
        .route("/api/v1/skills/{slug}/versions/{v}", get(move |UrlPath((slug, _v)): UrlPath<(String, String)>| {
            let (sig, bad_sig) = (sig.clone(), bad_sig.clone());
            async move {
                match slug.as_str() {
                    "weather" => axum::Json(json!({"signature": sig})).into_response(),
                    "forged" => axum::Json(json!({"signature": bad_sig})).into_response(),
                    _ => axum::Json(json!({})).into_response(),
                }
            }
        }))
        .route("/api/v1/download", get(move |Query(q): Query<std::collections::HashMap<String, String>>| {
            let (good, slip, big) = (good.clone(), slip.clone(), big.clone());
            async move {
                let body = match q.get("slug").map(String::as_str) {
                    Some("slip") => slip,
                    Some("big") => big,
                    _ => good,
                };
                ([("content-type", "application/zip")], body)
            }
        }))
        .route("/api/v1/search", get(|| async { axum::Json(json!({"results": [{"slug": "weather", "summary": "Forecasts", "version": "1.0.0"}]})) }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clawhub_installs_verify_and_refuse_hostile_bundles() {
    let key = SigningKey::from_bytes(&[9u8; 32]);
    let base = clawhub(&key).await;
    let tmp = tempfile::tempdir().unwrap();
    let managed = tmp.path().join("managed");
    let settings = InstallSettings {
        clawhub_url: base.clone(),
        trusted_keys: vec![
            base64::engine::general_purpose::STANDARD.encode(key.verifying_key().as_bytes()),
        ],
        limits: clawft_skills::install::InstallLimits {
            max_unpacked_bytes: 100_000,
            ..Default::default()
        },
        require_signatures: false,
    };
    let installer = Installer::new(&managed, settings.clone()).unwrap();
    let install = |slug: &str| SourceSpec::parse(slug, None, None).unwrap();

    let done = installer
        .install(&install("weather"), InstallOptions::default(), &quiet)
        .await
        .unwrap();
    assert!(done.entry.signed, "a trusted signature was verified");
    assert_eq!(done.entry.resolved, "1.0.0");
    let origin: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(managed.join("weather/.clawhub/origin.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(
        (origin["slug"].as_str(), origin["installedVersion"].as_str()),
        (Some("weather"), Some("1.0.0"))
    );
    let before = snapshot(&managed);

    for (slug, want) in [
        ("slip", "climbs out"),
        ("big", "unpacks to more than"),
        ("forged", "signature"),
        ("evil", "malware"),
        ("shady", "suspicious"),
        ("missing", "not found"),
    ] {
        let err = installer
            .install(&install(slug), InstallOptions::default(), &quiet)
            .await
            .unwrap_err()
            .to_string();
        assert!(err.contains(want), "{slug}: {err}");
        assert_eq!(
            snapshot(&managed),
            before,
            "{slug} changed the managed folder"
        );
    }
    assert!(!tmp.path().join("escaped.txt").exists() && !managed.join("escaped.txt").exists());
    assert!(
        installer
            .install(
                &install("evil"),
                InstallOptions {
                    force: true,
                    ..Default::default()
                },
                &quiet
            )
            .await
            .is_err(),
        "malware is never installed"
    );
    installer
        .install(
            &install("shady"),
            InstallOptions {
                force: true,
                ..Default::default()
            },
            &quiet,
        )
        .await
        .unwrap();

    // Unsigned sources need --allow-unsigned once signatures are required.
    let strict = Installer::new(
        tmp.path().join("strict"),
        InstallSettings {
            require_signatures: true,
            ..settings
        },
    )
    .unwrap();
    let err = strict
        .install(
            &install("shady"),
            InstallOptions {
                force: true,
                ..Default::default()
            },
            &quiet,
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err, InstallError::Fetch(FetchError::Unsigned { .. })),
        "{err}"
    );
    strict
        .install(
            &install("shady"),
            InstallOptions {
                force: true,
                allow_unsigned: true,
            },
            &quiet,
        )
        .await
        .unwrap();
    strict
        .install(&install("weather"), InstallOptions::default(), &quiet)
        .await
        .unwrap();

    let hits = installer.clawhub().search("forecast", 5).await.unwrap();
    assert_eq!(hits[0].slug, "weather");
}
