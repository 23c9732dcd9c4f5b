//! Support for the end-to-end tests: find the `weft` binary and give each test an isolated
//! home, workspace and scripted LLM.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;

use clawft_testkit::{Reply, ScriptedLlm};

/// The `weft` binary under test: `$WEFT_BIN`, else `target/debug/weft` of this workspace.
pub fn weft_bin() -> PathBuf {
    if let Some(bin) = std::env::var_os("WEFT_BIN") {
        return PathBuf::from(bin);
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"));
    let bin = target.join("debug").join("weft");
    assert!(
        bin.exists(),
        "`{}` does not exist: build it first with `cargo build -p clawft-cli` (scripts/test does), or set WEFT_BIN",
        bin.display()
    );
    bin
}

/// An isolated environment: `CLAWFT_HOME`, a workspace, and optionally a scripted LLM.
pub struct TestEnv {
    /// Temporary root holding home and workspace.
    pub root: tempfile::TempDir,
    /// The scripted LLM, when the test uses one.
    pub llm: Option<ScriptedLlm>,
}

impl TestEnv {
    /// A fresh environment with no LLM.
    pub fn new() -> Self {
        let root = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir_all(root.path().join("home")).expect("home");
        std::fs::create_dir_all(root.path().join("workspace")).expect("workspace");
        Self { root, llm: None }
    }

    /// A fresh environment whose LLM answers with `script`.
    pub fn with_llm(script: Vec<Reply>) -> Self {
        let mut env = Self::new();
        env.llm = Some(ScriptedLlm::start(script));
        env
    }

    /// `CLAWFT_HOME`.
    pub fn home(&self) -> PathBuf {
        self.root.path().join("home")
    }

    /// The workspace.
    pub fn workspace(&self) -> PathBuf {
        self.root.path().join("workspace")
    }

    /// The scripted LLM (panics if the test has none).
    pub fn llm(&self) -> &ScriptedLlm {
        self.llm.as_ref().expect("this test has no scripted LLM")
    }

    /// A `weft` command with an environment that cannot reach a real provider.
    pub fn weft(&self) -> Command {
        let mut cmd = Command::new(weft_bin());
        for var in [
            "OPENAI_API_KEY",
            "OPENAI_BASE_URL",
            "ANTHROPIC_API_KEY",
            "ANTHROPIC_BASE_URL",
            "OLLAMA_HOST",
            "CLAWFT_MODEL",
            "CLAWFT_LOG",
            "CLAWFT_WORKSPACE",
            "RUST_LOG",
        ] {
            cmd.env_remove(var);
        }
        cmd.env("CLAWFT_HOME", self.home())
            .env("CLAWFT_WORKSPACE", self.workspace())
            .current_dir(self.root.path());
        if let Some(llm) = &self.llm {
            cmd.env("OPENAI_BASE_URL", llm.base_url())
                .env("OPENAI_API_KEY", "test-key");
        }
        cmd
    }

    /// The JSONL session file of the CLI session `name`.
    pub fn cli_session_file(&self, name: &str) -> PathBuf {
        self.home()
            .join("sessions")
            .join(format!("cli_{name}.jsonl"))
    }
}

impl Default for TestEnv {
    fn default() -> Self {
        Self::new()
    }
}

/// Run `cmd`, returning (exit code, stdout, stderr).
pub fn run(cmd: &mut Command) -> (i32, String, String) {
    let out = cmd.output().expect("run weft");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Run `git args` in `dir` with a fixed identity, asserting success.
pub fn git(dir: &Path, args: &[&str]) {
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

/// An example plugin component built by `scripts/build-plugins`
/// (`plugins/<dir>/<file>`), if it has been built.
pub fn example_plugin(dir: &str, file: &str) -> Option<PathBuf> {
    let wasm = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../plugins")
        .join(dir)
        .join(file);
    wasm.exists().then_some(wasm)
}

/// A loopback HTTP server answering `GET <path>` with the bytes given for it and 404 for
/// anything else, one connection at a time, for as long as the test process runs.
/// Returns its base URL (`http://127.0.0.1:PORT`).
pub fn serve_files(files: Vec<(&'static str, Vec<u8>)>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    std::thread::spawn(move || {
        for mut conn in listener.incoming().flatten() {
            let mut request = Vec::new();
            let mut buf = [0u8; 4096];
            while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                match conn.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => request.extend_from_slice(&buf[..n]),
                }
            }
            let text = String::from_utf8_lossy(&request);
            let path = text.split_whitespace().nth(1).unwrap_or("");
            let (status, body) = match files.iter().find(|(p, _)| *p == path) {
                Some((_, body)) => ("200 OK", body.as_slice()),
                None => ("404 Not Found", &b"not found"[..]),
            };
            let _ = write!(
                conn,
                "HTTP/1.1 {status}\r\nContent-Length: {}\r\nContent-Type: application/octet-stream\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = conn.write_all(body);
        }
    });
    base
}
