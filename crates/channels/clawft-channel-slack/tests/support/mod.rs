//! Test support: a loopback fake Slack (Web API + Socket Mode websocket) and a recording
//! sink. Each accepted websocket is handed to the test as a [`Conn`] it drives.

#![allow(dead_code, missing_docs, clippy::result_large_err)]

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
pub use clawft_channel_kit::testing::RecordingSink;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message;

pub const BOT_TOKEN: &str = "xoxb-fake-bot";
pub const APP_TOKEN: &str = "xapp-fake-app";
pub const BOT_USER: &str = "UBOT";

#[derive(Debug, Clone)]
pub struct WebCall {
    pub method: String,
    pub token: String,
    pub body: Value,
    pub at: Instant,
}

#[derive(Default)]
pub struct WebState {
    pub calls: Vec<WebCall>,
    pub rate_limit_posts: u32,
    pub next_ts: u64,
    pub ws_addr: String,
    pub http_addr: String,
    pub uploads: Vec<(String, Vec<u8>)>,
}

pub struct Conn {
    pub path: String,
    out: mpsc::UnboundedSender<Message>,
    frames: mpsc::UnboundedReceiver<Value>,
    tasks: Vec<JoinHandle<()>>,
}

impl Conn {
    pub fn send(&self, v: Value) {
        let _ = self.out.send(Message::text(v.to_string()));
    }

    pub fn hello(&self) {
        self.send(
            json!({"type": "hello", "num_connections": 1, "connection_info": {"app_id": "A1"},
            "debug_info": {"host": "fake", "approximate_connection_time": 3600}}),
        );
    }

    /// Send an `events_api` envelope carrying `event`.
    pub fn event(&self, envelope_id: &str, event: Value) {
        self.send(json!({"envelope_id": envelope_id, "type": "events_api", "accepts_response_payload": false,
            "retry_attempt": 0, "retry_reason": "",
            "payload": {"token": "x", "team_id": "T1", "api_app_id": "A1", "type": "event_callback",
                "event_id": format!("Ev{envelope_id}"), "event_time": 1_700_000_000, "event": event}}));
    }

    /// The next frame from the client (panics after 10 s).
    pub async fn recv(&mut self) -> Value {
        tokio::time::timeout(Duration::from_secs(10), self.frames.recv())
            .await
            .expect("the client sent nothing within 10 s")
            .expect("the client closed the connection")
    }

    pub fn drop_socket(self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

pub struct FakeSlack {
    pub api_base: String,
    conns: tokio::sync::Mutex<mpsc::UnboundedReceiver<Conn>>,
    pub web: Arc<Mutex<WebState>>,
}

impl FakeSlack {
    pub async fn start() -> Self {
        let ws = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let ws_addr = ws.local_addr().unwrap();
        let (conn_tx, conn_rx) = mpsc::unbounded_channel();
        tokio::spawn(async move {
            while let Ok((stream, _)) = ws.accept().await {
                let conn_tx = conn_tx.clone();
                tokio::spawn(async move {
                    let path = Arc::new(Mutex::new(String::new()));
                    let p2 = path.clone();
                    let cb = move |req: &tokio_tungstenite::tungstenite::handshake::server::Request,
                                   resp: tokio_tungstenite::tungstenite::handshake::server::Response| {
                        *p2.lock().unwrap() = req.uri().to_string();
                        Ok(resp)
                    };
                    let Ok(ws) = tokio_tungstenite::accept_hdr_async(stream, cb).await else {
                        return;
                    };
                    let (mut wtx, mut wrx) = ws.split();
                    let (out_tx, mut out_rx) = mpsc::unbounded_channel::<Message>();
                    let (frame_tx, frame_rx) = mpsc::unbounded_channel();
                    let writer = tokio::spawn(async move {
                        while let Some(m) = out_rx.recv().await {
                            if wtx.send(m).await.is_err() {
                                break;
                            }
                        }
                    });
                    let reader = tokio::spawn(async move {
                        while let Some(Ok(msg)) = wrx.next().await {
                            if let Message::Text(t) = msg {
                                let _ =
                                    frame_tx.send(serde_json::from_str(&t).unwrap_or(Value::Null));
                            }
                        }
                    });
                    let path = path.lock().unwrap().clone();
                    let _ = conn_tx.send(Conn {
                        path,
                        out: out_tx,
                        frames: frame_rx,
                        tasks: vec![writer, reader],
                    });
                });
            }
        });
        let http = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let http_addr = http.local_addr().unwrap();
        let web = Arc::new(Mutex::new(WebState {
            next_ts: 1_700_000_100,
            ws_addr: ws_addr.to_string(),
            http_addr: http_addr.to_string(),
            ..WebState::default()
        }));
        let app = Router::new().fallback(handle).with_state(web.clone());
        tokio::spawn(async move {
            axum::serve(http, app).await.unwrap();
        });
        Self {
            api_base: format!("http://{http_addr}/api"),
            conns: tokio::sync::Mutex::new(conn_rx),
            web,
        }
    }

    pub async fn next_conn(&self) -> Conn {
        tokio::time::timeout(Duration::from_secs(10), self.conns.lock().await.recv())
            .await
            .expect("the client did not connect within 10 s")
            .expect("listener ended")
    }

    pub fn config(&self) -> Value {
        json!({"bot_token": BOT_TOKEN, "app_token": APP_TOKEN, "api_base": self.api_base,
            "access": {"allow_from": ["*"]}, "reconnect_base_ms": 20, "reconnect_max_ms": 200})
    }

    pub fn calls(&self, method: &str) -> Vec<WebCall> {
        self.web
            .lock()
            .unwrap()
            .calls
            .iter()
            .filter(|c| c.method == method)
            .cloned()
            .collect()
    }
}

async fn handle(
    State(web): State<Arc<Mutex<WebState>>>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path().to_owned();
    let mut g = web.lock().unwrap();
    if let Some(file_id) = path.strip_prefix("/upload/") {
        g.uploads.push((file_id.to_owned(), body.to_vec()));
        return "OK - 9".into_response();
    }
    let method = path.trim_start_matches("/api/").to_owned();
    let token = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .trim_start_matches("Bearer ")
        .to_owned();
    let ct = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let body: Value = if ct.starts_with("application/json") {
        serde_json::from_slice(&body).unwrap_or(Value::Null)
    } else {
        let pairs: serde_json::Map<String, Value> = String::from_utf8_lossy(&body)
            .split('&')
            .filter_map(|kv| kv.split_once('='))
            .map(|(k, v)| (k.to_owned(), Value::String(v.to_owned())))
            .collect();
        Value::Object(pairs)
    };
    let expected = if method == "apps.connections.open" {
        APP_TOKEN
    } else {
        BOT_TOKEN
    };
    if token != expected {
        return axum::Json(json!({"ok": false, "error": "invalid_auth"})).into_response();
    }
    if method == "chat.postMessage" && g.rate_limit_posts > 0 {
        g.rate_limit_posts -= 1;
        g.calls.push(WebCall {
            method: "429".into(),
            token,
            body,
            at: Instant::now(),
        });
        let mut resp = (
            StatusCode::TOO_MANY_REQUESTS,
            axum::Json(json!({"ok": false, "error": "ratelimited"})),
        )
            .into_response();
        resp.headers_mut()
            .insert("retry-after", "1".parse().unwrap());
        return resp;
    }
    g.calls.push(WebCall {
        method: method.clone(),
        token,
        body: body.clone(),
        at: Instant::now(),
    });
    let n = g.calls.len();
    match method.as_str() {
        "auth.test" => {
            axum::Json(json!({"ok": true, "user_id": BOT_USER, "team_id": "T1", "bot_id": "B1"}))
                .into_response()
        }
        "apps.connections.open" => {
            let url = format!("ws://{}/link/?ticket=t{n}", g.ws_addr);
            axum::Json(json!({"ok": true, "url": url})).into_response()
        }
        "chat.postMessage" => {
            g.next_ts += 1;
            let ts = format!("{}.000200", g.next_ts);
            axum::Json(json!({"ok": true, "channel": body["channel"], "ts": ts, "message": {"text": body["text"]}})).into_response()
        }
        "files.getUploadURLExternal" => {
            let url = format!("http://{}/upload/F{n}", g.http_addr);
            axum::Json(json!({"ok": true, "upload_url": url, "file_id": format!("F{n}")}))
                .into_response()
        }
        _ => axum::Json(json!({"ok": true})).into_response(),
    }
}
