//! Running one call of a loaded plugin: a fresh store with the plugin's sandbox and the
//! host's limits, and a clear message when a limit stops it.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use clawft_plugin::{Permissions, ToolOutput};
use wasmtime::component::ResourceTable;
use wasmtime::{Store, Trap, UpdateDeadline};
use wasmtime_wasi_http::WasiHttpCtx;

use crate::engine::WasmHost;
use crate::http::{HttpHooks, NetPolicy};
use crate::limits::EPOCH_TICK;
use crate::log::{CallLog, RateWindow};
use crate::plugin::PluginInfo;
use crate::sandbox::build_wasi;
use crate::state::{LimitHit, Limiter, Notes, StoreState};
use crate::v0_1::{self, ToolFailure};

/// Extra wall time past the deadline before tokio cancels a call that is blocked in the
/// host (epoch interruption only fires while WebAssembly runs).
const HOST_WAIT_GRACE: std::time::Duration = EPOCH_TICK.saturating_mul(10);

/// Everything needed to run calls of one plugin; shared by its tools.
pub(crate) struct PluginRuntime {
    pub(crate) id: Arc<str>,
    pub(crate) host: WasmHost,
    pub(crate) pre: v0_1::Pre,
    pub(crate) permissions: Permissions,
    pub(crate) plugin_dir: PathBuf,
    pub(crate) net: Arc<NetPolicy>,
    pub(crate) log_window: Arc<RateWindow>,
}

enum Op<'a> {
    Describe,
    Execute { tool: &'a str, args: &'a str },
}

enum OpResult {
    Info(PluginInfo),
    Tool(Result<String, ToolFailure>),
}

impl PluginRuntime {
    fn new_store(&self, perms: &Permissions, workspace: &Path, notes: &Notes) -> Store<StoreState> {
        let limits = &self.host.inner.limits;
        let state = StoreState {
            wasi: build_wasi(perms, &self.plugin_dir, workspace, notes),
            table: ResourceTable::new(),
            http: WasiHttpCtx::new(),
            hooks: HttpHooks {
                policy: Arc::clone(&self.net),
                notes: notes.clone(),
            },
            limiter: Limiter::new(limits.store_limits()),
            log: CallLog::new(
                Arc::clone(&self.id),
                Arc::clone(&self.log_window),
                limits.log_line_bytes,
            ),
        };
        let mut store = Store::new(&self.host.inner.engine, state);
        store.limiter(|state| &mut state.limiter);
        if let Err(err) = store.set_fuel(limits.fuel_per_call) {
            // Fuel is always enabled on our engine; reaching this is a bug.
            tracing::error!("could not set fuel (this is a bug in clawft-wasm): {err:#}");
        }
        let deadline = Instant::now() + limits.deadline();
        store.set_epoch_deadline(1);
        store.epoch_deadline_callback(move |_| {
            Ok(if Instant::now() >= deadline {
                UpdateDeadline::Interrupt
            } else {
                // Yield to the executor once per tick so a busy plugin shares the thread.
                UpdateDeadline::Yield(1)
            })
        });
        store
    }

    async fn run(&self, op: Op<'_>, workspace: &Path) -> (Result<OpResult, String>, Vec<String>) {
        let notes = Notes::default();
        let perms = match op {
            // `describe` needs nothing: run it with no filesystem, env or network.
            Op::Describe => Permissions::default(),
            Op::Execute { .. } => self.permissions.clone(),
        };
        let mut store = self.new_store(&perms, workspace, &notes);
        let limits = &self.host.inner.limits;
        let work = async {
            match op {
                Op::Describe => self.pre.describe(&mut store).await.map(OpResult::Info),
                Op::Execute { tool, args } => self
                    .pre
                    .execute(&mut store, tool, args)
                    .await
                    .map(OpResult::Tool),
            }
        };
        let outcome = tokio::time::timeout(limits.deadline() + HOST_WAIT_GRACE, work).await;
        let result = match outcome {
            Err(_) => Err(format!(
                "plugin `{}` exceeded its deadline of {} ms (`limits.deadline_ms`) while waiting on the host; the call was cancelled",
                self.id, limits.deadline_ms
            )),
            Ok(Err(err)) => Err(self.explain(&err, store.data().limiter.hit)),
            Ok(Ok(result)) => Ok(result),
        };
        let dropped = store.data().log.finish();
        let mut notes = notes.take();
        if dropped > 0 {
            notes.push(format!(
                "{dropped} log lines dropped (limit {} per minute, `limits.log_lines_per_minute`)",
                limits.log_lines_per_minute
            ));
        }
        (result, notes)
    }

    /// Turn a trap or link error into a message naming the plugin and the limit.
    fn explain(&self, err: &wasmtime::Error, hit: Option<LimitHit>) -> String {
        let id = &self.id;
        let limits = &self.host.inner.limits;
        if let Some(hit) = hit {
            return match hit {
                LimitHit::Memory { desired } => format!(
                    "plugin `{id}` exceeded its memory limit of {} bytes (`limits.memory_bytes`): it asked for {desired} bytes",
                    limits.memory_bytes
                ),
                LimitHit::Table { desired } => format!(
                    "plugin `{id}` exceeded its table limit of {} elements (`limits.max_table_elements`): it asked for {desired}",
                    limits.max_table_elements
                ),
            };
        }
        match err.downcast_ref::<Trap>() {
            Some(Trap::OutOfFuel) => format!(
                "plugin `{id}` ran out of fuel (limit {}, `limits.fuel_per_call`)",
                limits.fuel_per_call
            ),
            Some(Trap::Interrupt) => format!(
                "plugin `{id}` exceeded its deadline of {} ms (`limits.deadline_ms`)",
                limits.deadline_ms
            ),
            Some(trap) => format!("plugin `{id}` crashed: {trap}"),
            None => format!("plugin `{id}` failed: {err:#}"),
        }
    }

    /// Run `describe` (at load time).
    pub(crate) async fn describe(&self) -> Result<PluginInfo, String> {
        let (result, notes) = self.run(Op::Describe, &std::env::temp_dir()).await;
        for note in notes {
            tracing::warn!(plugin = &*self.id, "{note}");
        }
        match result? {
            OpResult::Info(info) => Ok(info),
            OpResult::Tool(_) => Err("unexpected result (this is a bug in clawft-wasm)".into()),
        }
    }

    /// Time `iterations` calls of `tool` on one instance (fuel refilled before each):
    /// the cost of a call without instantiation. For benchmarks only; real calls never
    /// reuse a store.
    pub(crate) async fn bench_warm(
        &self,
        tool: &str,
        args: &str,
        iterations: usize,
    ) -> Result<Vec<std::time::Duration>, String> {
        let notes = Notes::default();
        let mut store = self.new_store(&self.permissions, &std::env::temp_dir(), &notes);
        let instance = self
            .pre
            .instantiate(&mut store)
            .await
            .map_err(|e| format!("{e:#}"))?;
        let mut times = Vec::with_capacity(iterations);
        for _ in 0..iterations {
            store
                .set_fuel(self.host.inner.limits.fuel_per_call)
                .map_err(|e| format!("{e:#}"))?;
            let started = Instant::now();
            instance
                .execute(&mut store, tool, args)
                .await
                .map_err(|e| format!("{e:#}"))?
                .map_err(|e| format!("{e:?}"))?;
            times.push(started.elapsed());
        }
        Ok(times)
    }

    /// Run one tool call and turn the outcome into what the model reads.
    pub(crate) async fn call(&self, tool: &str, args: &str, workspace: &Path) -> ToolOutput {
        let (result, notes) = self.run(Op::Execute { tool, args }, workspace).await;
        let max = self.host.inner.limits.output_bytes;
        let mut output = match result {
            Ok(OpResult::Tool(Ok(text))) => ToolOutput::ok(cut(&text, max)),
            Ok(OpResult::Tool(Err(failure))) => ToolOutput::error(match failure {
                ToolFailure::InvalidArguments(m) => format!("invalid arguments: {m}"),
                ToolFailure::UnknownTool(m) => {
                    format!("plugin `{}` has no tool `{m}`", self.id)
                }
                ToolFailure::Failed(m) => m,
            }),
            Ok(OpResult::Info(_)) => {
                ToolOutput::error("unexpected result (this is a bug in clawft-wasm)")
            }
            Err(message) => ToolOutput::error(message),
        };
        for note in notes {
            output.content.push_str("\n[host] ");
            output.content.push_str(&note);
        }
        output
    }
}

fn cut(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_owned();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!(
        "{}\n[cut at {max} bytes, `limits.output_bytes`]",
        &text[..end]
    )
}
