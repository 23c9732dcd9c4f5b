//! Isolation between calls and between plugins; log flood throttling.

use std::path::Path;

use clawft_wasm::{PluginGrants, WasmLimits};
use serde_json::json;

use crate::support::{call, host, host_with, load, probe_manifest};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_call_gets_a_fresh_store_and_plugins_share_nothing() {
    let wasm = crate::require_plugin!("sandbox-probe");
    let host = host();
    let dir = tempfile::tempdir().unwrap();
    let a = load(
        &wasm,
        &probe_manifest("probe-a", json!({})),
        dir.path(),
        &host,
        PluginGrants::default(),
    )
    .await
    .expect("load a");
    let b = load(
        &wasm,
        &probe_manifest("probe-b", json!({})),
        dir.path(),
        &host,
        PluginGrants::default(),
    )
    .await
    .expect("load b");
    for plugin in [&a, &b, &a, &b] {
        let out = call(plugin, "state", json!({}), Path::new(".")).await;
        assert_eq!(
            out.content, "1",
            "a counter in guest memory never survives a call"
        );
    }
    // Concurrent calls of one plugin do not interfere either.
    let calls = (0..8).map(|_| a.call("state", "{}", Path::new(".")));
    for out in futures_join(calls).await {
        assert_eq!(out.content, "1");
    }
}

async fn futures_join<F: std::future::Future>(futures: impl Iterator<Item = F>) -> Vec<F::Output> {
    let mut out = Vec::new();
    for f in futures {
        out.push(f.await);
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_runaway_plugin_does_not_stop_another_plugin() {
    let wasm = crate::require_plugin!("sandbox-probe");
    let host = host_with(WasmLimits {
        deadline_ms: 1_500,
        fuel_per_call: u64::MAX / 4,
        ..WasmLimits::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let bad = load(
        &wasm,
        &probe_manifest("probe-bad", json!({})),
        dir.path(),
        &host,
        PluginGrants::default(),
    )
    .await
    .expect("load");
    let good = load(
        &wasm,
        &probe_manifest("probe-good", json!({})),
        dir.path(),
        &host,
        PluginGrants::default(),
    )
    .await
    .expect("load");
    let spinning = tokio::spawn(async move { bad.call("spin", "{}", Path::new(".")).await });
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    let started = std::time::Instant::now();
    let out = good.call("state", "{}", Path::new(".")).await;
    assert_eq!(out.content, "1");
    assert!(
        started.elapsed() < std::time::Duration::from_millis(1_000),
        "the good plugin waited for the spinning one: {:?}",
        started.elapsed()
    );
    let out = spinning.await.unwrap();
    assert!(
        out.content.contains("exceeded its deadline of 1500 ms"),
        "{}",
        out.content
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn log_floods_are_throttled() {
    let wasm = crate::require_plugin!("sandbox-probe");
    let host = host_with(WasmLimits {
        log_lines_per_minute: 50,
        log_line_bytes: 100,
        ..WasmLimits::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let plugin = load(
        &wasm,
        &probe_manifest("probe-log", json!({})),
        dir.path(),
        &host,
        PluginGrants::default(),
    )
    .await
    .expect("load");
    let out = plugin
        .call("log", r#"{"count": 500, "len": 10000}"#, Path::new("."))
        .await;
    assert!(!out.is_error, "{}", out.content);
    assert!(
        out.content
            .contains("[host] 450 log lines dropped (limit 50 per minute"),
        "{}",
        out.content
    );
    // The window is per plugin and spans calls.
    let out = plugin
        .call("log", r#"{"count": 1, "len": 1}"#, Path::new("."))
        .await;
    assert!(
        out.content.contains("1 log lines dropped"),
        "{}",
        out.content
    );
}
