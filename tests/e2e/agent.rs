//! `weft agent` against the scripted LLM: real tool calls, failures, crash safety.

use std::time::{Duration, Instant};

use clawft_e2e::{TestEnv, run};
use clawft_testkit::Reply;
use serde_json::{Value, json};

#[test]
fn one_shot_performs_a_real_tool_call_and_prints_the_answer() {
    let env = TestEnv::with_llm(vec![
        Reply::tool(
            "write_file",
            json!({"path": "notes/hello.txt", "content": "hi from weft"}),
        ),
        Reply::text("Done: I wrote notes/hello.txt."),
    ]);
    let (code, stdout, stderr) =
        run(env
            .weft()
            .args(["agent", "-m", "write a greeting to notes/hello.txt"]));
    assert_eq!(code, 0, "stderr: {stderr}");
    assert_eq!(stdout, "Done: I wrote notes/hello.txt.\n");
    assert_eq!(
        std::fs::read_to_string(env.workspace().join("notes/hello.txt")).unwrap(),
        "hi from weft"
    );

    let requests = env.llm().requests();
    assert_eq!(requests.len(), 2);
    let tool_names: Vec<&str> = requests[0]["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["function"]["name"].as_str().unwrap())
        .collect();
    for name in [
        "read_file",
        "write_file",
        "edit_file",
        "list_dir",
        "exec",
        "web_fetch",
        "message",
    ] {
        assert!(
            tool_names.contains(&name),
            "{name} missing from {tool_names:?}"
        );
    }
    let result = requests[1]["messages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["role"] == "tool")
        .unwrap()
        .clone();
    assert_eq!(result["content"], "wrote 12 bytes to notes/hello.txt");
    let system = requests[0]["messages"][0]["content"].as_str().unwrap();
    assert!(
        system.contains(&env.workspace().display().to_string()),
        "system prompt names the workspace"
    );
}

#[test]
fn personality_files_reach_the_system_prompt() {
    let env = TestEnv::with_llm(vec![Reply::text("Arr.")]);
    std::fs::write(env.workspace().join("SOUL.md"), "Talk like a pirate.").unwrap();
    let (code, stdout, _) = run(env.weft().args(["agent", "-m", "hello"]));
    assert_eq!((code, stdout.as_str()), (0, "Arr.\n"));
    let system = env.llm().requests()[0]["messages"][0]["content"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        system.contains("## SOUL.md") && system.contains("Talk like a pirate."),
        "{system}"
    );
}

#[test]
fn history_is_kept_per_session() {
    let env = TestEnv::with_llm(vec![
        Reply::text("first"),
        Reply::text("second"),
        Reply::text("other"),
    ]);
    run(env.weft().args(["agent", "-m", "one"]));
    run(env.weft().args(["agent", "-m", "two"]));
    run(env.weft().args(["agent", "-s", "work", "-m", "three"]));
    let requests = env.llm().requests();
    assert_eq!(
        requests[1]["messages"].as_array().unwrap().len(),
        4,
        "system + one + first + two"
    );
    assert_eq!(
        requests[2]["messages"].as_array().unwrap().len(),
        2,
        "a new session starts empty"
    );
}

#[test]
fn no_provider_is_a_clear_error_not_a_panic() {
    let env = TestEnv::new();
    let (code, stdout, stderr) = run(env.weft().args(["agent", "-m", "hi"]));
    assert_eq!(code, 1);
    assert!(stdout.is_empty());
    for needle in [
        "no LLM provider",
        "OPENAI_API_KEY",
        "ANTHROPIC_API_KEY",
        "OLLAMA_HOST",
        "CLAWFT_MODEL",
    ] {
        assert!(stderr.contains(needle), "missing {needle}: {stderr}");
    }
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn unreachable_server_fails_after_retries_and_keeps_the_session_valid() {
    let env = TestEnv::new();
    let dead = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    std::fs::write(
        env.home().join("config.json"),
        format!(r#"{{"providers": {{"local": {{"kind": "openai", "base_url": "http://{dead}/v1", "max_retries": 1}}}}}}"#),
    )
    .unwrap();
    let (code, _, stderr) = run(env.weft().args(["agent", "-m", "hi"]));
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("could not reach the LLM server") && stderr.contains(&dead.to_string()),
        "{stderr}"
    );
    assert_session_lines_valid(&env, "default");
}

#[test]
fn garbage_from_the_server_is_reported() {
    let env = TestEnv::with_llm(vec![Reply::Garbage("<!doctype html>".into())]);
    let (code, _, stderr) = run(env.weft().args(["agent", "-m", "hi"]));
    assert_eq!(code, 1);
    assert!(stderr.contains("malformed response"), "{stderr}");
    assert_session_lines_valid(&env, "default");
}

#[test]
fn killing_weft_mid_turn_leaves_no_torn_session_line() {
    let env = TestEnv::with_llm(vec![
        Reply::tool("write_file", json!({"path": "a.txt", "content": "x"})),
        Reply::Delayed(Duration::from_secs(30), Box::new(Reply::text("too late"))),
        Reply::text("recovered"),
    ]);
    let mut child = env
        .weft()
        .args(["agent", "-m", "go"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let began = Instant::now();
    while env.llm().requests().len() < 2 {
        assert!(
            began.elapsed() < Duration::from_secs(30),
            "weft never made its second call"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let lines = assert_session_lines_valid(&env, "default");
    assert_eq!(
        lines.len(),
        3,
        "user, assistant tool call, tool result were durable before the kill"
    );

    // A torn tail (as a kill during write would leave) is repaired on the next run.
    use std::io::Write;
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(env.cli_session_file("default"))
        .unwrap();
    f.write_all(br#"{"ts_ms":1,"role":"assis"#).unwrap();
    drop(f);
    let (code, stdout, stderr) = run(env.weft().args(["agent", "-m", "again"]));
    assert_eq!((code, stdout.as_str()), (0, "recovered\n"), "{stderr}");
    let lines = assert_session_lines_valid(&env, "default");
    assert_eq!(lines.len(), 5);
}

fn assert_session_lines_valid(env: &TestEnv, session: &str) -> Vec<Value> {
    let path = env.cli_session_file(session);
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    text.lines()
        .map(|line| {
            serde_json::from_str::<Value>(line)
                .unwrap_or_else(|e| panic!("torn line in {}: {line:?}: {e}", path.display()))
        })
        .collect()
}
