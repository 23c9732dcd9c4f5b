//! A channel end to end: a message from a loopback Telegram Bot API reaches `weft gateway`,
//! the agent answers through the scripted LLM, and the reply returns to the fake, split at
//! Telegram's 4,000-character limit; the slash commands are published with setMyCommands.

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Json;
use axum::extract::{Path, State};
use axum::routing::post;
use clawft_e2e::TestEnv;
use clawft_testkit::Reply;
use serde_json::{Value, json};

#[derive(Default)]
struct Fake {
    delivered: bool,
    calls: Vec<(String, Value)>,
}

type Shared = Arc<Mutex<Fake>>;

async fn bot_api(
    State(state): State<Shared>,
    Path((_token, method)): Path<(String, String)>,
    body: Option<Json<Value>>,
) -> Json<Value> {
    let body = body.map(|Json(v)| v).unwrap_or(Value::Null);
    let first_update = {
        let mut s = state.lock().unwrap();
        s.calls.push((method.clone(), body.clone()));
        let first = method == "getUpdates" && !s.delivered;
        if first {
            s.delivered = true;
        }
        first
    };
    match method.as_str() {
        "getMe" => Json(
            json!({"ok": true, "result": {"id": 999, "is_bot": true, "first_name": "weft", "username": "weft_bot"}}),
        ),
        "getUpdates" if first_update => Json(json!({"ok": true, "result": [{
            "update_id": 100,
            "message": {"message_id": 5, "date": 0, "text": "tell me a long story",
                        "chat": {"id": 42, "type": "private"}, "from": {"id": 42, "is_bot": false, "first_name": "Ada"}}
        }]})),
        "getUpdates" => {
            tokio::time::sleep(Duration::from_millis(300)).await;
            Json(json!({"ok": true, "result": []}))
        }
        "sendMessage" => Json(
            json!({"ok": true, "result": {"message_id": 77, "date": 0, "chat": {"id": 42, "type": "private"}}}),
        ),
        _ => Json(json!({"ok": true, "result": true})),
    }
}

#[test]
fn telegram_message_reaches_the_agent_and_the_split_reply_comes_back() {
    let story = format!(
        "{}\n\n{}",
        "Once upon a time. ".repeat(200),
        "The end. ".repeat(200)
    );
    let env = TestEnv::with_llm(vec![Reply::text(story.clone())]);
    let state: Shared = Arc::default();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let addr = rt.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let app = axum::Router::new()
            .route("/bot{token}/{method}", post(bot_api))
            .with_state(state.clone());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        addr
    });
    std::fs::write(
        env.home().join("config.json"),
        json!({"channels": {"telegram": {
            "bot_token": {"env": "TEST_TG_TOKEN"},
            "api_base": format!("http://{addr}"),
            "access": {"allow_from": ["42"]}
        }}})
        .to_string(),
    )
    .unwrap();
    let mut child = env
        .weft()
        .arg("gateway")
        .env("TEST_TG_TOKEN", "123:secret")
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let log = Arc::new(Mutex::new(String::new()));
    let log_writer = log.clone();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            log_writer.lock().unwrap().push_str(&(line + "\n"));
        }
    });

    let began = Instant::now();
    let sent = loop {
        let texts: Vec<String> = state
            .lock()
            .unwrap()
            .calls
            .iter()
            .filter(|(m, _)| m == "sendMessage")
            .filter_map(|(_, b)| b["text"].as_str().map(str::to_owned))
            .collect();
        if texts.len() >= 2 {
            break texts;
        }
        assert!(
            began.elapsed() < Duration::from_secs(30),
            "no reply reached the fake; gateway log:\n{}",
            log.lock().unwrap()
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    std::thread::sleep(Duration::from_millis(300));
    let calls = state.lock().unwrap().calls.clone();
    let sends: Vec<&Value> = calls
        .iter()
        .filter(|(m, _)| m == "sendMessage")
        .map(|(_, b)| b)
        .collect();
    assert_eq!(sends.len(), sent.len());
    assert!(sent.len() >= 2, "the 7,000-character answer is split");
    assert!(
        sent.iter().all(|t| t.chars().count() <= 4_000),
        "every chunk fits Telegram's limit"
    );
    assert_eq!(sends[0]["chat_id"].to_string().trim_matches('"'), "42");
    let rejoined: String = sent.concat();
    assert_eq!(
        rejoined.split_whitespace().collect::<Vec<_>>(),
        story.split_whitespace().collect::<Vec<_>>(),
        "nothing lost in the split"
    );
    let commands = calls
        .iter()
        .find(|(m, _)| m == "setMyCommands")
        .map(|(_, b)| b.clone())
        .expect("commands published");
    let names: Vec<&str> = commands["commands"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["command"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"help") && names.contains(&"new"),
        "{names:?}"
    );
    let user_msg = env.llm().requests()[0]["messages"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()["content"]
        .clone();
    assert_eq!(user_msg, "tell me a long story");
    assert!(
        !log.lock().unwrap().contains("123:secret"),
        "the token never reaches the log"
    );

    // The running gateway reports the channel.
    let (_, stdout, _) = clawft_e2e::run(env.weft().args(["channels", "status", "--json"]));
    let status: Value = serde_json::from_str(&stdout).unwrap();
    let channel = &status["gateway"]["channels"][0];
    assert_eq!(channel["name"], "telegram");
    assert_eq!(channel["health"]["state"], "connected");
    assert_eq!(channel["health"]["messages_in"], 1);

    #[cfg(unix)]
    std::process::Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status()
        .unwrap();
    assert!(child.wait().unwrap().success());
}
