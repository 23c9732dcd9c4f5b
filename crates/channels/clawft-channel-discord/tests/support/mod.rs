//! Test support: a loopback fake Discord (gateway websocket + REST) and a recording sink.
//!
//! The gateway fake hands each accepted websocket to the test as a [`Conn`], which the test
//! drives step by step (HELLO, READY, dispatches, op 7/9, drops). Heartbeats (op 1) are
//! counted and acknowledged automatically unless `auto_ack` is switched off.

#![allow(dead_code, missing_docs, clippy::result_large_err)]

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
pub use clawft_channel_kit::testing::RecordingSink;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::handshake::server::{Request, Response as WsResponse};
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

pub const TOKEN: &str = "fake.discord.token";
pub const BOT_ID: &str = "900000000000000001";
pub const SESSION: &str = "sess-abc";

/// One REST call the fake received.
#[derive(Debug, Clone)]
pub struct RestCall {
    pub method: String,
    pub path: String,
    pub body: Value,
    pub at: Instant,
}

#[derive(Default)]
pub struct RestState {
    pub calls: Vec<RestCall>,
    /// Answer this many message posts with 429.
    pub rate_limit_posts: u32,
    pub next_id: u64,
    pub gateway_url: String,
}

/// A websocket connection accepted by the fake gateway.
pub struct Conn {
    /// Request path with query (`/main/?v=10&encoding=json`).
    pub path: String,
    out: mpsc::UnboundedSender<Message>,
    frames: mpsc::UnboundedReceiver<Value>,
    pub heartbeats: Arc<AtomicUsize>,
    pub auto_ack: Arc<AtomicBool>,
    tasks: Vec<JoinHandle<()>>,
}

impl Conn {
    pub fn send(&self, v: Value) {
        let _ = self.out.send(Message::text(v.to_string()));
    }

    pub fn hello(&self, interval_ms: u64) {
        self.send(
            json!({"op": 10, "d": {"heartbeat_interval": interval_ms}, "s": null, "t": null}),
        );
    }

    pub fn dispatch(&self, t: &str, seq: u64, d: Value) {
        self.send(json!({"op": 0, "t": t, "s": seq, "d": d}));
    }

    /// The next frame from the client other than a heartbeat (panics after 10 s).
    pub async fn recv(&mut self) -> Value {
        tokio::time::timeout(Duration::from_secs(10), self.frames.recv())
            .await
            .expect("the client sent nothing within 10 s")
            .expect("the client closed the connection")
    }

    /// Wait until the client closes the connection (frames in between are discarded).
    pub async fn recv_or_closed(&mut self) {
        while self.frames.recv().await.is_some() {}
    }

    /// Send a close frame with `code`.
    pub fn close(&self, code: u16) {
        let _ = self.out.send(Message::Close(Some(CloseFrame {
            code: CloseCode::from(code),
            reason: "fake".into(),
        })));
    }

    /// Drop the TCP connection without a close frame.
    pub fn drop_socket(self) {
        for t in &self.tasks {
            t.abort();
        }
    }

    /// The usual start of a fresh session: HELLO, expect IDENTIFY, READY with seq 1.
    pub async fn identify_and_ready(&mut self, resume_url: &str) -> Value {
        self.hello(45_000);
        let identify = self.recv().await;
        assert_eq!(identify["op"], 2, "expected IDENTIFY, got {identify}");
        self.dispatch(
            "READY",
            1,
            json!({"v": 10, "session_id": SESSION, "resume_gateway_url": resume_url,
                "user": {"id": BOT_ID, "username": "clawbot", "bot": true},
                "application": {"id": "app1"}, "guilds": []}),
        );
        identify
    }
}

pub struct FakeDiscord {
    pub api_base: String,
    pub gateway_url: String,
    pub resume_url: String,
    conns: tokio::sync::Mutex<mpsc::UnboundedReceiver<Conn>>,
    pub rest: Arc<Mutex<RestState>>,
}

impl FakeDiscord {
    pub async fn start() -> Self {
        let gw = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let gw_addr = gw.local_addr().unwrap();
        let (conn_tx, conn_rx) = mpsc::unbounded_channel();
        tokio::spawn(async move {
            while let Ok((stream, _)) = gw.accept().await {
                let conn_tx = conn_tx.clone();
                tokio::spawn(async move {
                    let path = Arc::new(Mutex::new(String::new()));
                    let p2 = path.clone();
                    let cb = move |req: &Request, resp: WsResponse| {
                        *p2.lock().unwrap() = req.uri().to_string();
                        Ok(resp)
                    };
                    let Ok(ws) = tokio_tungstenite::accept_hdr_async(stream, cb).await else {
                        return;
                    };
                    let (mut wtx, mut wrx) = ws.split();
                    let (out_tx, mut out_rx) = mpsc::unbounded_channel::<Message>();
                    let (frame_tx, frame_rx) = mpsc::unbounded_channel();
                    let heartbeats = Arc::new(AtomicUsize::new(0));
                    let auto_ack = Arc::new(AtomicBool::new(true));
                    let writer = tokio::spawn(async move {
                        while let Some(m) = out_rx.recv().await {
                            let closing = matches!(m, Message::Close(_));
                            if wtx.send(m).await.is_err() || closing {
                                break;
                            }
                        }
                    });
                    let (hb, ack, out2) = (heartbeats.clone(), auto_ack.clone(), out_tx.clone());
                    let reader = tokio::spawn(async move {
                        while let Some(Ok(msg)) = wrx.next().await {
                            let Message::Text(t) = msg else { continue };
                            let v: Value = serde_json::from_str(&t).unwrap_or(Value::Null);
                            if v["op"] == 1 {
                                hb.fetch_add(1, Ordering::SeqCst);
                                if ack.load(Ordering::SeqCst) {
                                    let _ = out2.send(Message::text(json!({"op": 11}).to_string()));
                                }
                            } else {
                                let _ = frame_tx.send(v);
                            }
                        }
                    });
                    let path = path.lock().unwrap().clone();
                    let _ = conn_tx.send(Conn {
                        path,
                        out: out_tx,
                        frames: frame_rx,
                        heartbeats,
                        auto_ack,
                        tasks: vec![writer, reader],
                    });
                });
            }
        });
        let gateway_url = format!("ws://{gw_addr}/main");
        let rest = Arc::new(Mutex::new(RestState {
            next_id: 5000,
            gateway_url: gateway_url.clone(),
            ..RestState::default()
        }));
        let app = Router::new().fallback(handle).with_state(rest.clone());
        let http = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let http_addr = http.local_addr().unwrap();
        tokio::spawn(async move {
            axum::serve(http, app).await.unwrap();
        });
        Self {
            api_base: format!("http://{http_addr}/api/v10"),
            resume_url: format!("ws://{gw_addr}/resume"),
            gateway_url,
            conns: tokio::sync::Mutex::new(conn_rx),
            rest,
        }
    }

    /// The next websocket connection (panics after 10 s).
    pub async fn next_conn(&self) -> Conn {
        tokio::time::timeout(Duration::from_secs(10), self.conns.lock().await.recv())
            .await
            .expect("the client did not connect within 10 s")
            .expect("gateway listener ended")
    }

    pub fn config(&self, extra: Value) -> Value {
        let mut cfg = json!({
            "bot_token": TOKEN,
            "api_base": self.api_base,
            "access": {"allow_from": ["*"]},
            "reconnect_base_ms": 20,
            "reconnect_max_ms": 200,
            "invalid_session_min_ms": 10,
            "invalid_session_max_ms": 50,
        });
        if let (Some(obj), Some(extra)) = (cfg.as_object_mut(), extra.as_object()) {
            for (k, v) in extra {
                obj.insert(k.clone(), v.clone());
            }
        }
        cfg
    }

    pub fn calls(&self, method: &str, path_prefix: &str) -> Vec<RestCall> {
        self.rest
            .lock()
            .unwrap()
            .calls
            .iter()
            .filter(|c| c.method == method && c.path.starts_with(path_prefix))
            .cloned()
            .collect()
    }
}

async fn handle(
    State(rest): State<Arc<Mutex<RestState>>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if headers.get("authorization").and_then(|v| v.to_str().ok()) != Some(&format!("Bot {TOKEN}")) {
        return (
            StatusCode::UNAUTHORIZED,
            axum::Json(json!({"message": "401: Unauthorized", "code": 0})),
        )
            .into_response();
    }
    let path = uri.path().trim_start_matches("/api/v10").to_owned();
    let ct = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let body = if ct.starts_with("application/json") {
        serde_json::from_slice(&body).unwrap_or(Value::Null)
    } else if body.is_empty() {
        Value::Null
    } else {
        json!({"multipart": String::from_utf8_lossy(&body)})
    };
    let mut g = rest.lock().unwrap();
    if method == Method::GET && path == "/gateway/bot" {
        let url = g.gateway_url.clone();
        return axum::Json(json!({"url": url, "shards": 1,
            "session_start_limit": {"total": 1000, "remaining": 999, "reset_after": 14400000, "max_concurrency": 1}}))
            .into_response();
    }
    if method == Method::POST && path.ends_with("/messages") && g.rate_limit_posts > 0 {
        g.rate_limit_posts -= 1;
        g.calls.push(RestCall {
            method: "429".into(),
            path: path.clone(),
            body,
            at: Instant::now(),
        });
        let mut resp = (StatusCode::TOO_MANY_REQUESTS,
            axum::Json(json!({"message": "You are being rate limited.", "retry_after": 0.5, "global": false}))).into_response();
        let h = resp.headers_mut();
        h.insert("retry-after", "1".parse().unwrap());
        h.insert("x-ratelimit-reset-after", "0.500".parse().unwrap());
        h.insert("x-ratelimit-remaining", "0".parse().unwrap());
        return resp;
    }
    g.calls.push(RestCall {
        method: method.to_string(),
        path: path.clone(),
        body: body.clone(),
        at: Instant::now(),
    });
    if method == Method::POST && path.ends_with("/messages") {
        g.next_id += 1;
        let id = g.next_id.to_string();
        return axum::Json(json!({"id": id, "content": body.get("content")})).into_response();
    }
    StatusCode::NO_CONTENT.into_response()
}

/// A DM `MESSAGE_CREATE` payload.
pub fn dm(id: u64, text: &str) -> Value {
    json!({"id": id.to_string(), "channel_id": "dm-chan", "author": {"id": "42", "username": "ann"},
        "content": text, "mentions": [], "attachments": []})
}
