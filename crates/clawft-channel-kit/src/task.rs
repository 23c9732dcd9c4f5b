//! The one background task a channel runs (a long-poll loop, a websocket session) and
//! its orderly stop.

use std::future::Future;
use std::sync::Mutex;
use std::time::Duration;

use clawft_plugin::ChannelState;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::stats::ChannelStats;

/// How long [`ChannelTask::stop`] waits for the task to notice its cancellation.
pub const STOP_TIMEOUT: Duration = Duration::from_secs(10);

/// A channel's background task: started once, cancelled and awaited on stop.
///
/// `start` on an adapter that is already running is a no-op, so a host retrying a start
/// never runs two poll loops against one bot token.
#[derive(Debug, Default)]
pub struct ChannelTask {
    running: Mutex<Option<(CancellationToken, JoinHandle<()>)>>,
}

impl ChannelTask {
    /// A task slot with nothing running.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether a task has been started and not stopped.
    pub fn is_running(&self) -> bool {
        self.running.lock().map_or(true, |slot| {
            slot.as_ref().is_some_and(|(_, h)| !h.is_finished())
        })
    }

    /// Spawn `run(cancel)` unless a task is already running; returns whether it spawned.
    /// The future must return soon after `cancel` fires.
    pub fn spawn<F>(&self, run: impl FnOnce(CancellationToken) -> F) -> bool
    where
        F: Future<Output = ()> + Send + 'static,
    {
        let Ok(mut slot) = self.running.lock() else {
            return false;
        };
        if slot.as_ref().is_some_and(|(_, h)| !h.is_finished()) {
            return false;
        }
        let cancel = CancellationToken::new();
        let handle = tokio::spawn(run(cancel.clone()));
        *slot = Some((cancel, handle));
        true
    }

    /// Cancel the task, wait up to [`STOP_TIMEOUT`] for it to end, and mark the channel
    /// stopped (a channel that failed keeps its `failed` state for `weft channels status`).
    pub async fn stop(&self, channel: &str, stats: &ChannelStats) {
        let running = self.running.lock().ok().and_then(|mut slot| slot.take());
        if let Some((cancel, handle)) = running {
            cancel.cancel();
            if tokio::time::timeout(STOP_TIMEOUT, handle).await.is_err() {
                tracing::warn!(
                    "{channel}: background task did not stop within {} s",
                    STOP_TIMEOUT.as_secs()
                );
            }
        }
        if stats.state() != ChannelState::Failed {
            stats.set_state(ChannelState::Stopped);
        }
    }
}

/// Record `why`, mark the channel reconnecting and wait `delay` before the next attempt.
/// Returns false when `cancel` fires first: the caller's loop should end.
pub async fn wait_to_reconnect(
    stats: &ChannelStats,
    cancel: &CancellationToken,
    delay: Duration,
    why: &str,
) -> bool {
    stats.record_error(why);
    stats.set_state(ChannelState::Reconnecting);
    if delay.is_zero() {
        return !cancel.is_cancelled();
    }
    tokio::select! {
        () = cancel.cancelled() => false,
        () = tokio::time::sleep(delay) => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn spawns_once_and_stops_on_cancel() {
        let task = ChannelTask::new();
        let stats = ChannelStats::new();
        assert!(task.spawn(|cancel| async move { cancel.cancelled().await }));
        assert!(task.is_running());
        assert!(!task.spawn(|_| async {}), "a second start is a no-op");
        task.stop("test", &stats).await;
        assert!(!task.is_running());
        assert_eq!(stats.state(), ChannelState::Stopped);
        assert!(task.spawn(|_| async {}), "can start again after a stop");
    }

    #[tokio::test(start_paused = true)]
    async fn waiting_to_reconnect_ends_early_on_cancel() {
        let stats = ChannelStats::new();
        let cancel = CancellationToken::new();
        assert!(wait_to_reconnect(&stats, &cancel, Duration::from_secs(5), "dropped").await);
        assert_eq!(stats.state(), ChannelState::Reconnecting);
        cancel.cancel();
        assert!(!wait_to_reconnect(&stats, &cancel, Duration::from_secs(3600), "dropped").await);
        assert!(!wait_to_reconnect(&stats, &cancel, Duration::ZERO, "dropped").await);
    }

    #[tokio::test]
    async fn a_failed_channel_stays_failed_after_stop() {
        let task = ChannelTask::new();
        let stats = ChannelStats::new();
        stats.fail("bad token");
        task.stop("test", &stats).await;
        assert_eq!(stats.state(), ChannelState::Failed);
    }
}
