//! Timings for the report (`#[ignore]`d: run in release, see the crate README):
//! cold compile vs cache, fresh-instance and warm call latency, pooling vs on-demand.
//!
//! cargo test -p clawft-wasm --release --test wasm bench -- --ignored --nocapture

use std::path::Path;
use std::time::Duration;

use clawft_wasm::{LoadedPlugin, PluginGrants, WasmConfig, WasmHost, WasmLimits};
use serde_json::json;

use crate::hostile::{hostile_component, load_hostile};
use crate::support::{load, probe_manifest};

fn percentiles(mut times: Vec<Duration>) -> String {
    times.sort();
    let at = |q: f64| times[((times.len() as f64 - 1.0) * q) as usize];
    format!(
        "p50 {:>7.1} µs  p99 {:>7.1} µs  (n={})",
        at(0.5).as_secs_f64() * 1e6,
        at(0.99).as_secs_f64() * 1e6,
        times.len()
    )
}

async fn fresh(plugin: &LoadedPlugin, tool: &str, n: usize) -> Vec<Duration> {
    let mut times = Vec::with_capacity(n);
    for _ in 0..n {
        let started = std::time::Instant::now();
        let out = plugin.call(tool, "{}", Path::new(".")).await;
        times.push(started.elapsed());
        assert!(!out.is_error, "{}", out.content);
    }
    times
}

/// `VmSize` from /proc (Linux), to show what the pooling allocator reserves.
fn vm_size() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmSize:"))
                .map(|l| l[7..].trim().to_owned())
        })
        .unwrap_or_else(|| "unknown".into())
}

fn host(pooling: bool, cache: Option<&Path>) -> WasmHost {
    WasmHost::new(&WasmConfig {
        limits: WasmLimits::default(),
        cache_dir: cache.map(Path::to_owned),
        pooling,
        ..WasmConfig::default()
    })
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "benchmark: run in release with --ignored --nocapture"]
async fn bench_call_latency_and_compile_cache() {
    let Some(wasm) = crate::support::plugin_wasm("sandbox-probe") else {
        return;
    };
    let cache = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let manifest = probe_manifest("probe-bench", json!({}));

    let cold = load(
        &wasm,
        &manifest,
        dir.path(),
        &host(false, Some(cache.path())),
        PluginGrants::default(),
    )
    .await
    .unwrap();
    let cached = load(
        &wasm,
        &manifest,
        dir.path(),
        &host(false, Some(cache.path())),
        PluginGrants::default(),
    )
    .await
    .unwrap();
    assert!(cached.compile.is_hit());
    println!(
        "sandbox-probe ({} bytes): cold compile {:?}, from cache {:?}",
        cold.size.size,
        cold.compile.elapsed(),
        cached.compile.elapsed()
    );

    for pooling in [false, true] {
        let h = host(pooling, Some(cache.path()));
        let rust = load(&wasm, &manifest, dir.path(), &h, PluginGrants::default())
            .await
            .unwrap();
        let wat = load_hostile(&h, hostile_component(false, 0)).await.unwrap();
        let alloc = if pooling { "pooling " } else { "on-demand" };
        println!(
            "[{alloc}] process virtual memory with this host: {}",
            vm_size()
        );
        fresh(&rust, "state", 50).await;
        println!(
            "[{alloc}] rust guest, fresh instance + call: {}",
            percentiles(fresh(&rust, "state", 1000).await)
        );
        println!(
            "[{alloc}] WAT guest,  fresh instance + call: {}",
            percentiles(fresh(&wat, "ok", 1000).await)
        );
        if !pooling {
            let warm = rust.bench_warm_calls("state", "{}", 5000).await.unwrap();
            println!(
                "[{alloc}] rust guest, warm call (no instantiation): {}",
                percentiles(warm)
            );
            let warm = wat.bench_warm_calls("ok", "{}", 5000).await.unwrap();
            println!(
                "[{alloc}] WAT guest,  warm call (no instantiation): {}",
                percentiles(warm)
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compile_cache_is_hit_after_a_restart() {
    let cache = tempfile::tempdir().unwrap();
    let bytes = hostile_component(false, 0);
    let first = load_hostile(&host(false, Some(cache.path())), bytes.clone())
        .await
        .unwrap();
    assert!(!first.compile.is_hit(), "{:?}", first.compile);
    let entries = std::fs::read_dir(cache.path()).unwrap().count();
    assert_eq!(entries, 1, "one cache entry written");
    // A new host (a restart) finds it.
    let second = load_hostile(&host(false, Some(cache.path())), bytes.clone())
        .await
        .unwrap();
    assert!(second.compile.is_hit(), "{:?}", second.compile);
    assert_eq!(
        second.call("ok", "{}", Path::new(".")).await.content,
        "fine"
    );
    // A corrupt entry is discarded and recompiled, not trusted.
    for entry in std::fs::read_dir(cache.path()).unwrap() {
        std::fs::write(entry.unwrap().path(), b"garbage").unwrap();
    }
    let third = load_hostile(&host(false, Some(cache.path())), bytes)
        .await
        .unwrap();
    assert!(!third.compile.is_hit(), "{:?}", third.compile);
    assert_eq!(third.call("ok", "{}", Path::new(".")).await.content, "fine");
}
