//! Runtime overhead of one agent turn, without the LLM: inbound message → bus (per-chat
//! queue) → pipeline → provider (in-process, answers at once) → session append → outbound.
//!
//! Run with `cargo bench -p clawft-core`. Two session stores are measured: the real JSONL
//! store (append + fsync per step, so disk latency shows) and an in-memory store (pure
//! runtime overhead).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use clawft_core::bus::{BusLimits, InboundHandler, LocalBus, MessageBus};
use clawft_core::config::AgentSettings;
use clawft_core::pipeline::{BaseInstructions, Pipeline};
use clawft_core::provider::{Completion, CompletionRequest, DeltaSink, LlmProvider, ProviderError};
use clawft_core::session::{SessionError, SessionRecord, SessionStore};
use clawft_core::{Agent, AgentParts, JsonlSessionStore, ToolRegistry};
use clawft_plugin::{InboundMessage, OutboundMessage, async_trait};
use tokio::sync::mpsc;

const TURNS: usize = 2_000;
const CHATS: usize = 20;

struct InstantLlm;

#[async_trait]
impl LlmProvider for InstantLlm {
    fn name(&self) -> &str {
        "instant"
    }
    async fn complete(&self, _req: &CompletionRequest) -> Result<Completion, ProviderError> {
        Ok(Completion {
            content: "ok".into(),
            ..Default::default()
        })
    }
    async fn stream(
        &self,
        req: &CompletionRequest,
        _on: DeltaSink<'_>,
    ) -> Result<Completion, ProviderError> {
        self.complete(req).await
    }
}

#[derive(Default)]
struct MemoryStore(Mutex<HashMap<String, Vec<SessionRecord>>>);

#[async_trait]
impl SessionStore for MemoryStore {
    async fn append(&self, key: &str, records: &[SessionRecord]) -> Result<(), SessionError> {
        self.0
            .lock()
            .unwrap()
            .entry(key.to_owned())
            .or_default()
            .extend_from_slice(records);
        Ok(())
    }
    async fn load(&self, key: &str) -> Result<Vec<SessionRecord>, SessionError> {
        Ok(self.0.lock().unwrap().get(key).cloned().unwrap_or_default())
    }
    async fn clear(&self, key: &str) -> Result<bool, SessionError> {
        Ok(self.0.lock().unwrap().remove(key).is_some())
    }
    async fn list(&self) -> Result<Vec<String>, SessionError> {
        Ok(self.0.lock().unwrap().keys().cloned().collect())
    }
}

struct Handler {
    agent: Agent,
    bus: std::sync::OnceLock<LocalBus>,
}

#[async_trait]
impl InboundHandler for Handler {
    async fn handle(&self, msg: InboundMessage) {
        let outcome = self.agent.run_turn(&msg, None).await.expect("turn");
        let bus = self.bus.get().expect("bus set");
        bus.publish_outbound(OutboundMessage::reply_to(&msg, outcome.reply))
            .await
            .expect("outbound");
    }
}

async fn run(label: &str, sessions: Arc<dyn SessionStore>, dir: &std::path::Path) {
    let mut pipeline = Pipeline::new();
    pipeline.push(Arc::new(BaseInstructions::new(None)));
    let agent = Agent::new(AgentParts {
        provider: Arc::new(InstantLlm),
        model: "instant".into(),
        tools: Arc::new(ToolRegistry::new()),
        sessions,
        pipeline,
        settings: AgentSettings {
            max_history_messages: 20,
            ..Default::default()
        },
        workspace: dir.to_owned(),
        messages: None,
    });
    let handler = Arc::new(Handler {
        agent,
        bus: std::sync::OnceLock::new(),
    });
    let (bus, mut out): (LocalBus, mpsc::Receiver<OutboundMessage>) =
        LocalBus::new(handler.clone(), BusLimits::default());
    let _ = handler.bus.set(bus.clone());

    // Latency: one message at a time.
    let mut latencies = Vec::with_capacity(TURNS / 4);
    for i in 0..TURNS / 4 {
        let began = Instant::now();
        bus.publish_inbound(InboundMessage::text("bench", "lat", "u", &format!("m{i}")))
            .await
            .unwrap();
        out.recv().await.unwrap();
        latencies.push(began.elapsed());
    }
    latencies.sort();
    let q = |p: f64| latencies[((latencies.len() - 1) as f64 * p) as usize];

    // Throughput: many chats at once.
    // Publish from another task: bounded queues push back, so draining must run alongside.
    let began = Instant::now();
    let publisher = bus.clone();
    tokio::spawn(async move {
        for i in 0..TURNS {
            publisher
                .publish_inbound(InboundMessage::text(
                    "bench",
                    &format!("c{}", i % CHATS),
                    "u",
                    "hi",
                ))
                .await
                .unwrap();
        }
    });
    for _ in 0..TURNS {
        out.recv().await.unwrap();
    }
    let rate = TURNS as f64 / began.elapsed().as_secs_f64();
    println!(
        "{label:<28} per turn: p50 {:>8.3} ms  p99 {:>8.3} ms  max {:>8.3} ms | {:>8.0} turns/s over {CHATS} chats",
        ms(q(0.5)),
        ms(q(0.99)),
        ms(latencies[latencies.len() - 1]),
        rate
    );
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        println!("agent turn overhead (bus → pipeline → instant LLM → session → outbound), history window 20");
        let dir = tempfile::tempdir().expect("tempdir");
        run("in-memory sessions", Arc::new(MemoryStore::default()), dir.path()).await;
        run("JSONL sessions (fsync)", Arc::new(JsonlSessionStore::new(dir.path().join("s"))), dir.path()).await;
        println!("target: runtime overhead < 1 ms p99 per turn, excluding the LLM (in-memory row)");
    });
}
