//! weft as an MCP *client*: servers configured under `mcp_servers` lend their tools to
//! `weft agent` as `<server>__<tool>`. The servers are independent programs: a server
//! written with the official MCP Python SDK (`tests/mcp-clients/py_server.py`, over stdio
//! and over streamable HTTP with a bearer token) and `weft mcp serve` itself. The scripted
//! LLM calls the tools; the assertions read what reached the model. Tests needing Python
//! skip with a message when the SDK is not installed (as in `mcp.rs`).

use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use clawft_e2e::{TestEnv, run, weft_bin};
use clawft_testkit::Reply;
use serde_json::{Value, json};

use super::mcp::{clients_dir, python};

fn server_script() -> PathBuf {
    clients_dir().join("py_server.py")
}

fn write_config(env: &TestEnv, config: Value) {
    std::fs::write(env.home().join("config.json"), config.to_string()).expect("write config");
}

/// Names of the tools offered in a recorded LLM request.
fn offered(request: &Value) -> Vec<String> {
    request["tools"]
        .as_array()
        .expect("tools")
        .iter()
        .map(|t| t["function"]["name"].as_str().expect("name").to_owned())
        .collect()
}

/// The tool result the model received for the call named `name` (`call_<n>_<i>` ids are
/// matched through the assistant message that made the call).
fn tool_result(request: &Value, name: &str) -> String {
    let messages = request["messages"].as_array().expect("messages");
    let id = messages
        .iter()
        .filter_map(|m| m["tool_calls"].as_array())
        .flatten()
        .find(|c| c["function"]["name"] == name)
        .and_then(|c| c["id"].as_str())
        .unwrap_or_else(|| panic!("no call to {name} in {request:#}"))
        .to_owned();
    messages
        .iter()
        .find(|m| m["role"] == "tool" && m["tool_call_id"] == id.as_str())
        .and_then(|m| m["content"].as_str())
        .unwrap_or_else(|| panic!("no result for {name}"))
        .to_owned()
}

fn spec<'a>(request: &'a Value, name: &str) -> &'a Value {
    request["tools"]
        .as_array()
        .expect("tools")
        .iter()
        .find(|t| t["function"]["name"] == name)
        .map(|t| &t["function"])
        .unwrap_or_else(|| panic!("{name} not offered"))
}

/// Waits up to 5 s for process `pid` to be gone.
fn assert_exited(pid: &str) {
    let proc_dir = Path::new("/proc").join(pid.trim());
    let deadline = Instant::now() + Duration::from_secs(5);
    while proc_dir.exists() {
        let zombie = std::fs::read_to_string(proc_dir.join("stat"))
            .map(|s| s.contains(") Z "))
            .unwrap_or(true);
        if zombie {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "the MCP server (pid {pid}) outlived weft"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn agent_calls_tools_of_a_python_sdk_server_over_stdio() {
    let Some(python) = python() else { return };
    let env = TestEnv::with_llm(vec![
        Reply::ToolCalls(vec![
            ("py__add".into(), json!({"a": 2, "b": 3})),
            ("py__describe_env".into(), json!({})),
            ("py__refuse".into(), json!({"reason": "not today"})),
            ("py__picture".into(), json!({})),
        ]),
        Reply::text("2 + 3 is 5."),
    ]);
    let pid_file = env.root.path().join("server.pid");
    write_config(
        &env,
        json!({"mcp_servers": {"py": {
            "command": python,
            "args": [server_script(), "--pid-file", pid_file],
            "env": {"PY_MARKER": "from-config"}
        }}}),
    );
    let began = Instant::now();
    let (code, stdout, stderr) = run(env.weft().args(["agent", "-m", "add 2 and 3"]));
    eprintln!(
        "weft agent -m with a Python stdio MCP server: {} ms",
        began.elapsed().as_millis()
    );
    assert_eq!(code, 0, "stderr: {stderr}");
    assert_eq!(stdout, "2 + 3 is 5.\n");

    let requests = env.llm().requests();
    assert_eq!(requests.len(), 2);
    let names = offered(&requests[0]);
    for name in [
        "py__add",
        "py__describe_env",
        "py__refuse",
        "py__picture",
        "py__grow",
        "read_file",
    ] {
        assert!(
            names.iter().any(|n| n == name),
            "{name} missing from {names:?}"
        );
    }
    let add = spec(&requests[0], "py__add");
    assert_eq!(add["description"], "Add two integers.");
    assert_eq!(add["parameters"]["properties"]["a"]["type"], "integer");
    assert_eq!(add["parameters"]["required"], json!(["a", "b"]));

    let second = &requests[1];
    assert_eq!(tool_result(second, "py__add"), "2 + 3 = 5");
    let seen = tool_result(second, "py__describe_env");
    assert!(seen.contains("PY_MARKER=from-config"), "{seen}");
    assert!(
        seen.contains("openai_key_visible=False"),
        "weft's provider key must not leak to the server: {seen}"
    );
    assert!(
        seen.contains(&format!("cwd={}", env.workspace().display())),
        "{seen}"
    );
    let refused = tool_result(second, "py__refuse");
    assert!(
        refused.starts_with("error: ") && refused.contains("refused: not today"),
        "{refused}"
    );
    let picture = tool_result(second, "py__picture");
    assert!(
        picture.starts_with("a 1x1 pixel\n[image: image/png, "),
        "{picture}"
    );

    let pid = std::fs::read_to_string(&pid_file).expect("the server wrote its pid");
    assert_exited(&pid);
}

#[test]
fn a_stdio_server_that_dies_mid_call_is_an_error_then_restarted() {
    let Some(python) = python() else { return };
    let env = TestEnv::with_llm(vec![
        Reply::tool("py__crash", json!({})),
        Reply::tool("py__add", json!({"a": 1, "b": 2})),
        Reply::text("recovered"),
    ]);
    write_config(
        &env,
        json!({"mcp_servers": {"py": {"command": python, "args": [server_script()]}}}),
    );
    let began = Instant::now();
    let (code, stdout, stderr) = run(env.weft().args(["agent", "-m", "crash, then add"]));
    assert_eq!(code, 0, "stderr: {stderr}");
    assert_eq!(stdout, "recovered\n");
    assert!(began.elapsed() < Duration::from_secs(30), "no hang");
    let requests = env.llm().requests();
    let crashed = tool_result(&requests[1], "py__crash");
    assert!(
        crashed.starts_with("error: ") && crashed.contains("`py`"),
        "{crashed}"
    );
    assert_eq!(
        tool_result(&requests[2], "py__add"),
        "1 + 2 = 3",
        "restarted"
    );
}

#[test]
fn tool_list_changes_reach_the_next_turn() {
    let Some(python) = python() else { return };
    let env = TestEnv::with_llm(vec![
        Reply::tool("py__grow", json!({})),
        // Time for the list_changed refresh before the next message is read.
        Reply::Delayed(Duration::from_millis(500), Box::new(Reply::text("grown"))),
        Reply::tool("py__late_tool", json!({})),
        Reply::text("the late tool answered"),
    ]);
    write_config(
        &env,
        json!({"mcp_servers": {"py": {"command": python, "args": [server_script()]}}}),
    );
    let mut child = env
        .weft()
        .args(["agent", "--no-stream"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start weft agent");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"grow please\nnow use it\n")
        .expect("write messages");
    let out = child.wait_with_output().expect("weft agent");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "stdout: {stdout}\nstderr: {stderr}");
    assert!(
        stdout.contains("the late tool answered"),
        "{stdout}\n{stderr}"
    );
    let requests = env.llm().requests();
    assert_eq!(requests.len(), 4, "{stderr}");
    assert!(!offered(&requests[0]).contains(&"py__late_tool".to_owned()));
    assert!(offered(&requests[2]).contains(&"py__late_tool".to_owned()));
    assert_eq!(
        tool_result(&requests[3], "py__late_tool"),
        "late tool says hi"
    );
}

/// A Python SDK server on streamable HTTP, killed when dropped.
struct HttpServer {
    child: Child,
    port: u16,
}

impl HttpServer {
    fn start(python: &Path, token: &str) -> Self {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let child = Command::new(python)
            .arg(server_script())
            .args(["--http", &port.to_string(), "--token", token])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the Python MCP server");
        let mut server = Self { child, port };
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Ok(Some(status)) = server.child.try_wait() {
                panic!("the Python MCP server exited: {status}");
            }
            assert!(
                Instant::now() < deadline,
                "the Python MCP server did not listen"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        server
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}/mcp", self.port)
    }
}

impl Drop for HttpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn agent_calls_tools_of_a_python_sdk_server_over_http_with_a_bearer_token() {
    let Some(python) = python() else { return };
    let server = HttpServer::start(&python, "http-s3cret");
    let env = TestEnv::with_llm(vec![
        Reply::ToolCalls(vec![
            ("web__add".into(), json!({"a": 40, "b": 2})),
            ("web__describe_env".into(), json!({})),
        ]),
        Reply::text("42."),
    ]);
    write_config(
        &env,
        json!({"mcp_servers": {
            "web": {"url": server.url(), "bearer_token": {"env": "WEB_MCP_TOKEN"},
                    "headers": {"X-Tenant": "acme"}},
            "locked": {"url": server.url(), "bearer_token": {"env": "WRONG_MCP_TOKEN"}}
        }}),
    );
    let began = Instant::now();
    let (code, stdout, stderr) = run(env
        .weft()
        .env("WEB_MCP_TOKEN", "http-s3cret")
        .env("WRONG_MCP_TOKEN", "guess")
        .args(["agent", "-m", "what is 40 + 2?"]));
    eprintln!(
        "weft agent -m with a Python HTTP MCP server: {} ms",
        began.elapsed().as_millis()
    );
    assert_eq!(code, 0, "stderr: {stderr}");
    assert_eq!(stdout, "42.\n");
    assert!(
        stderr.contains("MCP server `locked` skipped") && stderr.contains("credentials"),
        "{stderr}"
    );
    assert_eq!(
        stderr.matches("skipped").count(),
        1,
        "only `locked` fails: {stderr}"
    );
    let requests = env.llm().requests();
    assert!(offered(&requests[0]).contains(&"web__add".to_owned()));
    assert!(
        !offered(&requests[0])
            .iter()
            .any(|n| n.starts_with("locked__"))
    );
    assert_eq!(tool_result(&requests[1], "web__add"), "40 + 2 = 42");
    let seen = tool_result(&requests[1], "web__describe_env");
    assert!(seen.contains("x-tenant=acme"), "{seen}");
}

#[test]
fn a_server_that_cannot_start_is_named_and_the_agent_still_answers() {
    let env = TestEnv::with_llm(vec![Reply::text("Still here.")]);
    write_config(
        &env,
        json!({"mcp_servers": {"ghost": {"command": "/no/such/mcp-server-xyz"}}}),
    );
    let (code, stdout, stderr) = run(env.weft().args(["agent", "-m", "hello"]));
    assert_eq!(code, 0, "stderr: {stderr}");
    assert_eq!(stdout, "Still here.\n");
    let line = stderr
        .lines()
        .find(|l| l.contains("`ghost`"))
        .unwrap_or_else(|| panic!("no line names the server: {stderr}"));
    assert!(
        line.starts_with(
            "warning: MCP server `ghost` skipped: cannot start `/no/such/mcp-server-xyz`"
        ),
        "{line}"
    );
    assert!(line.contains("mcp_servers.ghost.command"), "{line}");
    let (_, _, quiet) = run(env.weft().args(["-q", "agent", "-m", "hello"]));
    assert!(!quiet.contains("ghost"), "--quiet hides warnings: {quiet}");
}

#[test]
fn a_typo_in_mcp_servers_names_the_key() {
    let env = TestEnv::with_llm(Vec::new());
    write_config(
        &env,
        json!({"mcp_servers": {"fs": {"command": "x", "agrs": ["y"]}}}),
    );
    let (code, stdout, stderr) = run(env.weft().args(["agent", "-m", "hello"]));
    assert_eq!((code, stdout.as_str()), (1, ""), "stderr: {stderr}");
    assert!(stderr.contains("`mcp_servers.fs.agrs`"), "{stderr}");
    assert!(stderr.contains("unknown field `agrs`"), "{stderr}");
    assert!(stderr.contains("config.json"), "names the file: {stderr}");
    assert!(env.llm().requests().is_empty());
    let (code, _, stderr) = run(env.weft().args(["config", "validate"]));
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("`mcp_servers.fs.agrs`"), "{stderr}");
}

#[test]
fn weft_mcp_serve_is_a_stdio_server_for_another_weft() {
    let env = TestEnv::with_llm(vec![
        Reply::tool("self__read_file", json!({"path": "note.txt"})),
        Reply::text("It says hello."),
    ]);
    std::fs::write(env.workspace().join("note.txt"), "hello from the workspace").expect("write");
    write_config(
        &env,
        json!({"mcp_servers": {"self": {
            "command": weft_bin(),
            "args": ["mcp", "serve"],
            "env": {"CLAWFT_HOME": env.home(), "CLAWFT_WORKSPACE": env.workspace()}
        }}}),
    );
    let (code, stdout, stderr) = run(env.weft().args(["agent", "-m", "read note.txt"]));
    assert_eq!(code, 0, "stderr: {stderr}");
    assert_eq!(stdout, "It says hello.\n");
    let requests = env.llm().requests();
    let names = offered(&requests[0]);
    assert!(names.contains(&"self__read_file".to_owned()), "{names:?}");
    assert!(
        !names.iter().any(|n| n.starts_with("self__self__")),
        "`weft mcp serve` does not load `mcp_servers` itself: {names:?}"
    );
    assert_eq!(
        tool_result(&requests[1], "self__read_file"),
        "hello from the workspace"
    );
}

#[test]
fn status_lists_configured_servers() {
    let env = TestEnv::new();
    write_config(
        &env,
        json!({"mcp_servers": {
            "fs": {"command": "mcp-fs"},
            "web": {"url": "http://127.0.0.1:1/mcp", "enabled": false}
        }}),
    );
    let (code, stdout, stderr) = run(env.weft().args(["status"]));
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains(
            "mcp:       fs (stdio `mcp-fs`), web (http http://127.0.0.1:1/mcp, disabled)"
        ),
        "{stdout}"
    );
    let (_, json_out, _) = run(env.weft().args(["status", "--json"]));
    let status: Value = serde_json::from_str(&json_out).expect("json");
    assert_eq!(status["mcp_servers"]["fs"], "stdio `mcp-fs`");
    let (_, validated, _) = run(env.weft().args(["config", "validate"]));
    assert!(validated.contains("ok: MCP servers fs, web"), "{validated}");
}

/// Process ids whose parent is `parent` (from `/proc/<pid>/stat`).
#[cfg(target_os = "linux")]
fn children_of(parent: u32) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(Result::ok)
        .filter_map(|e| {
            let pid = e.file_name().to_string_lossy().into_owned();
            let stat = std::fs::read_to_string(e.path().join("stat")).ok()?;
            // `pid (comm) state ppid ...`; comm may hold spaces, so split after `)`.
            let ppid = stat
                .rsplit(')')
                .next()?
                .split_whitespace()
                .nth(1)?
                .to_owned();
            (ppid == parent.to_string()).then_some(pid)
        })
        .collect()
}

#[cfg(target_os = "linux")]
#[test]
fn gateway_loads_mcp_tools_reports_failures_and_stops_its_servers() {
    use std::io::{BufRead, BufReader};

    let env = TestEnv::with_llm(Vec::new());
    write_config(
        &env,
        json!({"mcp_servers": {
            "self": {"command": weft_bin(), "args": ["mcp", "serve"],
                     "env": {"CLAWFT_HOME": env.home(), "CLAWFT_WORKSPACE": env.workspace()}},
            "ghost": {"command": "/no/such/mcp-server-xyz"}
        }}),
    );
    let mut child = env
        .weft()
        .arg("gateway")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the gateway");
    let stderr = child.stderr.take().expect("stderr");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let mut seen: Vec<String> = Vec::new();
    while !seen.iter().any(|l| l.contains("Press Ctrl-C")) {
        match rx.recv_timeout(Duration::from_secs(30)) {
            Ok(line) => seen.push(line),
            Err(_) => {
                let _ = child.kill();
                panic!("the gateway did not report ready:\n{}", seen.join("\n"));
            }
        }
    }
    let text = seen.join("\n");
    let mcp_line = seen
        .iter()
        .find(|l| l.trim_start().starts_with("mcp tools:"))
        .unwrap_or_else(|| panic!("no `mcp tools:` line:\n{text}"));
    assert!(mcp_line.contains("self ("), "{mcp_line}");
    assert!(
        mcp_line.contains("ghost (failed: cannot start `/no/such/mcp-server-xyz`"),
        "{mcp_line}"
    );
    assert!(
        text.contains("self__read_file"),
        "tools line lists the remote tools:\n{text}"
    );
    let servers = children_of(child.id());
    assert!(
        !servers.is_empty(),
        "the stdio server runs as a child of the gateway"
    );

    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill -TERM");
    let status = child.wait().expect("wait");
    assert!(status.success(), "SIGTERM is a clean stop: {status:?}");
    for pid in servers {
        assert_exited(&pid);
    }
}
