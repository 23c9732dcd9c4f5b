//! The PluginHost owns every plugin-provided part (channels, tools, pipeline stages, memory
//! backends) and starts and stops channels concurrently, each under its own timeout, so one
//! slow or broken channel neither delays nor takes down the others.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use clawft_plugin::{
    ChannelAdapter, ChannelHealth, InboundSink, MemoryBackend, OutboundMessage, PipelineStage,
    PluginError, PluginResult, Tool,
};
use futures_util::future::join_all;
use serde::Serialize;

use crate::config::PluginHostConfig;
use crate::tool_registry::{RegistryError, ToolRegistry};

/// Lifecycle state of one plugin part.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "state", content = "error")]
pub enum PluginState {
    /// Registered, not started.
    Registered,
    /// `start` returned successfully.
    Running,
    /// `start` failed; the message is its error.
    Failed(String),
    /// Stopped.
    Stopped,
}

/// Status of one channel for `weft channels status`.
#[derive(Debug, Clone, Serialize)]
pub struct ChannelStatus {
    /// Channel name.
    pub name: String,
    /// Host-side lifecycle state.
    pub lifecycle: PluginState,
    /// The adapter's own health report.
    pub health: ChannelHealth,
    /// How long `start` took, in ms.
    pub start_ms: Option<u64>,
}

/// Holds plugins and runs their lifecycle.
pub struct PluginHost {
    channels: BTreeMap<String, Arc<dyn ChannelAdapter>>,
    stages: Vec<Arc<dyn PipelineStage>>,
    memory: BTreeMap<String, Arc<dyn MemoryBackend>>,
    tools: Arc<ToolRegistry>,
    states: Mutex<BTreeMap<String, (PluginState, Option<u64>)>>,
    config: PluginHostConfig,
}

impl PluginHost {
    /// A host registering tools into `tools`.
    pub fn new(tools: Arc<ToolRegistry>, config: PluginHostConfig) -> Self {
        Self {
            channels: BTreeMap::new(),
            stages: Vec::new(),
            memory: BTreeMap::new(),
            tools,
            states: Mutex::new(BTreeMap::new()),
            config,
        }
    }

    /// Add a channel. Names must be unique.
    pub fn add_channel(&mut self, channel: Arc<dyn ChannelAdapter>) -> Result<(), PluginError> {
        let name = channel.name().to_owned();
        if self.channels.contains_key(&name) {
            return Err(PluginError::InvalidArguments(format!(
                "channel `{name}` is registered twice"
            )));
        }
        self.set_state(&name, PluginState::Registered, None);
        self.channels.insert(name, channel);
        Ok(())
    }

    /// Add a tool to the shared registry.
    pub fn add_tool(&self, tool: Arc<dyn Tool>) -> Result<(), RegistryError> {
        self.tools.register(tool)
    }

    /// Add a pipeline stage (run after the built-in ones).
    pub fn add_stage(&mut self, stage: Arc<dyn PipelineStage>) {
        self.stages.push(stage);
    }

    /// Add a memory backend.
    pub fn add_memory(&mut self, backend: Arc<dyn MemoryBackend>) {
        self.memory.insert(backend.name().to_owned(), backend);
    }

    /// Plugin-provided pipeline stages, in registration order.
    pub fn stages(&self) -> &[Arc<dyn PipelineStage>] {
        &self.stages
    }

    /// A memory backend by name.
    pub fn memory(&self, name: &str) -> Option<&Arc<dyn MemoryBackend>> {
        self.memory.get(name)
    }

    /// The shared tool registry.
    pub fn tools(&self) -> &Arc<ToolRegistry> {
        &self.tools
    }

    /// Channel names.
    pub fn channel_names(&self) -> Vec<String> {
        self.channels.keys().cloned().collect()
    }

    fn set_state(&self, name: &str, state: PluginState, start_ms: Option<u64>) {
        let mut states = self.states.lock().unwrap_or_else(|p| p.into_inner());
        let entry = states
            .entry(name.to_owned())
            .or_insert((PluginState::Registered, None));
        entry.0 = state;
        if start_ms.is_some() {
            entry.1 = start_ms;
        }
    }

    /// Start every channel at once; each gets `start_timeout_secs`. Returns each outcome.
    pub async fn start_all(&self, inbound: Arc<dyn InboundSink>) -> Vec<(String, PluginState)> {
        let timeout = Duration::from_secs(self.config.start_timeout_secs);
        let starts = self.channels.iter().map(|(name, channel)| {
            let inbound = inbound.clone();
            async move {
                let began = Instant::now();
                let state = match tokio::time::timeout(timeout, channel.start(inbound)).await {
                    Ok(Ok(())) => PluginState::Running,
                    Ok(Err(err)) => PluginState::Failed(err.to_string()),
                    Err(_) => PluginState::Failed(format!(
                        "did not start within {} s (`plugins.start_timeout_secs`)",
                        timeout.as_secs()
                    )),
                };
                let ms = began.elapsed().as_millis() as u64;
                match &state {
                    PluginState::Failed(err) => {
                        tracing::error!(channel = %name, %err, "channel failed to start")
                    }
                    _ => tracing::info!(channel = %name, ms, "channel started"),
                }
                self.set_state(name, state.clone(), Some(ms));
                (name.clone(), state)
            }
        });
        join_all(starts).await
    }

    /// Stop every channel at once; each gets `stop_timeout_secs`.
    pub async fn stop_all(&self) -> Vec<(String, PluginResult<()>)> {
        let timeout = Duration::from_secs(self.config.stop_timeout_secs);
        let stops = self.channels.iter().map(|(name, channel)| async move {
            let result = match tokio::time::timeout(timeout, channel.stop()).await {
                Ok(r) => r,
                Err(_) => Err(PluginError::Timeout(timeout.as_millis() as u64)),
            };
            if let Err(err) = &result {
                tracing::warn!(channel = %name, %err, "channel did not stop cleanly");
            }
            self.set_state(name, PluginState::Stopped, None);
            (name.clone(), result)
        });
        join_all(stops).await
    }

    /// Publish the slash commands to every running channel's command menu (concurrently;
    /// failures are logged, not fatal).
    pub async fn register_commands(&self, commands: &[clawft_plugin::CommandSpec]) {
        let calls = self.channels.iter().map(|(name, channel)| async move {
            if let Err(err) = channel.register_commands(commands).await {
                tracing::warn!(channel = %name, %err, "could not publish slash commands");
            }
        });
        join_all(calls).await;
    }

    /// Deliver an outbound message through its channel.
    pub async fn send(&self, msg: &OutboundMessage) -> PluginResult<String> {
        match self.channels.get(&msg.channel) {
            Some(channel) => channel.send(msg).await,
            None => {
                let hint = crate::suggest::did_you_mean(
                    &msg.channel,
                    self.channels.keys().map(String::as_str),
                )
                .unwrap_or_default();
                Err(PluginError::NotFound(format!(
                    "no channel named `{}`{hint}",
                    msg.channel
                )))
            }
        }
    }

    /// Status of every channel.
    pub fn channel_status(&self) -> Vec<ChannelStatus> {
        let states = self.states.lock().unwrap_or_else(|p| p.into_inner());
        self.channels
            .iter()
            .map(|(name, channel)| {
                let (lifecycle, start_ms) = states
                    .get(name)
                    .cloned()
                    .unwrap_or((PluginState::Registered, None));
                ChannelStatus {
                    name: name.clone(),
                    lifecycle,
                    health: channel.health(),
                    start_ms,
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clawft_plugin::{ChannelCapabilities, ChannelState, InboundMessage, async_trait};

    struct Slow {
        name: String,
        delay: Duration,
        fail: bool,
    }

    #[async_trait]
    impl ChannelAdapter for Slow {
        fn name(&self) -> &str {
            &self.name
        }
        fn capabilities(&self) -> ChannelCapabilities {
            ChannelCapabilities::cli()
        }
        async fn start(&self, _inbound: Arc<dyn InboundSink>) -> PluginResult<()> {
            tokio::time::sleep(self.delay).await;
            if self.fail {
                Err(PluginError::other("bad token"))
            } else {
                Ok(())
            }
        }
        async fn stop(&self) -> PluginResult<()> {
            tokio::time::sleep(self.delay).await;
            Ok(())
        }
        async fn send(&self, msg: &OutboundMessage) -> PluginResult<String> {
            Ok(format!("{}:{}", self.name, msg.content.text))
        }
        fn health(&self) -> ChannelHealth {
            ChannelHealth {
                state: ChannelState::Connected,
                ..Default::default()
            }
        }
    }

    struct NullSink;
    #[async_trait]
    impl InboundSink for NullSink {
        async fn deliver(&self, _msg: InboundMessage) -> PluginResult<()> {
            Ok(())
        }
    }

    fn host(channels: Vec<Slow>, config: PluginHostConfig) -> PluginHost {
        let mut host = PluginHost::new(Arc::new(ToolRegistry::new()), config);
        for c in channels {
            host.add_channel(Arc::new(c)).unwrap();
        }
        host
    }

    #[tokio::test]
    async fn start_and_stop_run_concurrently() {
        let delay = Duration::from_millis(300);
        let h = host(
            (0..3)
                .map(|i| Slow {
                    name: format!("c{i}"),
                    delay,
                    fail: false,
                })
                .collect(),
            PluginHostConfig::default(),
        );
        let began = Instant::now();
        let started = h.start_all(Arc::new(NullSink)).await;
        let took = began.elapsed();
        assert!(started.iter().all(|(_, s)| *s == PluginState::Running));
        // Sequential would be 900 ms; allow generous scheduling slack but well under 2x.
        assert!(
            took < Duration::from_millis(600),
            "start_all took {took:?}; it must be concurrent"
        );
        let began = Instant::now();
        h.stop_all().await;
        assert!(
            began.elapsed() < Duration::from_millis(600),
            "stop_all must be concurrent"
        );
    }

    #[tokio::test]
    async fn a_failing_or_hanging_channel_does_not_block_the_others() {
        let h = host(
            vec![
                Slow {
                    name: "ok".into(),
                    delay: Duration::ZERO,
                    fail: false,
                },
                Slow {
                    name: "broken".into(),
                    delay: Duration::ZERO,
                    fail: true,
                },
                Slow {
                    name: "hang".into(),
                    delay: Duration::from_secs(3600),
                    fail: false,
                },
            ],
            PluginHostConfig {
                start_timeout_secs: 1,
                stop_timeout_secs: 1,
            },
        );
        let began = Instant::now();
        let started: BTreeMap<_, _> = h.start_all(Arc::new(NullSink)).await.into_iter().collect();
        assert!(began.elapsed() < Duration::from_secs(3));
        assert_eq!(started["ok"], PluginState::Running);
        assert_eq!(started["broken"], PluginState::Failed("bad token".into()));
        assert!(
            matches!(&started["hang"], PluginState::Failed(m) if m.contains("start_timeout_secs"))
        );
        let status = h.channel_status();
        assert_eq!(status.len(), 3);
        assert!(status.iter().all(|s| s.start_ms.is_some()));
    }

    #[tokio::test]
    async fn send_routes_by_channel_name_with_a_hint() {
        let h = host(
            vec![Slow {
                name: "telegram".into(),
                delay: Duration::ZERO,
                fail: false,
            }],
            PluginHostConfig::default(),
        );
        let id = h
            .send(&OutboundMessage::new("telegram", "1", "hi"))
            .await
            .unwrap();
        assert_eq!(id, "telegram:hi");
        let err = h
            .send(&OutboundMessage::new("telegran", "1", "hi"))
            .await
            .unwrap_err()
            .to_string();
        assert!(err.contains("did you mean `telegram`"), "{err}");
    }
}
