//! The long-polling loop: `getMe`, then `getUpdates` with the persisted offset, each update
//! checked against the access policy and handed to the inbound sink.

use std::sync::Arc;
use std::time::Duration;

use clawft_channel_kit::{AccessDecision, ChannelStats, ReconnectBackoff, wait_to_reconnect};
use clawft_plugin::{ChannelState, InboundSink, PluginError};
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

use crate::adapter::Shared;
use crate::inbound::{BotIdentity, Message, to_inbound};
use crate::offset::OffsetStore;

/// Run until `cancel` fires: fetch the bot identity, then poll.
pub(crate) async fn run(
    shared: Arc<Shared>,
    sink: Arc<dyn InboundSink>,
    cancel: CancellationToken,
) {
    let cfg = &shared.cfg;
    let stats: &ChannelStats = &shared.stats;
    let mut backoff = ReconnectBackoff::new(cfg.reconnect_base_ms, cfg.reconnect_max_ms);
    let store = OffsetStore::new(cfg.state_dir.as_deref(), cfg.bot_id());
    let mut offset = store.load();

    let me = loop {
        if let Some(me) = shared.identity() {
            break me;
        }
        match shared.fetch_identity().await {
            Ok(me) => break me,
            Err(e) => {
                if !wait_after_error(stats, &mut backoff, &e, &cancel).await {
                    return;
                }
            }
        }
    };

    let poll_timeout = Duration::from_secs(cfg.poll_timeout_secs);
    loop {
        let mut body = json!({"timeout": cfg.poll_timeout_secs, "allowed_updates": ["message"]});
        if let Some(o) = offset {
            body["offset"] = json!(o);
        }
        let call =
            shared
                .api
                .call_once("getUpdates", &body, poll_timeout + Duration::from_secs(15));
        let result = tokio::select! {
            () = cancel.cancelled() => return,
            r = call => r,
        };
        let updates = match result {
            Ok(Value::Array(updates)) => updates,
            Ok(other) => {
                tracing::warn!(kind = %other, "telegram getUpdates returned something other than a list");
                Vec::new()
            }
            Err(e) => {
                if !wait_after_error(stats, &mut backoff, &e, &cancel).await {
                    return;
                }
                continue;
            }
        };
        backoff.reset();
        stats.set_state(ChannelState::Connected);
        for update in updates {
            let Some(update_id) = update.get("update_id").and_then(Value::as_i64) else {
                continue;
            };
            if offset.is_some_and(|o| update_id < o) {
                continue; // already delivered
            }
            handle_update(&shared, &sink, &me, &update).await;
            offset = Some(update_id + 1);
            if let Err(e) = store.save(update_id + 1) {
                stats.record_error(format!("cannot save the telegram offset: {e}"));
                tracing::error!(error = %e, "cannot save the telegram offset; a restart may repeat updates");
            }
            if cancel.is_cancelled() {
                return;
            }
        }
    }
}

/// Record `err`, pick a delay and sleep; false when the loop should end (cancelled, or the
/// token was rejected).
async fn wait_after_error(
    stats: &ChannelStats,
    backoff: &mut ReconnectBackoff,
    err: &PluginError,
    cancel: &CancellationToken,
) -> bool {
    if matches!(err, PluginError::PermissionDenied(_)) {
        tracing::error!(error = %err, "telegram rejected the bot; giving up");
        stats.fail(err);
        return false;
    }
    let delay = match err {
        PluginError::Transient {
            retry_after_ms: Some(ms),
            ..
        } => Duration::from_millis(*ms).max(backoff.next_delay() / 4),
        _ => backoff.next_delay(),
    };
    tracing::warn!(error = %err, delay_ms = delay.as_millis() as u64, "telegram polling failed; retrying");
    wait_to_reconnect(stats, cancel, delay, &err.to_string()).await
}

async fn handle_update(
    shared: &Shared,
    sink: &Arc<dyn InboundSink>,
    me: &BotIdentity,
    update: &Value,
) {
    let Some(raw) = update.get("message") else {
        return;
    };
    let msg: Message = match serde_json::from_value(raw.clone()) {
        Ok(m) => m,
        Err(e) => {
            tracing::warn!(error = %e, "skipping a telegram message that does not parse");
            return;
        }
    };
    let Some((inbound, aliases)) = to_inbound(&msg, me) else {
        return;
    };
    let alias_refs: Vec<&str> = aliases.iter().map(String::as_str).collect();
    match shared.cfg.access.decide(&inbound, &alias_refs) {
        AccessDecision::Accept => {
            shared.stats.record_inbound();
            if let Err(e) = sink.deliver(inbound).await {
                shared
                    .stats
                    .record_error(format!("inbound sink refused a message: {e}"));
                tracing::error!(error = %e, "inbound sink refused a telegram message");
            }
        }
        AccessDecision::Ignore(reason) => {
            tracing::debug!(chat = %inbound.chat.id, sender = %inbound.sender.id, reason, "ignoring telegram message");
        }
        AccessDecision::Refuse(text) => {
            tracing::info!(sender = %inbound.sender.id, "refusing a telegram direct message from a sender not in allow_from");
            let body = json!({"chat_id": msg.chat.id, "text": text});
            if let Err(e) = shared.api.call("sendMessage", &body).await {
                tracing::warn!(error = %e, "cannot send the refusal");
            }
        }
    }
}
