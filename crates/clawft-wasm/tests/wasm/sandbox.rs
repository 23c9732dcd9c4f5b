//! Filesystem and environment: a plugin sees only what its manifest declares.

use std::path::Path;

use clawft_wasm::PluginGrants;
use serde_json::json;

use crate::support::{call, host, load, probe_manifest};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn filesystem_is_confined_to_declared_directories() {
    let wasm = crate::require_plugin!("sandbox-probe");
    let ws = tempfile::tempdir().unwrap();
    let w = ws.path();
    std::fs::create_dir_all(w.join("ro")).unwrap();
    std::fs::write(w.join("ro/readme.txt"), "visible").unwrap();
    std::fs::write(w.join("secret.txt"), "outside the grant").unwrap();
    std::os::unix::fs::symlink(w.join("secret.txt"), w.join("ro/escape")).unwrap();
    std::fs::create_dir_all(w.join("rw")).unwrap();
    std::fs::write(w.join("outside.txt"), "original").unwrap();
    std::os::unix::fs::symlink(w.join("outside.txt"), w.join("rw/escape")).unwrap();

    let manifest = probe_manifest(
        "probe-fs",
        json!({"filesystem": [
            {"path": "$WORKSPACE/ro"},
            {"path": "$WORKSPACE/rw", "write": true}
        ]}),
    );
    let host = host();
    let plugin = load(&wasm, &manifest, w, &host, PluginGrants::default())
        .await
        .expect("load");
    let read = |path: &str| call(&plugin, "read", json!({"path": path}), w);
    let write = |path: &str| call(&plugin, "write", json!({"path": path, "text": "pwned"}), w);

    let out = read("/workspace/ro/readme.txt").await;
    assert_eq!((out.is_error, out.content.as_str()), (false, "visible"));

    for escape in [
        "/workspace/ro/../secret.txt",
        "/workspace/ro/../../../etc/passwd",
        "/workspace/secret.txt",
        "/etc/passwd",
        "/workspace/ro/escape",
    ] {
        let out = read(escape).await;
        assert!(out.is_error, "read {escape} must fail, got {}", out.content);
        assert!(
            !out.content.contains("outside the grant"),
            "{escape}: {}",
            out.content
        );
    }

    let out = write("/workspace/ro/new.txt").await;
    assert!(
        out.is_error,
        "read-only grant must refuse writes: {}",
        out.content
    );
    assert!(!w.join("ro/new.txt").exists());

    let out = write("/workspace/rw/new.txt").await;
    assert!(!out.is_error, "{}", out.content);
    assert_eq!(
        std::fs::read_to_string(w.join("rw/new.txt")).unwrap(),
        "pwned"
    );

    for escape in [
        "/workspace/rw/escape",
        "/workspace/rw/../outside.txt",
        "/workspace/ro/../rw/../outside.txt",
    ] {
        let out = write(escape).await;
        assert!(out.is_error, "write {escape} must fail: {}", out.content);
    }
    assert_eq!(
        std::fs::read_to_string(w.join("outside.txt")).unwrap(),
        "original"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_permissions_means_no_files_no_env_no_network() {
    let wasm = crate::require_plugin!("sandbox-probe");
    let ws = tempfile::tempdir().unwrap();
    std::fs::write(ws.path().join("f.txt"), "x").unwrap();
    let host = host();
    let plugin = load(
        &wasm,
        &probe_manifest("probe-none", json!({})),
        ws.path(),
        &host,
        PluginGrants::default(),
    )
    .await
    .expect("load");
    assert!(
        call(
            &plugin,
            "read",
            json!({"path": "/workspace/f.txt"}),
            ws.path()
        )
        .await
        .is_error
    );
    assert!(
        call(&plugin, "list", json!({"path": "/"}), ws.path())
            .await
            .is_error
    );
    let out = call(&plugin, "env_all", json!({}), ws.path()).await;
    assert_eq!(
        (out.is_error, out.content.as_str()),
        (false, ""),
        "no variables at all"
    );
    let out = call(
        &plugin,
        "http",
        json!({"url": "http://127.0.0.1:9/"}),
        ws.path(),
    )
    .await;
    assert!(
        out.is_error && out.content.contains("declared: nothing"),
        "{}",
        out.content
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_declared_environment_variables_are_visible() {
    let wasm = crate::require_plugin!("sandbox-probe");
    let Ok(path) = std::env::var("PATH") else {
        eprintln!("skipping: PATH is not set in this process");
        return;
    };
    let host = host();
    let dir = tempfile::tempdir().unwrap();
    let manifest = probe_manifest(
        "probe-env",
        json!({"env": ["PATH", "CLAWFT_TEST_UNSET_VAR"]}),
    );
    let plugin = load(&wasm, &manifest, dir.path(), &host, PluginGrants::default())
        .await
        .expect("load");
    let env = |name: &str| call(&plugin, "env", json!({"name": name}), Path::new("."));

    let out = env("PATH").await;
    assert_eq!((out.is_error, out.content.as_str()), (false, path.as_str()));
    for hidden in [
        "HOME",
        "USER",
        "CARGO_PKG_NAME",
        "OPENAI_API_KEY",
        "CLAWFT_TEST_UNSET_VAR",
    ] {
        let out = env(hidden).await;
        assert!(
            out.is_error,
            "{hidden} must be invisible, got {}",
            out.content
        );
    }
    let out = call(&plugin, "env_all", json!({}), Path::new(".")).await;
    assert_eq!(out.content, "PATH");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_reads_and_writes_hit_the_memory_limit() {
    let wasm = crate::require_plugin!("sandbox-probe");
    let ws = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(ws.path().join("rw")).unwrap();
    std::fs::write(ws.path().join("rw/big.bin"), vec![b'a'; 8 << 20]).unwrap();
    let host = crate::support::host_with(clawft_wasm::WasmLimits {
        memory_bytes: 4 << 20,
        ..clawft_wasm::WasmLimits::default()
    });
    let manifest = probe_manifest(
        "probe-big",
        json!({"filesystem": [{"path": "$WORKSPACE/rw", "write": true}]}),
    );
    let plugin = load(&wasm, &manifest, ws.path(), &host, PluginGrants::default())
        .await
        .expect("load");
    let out = call(
        &plugin,
        "read",
        json!({"path": "/workspace/rw/big.bin"}),
        ws.path(),
    )
    .await;
    assert!(
        out.is_error
            && out
                .content
                .contains("exceeded its memory limit of 4194304 bytes"),
        "{}",
        out.content
    );
    let text = "b".repeat(6 << 20);
    let out = call(
        &plugin,
        "write",
        json!({"path": "/workspace/rw/out.bin", "text": text}),
        ws.path(),
    )
    .await;
    assert!(
        out.is_error && out.content.contains("exceeded its memory limit"),
        "{}",
        out.content
    );
    assert!(!ws.path().join("rw/out.bin").exists());
    // Small files still work with the same limits.
    let out = call(
        &plugin,
        "write",
        json!({"path": "/workspace/rw/ok.txt", "text": "ok"}),
        ws.path(),
    )
    .await;
    assert!(!out.is_error, "{}", out.content);
}
