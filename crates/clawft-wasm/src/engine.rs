//! [`WasmHost`]: the wasmtime engine, the linker every plugin is linked against, the
//! compile cache and the one epoch ticker.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc;
use std::thread::JoinHandle;

use wasmtime::component::{Component, Linker};
use wasmtime::{Config, Engine, InstanceAllocationStrategy, PoolingAllocationConfig};

use crate::cache::{self, CacheOutcome};
use crate::config::WasmConfig;
use crate::error::WasmError;
use crate::limits::{EPOCH_TICK, WasmLimits};
use crate::state::StoreState;
use crate::v0_1;

/// Concurrent plugin calls the pooling allocator (when enabled) has slots for.
const POOL_SLOTS: u32 = 64;

/// The WASM plugin host. Cheap to clone; every clone shares one engine, one linker and
/// one epoch ticker thread, which stops when the last clone (and every tool loaded
/// through it) is dropped.
#[derive(Clone)]
pub struct WasmHost {
    pub(crate) inner: Arc<HostInner>,
}

impl std::fmt::Debug for WasmHost {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WasmHost")
            .field("limits", &self.inner.limits)
            .field("cache_dir", &self.inner.cache_dir)
            .field("pooling", &self.inner.pooling)
            .finish()
    }
}

pub(crate) struct HostInner {
    pub(crate) engine: Engine,
    pub(crate) linker: Linker<StoreState>,
    pub(crate) limits: WasmLimits,
    pub(crate) cache_dir: Option<PathBuf>,
    pooling: bool,
    // Declared last so the engine and linker outlive nothing that needs the ticker.
    _ticker: EpochTicker,
}

impl WasmHost {
    /// A host with `config`'s limits, cache directory and allocator.
    ///
    /// Defaults (from [`WasmConfig::default`]): [`WasmLimits::default`], no disk cache,
    /// on-demand allocation. Plugins get no filesystem, network, environment or processes
    /// unless their manifest asks (and the caller's [`crate::PluginGrants`] allow it).
    pub fn new(config: &WasmConfig) -> Result<Self, WasmError> {
        let engine = build_engine(config)?;
        let mut linker = Linker::<StoreState>::new(&engine);
        wasmtime_wasi::p2::add_to_linker_async(&mut linker)
            .and_then(|()| wasmtime_wasi_http::p2::add_only_http_to_linker_async(&mut linker))
            .and_then(|()| v0_1::add_to_linker(&mut linker))
            .map_err(|e| WasmError::Engine(format!("{e:#}")))?;
        let ticker = EpochTicker::start(engine.clone())
            .map_err(|e| WasmError::Engine(format!("could not start the epoch ticker: {e}")))?;
        Ok(Self {
            inner: Arc::new(HostInner {
                engine,
                linker,
                limits: config.limits.clone(),
                cache_dir: config.cache_dir.clone(),
                pooling: config.pooling,
                _ticker: ticker,
            }),
        })
    }

    /// The limits every call runs under.
    pub fn limits(&self) -> &WasmLimits {
        &self.inner.limits
    }

    /// The compile cache directory, if any.
    pub fn cache_dir(&self) -> Option<&Path> {
        self.inner.cache_dir.as_deref()
    }

    /// Compile `bytes` (or load them from the cache) without running anything. Blocks
    /// the current thread for a cold compile; async callers go through `load_*`, which
    /// moves this onto a blocking thread.
    pub(crate) fn compile(
        &self,
        bytes: &[u8],
        label: &Path,
    ) -> Result<(Component, CacheOutcome), WasmError> {
        cache::load_or_compile(&self.inner.engine, self.cache_dir(), bytes).map_err(|e| {
            WasmError::Compile {
                path: label.to_owned(),
                message: format!("{e:#}"),
            }
        })
    }
}

fn build_engine(config: &WasmConfig) -> Result<Engine, WasmError> {
    let mut cfg = Config::new();
    cfg.wasm_component_model(true)
        .consume_fuel(true)
        .epoch_interruption(true);
    if config.pooling {
        let mut pool = PoolingAllocationConfig::default();
        pool.total_component_instances(POOL_SLOTS)
            .total_core_instances(POOL_SLOTS * config.limits.max_instances.max(1) as u32)
            .total_memories(POOL_SLOTS * config.limits.max_memories.max(1) as u32)
            .total_tables(POOL_SLOTS * config.limits.max_tables.max(1) as u32)
            .max_memory_size(config.limits.memory_bytes)
            .max_memories_per_component(config.limits.max_memories.max(1) as u32)
            .max_tables_per_component(config.limits.max_tables.max(1) as u32)
            .max_core_instances_per_component(config.limits.max_instances.max(1) as u32)
            .table_elements(config.limits.max_table_elements);
        cfg.allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
    }
    Engine::new(&cfg).map_err(|e| WasmError::Engine(format!("{e:#}")))
}

/// The one thread that advances the engine's epoch every [`EPOCH_TICK`]; stopped and
/// joined on drop.
struct EpochTicker {
    stop: Option<mpsc::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl EpochTicker {
    fn start(engine: Engine) -> std::io::Result<Self> {
        let (stop, stopped) = mpsc::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("clawft-wasm-epoch".into())
            .spawn(move || {
                while let Err(mpsc::RecvTimeoutError::Timeout) = stopped.recv_timeout(EPOCH_TICK) {
                    engine.increment_epoch();
                }
            })?;
        Ok(Self {
            stop: Some(stop),
            thread: Some(thread),
        })
    }
}

impl Drop for EpochTicker {
    fn drop(&mut self) {
        // Dropping the sender wakes the thread with `Disconnected`.
        drop(self.stop.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticker_advances_the_epoch_and_stops_on_drop() {
        let engine = Engine::new(Config::new().epoch_interruption(true)).unwrap();
        let ticker = EpochTicker::start(engine.clone()).unwrap();
        std::thread::sleep(EPOCH_TICK * 5);
        let started = std::time::Instant::now();
        drop(ticker);
        assert!(
            started.elapsed() < EPOCH_TICK * 20,
            "drop must join promptly"
        );
    }

    #[test]
    fn host_builds_with_defaults_and_with_pooling() {
        let host = WasmHost::new(&WasmConfig::default()).unwrap();
        assert_eq!(host.limits(), &WasmLimits::default());
        assert!(host.cache_dir().is_none());
        let pooled = WasmHost::new(&WasmConfig {
            pooling: true,
            ..WasmConfig::default()
        })
        .unwrap();
        assert!(format!("{pooled:?}").contains("pooling: true"));
    }
}
