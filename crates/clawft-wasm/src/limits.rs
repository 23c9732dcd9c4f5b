//! Every limit a plugin runs under, in one config type with documented defaults.
//!
//! Each field has a `DEFAULT_*` constant. The doc comment of each constant gives the unit,
//! the scope (per call, per plugin, per store), the default and what happens when a plugin
//! exceeds it. A plugin that hits a limit gets a clear error; the host and every other
//! plugin keep working.
//!
//! Malicious-guest note: the fuel, deadline and memory limits are what stop a hostile
//! plugin from taking the host down (CPU, wall time, RAM). Raising them raises what one
//! plugin can cost you per call; setting any of them to 0 does not mean "unlimited", it
//! means the plugin cannot run.

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// Fuel (roughly: WebAssembly instructions) per tool call, including instantiation.
/// Scope: one call. On exceed: the call traps and the tool returns
/// "plugin `x` ran out of fuel (limit N)".
pub const DEFAULT_FUEL_PER_CALL: u64 = 1_000_000_000;
/// Wall-clock deadline per tool call, in milliseconds, including time spent waiting on
/// HTTP. Scope: one call. On exceed: running WebAssembly is interrupted at the next epoch
/// tick (and a call blocked on the host is cancelled); the tool returns
/// "plugin `x` exceeded its deadline".
pub const DEFAULT_DEADLINE_MS: u64 = 10_000;
/// Largest linear memory, in bytes. Scope: each memory of one store (one call). On exceed:
/// the growth traps and the tool returns "plugin `x` exceeded its memory limit".
pub const DEFAULT_MEMORY_BYTES: usize = 64 * 1024 * 1024;
/// Core instances per store. A component from Rust uses 3-6. Scope: one call. On exceed:
/// instantiation fails with a resource-limit error.
pub const DEFAULT_MAX_INSTANCES: usize = 32;
/// Tables per store. Scope: one call. On exceed: instantiation fails.
pub const DEFAULT_MAX_TABLES: usize = 32;
/// Elements per table. Scope: each table of one store. On exceed: growth traps.
pub const DEFAULT_MAX_TABLE_ELEMENTS: usize = 100_000;
/// Linear memories per store. Scope: one call. On exceed: instantiation fails.
pub const DEFAULT_MAX_MEMORIES: usize = 8;
/// Outbound HTTP requests per plugin per minute (sliding window). Scope: one plugin,
/// across calls. On exceed: the request is refused with `connection-limit-reached` and
/// the tool output carries a host note naming the limit.
pub const DEFAULT_HTTP_REQUESTS_PER_MINUTE: u32 = 60;
/// Largest outgoing request body, in bytes. Scope: one request. On exceed: the request
/// fails with `http-request-body-size`.
pub const DEFAULT_HTTP_REQUEST_BODY_BYTES: u64 = 1024 * 1024;
/// Largest response body handed to a plugin, in bytes. Scope: one response. On exceed:
/// the request fails with `http-response-body-size` (the host stops reading).
pub const DEFAULT_HTTP_RESPONSE_BODY_BYTES: u64 = 4 * 1024 * 1024;
/// Log lines per plugin per minute (sliding window). Scope: one plugin, across calls. On
/// exceed: further lines are dropped and one "N lines dropped" line is logged per call.
pub const DEFAULT_LOG_LINES_PER_MINUTE: u32 = 120;
/// Longest log line, in bytes. Scope: one line. On exceed: the line is truncated and
/// marked `[truncated]`.
pub const DEFAULT_LOG_LINE_BYTES: usize = 2048;
/// Largest tool result text, in bytes. Scope: one call. On exceed: the result is cut and
/// marked `[cut at N bytes]`.
pub const DEFAULT_OUTPUT_BYTES: usize = 1024 * 1024;

/// How often the host's one epoch ticker thread advances the engine epoch. Deadlines are
/// checked at this granularity, and a running plugin yields to the async runtime once
/// per tick.
pub const EPOCH_TICK: Duration = Duration::from_millis(10);

/// The limits every plugin call runs under. Serde config (the `wasm.limits` section)
/// and [`Default`] give the documented `DEFAULT_*` values; unknown fields are refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WasmLimits {
    /// See [`DEFAULT_FUEL_PER_CALL`].
    pub fuel_per_call: u64,
    /// See [`DEFAULT_DEADLINE_MS`].
    pub deadline_ms: u64,
    /// See [`DEFAULT_MEMORY_BYTES`].
    pub memory_bytes: usize,
    /// See [`DEFAULT_MAX_INSTANCES`].
    pub max_instances: usize,
    /// See [`DEFAULT_MAX_TABLES`].
    pub max_tables: usize,
    /// See [`DEFAULT_MAX_TABLE_ELEMENTS`].
    pub max_table_elements: usize,
    /// See [`DEFAULT_MAX_MEMORIES`].
    pub max_memories: usize,
    /// See [`DEFAULT_HTTP_REQUESTS_PER_MINUTE`].
    pub http_requests_per_minute: u32,
    /// See [`DEFAULT_HTTP_REQUEST_BODY_BYTES`].
    pub http_request_body_bytes: u64,
    /// See [`DEFAULT_HTTP_RESPONSE_BODY_BYTES`].
    pub http_response_body_bytes: u64,
    /// See [`DEFAULT_LOG_LINES_PER_MINUTE`].
    pub log_lines_per_minute: u32,
    /// See [`DEFAULT_LOG_LINE_BYTES`].
    pub log_line_bytes: usize,
    /// See [`DEFAULT_OUTPUT_BYTES`].
    pub output_bytes: usize,
}

impl Default for WasmLimits {
    fn default() -> Self {
        Self {
            fuel_per_call: DEFAULT_FUEL_PER_CALL,
            deadline_ms: DEFAULT_DEADLINE_MS,
            memory_bytes: DEFAULT_MEMORY_BYTES,
            max_instances: DEFAULT_MAX_INSTANCES,
            max_tables: DEFAULT_MAX_TABLES,
            max_table_elements: DEFAULT_MAX_TABLE_ELEMENTS,
            max_memories: DEFAULT_MAX_MEMORIES,
            http_requests_per_minute: DEFAULT_HTTP_REQUESTS_PER_MINUTE,
            http_request_body_bytes: DEFAULT_HTTP_REQUEST_BODY_BYTES,
            http_response_body_bytes: DEFAULT_HTTP_RESPONSE_BODY_BYTES,
            log_lines_per_minute: DEFAULT_LOG_LINES_PER_MINUTE,
            log_line_bytes: DEFAULT_LOG_LINE_BYTES,
            output_bytes: DEFAULT_OUTPUT_BYTES,
        }
    }
}

impl WasmLimits {
    /// The wall-clock deadline as a [`Duration`].
    pub fn deadline(&self) -> Duration {
        Duration::from_millis(self.deadline_ms)
    }

    pub(crate) fn store_limits(&self) -> wasmtime::StoreLimits {
        wasmtime::StoreLimitsBuilder::new()
            .memory_size(self.memory_bytes)
            .instances(self.max_instances)
            .tables(self.max_tables)
            .table_elements(self.max_table_elements)
            .memories(self.max_memories)
            .trap_on_grow_failure(true)
            .build()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_defaults_are_pinned() {
        let l = WasmLimits::default();
        assert_eq!(l.fuel_per_call, 1_000_000_000);
        assert_eq!(l.deadline_ms, 10_000);
        assert_eq!(l.memory_bytes, 64 << 20);
        assert_eq!(l.max_instances, 32);
        assert_eq!(l.max_tables, 32);
        assert_eq!(l.max_table_elements, 100_000);
        assert_eq!(l.max_memories, 8);
        assert_eq!(l.http_requests_per_minute, 60);
        assert_eq!(l.http_request_body_bytes, 1 << 20);
        assert_eq!(l.http_response_body_bytes, 4 << 20);
        assert_eq!(l.log_lines_per_minute, 120);
        assert_eq!(l.log_line_bytes, 2048);
        assert_eq!(l.output_bytes, 1 << 20);
        assert_eq!(EPOCH_TICK, Duration::from_millis(10));
    }

    #[test]
    fn serde_fills_missing_fields_with_defaults_and_refuses_unknown_ones() {
        let l: WasmLimits = serde_json::from_str(r#"{"fuel_per_call": 5}"#).unwrap();
        assert_eq!(l.fuel_per_call, 5);
        assert_eq!(l.deadline_ms, DEFAULT_DEADLINE_MS);
        let err = serde_json::from_str::<WasmLimits>(r#"{"fuel": 5}"#).unwrap_err();
        assert!(err.to_string().contains("unknown field `fuel`"), "{err}");
    }
}
