//! The agent loop against the scripted OpenAI-compatible server: tool calls, parallelism,
//! limits, retries, malformed answers and session durability.

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use clawft_core::config::{AgentSettings, ProviderKind, ResolvedProvider, Secret};
use clawft_core::pipeline::{BaseInstructions, Pipeline};
use clawft_core::{
    Agent, AgentParts, JsonlSessionStore, SessionStore, ToolRegistry, TurnEvent, TurnObserver,
    build_provider,
};
use clawft_plugin::{
    InboundMessage, PluginResult, Role, Tool, ToolContext, ToolOutput, ToolSpec, async_trait,
};
use clawft_testkit::{Reply, ScriptedLlm};
use serde_json::{Value, json};

/// Sleeps, then echoes; counts peak concurrency.
struct SlowEcho {
    running: AtomicUsize,
    peak: AtomicUsize,
}

#[async_trait]
impl Tool for SlowEcho {
    fn spec(&self) -> ToolSpec {
        ToolSpec {
            name: "echo".into(),
            description: "echo".into(),
            parameters: json!({"type": "object", "properties": {"text": {"type": "string"}}}),
            annotations: Default::default(),
        }
    }
    async fn call(&self, args: Value, _ctx: &ToolContext) -> PluginResult<ToolOutput> {
        let now = self.running.fetch_add(1, Ordering::SeqCst) + 1;
        self.peak.fetch_max(now, Ordering::SeqCst);
        tokio::time::sleep(Duration::from_millis(200)).await;
        self.running.fetch_sub(1, Ordering::SeqCst);
        Ok(ToolOutput::ok(format!(
            "echo:{}",
            args["text"].as_str().unwrap_or("")
        )))
    }
}

fn agent(
    llm: &ScriptedLlm,
    dir: &Path,
    settings: AgentSettings,
    max_retries: u32,
) -> (Agent, Arc<SlowEcho>) {
    let provider = build_provider(&ResolvedProvider {
        name: "scripted".into(),
        kind: ProviderKind::Openai,
        base_url: llm.base_url(),
        api_key: Some(Secret::new("test-key")),
        model: "scripted-model".into(),
        timeout: Duration::from_secs(5),
        max_retries,
    });
    let tools = Arc::new(ToolRegistry::new());
    let echo = Arc::new(SlowEcho {
        running: AtomicUsize::new(0),
        peak: AtomicUsize::new(0),
    });
    tools.register(echo.clone()).unwrap();
    let mut pipeline = Pipeline::new();
    pipeline.push(Arc::new(BaseInstructions::new(None)));
    let agent = Agent::new(AgentParts {
        provider,
        model: "scripted-model".into(),
        tools,
        sessions: Arc::new(JsonlSessionStore::new(dir.join("sessions"))),
        pipeline,
        settings,
        workspace: dir.to_owned(),
        messages: None,
    });
    (agent, echo)
}

fn msg(text: &str) -> InboundMessage {
    InboundMessage::text("cli", "test", "user", text)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tool_calls_run_in_parallel_and_results_reach_the_model() {
    let llm = ScriptedLlm::start(vec![
        Reply::ToolCalls(vec![
            ("echo".into(), json!({"text": "a"})),
            ("echo".into(), json!({"text": "b"})),
            ("echo".into(), json!({"text": "c"})),
        ]),
        Reply::text("all done"),
    ]);
    let dir = tempfile::tempdir().unwrap();
    let (agent, echo) = agent(&llm, dir.path(), AgentSettings::default(), 0);
    let began = Instant::now();
    let out = agent.run_turn(&msg("go"), None).await.unwrap();
    assert_eq!(out.reply, "all done");
    assert_eq!((out.iterations, out.tool_calls), (2, 3));
    assert_eq!(
        echo.peak.load(Ordering::SeqCst),
        3,
        "the three calls must overlap"
    );
    assert!(
        began.elapsed() < Duration::from_millis(550),
        "parallel calls took {:?}",
        began.elapsed()
    );

    let requests = llm.requests();
    assert_eq!(requests[0]["model"], "scripted-model");
    assert_eq!(requests[0]["tools"][0]["function"]["name"], "echo");
    let second = requests[1]["messages"].as_array().unwrap();
    let results: Vec<&str> = second
        .iter()
        .filter(|m| m["role"] == "tool")
        .map(|m| m["content"].as_str().unwrap())
        .collect();
    assert_eq!(
        results,
        ["echo:a", "echo:b", "echo:c"],
        "results in call order"
    );

    // Everything was persisted: user, assistant(tool calls), 3 tool results, final answer.
    let stored = JsonlSessionStore::new(dir.path().join("sessions"))
        .load("cli:test")
        .await
        .unwrap();
    let roles: Vec<Role> = stored.iter().map(|r| r.message.role).collect();
    assert_eq!(
        roles,
        [
            Role::User,
            Role::Assistant,
            Role::Tool,
            Role::Tool,
            Role::Tool,
            Role::Assistant
        ]
    );

    // The next turn sends that history back.
    llm.push(Reply::text("again"));
    agent.run_turn(&msg("next"), None).await.unwrap();
    let third = llm.requests()[2]["messages"].as_array().unwrap().clone();
    assert_eq!(third.first().unwrap()["role"], "system");
    assert_eq!(third.len(), 1 + 6 + 1);
}

#[tokio::test]
async fn unknown_tools_and_bad_arguments_are_reported_to_the_model() {
    let llm = ScriptedLlm::start(vec![
        Reply::ToolCalls(vec![
            ("ecko".into(), json!({})),
            ("echo".into(), json!("not an object")),
        ]),
        Reply::text("ok"),
    ]);
    let dir = tempfile::tempdir().unwrap();
    let (agent, _) = agent(&llm, dir.path(), AgentSettings::default(), 0);
    agent.run_turn(&msg("go"), None).await.unwrap();
    let msgs = llm.requests()[1]["messages"].as_array().unwrap().clone();
    let tool_msgs: Vec<&str> = msgs
        .iter()
        .filter(|m| m["role"] == "tool")
        .map(|m| m["content"].as_str().unwrap())
        .collect();
    assert!(
        tool_msgs[0].contains("unknown tool `ecko`; did you mean `echo`?"),
        "{}",
        tool_msgs[0]
    );
    assert!(
        tool_msgs[1].contains("must be a JSON object"),
        "{}",
        tool_msgs[1]
    );
}

#[tokio::test]
async fn iteration_limit_stops_a_looping_model() {
    let llm = ScriptedLlm::start(
        (0..3)
            .map(|_| Reply::tool("echo", json!({"text": "x"})))
            .collect(),
    );
    let dir = tempfile::tempdir().unwrap();
    let settings = AgentSettings {
        max_iterations: 3,
        ..Default::default()
    };
    let (agent, _) = agent(&llm, dir.path(), settings, 0);
    let out = agent.run_turn(&msg("loop"), None).await.unwrap();
    assert!(out.hit_limit);
    assert_eq!(out.iterations, 3);
    assert!(out.reply.contains("agent.max_iterations"), "{}", out.reply);
}

#[tokio::test]
async fn retries_on_429_and_5xx_then_succeeds() {
    let llm = ScriptedLlm::start(vec![
        Reply::Status(429, "slow down".into()),
        Reply::Status(503, "busy".into()),
        Reply::text("finally"),
    ]);
    let dir = tempfile::tempdir().unwrap();
    let (agent, _) = agent(&llm, dir.path(), AgentSettings::default(), 3);
    let out = agent.run_turn(&msg("hi"), None).await.unwrap();
    assert_eq!(out.reply, "finally");
    assert_eq!(llm.requests().len(), 3);
}

#[tokio::test]
async fn client_errors_are_not_retried_and_explain_themselves() {
    let llm = ScriptedLlm::start(vec![Reply::Status(401, "bad key".into())]);
    let dir = tempfile::tempdir().unwrap();
    let (agent, _) = agent(&llm, dir.path(), AgentSettings::default(), 3);
    let err = agent
        .run_turn(&msg("hi"), None)
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("401") && err.contains("API key"), "{err}");
    assert_eq!(llm.requests().len(), 1);
}

#[tokio::test]
async fn garbage_answers_fail_cleanly_and_keep_the_session_valid() {
    let llm = ScriptedLlm::start(vec![Reply::Garbage("<html>oops</html>".into())]);
    let dir = tempfile::tempdir().unwrap();
    let (agent, _) = agent(&llm, dir.path(), AgentSettings::default(), 0);
    let err = agent
        .run_turn(&msg("hi"), None)
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("malformed response"), "{err}");
    let path = JsonlSessionStore::new(dir.path().join("sessions")).path_for("cli:test");
    let text = std::fs::read_to_string(path).unwrap();
    for line in text.lines() {
        serde_json::from_str::<Value>(line).expect("every session line is valid JSON");
    }
}

#[tokio::test]
async fn unreachable_server_names_the_url() {
    let llm = ScriptedLlm::start(vec![]);
    let url = llm.base_url();
    let dir = tempfile::tempdir().unwrap();
    let (agent, _) = agent(&llm, dir.path(), AgentSettings::default(), 1);
    drop(llm);
    let err = agent
        .run_turn(&msg("hi"), None)
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("could not reach") && err.contains(&url),
        "{err}"
    );
    assert!(
        err.contains("2 attempt"),
        "one retry means two attempts: {err}"
    );
}

struct Collect(Mutex<Vec<String>>);
impl TurnObserver for Collect {
    fn on_event(&self, event: TurnEvent<'_>) {
        let line = match event {
            TurnEvent::TextDelta(t) => format!("text:{t}"),
            TurnEvent::ToolStarted { name } => format!("start:{name}"),
            TurnEvent::ToolFinished { name, is_error } => format!("end:{name}:{is_error}"),
        };
        self.0.lock().unwrap().push(line);
    }
}

#[tokio::test]
async fn streaming_assembles_text_and_tool_calls() {
    let llm = ScriptedLlm::start(vec![
        Reply::tool("echo", json!({"text": "streamed args"})),
        Reply::text("a streamed answer that spans several chunks"),
    ]);
    let dir = tempfile::tempdir().unwrap();
    let (agent, _) = agent(&llm, dir.path(), AgentSettings::default(), 0);
    let obs = Collect(Mutex::new(vec![]));
    let out = agent.run_turn(&msg("go"), Some(&obs)).await.unwrap();
    assert_eq!(out.reply, "a streamed answer that spans several chunks");
    let events = obs.0.into_inner().unwrap();
    assert!(
        events.contains(&"start:echo".to_owned()) && events.contains(&"end:echo:false".to_owned())
    );
    let text: String = events
        .iter()
        .filter_map(|e| e.strip_prefix("text:"))
        .collect();
    assert_eq!(text, out.reply);
    assert!(
        events.iter().filter(|e| e.starts_with("text:")).count() > 2,
        "answer arrived in pieces"
    );
    let requests = llm.requests();
    let tool_result = &requests[1]["messages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["role"] == "tool")
        .unwrap()["content"];
    assert_eq!(tool_result, "echo:streamed args");
}
