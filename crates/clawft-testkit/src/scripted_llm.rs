//! The scripted OpenAI-compatible server.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};

/// One scripted answer.
#[derive(Debug, Clone)]
pub enum Reply {
    /// A final text answer.
    Text(String),
    /// Tool calls `(name, arguments)`; ids are `call_<n>`.
    ToolCalls(Vec<(String, Value)>),
    /// An HTTP error status with a body (e.g. 429, 500).
    Status(u16, String),
    /// A 200 answer whose body is not JSON.
    Garbage(String),
    /// Wait, then give the inner reply.
    Delayed(Duration, Box<Reply>),
}

impl Reply {
    /// A text answer.
    pub fn text(s: impl Into<String>) -> Self {
        Self::Text(s.into())
    }

    /// A single tool call.
    pub fn tool(name: &str, args: Value) -> Self {
        Self::ToolCalls(vec![(name.to_owned(), args)])
    }
}

#[derive(Default)]
struct Shared {
    script: VecDeque<Reply>,
    requests: Vec<Value>,
    calls: usize,
}

type SharedState = Arc<Mutex<Shared>>;

/// A running scripted server; stops when dropped.
pub struct ScriptedLlm {
    addr: SocketAddr,
    shared: SharedState,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl ScriptedLlm {
    /// Start serving `script` on `127.0.0.1:<random port>`.
    pub fn start(script: Vec<Reply>) -> Self {
        let shared: SharedState = Arc::new(Mutex::new(Shared {
            script: script.into(),
            ..Default::default()
        }));
        let (addr_tx, addr_rx) = std::sync::mpsc::channel();
        let (shutdown_tx, shutdown_rx) = tokio::sync::oneshot::channel::<()>();
        let state = shared.clone();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("test runtime");
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                    .await
                    .expect("bind loopback");
                addr_tx
                    .send(listener.local_addr().expect("local addr"))
                    .expect("report addr");
                let app = Router::new()
                    .route("/v1/chat/completions", post(complete))
                    .route("/chat/completions", post(complete))
                    .route("/v1/models", get(models))
                    .with_state(state);
                // Stop at once on drop: in-flight (e.g. delayed) requests are abandoned.
                tokio::select! {
                    served = axum::serve(listener, app) => served.expect("serve"),
                    _ = shutdown_rx => {}
                }
            });
        });
        let addr = addr_rx.recv().expect("server start");
        Self {
            addr,
            shared,
            shutdown: Some(shutdown_tx),
            thread: Some(thread),
        }
    }

    /// Base URL to put in `OPENAI_BASE_URL` (ends in `/v1`).
    pub fn base_url(&self) -> String {
        format!("http://{}/v1", self.addr)
    }

    /// Requests received so far (JSON bodies), oldest first.
    pub fn requests(&self) -> Vec<Value> {
        self.shared.lock().expect("lock").requests.clone()
    }

    /// Append replies to the script.
    pub fn push(&self, reply: Reply) {
        self.shared.lock().expect("lock").script.push_back(reply);
    }

    /// Replies not yet used.
    pub fn remaining(&self) -> usize {
        self.shared.lock().expect("lock").script.len()
    }
}

impl Drop for ScriptedLlm {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

async fn models() -> impl IntoResponse {
    axum::Json(json!({"object": "list", "data": [{"id": "scripted", "object": "model"}]}))
}

async fn complete(State(state): State<SharedState>, body: String) -> Response {
    let request: Value = match serde_json::from_str(&body) {
        Ok(v) => v,
        Err(err) => {
            return (
                StatusCode::BAD_REQUEST,
                axum::Json(json!({"error": {"message": format!("bad JSON: {err}")}})),
            )
                .into_response();
        }
    };
    let stream = request
        .get("stream")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let (reply, n) = {
        let mut s = state.lock().expect("lock");
        s.requests.push(request);
        s.calls += 1;
        (s.script.pop_front(), s.calls)
    };
    let Some(mut reply) = reply else {
        return (
            StatusCode::BAD_REQUEST,
            axum::Json(json!({"error": {"message": "scripted LLM: the script is exhausted (the test expected fewer model calls)"}})),
        )
            .into_response();
    };
    while let Reply::Delayed(wait, inner) = reply {
        tokio::time::sleep(wait).await;
        reply = *inner;
    }
    match reply {
        Reply::Status(code, body) => {
            let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let mut resp =
                (status, axum::Json(json!({"error": {"message": body}}))).into_response();
            if code == 429 {
                resp.headers_mut()
                    .insert(header::RETRY_AFTER, "0".parse().expect("header"));
            }
            resp
        }
        Reply::Garbage(body) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/json")],
            body,
        )
            .into_response(),
        Reply::Text(text) if stream => sse(text_chunks(&text)),
        Reply::Text(text) => axum::Json(completion(
            json!({"role": "assistant", "content": text}),
            "stop",
        ))
        .into_response(),
        Reply::ToolCalls(calls) if stream => sse(tool_chunks(&calls, n)),
        Reply::ToolCalls(calls) => {
            let calls: Vec<Value> = calls
                .iter()
                .enumerate()
                .map(|(i, (name, args))| {
                    json!({"id": format!("call_{n}_{i}"), "type": "function", "function": {"name": name, "arguments": args.to_string()}})
                })
                .collect();
            axum::Json(completion(
                json!({"role": "assistant", "content": null, "tool_calls": calls}),
                "tool_calls",
            ))
            .into_response()
        }
        Reply::Delayed(..) => unreachable!("unwrapped above"),
    }
}

fn completion(message: Value, finish: &str) -> Value {
    json!({
        "id": "chatcmpl-scripted", "object": "chat.completion", "created": 0, "model": "scripted",
        "choices": [{"index": 0, "message": message, "finish_reason": finish}],
        "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}
    })
}

fn chunk(delta: Value, finish: Option<&str>) -> Value {
    json!({"id": "chatcmpl-scripted", "object": "chat.completion.chunk", "created": 0, "model": "scripted",
           "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]})
}

fn text_chunks(text: &str) -> Vec<Value> {
    let mut out = vec![chunk(json!({"role": "assistant", "content": ""}), None)];
    let chars: Vec<char> = text.chars().collect();
    for piece in chars.chunks(8) {
        out.push(chunk(
            json!({"content": piece.iter().collect::<String>()}),
            None,
        ));
    }
    out.push(chunk(json!({}), Some("stop")));
    out
}

fn tool_chunks(calls: &[(String, Value)], n: usize) -> Vec<Value> {
    let mut out = vec![chunk(json!({"role": "assistant", "content": null}), None)];
    for (i, (name, args)) in calls.iter().enumerate() {
        let args = args.to_string();
        let (a, b) = args.split_at(args.len() / 2);
        out.push(chunk(
            json!({"tool_calls": [{"index": i, "id": format!("call_{n}_{i}"), "type": "function", "function": {"name": name, "arguments": a}}]}),
            None,
        ));
        out.push(chunk(
            json!({"tool_calls": [{"index": i, "function": {"arguments": b}}]}),
            None,
        ));
    }
    out.push(chunk(json!({}), Some("tool_calls")));
    out
}

fn sse(chunks: Vec<Value>) -> Response {
    let mut body = String::new();
    for c in chunks {
        body.push_str("data: ");
        body.push_str(&c.to_string());
        body.push_str("\n\n");
    }
    body.push_str("data: [DONE]\n\n");
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/event-stream")],
        body,
    )
        .into_response()
}
