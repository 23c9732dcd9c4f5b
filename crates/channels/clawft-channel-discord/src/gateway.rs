//! The Discord gateway connection (E1): HELLO, heartbeats with ACK tracking, IDENTIFY,
//! READY, sequence tracking, and RESUME after drops, op 7 and zombie connections.
//!
//! The state machine, per the gateway docs:
//!
//! * connect to the gateway URL (from `GET /gateway/bot`) with `?v=10&encoding=json`;
//! * HELLO (op 10) gives `heartbeat_interval`: the first heartbeat goes after
//!   `interval × random(0..1)`, then every interval, carrying the last sequence number;
//! * a heartbeat that finds the previous one unacknowledged (no op 11) means a zombie
//!   connection: close it with a non-1000 code and resume;
//! * new sessions IDENTIFY (op 2) with the intents; READY stores `session_id`,
//!   `resume_gateway_url` and the bot's user id;
//! * after a dropped socket, a close with a resumable code, op 7 RECONNECT or op 9 with
//!   `d: true`, reconnect to `resume_gateway_url` and RESUME (op 6: token, session id, last
//!   seq); the gateway then replays missed events and sends RESUMED;
//! * op 9 with `d: false` (or close codes 4007/4009) drops the session: wait a random
//!   `invalid_session_min_ms..=max_ms` and IDENTIFY afresh;
//! * close codes 4004 and 4010–4014 are fatal (bad token, sharding, intents).

use std::sync::Arc;
use std::time::Duration;

use clawft_channel_kit::{AccessDecision, ReconnectBackoff, wait_to_reconnect};
use clawft_plugin::{ChannelState, InboundSink};
use futures_util::{SinkExt, StreamExt};
use rand::Rng;
use serde_json::{Value, json};
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_util::sync::CancellationToken;

use crate::adapter::Shared;
use crate::convert::to_inbound;

/// The resumable state of a gateway session.
#[derive(Debug, Default, Clone)]
pub(crate) struct Session {
    pub session_id: Option<String>,
    pub resume_url: Option<String>,
    pub seq: Option<u64>,
}

impl Session {
    fn resumable(&self) -> bool {
        self.session_id.is_some() && self.resume_url.is_some()
    }
}

/// How a connection ended.
#[derive(Debug)]
enum End {
    /// Stop requested.
    Cancelled,
    /// Reconnect and RESUME.
    Resume(String),
    /// Drop the session and IDENTIFY after this delay.
    Reidentify(Duration, String),
    /// Give up.
    Fatal(String),
}

/// `base` with the version and encoding query Discord expects.
pub(crate) fn gateway_query_url(base: &str) -> String {
    let base = base.split('?').next().unwrap_or(base).trim_end_matches('/');
    format!("{base}/?v=10&encoding=json")
}

/// Run the gateway until cancelled or a fatal error.
pub(crate) async fn run(
    shared: Arc<Shared>,
    sink: Arc<dyn InboundSink>,
    cancel: CancellationToken,
) {
    let cfg = &shared.cfg;
    let mut backoff = ReconnectBackoff::new(cfg.reconnect_base_ms, cfg.reconnect_max_ms);
    let mut session = Session::default();
    let mut gateway_url: Option<String> = None;
    loop {
        let resume = session.resumable();
        let base = if resume {
            session.resume_url.clone()
        } else {
            gateway_url.clone()
        };
        let base = match base {
            Some(b) => b,
            None => match shared.rest.gateway_url().await {
                Ok(url) => {
                    gateway_url = Some(url.clone());
                    url
                }
                Err(e) => {
                    if matches!(e, clawft_plugin::PluginError::PermissionDenied(_)) {
                        shared.stats.fail(&e);
                        return;
                    }
                    if !wait_to_reconnect(
                        &shared.stats,
                        &cancel,
                        backoff.next_delay(),
                        &e.to_string(),
                    )
                    .await
                    {
                        return;
                    }
                    continue;
                }
            },
        };
        let url = gateway_query_url(&base);
        tracing::debug!(resume, %url, "connecting to the discord gateway");
        clawft_http::install_crypto_provider();
        let connect = tokio::select! {
            () = cancel.cancelled() => return,
            c = tokio_tungstenite::connect_async(url.as_str()) => c,
        };
        let ws = match connect {
            Ok((ws, _)) => ws,
            Err(e) => {
                let msg = format!("cannot connect to the discord gateway: {e}");
                if !wait_to_reconnect(&shared.stats, &cancel, backoff.next_delay(), &msg).await {
                    return;
                }
                continue;
            }
        };
        let mut ready = false;
        let end = connection(
            &shared,
            &sink,
            &cancel,
            ws,
            &mut session,
            resume,
            &mut ready,
        )
        .await;
        if ready {
            backoff.reset();
        }
        match end {
            End::Cancelled => return,
            End::Fatal(e) => {
                tracing::error!(error = %e, "discord gateway failed; giving up");
                shared.stats.fail(&e);
                return;
            }
            End::Resume(why) => {
                tracing::info!(reason = %why, seq = ?session.seq, "discord gateway connection ended; resuming");
                let delay = if ready {
                    Duration::ZERO
                } else {
                    backoff.next_delay()
                };
                if !wait_to_reconnect(&shared.stats, &cancel, delay, &why).await {
                    return;
                }
            }
            End::Reidentify(delay, why) => {
                tracing::info!(reason = %why, "discord session invalidated; identifying afresh");
                session = Session::default();
                if !wait_to_reconnect(&shared.stats, &cancel, delay, &why).await {
                    return;
                }
            }
        }
    }
}

fn random_between(min_ms: u64, max_ms: u64) -> Duration {
    let ms = if max_ms > min_ms {
        rand::rng().random_range(min_ms..=max_ms)
    } else {
        min_ms
    };
    Duration::from_millis(ms)
}

fn close_code_end(code: u16, reason: &str, cfg: &crate::config::DiscordConfig) -> End {
    let what = format!("gateway closed the connection ({code} {reason})");
    match code {
        4004 => End::Fatal(format!(
            "{what}\nhelp: Discord rejected the bot token; check `bot_token`"
        )),
        4010..=4014 => End::Fatal(format!(
            "{what}\nhelp: check `intents` (privileged intents such as MESSAGE_CONTENT must be enabled in the Developer Portal)"
        )),
        4007 | 4009 => End::Reidentify(
            random_between(cfg.invalid_session_min_ms, cfg.invalid_session_max_ms),
            what,
        ),
        _ => End::Resume(what),
    }
}

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Drive one websocket connection until it ends.
async fn connection(
    shared: &Shared,
    sink: &Arc<dyn InboundSink>,
    cancel: &CancellationToken,
    ws: Ws,
    session: &mut Session,
    resume: bool,
    ready: &mut bool,
) -> End {
    let cfg = &shared.cfg;
    let (mut tx, mut rx) = ws.split();

    // HELLO
    let hello = tokio::select! {
        () = cancel.cancelled() => return End::Cancelled,
        r = tokio::time::timeout(Duration::from_millis(cfg.hello_timeout_ms), rx.next()) => r,
    };
    let interval = match hello {
        Ok(Some(Ok(Message::Text(t)))) => serde_json::from_str::<Value>(&t)
            .ok()
            .filter(|v| v["op"] == 10)
            .and_then(|v| v["d"]["heartbeat_interval"].as_u64()),
        Ok(Some(Ok(Message::Close(frame)))) => {
            let (code, reason) = frame.map_or((1000, String::new()), |f| {
                (u16::from(f.code), f.reason.to_string())
            });
            return close_code_end(code, &reason, cfg);
        }
        Ok(_) => None,
        Err(_) => return End::Resume("no HELLO from the gateway in time".into()),
    };
    let Some(interval) = interval.filter(|i| *i > 0) else {
        return End::Resume("the gateway did not start with HELLO".into());
    };
    let interval = Duration::from_millis(interval);

    let opening = match (&session.session_id, resume) {
        (Some(sid), true) => {
            json!({"op": 6, "d": {"token": cfg.bot_token, "session_id": sid, "seq": session.seq}})
        }
        _ => json!({"op": 2, "d": {
            "token": cfg.bot_token,
            "intents": cfg.intents,
            "properties": {"os": std::env::consts::OS, "browser": "clawft", "device": "clawft"},
        }}),
    };
    if let Err(e) = tx.send(Message::text(opening.to_string())).await {
        return End::Resume(format!(
            "cannot send {}: {e}",
            if resume { "RESUME" } else { "IDENTIFY" }
        ));
    }

    let mut acked = true;
    let mut next_beat = Instant::now() + interval.mul_f64(rand::rng().random_range(0.0..1.0));
    loop {
        let frame = tokio::select! {
            () = cancel.cancelled() => {
                let _ = tx.send(Message::Close(Some(CloseFrame { code: CloseCode::Normal, reason: "shutting down".into() }))).await;
                return End::Cancelled;
            }
            () = tokio::time::sleep_until(next_beat) => {
                if !acked {
                    // Zombie: close with a non-1000 code so the session stays resumable.
                    let close = Message::Close(Some(CloseFrame { code: CloseCode::Library(4000), reason: "heartbeat not acknowledged".into() }));
                    let _ = tokio::time::timeout(Duration::from_secs(1), tx.send(close)).await;
                    return End::Resume("heartbeat not acknowledged (zombie connection)".into());
                }
                if let Err(e) = tx.send(Message::text(json!({"op": 1, "d": session.seq}).to_string())).await {
                    return End::Resume(format!("cannot send a heartbeat: {e}"));
                }
                acked = false;
                next_beat += interval;
                continue;
            }
            f = rx.next() => f,
        };
        let text = match frame {
            None => return End::Resume("the gateway dropped the connection".into()),
            Some(Err(e)) => return End::Resume(format!("gateway connection error: {e}")),
            Some(Ok(Message::Close(frame))) => {
                let (code, reason) = frame.map_or((1005, String::new()), |f| {
                    (u16::from(f.code), f.reason.to_string())
                });
                return close_code_end(code, &reason, cfg);
            }
            Some(Ok(Message::Text(t))) => t,
            Some(Ok(_)) => continue,
        };
        let Ok(payload) = serde_json::from_str::<Value>(&text) else {
            tracing::warn!("discord gateway sent a frame that is not JSON");
            continue;
        };
        if let Some(s) = payload.get("s").and_then(Value::as_u64) {
            session.seq = Some(s);
        }
        match payload.get("op").and_then(Value::as_u64) {
            Some(0) => {
                let d = &payload["d"];
                match payload.get("t").and_then(Value::as_str).unwrap_or_default() {
                    "READY" => {
                        session.session_id = d["session_id"].as_str().map(str::to_owned);
                        session.resume_url = d["resume_gateway_url"].as_str().map(str::to_owned);
                        if let Some(id) = d["user"]["id"].as_str() {
                            shared.set_bot_id(id);
                        }
                        *ready = true;
                        shared.stats.set_state(ChannelState::Connected);
                        tracing::info!("discord gateway ready");
                    }
                    "RESUMED" => {
                        *ready = true;
                        shared.stats.set_state(ChannelState::Connected);
                        tracing::info!(seq = ?session.seq, "discord gateway session resumed");
                    }
                    "MESSAGE_CREATE" => deliver(shared, sink, d).await,
                    _ => {}
                }
            }
            Some(1) => {
                if let Err(e) = tx
                    .send(Message::text(
                        json!({"op": 1, "d": session.seq}).to_string(),
                    ))
                    .await
                {
                    return End::Resume(format!("cannot send a heartbeat: {e}"));
                }
            }
            Some(7) => return End::Resume("gateway asked to reconnect (op 7)".into()),
            Some(9) => {
                return if payload["d"].as_bool() == Some(true) {
                    End::Resume("invalid session, resumable (op 9 d=true)".into())
                } else {
                    End::Reidentify(
                        random_between(cfg.invalid_session_min_ms, cfg.invalid_session_max_ms),
                        "invalid session (op 9 d=false)".into(),
                    )
                };
            }
            Some(11) => acked = true,
            _ => {}
        }
    }
}

async fn deliver(shared: &Shared, sink: &Arc<dyn InboundSink>, d: &Value) {
    let bot_id = shared.bot_id().unwrap_or_default();
    let Some(msg) = to_inbound(d, &bot_id) else {
        return;
    };
    let username = msg
        .metadata
        .get("sender_username")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    match shared.cfg.access.decide(&msg, &[username.as_str()]) {
        AccessDecision::Accept => {
            shared.stats.record_inbound();
            if let Err(e) = sink.deliver(msg).await {
                shared
                    .stats
                    .record_error(format!("inbound sink refused a message: {e}"));
            }
        }
        AccessDecision::Ignore(reason) => {
            tracing::debug!(chat = %msg.chat.id, sender = %msg.sender.id, reason, "ignoring discord message");
        }
        AccessDecision::Refuse(text) => {
            let payload = json!({"content": text, "allowed_mentions": {"parse": []}});
            if let Err(e) = shared
                .rest
                .create_message(&msg.chat.id, &payload, &[])
                .await
            {
                tracing::warn!(error = %e, "cannot send the refusal");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn wss_connect_builds_a_tls_config_without_panicking() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            // Accept and hang up: the client fails during the TLS handshake.
            let _ = listener.accept().await;
        });
        clawft_http::install_crypto_provider();
        let url = format!("wss://{addr}/?v=10&encoding=json");
        assert!(
            tokio_tungstenite::connect_async(url.as_str())
                .await
                .is_err()
        );
    }

    #[test]
    fn query_is_appended_once() {
        assert_eq!(
            gateway_query_url("wss://gateway.discord.gg"),
            "wss://gateway.discord.gg/?v=10&encoding=json"
        );
        assert_eq!(
            gateway_query_url("wss://g.example/?v=9"),
            "wss://g.example/?v=10&encoding=json"
        );
    }

    #[test]
    fn close_codes_map_to_actions() {
        let cfg = crate::config::DiscordConfig::from_value(json!({"bot_token": "t"})).unwrap();
        assert!(matches!(close_code_end(4004, "", &cfg), End::Fatal(_)));
        assert!(matches!(close_code_end(4014, "", &cfg), End::Fatal(_)));
        assert!(matches!(
            close_code_end(4009, "", &cfg),
            End::Reidentify(..)
        ));
        assert!(matches!(close_code_end(4000, "", &cfg), End::Resume(_)));
        assert!(matches!(close_code_end(1001, "", &cfg), End::Resume(_)));
    }
}
