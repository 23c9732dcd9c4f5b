//! Live updates: `notifications/{tools,prompts,resources}/list_changed` to every connected
//! client when the skill registry changes (hot reload) or the tool registry's version moves.
//!
//! The skill registry's `on_change` callback feeds a broadcast channel; each session also
//! polls the tool registry's version every [`McpLimits::tool_poll_ms`](crate::settings::McpLimits::tool_poll_ms).
//! How a notification travels depends on the protocol the session negotiated:
//!
//! * up to `2025-11-25` (an `initialize` handshake): `spawn_session_forwarder` sends plain
//!   notifications through the session's peer until its transport closes;
//! * `2026-07-28` (stateless, no sessions): the client opens `subscriptions/listen`, and
//!   `listen` sends on that stream until the client cancels it.

use std::sync::Arc;
use std::time::Duration;

use clawft_core::ToolRegistry;
use rmcp::RoleServer;
use rmcp::service::{Peer, SubscriptionContext};
use tokio::sync::broadcast::{self, error::RecvError};
use tokio::time::{Interval, MissedTickBehavior};

use crate::server::Shared;

/// What changed, as sent on the server's change channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// The skill registry swapped its snapshot: tools, prompts and resources may differ.
    Skills,
    /// The tool set changed.
    Tools,
}

/// Which lists to announce.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Lists {
    /// `notifications/tools/list_changed`.
    pub tools: bool,
    /// `notifications/prompts/list_changed`.
    pub prompts: bool,
    /// `notifications/resources/list_changed`.
    pub resources: bool,
}

impl Lists {
    const ALL: Self = Self {
        tools: true,
        prompts: true,
        resources: true,
    };
    const TOOLS: Self = Self {
        tools: true,
        prompts: false,
        resources: false,
    };

    fn any(self) -> bool {
        self.tools || self.prompts || self.resources
    }
}

/// One session's view of the change sources.
struct Watcher {
    rx: broadcast::Receiver<Change>,
    tools: Arc<ToolRegistry>,
    tool_version: u64,
    tick: Interval,
}

impl Watcher {
    fn new(shared: &Shared) -> Self {
        let period = Duration::from_millis(shared.limits.tool_poll_ms.max(10));
        let mut tick = tokio::time::interval(period);
        tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
        Self {
            rx: shared.changes.subscribe(),
            tools: Arc::clone(&shared.tools),
            tool_version: shared.tools.snapshot().version(),
            tick,
        }
    }

    /// Waits for a change or the next poll tick. Returns the lists to announce (none on a
    /// quiet tick, so the caller can check its session), or `None` once the server is gone.
    async fn next(&mut self) -> Option<Lists> {
        tokio::select! {
            received = self.rx.recv() => match received {
                Ok(Change::Skills) | Err(RecvError::Lagged(_)) => {
                    self.tool_version = self.tools.snapshot().version();
                    Some(Lists::ALL)
                }
                Ok(Change::Tools) => {
                    self.tool_version = self.tools.snapshot().version();
                    Some(Lists::TOOLS)
                }
                Err(RecvError::Closed) => None,
            },
            _ = self.tick.tick() => {
                let version = self.tools.snapshot().version();
                if version == self.tool_version {
                    Some(Lists::default())
                } else {
                    self.tool_version = version;
                    Some(Lists::TOOLS)
                }
            }
        }
    }
}

/// For a session with an `initialize` handshake: forwards changes as notifications through
/// `peer` until its transport closes.
pub(crate) fn spawn_session_forwarder(shared: Arc<Shared>, peer: Peer<RoleServer>) {
    let mut watcher = Watcher::new(&shared);
    drop(shared);
    tokio::spawn(async move {
        while let Some(lists) = watcher.next().await {
            if peer.is_transport_closed() {
                break;
            }
            if !lists.any() {
                continue;
            }
            tracing::debug!(?lists, "announcing list changes to a session");
            let sent = async {
                if lists.tools {
                    peer.notify_tool_list_changed().await?;
                }
                if lists.prompts {
                    peer.notify_prompt_list_changed().await?;
                }
                if lists.resources {
                    peer.notify_resource_list_changed().await?;
                }
                Ok::<_, rmcp::service::ServiceError>(())
            };
            if let Err(err) = sent.await {
                tracing::debug!(%err, "session gone; no more list_changed for it");
                break;
            }
        }
    });
}

/// For a `2026-07-28` client: sends changes on its `subscriptions/listen` stream until the
/// client cancels it or the server goes away.
pub(crate) async fn listen(shared: Arc<Shared>, context: SubscriptionContext) {
    let mut watcher = Watcher::new(&shared);
    drop(shared);
    let sink = context.sink().clone();
    let accepted = sink.accepted().clone();
    let wants = |flag: Option<bool>| flag == Some(true);
    let run = async {
        while let Some(lists) = watcher.next().await {
            if !lists.any() {
                continue;
            }
            tracing::debug!(?lists, "announcing list changes on a subscription");
            let sent = async {
                if lists.tools && wants(accepted.tools_list_changed) {
                    sink.notify_tool_list_changed().await?;
                }
                if lists.prompts && wants(accepted.prompts_list_changed) {
                    sink.notify_prompt_list_changed().await?;
                }
                if lists.resources && wants(accepted.resources_list_changed) {
                    sink.notify_resource_list_changed().await?;
                }
                Ok::<_, rmcp::service::SubscriptionSendError>(())
            };
            if let Err(err) = sent.await {
                tracing::debug!(%err, "subscription closed");
                return;
            }
        }
    };
    tokio::select! {
        () = run => {}
        () = context.cancelled() => {}
    }
}
