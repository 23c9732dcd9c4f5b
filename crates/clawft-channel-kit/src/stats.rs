//! Health counters shared by a channel's tasks, read by `weft channels status`.

use std::sync::{Mutex, MutexGuard};
use std::time::{SystemTime, UNIX_EPOCH};

use clawft_plugin::{ChannelHealth, ChannelState};

/// Unix time in milliseconds (0 if the clock is before 1970).
pub fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// A channel's state, last error, last message times and counts.
#[derive(Debug, Default)]
pub struct ChannelStats {
    inner: Mutex<ChannelHealth>,
}

impl ChannelStats {
    /// Fresh stats in state [`ChannelState::Stopped`].
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> MutexGuard<'_, ChannelHealth> {
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Set the connection state. Entering `Connected` keeps `last_error` for the record.
    pub fn set_state(&self, state: ChannelState) {
        self.lock().state = state;
    }

    /// The current state.
    pub fn state(&self) -> ChannelState {
        self.lock().state
    }

    /// Remember an error (shown as `last_error`).
    pub fn record_error(&self, error: impl std::fmt::Display) {
        self.lock().last_error = Some(error.to_string());
    }

    /// Mark the channel failed with `error`.
    pub fn fail(&self, error: impl std::fmt::Display) {
        let mut h = self.lock();
        h.state = ChannelState::Failed;
        h.last_error = Some(error.to_string());
    }

    /// Count one received message.
    pub fn record_inbound(&self) {
        let mut h = self.lock();
        h.messages_in += 1;
        h.last_inbound_ms = Some(now_ms());
    }

    /// Count `n` sent messages.
    pub fn record_outbound(&self, n: u64) {
        let mut h = self.lock();
        h.messages_out += n;
        h.last_outbound_ms = Some(now_ms());
    }

    /// A snapshot for [`clawft_plugin::ChannelAdapter::health`].
    pub fn health(&self) -> ChannelHealth {
        self.lock().clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_state_end_up_in_health() {
        let s = ChannelStats::new();
        assert_eq!(s.health(), ChannelHealth::default());
        s.set_state(ChannelState::Connected);
        s.record_inbound();
        s.record_inbound();
        s.record_outbound(3);
        s.record_error("socket closed");
        let h = s.health();
        assert_eq!(h.state, ChannelState::Connected);
        assert_eq!((h.messages_in, h.messages_out), (2, 3));
        assert!(h.last_inbound_ms.is_some_and(|t| t > 1_600_000_000_000));
        assert!(h.last_outbound_ms.is_some());
        assert_eq!(h.last_error.as_deref(), Some("socket closed"));
        s.fail("bad token");
        assert_eq!(s.state(), ChannelState::Failed);
        assert_eq!(s.health().last_error.as_deref(), Some("bad token"));
    }
}
