//! Test helpers for channel authors (feature `testing`): an [`InboundSink`] that records
//! what the adapter delivers, so a test can drive a fake platform and assert on the
//! messages that would reach the agent.

use std::sync::Mutex;
use std::time::Duration;

use clawft_plugin::{InboundMessage, InboundSink, PluginResult, async_trait};

/// How long [`RecordingSink::wait_for`] waits at most.
pub const WAIT_LIMIT: Duration = Duration::from_secs(10);

/// An inbound sink that keeps every message it is given, in order.
#[derive(Debug, Default)]
pub struct RecordingSink {
    messages: Mutex<Vec<InboundMessage>>,
}

#[async_trait]
impl InboundSink for RecordingSink {
    async fn deliver(&self, msg: InboundMessage) -> PluginResult<()> {
        self.lock().push(msg);
        Ok(())
    }
}

impl RecordingSink {
    /// A sink with nothing recorded.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<InboundMessage>> {
        // A panicking test thread must not hide what was recorded from the others.
        self.messages.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The messages so far.
    pub fn snapshot(&self) -> Vec<InboundMessage> {
        self.lock().clone()
    }

    /// The text of each message so far.
    pub fn texts(&self) -> Vec<String> {
        self.lock().iter().map(|m| m.content.text.clone()).collect()
    }

    /// Wait until at least `n` messages arrived (or [`WAIT_LIMIT`] passed) and return
    /// them; the caller asserts on the count.
    pub async fn wait_for(&self, n: usize) -> Vec<InboundMessage> {
        let deadline = tokio::time::Instant::now() + WAIT_LIMIT;
        loop {
            let got = self.snapshot();
            if got.len() >= n || tokio::time::Instant::now() >= deadline {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}
