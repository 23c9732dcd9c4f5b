//! The message bus: inbound messages are queued per chat (`channel:chat_id`) and handled one
//! at a time per chat, concurrently across chats; outbound messages go to one stream the
//! gateway routes to channel adapters.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use clawft_plugin::{
    InboundMessage, InboundSink, MessageSink, OutboundMessage, PluginError, PluginResult,
};
use tokio::sync::mpsc;

/// Default queued messages per chat before senders wait.
pub const DEFAULT_QUEUE_DEPTH: usize = 64;
/// Default idle time after which a chat's worker task exits, in seconds.
pub const DEFAULT_IDLE_WORKER_SECS: u64 = 300;
/// Default capacity of the outbound stream.
pub const DEFAULT_OUTBOUND_DEPTH: usize = 256;

/// Bus limits.
#[derive(Debug, Clone, Copy)]
pub struct BusLimits {
    /// Messages queued per chat. Default [`DEFAULT_QUEUE_DEPTH`]; senders wait when full.
    pub queue_depth: usize,
    /// Idle seconds before a chat's worker exits. Default [`DEFAULT_IDLE_WORKER_SECS`].
    pub idle_worker: Duration,
    /// Outbound stream capacity. Default [`DEFAULT_OUTBOUND_DEPTH`].
    pub outbound_depth: usize,
}

impl Default for BusLimits {
    fn default() -> Self {
        Self {
            queue_depth: DEFAULT_QUEUE_DEPTH,
            idle_worker: Duration::from_secs(DEFAULT_IDLE_WORKER_SECS),
            outbound_depth: DEFAULT_OUTBOUND_DEPTH,
        }
    }
}

/// Processes inbound messages (the agent, wrapped by the gateway).
#[async_trait]
pub trait InboundHandler: Send + Sync {
    /// Handle one message; called sequentially per chat.
    async fn handle(&self, msg: InboundMessage);
}

/// The bus interface channels and tools talk to.
#[async_trait]
pub trait MessageBus: Send + Sync {
    /// Queue an inbound message on its chat's queue.
    async fn publish_inbound(&self, msg: InboundMessage) -> PluginResult<()>;
    /// Queue an outbound message for delivery.
    async fn publish_outbound(&self, msg: OutboundMessage) -> PluginResult<()>;
}

/// The in-process bus; cheap to clone (a handle).
#[derive(Clone)]
pub struct LocalBus {
    inner: Arc<BusInner>,
}

struct BusInner {
    queues: Mutex<HashMap<String, mpsc::Sender<InboundMessage>>>,
    handler: Arc<dyn InboundHandler>,
    outbound: mpsc::Sender<OutboundMessage>,
    limits: BusLimits,
}

impl LocalBus {
    /// A bus delivering inbound messages to `handler`; returns the outbound receiver.
    pub fn new(
        handler: Arc<dyn InboundHandler>,
        limits: BusLimits,
    ) -> (Self, mpsc::Receiver<OutboundMessage>) {
        let (tx, rx) = mpsc::channel(limits.outbound_depth.max(1));
        let inner = Arc::new(BusInner {
            queues: Mutex::new(HashMap::new()),
            handler,
            outbound: tx,
            limits,
        });
        (Self { inner }, rx)
    }

    /// Number of chats with a live worker.
    pub fn active_chats(&self) -> usize {
        self.inner.queues.lock().map(|q| q.len()).unwrap_or(0)
    }
}

impl BusInner {
    fn sender_for(self: &Arc<Self>, key: &str) -> mpsc::Sender<InboundMessage> {
        let mut queues = self.queues.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(tx) = queues.get(key).filter(|tx| !tx.is_closed()) {
            return tx.clone();
        }
        let (tx, rx) = mpsc::channel(self.limits.queue_depth.max(1));
        queues.insert(key.to_owned(), tx.clone());
        tokio::spawn(Arc::clone(self).worker(key.to_owned(), rx));
        tx
    }

    async fn worker(self: Arc<Self>, key: String, mut rx: mpsc::Receiver<InboundMessage>) {
        loop {
            match tokio::time::timeout(self.limits.idle_worker, rx.recv()).await {
                Ok(Some(msg)) => self.handler.handle(msg).await,
                Ok(None) => return,
                Err(_) => {
                    // Retire only if nothing arrived meanwhile; holding the map lock keeps
                    // senders from picking this queue while we decide.
                    let mut queues = self.queues.lock().unwrap_or_else(|p| p.into_inner());
                    match rx.try_recv() {
                        Ok(msg) => {
                            drop(queues);
                            self.handler.handle(msg).await;
                        }
                        Err(_) => {
                            queues.remove(&key);
                            return;
                        }
                    }
                }
            }
        }
    }
}

#[async_trait]
impl MessageBus for LocalBus {
    async fn publish_inbound(&self, msg: InboundMessage) -> PluginResult<()> {
        let key = msg.session_key();
        let mut msg = msg;
        // A worker that just retired closes its queue; one retry gets a fresh worker.
        for _ in 0..2 {
            match self.inner.sender_for(&key).send(msg).await {
                Ok(()) => return Ok(()),
                Err(mpsc::error::SendError(back)) => msg = back,
            }
        }
        Err(PluginError::other(format!(
            "could not queue message for `{key}`"
        )))
    }

    async fn publish_outbound(&self, msg: OutboundMessage) -> PluginResult<()> {
        self.inner
            .outbound
            .send(msg)
            .await
            .map_err(|_| PluginError::other("the outbound router has stopped"))
    }
}

#[async_trait]
impl InboundSink for LocalBus {
    async fn deliver(&self, msg: InboundMessage) -> PluginResult<()> {
        self.publish_inbound(msg).await
    }
}

#[async_trait]
impl MessageSink for LocalBus {
    async fn send(&self, msg: OutboundMessage) -> PluginResult<()> {
        self.publish_outbound(msg).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// Records the order of messages and the highest concurrency seen per chat and overall.
    struct Recorder {
        log: Mutex<Vec<String>>,
        running: AtomicUsize,
        peak: AtomicUsize,
    }

    #[async_trait]
    impl InboundHandler for Recorder {
        async fn handle(&self, msg: InboundMessage) {
            let now = self.running.fetch_add(1, Ordering::SeqCst) + 1;
            self.peak.fetch_max(now, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(20)).await;
            self.log
                .lock()
                .unwrap()
                .push(format!("{}:{}", msg.chat.id, msg.content.text));
            self.running.fetch_sub(1, Ordering::SeqCst);
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn per_chat_order_is_kept_and_chats_run_concurrently() {
        let rec = Arc::new(Recorder {
            log: Mutex::new(vec![]),
            running: AtomicUsize::new(0),
            peak: AtomicUsize::new(0),
        });
        let (bus, _out) = LocalBus::new(rec.clone(), BusLimits::default());
        for i in 0..5 {
            for chat in ["a", "b"] {
                bus.publish_inbound(InboundMessage::text("t", chat, "u", &i.to_string()))
                    .await
                    .unwrap();
            }
        }
        for _ in 0..200 {
            if rec.log.lock().unwrap().len() == 10 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let log = rec.log.lock().unwrap().clone();
        for chat in ["a", "b"] {
            let seen: Vec<&str> = log
                .iter()
                .filter_map(|l| l.strip_prefix(&format!("{chat}:")))
                .collect();
            assert_eq!(seen, ["0", "1", "2", "3", "4"], "order for chat {chat}");
        }
        assert_eq!(
            rec.peak.load(Ordering::SeqCst),
            2,
            "two chats should run side by side, one message each"
        );
    }

    #[tokio::test]
    async fn idle_workers_retire_and_come_back() {
        let rec = Arc::new(Recorder {
            log: Mutex::new(vec![]),
            running: AtomicUsize::new(0),
            peak: AtomicUsize::new(0),
        });
        let limits = BusLimits {
            idle_worker: Duration::from_millis(30),
            ..Default::default()
        };
        let (bus, _out) = LocalBus::new(rec.clone(), limits);
        bus.publish_inbound(InboundMessage::text("t", "a", "u", "1"))
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_millis(150)).await;
        assert_eq!(bus.active_chats(), 0);
        bus.publish_inbound(InboundMessage::text("t", "a", "u", "2"))
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_millis(60)).await;
        assert_eq!(rec.log.lock().unwrap().as_slice(), ["a:1", "a:2"]);
    }

    #[tokio::test]
    async fn outbound_reaches_the_receiver() {
        let rec = Arc::new(Recorder {
            log: Mutex::new(vec![]),
            running: AtomicUsize::new(0),
            peak: AtomicUsize::new(0),
        });
        let (bus, mut out) = LocalBus::new(rec, BusLimits::default());
        MessageSink::send(&bus, OutboundMessage::new("t", "c", "hi"))
            .await
            .unwrap();
        assert_eq!(out.recv().await.unwrap().content.text, "hi");
    }
}
