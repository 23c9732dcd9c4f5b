//! The [`ChannelAdapter`] trait: a chat platform behind one interface.

use std::sync::Arc;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::capabilities::ChannelCapabilities;
use crate::command::CommandSpec;
use crate::error::{PluginError, PluginResult};
use crate::message::{InboundMessage, MessageRef, OutboundMessage};

/// Where a channel delivers what it receives (the host's message bus).
#[async_trait]
pub trait InboundSink: Send + Sync {
    /// Hand one received message to the agent. Returns once it is queued.
    async fn deliver(&self, msg: InboundMessage) -> PluginResult<()>;
}

/// Connection state of a channel, for `weft channels status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ChannelState {
    /// Not started.
    #[default]
    Stopped,
    /// Starting up or connecting for the first time.
    Connecting,
    /// Connected and receiving.
    Connected,
    /// Lost the connection and trying again.
    Reconnecting,
    /// Gave up; see `last_error`.
    Failed,
    /// Configured but disabled.
    Disabled,
}

/// A snapshot of a channel's health.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ChannelHealth {
    /// Current state.
    pub state: ChannelState,
    /// The most recent error, if any.
    pub last_error: Option<String>,
    /// Unix ms of the last inbound message.
    pub last_inbound_ms: Option<u64>,
    /// Unix ms of the last outbound message.
    pub last_outbound_ms: Option<u64>,
    /// Messages received since start.
    pub messages_in: u64,
    /// Messages sent since start.
    pub messages_out: u64,
}

/// A chat platform.
///
/// The host calls [`start`](Self::start) once; the adapter connects, spawns whatever tasks it
/// needs on the host's runtime, and returns. Received messages go to the [`InboundSink`].
/// [`stop`](Self::stop) disconnects and must be safe to call more than once.
#[async_trait]
pub trait ChannelAdapter: Send + Sync {
    /// Channel name, unique in a gateway (`telegram`, `slack`, ...).
    fn name(&self) -> &str;

    /// What the platform supports.
    fn capabilities(&self) -> ChannelCapabilities;

    /// Connect and begin delivering inbound messages to `inbound`.
    async fn start(&self, inbound: Arc<dyn InboundSink>) -> PluginResult<()>;

    /// Disconnect and stop background tasks.
    async fn stop(&self) -> PluginResult<()>;

    /// Send a message; returns the platform id of the (last) message sent.
    async fn send(&self, msg: &OutboundMessage) -> PluginResult<String>;

    /// React to a message. Channels without reactions keep the default.
    async fn react(&self, chat_id: &str, target: &MessageRef, emoji: &str) -> PluginResult<()> {
        let _ = (chat_id, target, emoji);
        Err(PluginError::Unsupported(format!(
            "channel `{}` has no reactions",
            self.name()
        )))
    }

    /// Publish the slash commands to the platform's command menu (Telegram
    /// `setMyCommands`, Slack/Discord application commands). Called after `start` and
    /// whenever the set changes; platforms without a menu keep the default.
    async fn register_commands(&self, commands: &[CommandSpec]) -> PluginResult<()> {
        let _ = commands;
        Ok(())
    }

    /// Current health.
    fn health(&self) -> ChannelHealth;
}
