//! Test support: a loopback fake of the Telegram Bot API and a recording inbound sink.

#![allow(dead_code, missing_docs)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
pub use clawft_channel_kit::testing::RecordingSink;
use serde_json::{Value, json};

pub const TOKEN: &str = "123456:TEST-token";
pub const BOT_ID: i64 = 999;

/// What the fake has seen and what it will answer.
#[derive(Default)]
pub struct Inner {
    /// Pending updates (confirmed ones are dropped when a higher offset arrives).
    pub updates: Vec<Value>,
    pub next_update_id: i64,
    /// The `offset` of every `getUpdates` call (None when absent).
    pub offsets: Vec<Option<i64>>,
    /// Every call other than `getUpdates`/`getMe`: (method, JSON body or `{"multipart": text}`).
    pub calls: Vec<(String, Value)>,
    pub next_message_id: i64,
    /// Answer this many send calls with 429.
    pub rate_limit_sends: u32,
    pub retry_after_secs: u64,
    /// Send attempts (including rate-limited ones) with their time.
    pub send_attempts: Vec<std::time::Instant>,
}

#[derive(Clone)]
pub struct FakeTelegram {
    pub url: String,
    pub inner: Arc<Mutex<Inner>>,
}

impl FakeTelegram {
    pub async fn start() -> Self {
        let inner = Arc::new(Mutex::new(Inner {
            next_update_id: 1,
            next_message_id: 1000,
            ..Inner::default()
        }));
        let app = Router::new()
            .route("/{bot}/{method}", post(handle))
            .with_state(inner.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Self {
            url: format!("http://{addr}"),
            inner,
        }
    }

    /// Queue a `message` update; returns its update_id.
    pub fn push_message(&self, message: Value) -> i64 {
        let mut inner = self.inner.lock().unwrap();
        let id = inner.next_update_id;
        inner.next_update_id += 1;
        inner
            .updates
            .push(json!({"update_id": id, "message": message}));
        id
    }

    pub fn calls(&self, method: &str) -> Vec<Value> {
        let inner = self.inner.lock().unwrap();
        inner
            .calls
            .iter()
            .filter(|(m, _)| m == method)
            .map(|(_, b)| b.clone())
            .collect()
    }

    pub fn offsets(&self) -> Vec<Option<i64>> {
        self.inner.lock().unwrap().offsets.clone()
    }

    pub fn config(&self, extra: Value) -> Value {
        let mut cfg = json!({
            "bot_token": TOKEN,
            "api_base": self.url,
            "poll_timeout_secs": 1,
            "reconnect_base_ms": 20,
            "reconnect_max_ms": 200,
            "access": {"allow_from": ["*"]},
        });
        if let (Some(obj), Some(extra)) = (cfg.as_object_mut(), extra.as_object()) {
            for (k, v) in extra {
                obj.insert(k.clone(), v.clone());
            }
        }
        cfg
    }
}

fn ok(result: Value) -> Response {
    axum::Json(json!({"ok": true, "result": result})).into_response()
}

async fn handle(
    State(inner): State<Arc<Mutex<Inner>>>,
    Path((bot, method)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if bot != format!("bot{TOKEN}") {
        return (
            StatusCode::UNAUTHORIZED,
            axum::Json(json!({"ok": false, "error_code": 401, "description": "Unauthorized"})),
        )
            .into_response();
    }
    let is_json = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    let body: Value = if is_json {
        serde_json::from_slice(&body).unwrap_or(Value::Null)
    } else if body.is_empty() {
        json!({})
    } else {
        json!({"multipart": String::from_utf8_lossy(&body)})
    };
    match method.as_str() {
        "getMe" => {
            ok(json!({"id": BOT_ID, "is_bot": true, "first_name": "Claw", "username": "ClawBot"}))
        }
        "getUpdates" => {
            let offset = body.get("offset").and_then(Value::as_i64);
            let timeout = body.get("timeout").and_then(Value::as_u64).unwrap_or(0);
            inner.lock().unwrap().offsets.push(offset);
            let deadline = tokio::time::Instant::now() + Duration::from_secs(timeout.min(2));
            loop {
                {
                    let mut g = inner.lock().unwrap();
                    if let Some(o) = offset {
                        g.updates
                            .retain(|u| u["update_id"].as_i64().unwrap_or(0) >= o);
                    }
                    if !g.updates.is_empty() || tokio::time::Instant::now() >= deadline {
                        return ok(Value::Array(g.updates.clone()));
                    }
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
        "sendMessage" | "sendPhoto" | "sendDocument" => {
            let mut g = inner.lock().unwrap();
            g.send_attempts.push(std::time::Instant::now());
            if g.rate_limit_sends > 0 {
                g.rate_limit_sends -= 1;
                let secs = g.retry_after_secs;
                return (
                    StatusCode::TOO_MANY_REQUESTS,
                    axum::Json(json!({"ok": false, "error_code": 429,
                        "description": format!("Too Many Requests: retry after {secs}"),
                        "parameters": {"retry_after": secs}})),
                )
                    .into_response();
            }
            g.calls.push((method.clone(), body.clone()));
            let id = g.next_message_id;
            g.next_message_id += 1;
            ok(json!({"message_id": id, "date": 0, "chat": {"id": 1, "type": "private"}}))
        }
        _ => {
            inner.lock().unwrap().calls.push((method.clone(), body));
            ok(json!(true))
        }
    }
}

/// A private text message from user `from`.
pub fn private_text(message_id: i64, from: i64, text: &str) -> Value {
    json!({"message_id": message_id, "date": 1_700_000_000, "chat": {"id": from, "type": "private"},
        "from": {"id": from, "is_bot": false, "first_name": "User", "username": format!("user{from}")},
        "text": text})
}
