//! The Socket Mode loop: `apps.connections.open` → websocket; every envelope is
//! acknowledged at once with `{"envelope_id": ...}` (Slack retries unacknowledged ones
//! after 3 s); `events_api` envelopes carry the events; a `disconnect` message (or a dropped
//! socket) means: open a new URL and reconnect.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use clawft_channel_kit::{AccessDecision, ReconnectBackoff, wait_to_reconnect};
use clawft_plugin::{ChannelState, InboundSink, PluginError};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_util::sync::CancellationToken;

use crate::adapter::Shared;
use crate::convert::to_inbound;
use crate::web::Token;

/// Remembers recently delivered messages so that Slack's redeliveries are dropped.
#[derive(Default)]
struct Seen(VecDeque<String>);

impl Seen {
    const CAPACITY: usize = 512;

    /// True if `key` is new (and remembers it).
    fn insert(&mut self, key: String) -> bool {
        if self.0.contains(&key) {
            return false;
        }
        if self.0.len() == Self::CAPACITY {
            self.0.pop_front();
        }
        self.0.push_back(key);
        true
    }
}

/// Run Socket Mode until cancelled or the tokens are rejected.
pub(crate) async fn run(
    shared: Arc<Shared>,
    sink: Arc<dyn InboundSink>,
    bot_user: String,
    cancel: CancellationToken,
) {
    let cfg = &shared.cfg;
    let mut backoff = ReconnectBackoff::new(cfg.reconnect_base_ms, cfg.reconnect_max_ms);
    let mut seen = Seen::default();
    loop {
        let url = tokio::select! {
            () = cancel.cancelled() => return,
            r = shared.web.open_socket() => r,
        };
        let url = match url {
            Ok(u) => u,
            Err(e @ PluginError::PermissionDenied(_)) => {
                tracing::error!(error = %e, "slack rejected the app token; giving up");
                shared.stats.fail(&e);
                return;
            }
            Err(e) => {
                if !wait_to_reconnect(&shared.stats, &cancel, backoff.next_delay(), &e.to_string())
                    .await
                {
                    return;
                }
                continue;
            }
        };
        clawft_http::install_crypto_provider();
        let connect = tokio::select! {
            () = cancel.cancelled() => return,
            c = tokio_tungstenite::connect_async(url.as_str()) => c,
        };
        let ws = match connect {
            Ok((ws, _)) => ws,
            Err(e) => {
                let msg = format!("cannot connect to slack socket mode: {e}");
                if !wait_to_reconnect(&shared.stats, &cancel, backoff.next_delay(), &msg).await {
                    return;
                }
                continue;
            }
        };
        let (mut tx, mut rx) = ws.split();
        let why = loop {
            let frame = tokio::select! {
                () = cancel.cancelled() => {
                    let _ = tx.send(Message::Close(None)).await;
                    return;
                }
                f = rx.next() => f,
            };
            let text = match frame {
                None => break "socket closed".to_owned(),
                Some(Err(e)) => break format!("socket error: {e}"),
                Some(Ok(Message::Close(_))) => break "socket closed by slack".to_owned(),
                Some(Ok(Message::Text(t))) => t,
                Some(Ok(_)) => continue,
            };
            let Ok(env) = serde_json::from_str::<Value>(&text) else {
                continue;
            };
            if let Some(id) = env.get("envelope_id").and_then(Value::as_str) {
                let ack = json!({"envelope_id": id}).to_string();
                if let Err(e) = tx.send(Message::text(ack)).await {
                    break format!("cannot acknowledge an envelope: {e}");
                }
            }
            match env.get("type").and_then(Value::as_str).unwrap_or_default() {
                "hello" => {
                    backoff.reset();
                    shared.stats.set_state(ChannelState::Connected);
                    tracing::info!("slack socket mode connected");
                }
                "disconnect" => {
                    let reason = env
                        .get("reason")
                        .and_then(Value::as_str)
                        .unwrap_or("unknown");
                    break format!("slack asked to reconnect ({reason})");
                }
                "events_api" => {
                    if let Some(event) = env.pointer("/payload/event") {
                        handle_event(&shared, &sink, &bot_user, &mut seen, event).await;
                    }
                }
                _ => {}
            }
        };
        tracing::info!(reason = %why, "slack socket mode connection ended; reconnecting");
        let delay = if why.starts_with("slack asked") {
            Duration::ZERO
        } else {
            backoff.next_delay()
        };
        if !wait_to_reconnect(&shared.stats, &cancel, delay, &why).await {
            return;
        }
    }
}

async fn handle_event(
    shared: &Shared,
    sink: &Arc<dyn InboundSink>,
    bot_user: &str,
    seen: &mut Seen,
    event: &Value,
) {
    let Some(msg) = to_inbound(event, bot_user) else {
        return;
    };
    if !seen.insert(format!("{}:{}", msg.chat.id, msg.id)) {
        return;
    }
    match shared.cfg.access.decide(&msg, &[]) {
        AccessDecision::Accept => {
            shared.stats.record_inbound();
            if let Err(e) = sink.deliver(msg).await {
                shared
                    .stats
                    .record_error(format!("inbound sink refused a message: {e}"));
            }
        }
        AccessDecision::Ignore(reason) => {
            tracing::debug!(chat = %msg.chat.id, sender = %msg.sender.id, reason, "ignoring slack message");
        }
        AccessDecision::Refuse(text) => {
            let body = json!({"channel": msg.chat.id, "text": text});
            if let Err(e) = shared.web.call("chat.postMessage", Token::Bot, &body).await {
                tracing::warn!(error = %e, "cannot send the refusal");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seen_drops_repeats_and_forgets_old_keys() {
        let mut s = Seen::default();
        assert!(s.insert("a".into()));
        assert!(!s.insert("a".into()));
        for i in 0..Seen::CAPACITY {
            s.insert(i.to_string());
        }
        assert!(s.insert("a".into()), "evicted keys are new again");
    }
}
