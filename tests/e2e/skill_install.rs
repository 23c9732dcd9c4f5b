//! `weft skill install` from the user's side: a real git repository, the lockfile, hot
//! pick-up by `skill list`, and an install killed mid-download leaving nothing behind.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::{Duration, Instant};

use clawft_e2e::{TestEnv, git, run};

#[test]
fn install_from_git_then_list_update_and_remove() {
    let env = TestEnv::new();
    let root = env.root.path();
    git(root, &["init", "-q", "--bare", "-b", "main", "repo.git"]);
    git(root, &["clone", "-q", "repo.git", "work"]);
    let work = root.join("work");
    std::fs::create_dir_all(work.join("pdf")).unwrap();
    std::fs::write(
        work.join("pdf/SKILL.md"),
        "---\nname: pdf\ndescription: Read PDFs.\n---\nUse pdftotext.\n",
    )
    .unwrap();
    git(&work, &["checkout", "-q", "-b", "main"]);
    git(&work, &["add", "."]);
    git(&work, &["commit", "-q", "-m", "one"]);
    git(&work, &["push", "-q", "origin", "main"]);

    let url = format!("file://{}", root.join("repo.git").display());
    let (code, stdout, stderr) = run(env.weft().args(["skill", "install", &url, "--path", "pdf"]));
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("installed `pdf` git") && stdout.contains("layer: managed"),
        "{stdout}"
    );
    let lock: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(env.home().join("skills/.lock.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(lock["skills"]["pdf"]["kind"], "git");
    assert_eq!(lock["skills"]["pdf"]["sha256"].as_str().unwrap().len(), 64);

    let (_, stdout, _) = run(env.weft().args(["skill", "list"]));
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("pdf ") && l.contains("managed")),
        "{stdout}"
    );

    let (code, stdout, _) = run(env.weft().args(["skill", "update"]));
    assert_eq!(code, 0);
    assert!(stdout.contains("`pdf` is up to date"), "{stdout}");

    // The only skill in the repository is found without --path; same content: nothing to do.
    let (code, stdout, _) = run(env.weft().args(["skill", "install", &url]));
    assert_eq!(code, 0);
    assert!(stdout.contains("`pdf` is up to date"), "{stdout}");

    // A different skill with the same name needs --force.
    std::fs::create_dir_all(root.join("other/pdf")).unwrap();
    std::fs::write(
        root.join("other/pdf/SKILL.md"),
        "---\nname: pdf\ndescription: Another pdf.\n---\nx\n",
    )
    .unwrap();
    let other = root.join("other/pdf").display().to_string();
    let (code, _, stderr) = run(env.weft().args(["skill", "install", &other]));
    assert_eq!(code, 1);
    assert!(
        stderr.contains("a different skill named `pdf`") && stderr.contains("--force"),
        "{stderr}"
    );

    let (code, stdout, _) = run(env.weft().args(["skill", "remove", "pdf"]));
    assert_eq!(code, 0, "{stdout}");
    assert!(!env.home().join("skills/pdf").exists());
    let (code, _, stderr) =
        run(env
            .weft()
            .args(["skill", "install", "file:///nonexistent/repo.git"]));
    assert_eq!(code, 1);
    assert!(
        stderr.contains("could not reach") || stderr.contains("git failed"),
        "{stderr}"
    );
}

#[test]
fn killing_an_install_mid_download_leaves_no_partial_skill() {
    let env = TestEnv::new();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        if let Ok((mut conn, _)) = listener.accept() {
            let mut buf = [0u8; 2048];
            let _ = conn.read(&mut buf);
            let _ = conn.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: application/zip\r\nContent-Length: 1000000\r\n\r\n");
            let _ = conn.write_all(&[b'P'; 4096]);
            let _ = conn.flush();
            let _ = tx.send(());
            std::thread::sleep(Duration::from_secs(30));
        }
    });
    let url = format!("http://{addr}/skill.zip");
    let mut child = env.weft().args(["skill", "install", &url]).spawn().unwrap();
    rx.recv_timeout(Duration::from_secs(20))
        .expect("the download started");
    std::thread::sleep(Duration::from_millis(200));
    child.kill().unwrap();
    child.wait().unwrap();

    let skills = env.home().join("skills");
    let visible: Vec<String> = std::fs::read_dir(&skills)
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| !n.starts_with('.'))
                .collect()
        })
        .unwrap_or_default();
    assert!(
        visible.is_empty(),
        "nothing but hidden staging may remain: {visible:?}"
    );
    assert!(
        !skills.join(".lock.json").exists(),
        "no lock entry for an interrupted install"
    );
    let began = Instant::now();
    let (code, stdout, _) = run(env.weft().args(["skill", "list", "--json"]));
    assert_eq!(code, 0);
    let listed: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert!(
        listed["errors"].as_array().unwrap().is_empty(),
        "the staging leftovers are invisible: {listed}"
    );
    assert!(began.elapsed() < Duration::from_secs(20));
}
