//! `weft plugin install|update|remove` from the user's side: the fs-notes example plugin
//! from a real bare git repository (file://, sub-path, ref), update to a new commit, remove;
//! .tar.gz and .zip archives from a loopback HTTP server; a zip-slip archive, a bad
//! signature and unapproved sensitive permissions, each leaving the plugins folder exactly
//! as it was. Needs the example plugins (`scripts/build-plugins`).

use std::path::{Path, PathBuf};

use base64::Engine;
use clawft_e2e::{TestEnv, example_plugin, git, run, serve_files};
use clawft_fetch::testing::{tar_gz_of, zip_of};
use ed25519_dalek::{Signer, SigningKey};
use serde_json::{Value, json};

fn fs_notes() -> Option<PathBuf> {
    let wasm = example_plugin("fs-notes", "fs_notes.wasm");
    if wasm.is_none() {
        eprintln!(
            "skipped: plugins/fs-notes/fs_notes.wasm is not built; run ./scripts/build-plugins (scripts/test does)"
        );
    }
    wasm
}

/// The fs-notes manifest with `version` and extra `permissions` fields.
fn manifest(id: &str, version: &str, extra_env: &[&str]) -> String {
    json!({
        "schema_version": 1, "id": id, "name": "Notes", "version": version,
        "description": "Notes (e2e copy)",
        "capabilities": {"tools": ["save_note", "read_note", "list_notes"]},
        "entry": {"wasm": "fs_notes.wasm"},
        "permissions": {
            "filesystem": [{"path": "$WORKSPACE/notes", "write": true}],
            "env": extra_env,
        }
    })
    .to_string()
}

/// A plugin folder at `dir`: manifest + component.
fn plugin_dir(dir: &Path, wasm: &Path, id: &str, version: &str, env: &[&str]) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::copy(wasm, dir.join("fs_notes.wasm")).unwrap();
    std::fs::write(dir.join("clawft.plugin.json"), manifest(id, version, env)).unwrap();
}

/// Every file under `dir` except staging, with its contents: what "unchanged" means.
fn tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let path = entry.path();
            if entry.file_name() == ".staging" {
                continue;
            }
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path.strip_prefix(dir).unwrap().display().to_string();
                out.push((rel, std::fs::read(&path).unwrap()));
            }
        }
    }
    out.sort();
    out
}

fn record(env: &TestEnv, id: &str) -> Value {
    let path = env.home().join("plugins").join(id).join("install.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn install_from_git_with_path_and_ref_then_update_and_remove() {
    let Some(wasm) = fs_notes() else { return };
    let env = TestEnv::new();
    let root = env.root.path();
    git(root, &["init", "-q", "--bare", "-b", "main", "plugins.git"]);
    git(root, &["clone", "-q", "plugins.git", "work"]);
    let work = root.join("work");
    plugin_dir(
        &work.join("plugins/fs-notes"),
        &wasm,
        "fs-notes",
        "0.1.0",
        &[],
    );
    std::fs::create_dir_all(work.join("plugins/fs-notes/src")).unwrap();
    std::fs::write(work.join("plugins/fs-notes/src/lib.rs"), "// sources").unwrap();
    plugin_dir(
        &work.join("plugins/notes-two"),
        &wasm,
        "notes-two",
        "0.1.0",
        &[],
    );
    git(&work, &["checkout", "-q", "-b", "main"]);
    git(&work, &["add", "."]);
    git(&work, &["commit", "-q", "-m", "one"]);
    git(&work, &["tag", "v1"]);
    git(&work, &["push", "-q", "origin", "main", "--tags"]);
    let url = format!("file://{}", root.join("plugins.git").display());

    let (code, _, stderr) = run(env.weft().args(["plugin", "install", &url]));
    assert_eq!(code, 1);
    assert!(
        stderr.contains("holds several plugins: plugins/fs-notes, plugins/notes-two")
            && stderr.contains("--path"),
        "{stderr}"
    );
    let (code, _, stderr) = run(env.weft().args([
        "plugin",
        "install",
        &url,
        "--path",
        "plugins/fs-notes",
        "--ref",
        "no-such-tag",
    ]));
    assert_eq!(code, 1);
    assert!(
        stderr.contains("no branch, tag or commit `no-such-tag`"),
        "{stderr}"
    );
    let (code, _, stderr) =
        run(env
            .weft()
            .args(["plugin", "install", &url, "--path", "plugins/nothing-here"]));
    assert_eq!(code, 1);
    assert!(
        stderr.contains("`plugins/nothing-here`") && stderr.contains("not found"),
        "{stderr}"
    );

    let (code, stdout, stderr) = run(env.weft().args([
        "plugin",
        "install",
        &url,
        "--path",
        "plugins/fs-notes",
        "--ref",
        "v1",
    ]));
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert!(
        stdout.contains("installed `fs-notes` (0.1.0 git"),
        "{stdout}"
    );
    let installed = env.home().join("plugins/fs-notes");
    let rec = record(&env, "fs-notes");
    assert_eq!(
        (
            &rec["kind"],
            &rec["path"],
            &rec["reference"],
            &rec["version"],
            &rec["signed"]
        ),
        (
            &json!("git"),
            &json!("plugins/fs-notes"),
            &json!("v1"),
            &json!("0.1.0"),
            &json!(false)
        )
    );
    assert_eq!(rec["resolved"].as_str().unwrap().len(), 40, "a commit id");
    assert_eq!(rec["sha256"].as_str().unwrap().len(), 64);
    assert_eq!(rec["content_sha256"].as_str().unwrap().len(), 64);
    assert!(
        !installed.join("src").exists(),
        "only what the plugin needs is installed"
    );
    let (_, stdout, _) = run(env.weft().args(["plugin", "list"]));
    assert!(stdout.contains("fs-notes 0.1.0"), "{stdout}");

    // Pinned to v1: a new commit on main changes nothing.
    plugin_dir(
        &work.join("plugins/fs-notes"),
        &wasm,
        "fs-notes",
        "0.2.0",
        &["NOTES_STYLE"],
    );
    git(
        &work,
        &["commit", "-q", "-am", "two: 0.2.0 reads NOTES_STYLE"],
    );
    git(&work, &["push", "-q", "origin", "main"]);
    let (code, stdout, stderr) = run(env.weft().args(["plugin", "update"]));
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("`fs-notes` is up to date (0.1.0"),
        "{stdout}"
    );

    // Following main: the new version asks for more, which needs approval again.
    let before = tree(&env.home().join("plugins"));
    let (code, _, stderr) = run(env.weft().args([
        "plugin",
        "install",
        &url,
        "--path",
        "plugins/fs-notes",
        "--ref",
        "main",
    ]));
    assert_eq!(code, 1);
    assert!(
        stderr.contains("needs approval") || stderr.contains("need approval"),
        "{stderr}"
    );
    assert!(
        stderr.contains("env `NOTES_STYLE`") && stderr.contains("--yes"),
        "{stderr}"
    );
    assert_eq!(
        tree(&env.home().join("plugins")),
        before,
        "a refused update changes nothing"
    );
    let (code, stdout, stderr) = run(env.weft().args([
        "plugin",
        "install",
        &url,
        "--path",
        "plugins/fs-notes",
        "--ref",
        "main",
        "--yes",
    ]));
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert!(
        stdout.contains("installed `fs-notes`: 0.1.0 git") && stdout.contains("-> 0.2.0 git"),
        "{stdout}"
    );
    let rec = record(&env, "fs-notes");
    assert_eq!(rec["approved_permissions"]["env"], json!(["NOTES_STYLE"]));

    // `update` re-resolves main: a third commit that asks for nothing new needs no --yes.
    std::fs::write(
        work.join("plugins/fs-notes/clawft.plugin.json"),
        manifest("fs-notes", "0.3.0", &["NOTES_STYLE"]),
    )
    .unwrap();
    git(&work, &["commit", "-q", "-am", "three"]);
    git(&work, &["push", "-q", "origin", "main"]);
    let old_commit = rec["resolved"].as_str().unwrap().to_owned();
    let (code, stdout, stderr) = run(env.weft().args(["plugin", "update", "fs-notes"]));
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert!(
        stdout.contains("updated `fs-notes`: 0.2.0 git ")
            && stdout.contains(&old_commit[..12])
            && stdout.contains("-> 0.3.0 git "),
        "{stdout}"
    );
    assert_ne!(record(&env, "fs-notes")["resolved"], json!(old_commit));

    // The same id from another source needs --force.
    let local = root.join("local/fs-notes");
    plugin_dir(&local, &wasm, "fs-notes", "9.0.0", &[]);
    let (code, _, stderr) = run(env
        .weft()
        .args(["plugin", "install", local.to_str().unwrap()]));
    assert_eq!(code, 1);
    assert!(
        stderr.contains("a different plugin `fs-notes` is already installed")
            && stderr.contains("--force"),
        "{stderr}"
    );

    let (code, _, stderr) = run(env.weft().args(["plugin", "remove", "fs-note"]));
    assert_eq!(code, 1);
    assert!(stderr.contains("did you mean `fs-notes`?"), "{stderr}");
    let (code, stdout, _) = run(env.weft().args(["plugin", "remove", "fs-notes"]));
    assert_eq!(code, 0);
    assert!(stdout.contains("removed `fs-notes`"), "{stdout}");
    assert!(!installed.exists());
    let left: Vec<_> = tree(&env.home().join("plugins"));
    assert!(left.is_empty(), "nothing left but staging: {left:?}");

    let (code, _, stderr) =
        run(env
            .weft()
            .args(["plugin", "install", "file:///nonexistent/plugins.git"]));
    assert_eq!(code, 1);
    assert!(stderr.contains("could not reach"), "{stderr}");
}

#[test]
fn install_from_archive_urls_and_refuse_a_zip_slip() {
    let Some(wasm) = fs_notes() else { return };
    let component = std::fs::read(&wasm).unwrap();
    let m1 = manifest("fs-notes", "0.1.0", &[]);
    let m2 = manifest("fs-notes", "0.2.0", &[]);
    let base = serve_files(vec![
        (
            "/fs-notes-0.1.0.tar.gz",
            tar_gz_of(&[
                ("fs-notes/clawft.plugin.json", m1.as_bytes()),
                ("fs-notes/fs_notes.wasm", &component),
            ]),
        ),
        (
            "/fs-notes-0.2.0.zip",
            zip_of(&[
                ("clawft.plugin.json", m2.as_bytes()),
                ("fs_notes.wasm", &component),
            ]),
        ),
        (
            "/evil.zip",
            zip_of(&[
                ("clawft.plugin.json", m2.as_bytes()),
                ("fs_notes.wasm", &component),
                ("../../escaped.txt", b"pwned"),
            ]),
        ),
    ]);
    let env = TestEnv::new();
    let plugins = env.home().join("plugins");

    let url = format!("{base}/fs-notes-0.1.0.tar.gz");
    let (code, _, stderr) = run(env
        .weft()
        .args(["plugin", "install", &url, "--path", "nope"]));
    assert_eq!(code, 1);
    assert!(
        stderr.contains("folder `nope`") && stderr.contains("not found"),
        "{stderr}"
    );
    let (code, stdout, stderr) = run(env
        .weft()
        .args(["plugin", "install", &url, "--path", "fs-notes"]));
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert!(
        stdout.contains("installed `fs-notes` (0.1.0 archive"),
        "{stdout}"
    );
    let rec = record(&env, "fs-notes");
    assert_eq!(
        (&rec["kind"], &rec["source"], &rec["path"]),
        (&json!("archive"), &json!(url), &json!("fs-notes"))
    );
    assert!(rec["resolved"].as_str().unwrap().starts_with("sha256:"));

    let before = tree(&plugins);
    let (code, _, stderr) =
        run(env
            .weft()
            .args(["plugin", "install", &format!("{base}/evil.zip"), "--force"]));
    assert_eq!(code, 1);
    assert!(
        stderr.contains("hostile") && stderr.contains("climbs out"),
        "{stderr}"
    );
    assert_eq!(tree(&plugins), before, "a hostile archive changes nothing");
    for dir in [env.root.path(), env.home().as_path(), plugins.as_path()] {
        assert!(!dir.join("escaped.txt").exists(), "{}", dir.display());
    }
    let (code, _, stderr) =
        run(env
            .weft()
            .args(["plugin", "install", &format!("{base}/gone.zip")]));
    assert_eq!(code, 1);
    assert!(
        stderr.contains("could not reach") && stderr.contains("404"),
        "{stderr}"
    );
    assert_eq!(tree(&plugins), before);

    let zip_url = format!("{base}/fs-notes-0.2.0.zip");
    let (code, _, stderr) = run(env.weft().args(["plugin", "install", &zip_url]));
    assert_eq!(code, 1, "another source needs --force");
    assert!(stderr.contains("--force"), "{stderr}");
    let (code, stdout, stderr) = run(env.weft().args(["plugin", "install", &zip_url, "--force"]));
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert!(stdout.contains("-> 0.2.0 archive"), "{stdout}");
    let (_, stdout, _) = run(env.weft().args(["plugin", "list"]));
    assert!(stdout.contains("fs-notes 0.2.0"), "{stdout}");
}

#[test]
fn signatures_and_sensitive_permissions_are_enforced() {
    let Some(wasm) = fs_notes() else { return };
    let env = TestEnv::new();
    let key = SigningKey::from_bytes(&[5u8; 32]);
    let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
    std::fs::write(
        env.home().join("config.json"),
        json!({"wasm": {"install": {"trusted_keys": [b64(key.verifying_key().as_bytes())]}}})
            .to_string(),
    )
    .unwrap();
    let plugins = env.home().join("plugins");

    // A signature no trusted key verifies.
    let forged = env.root.path().join("forged/fs-notes");
    plugin_dir(&forged, &wasm, "fs-notes", "0.1.0", &[]);
    std::fs::write(
        forged.join("clawft.plugin.sig"),
        b64(&key.sign(b"something else").to_bytes()),
    )
    .unwrap();
    let (code, _, stderr) = run(env
        .weft()
        .args(["plugin", "install", forged.to_str().unwrap()]));
    assert_eq!(code, 1);
    assert!(stderr.contains("signature check failed"), "{stderr}");
    assert!(tree(&plugins).is_empty(), "nothing installed");

    // A good one: Ed25519 over the fingerprint of the plugin's files.
    let signed = env.root.path().join("signed/fs-notes");
    plugin_dir(&signed, &wasm, "fs-notes", "0.1.0", &[]);
    let fp = clawft_fetch::fingerprint(&signed).unwrap();
    std::fs::write(
        signed.join("clawft.plugin.sig"),
        b64(&key.sign(fp.as_bytes()).to_bytes()),
    )
    .unwrap();
    let (code, stdout, stderr) =
        run(env
            .weft()
            .args(["plugin", "install", signed.to_str().unwrap()]));
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert!(stdout.contains("signature verified"), "{stdout}");
    assert_eq!(record(&env, "fs-notes")["signed"], json!(true));

    // Sensitive permissions with no terminal and no --yes: refused, nothing written.
    let sensitive = env.root.path().join("sensitive/notes-env");
    plugin_dir(&sensitive, &wasm, "notes-env", "0.1.0", &["HOME"]);
    let before = tree(&plugins);
    let (code, _, stderr) = run(env
        .weft()
        .args(["plugin", "install", sensitive.to_str().unwrap()])
        .stdin(std::process::Stdio::null()));
    assert_eq!(code, 1);
    assert!(
        stderr.contains("no terminal to confirm")
            && stderr.contains("env `HOME`")
            && stderr.contains("--yes"),
        "{stderr}"
    );
    assert_eq!(tree(&plugins), before);
    let (code, stdout, stderr) = run(env
        .weft()
        .args(["plugin", "install", sensitive.to_str().unwrap(), "--yes"])
        .stdin(std::process::Stdio::null()));
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert_eq!(
        record(&env, "notes-env")["approved_permissions"]["env"],
        json!(["HOME"])
    );
}
