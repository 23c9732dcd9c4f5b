//! Shared helpers: locating built plugins, hosts with custom limits, a loopback server.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use clawft_plugin::{Manifest, ManifestFormat, ToolContext, ToolOutput};
use clawft_wasm::{LoadedPlugin, PluginGrants, WasmConfig, WasmHost, WasmLimits};
use serde_json::Value;

/// `plugins/<dir>/<file>.wasm` if it was built, else `None` after saying why.
pub fn plugin_wasm(dir: &str) -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../plugins")
        .join(dir);
    let path = root.join(format!("{}.wasm", dir.replace('-', "_")));
    if path.is_file() {
        Some(path)
    } else {
        eprintln!(
            "skipping: {} is not built; run `scripts/build-plugins` first",
            path.display()
        );
        None
    }
}

/// Early-return from a test when a plugin is not built.
#[macro_export]
macro_rules! require_plugin {
    ($dir:expr) => {
        match $crate::support::plugin_wasm($dir) {
            Some(path) => path,
            None => return,
        }
    };
}

pub fn host() -> WasmHost {
    host_with(WasmLimits::default())
}

/// A host with `limits` and a compile cache shared by all tests (and test runs), so each
/// plugin is compiled once.
pub fn host_with(limits: WasmLimits) -> WasmHost {
    WasmHost::new(&WasmConfig {
        limits,
        cache_dir: Some(Path::new(env!("CARGO_TARGET_TMPDIR")).join("clawft-wasm-test-cache")),
        ..WasmConfig::default()
    })
    .expect("host")
}

/// Load `wasm` with `manifest_json` (any `entry.wasm`), relative paths under `dir`.
pub async fn load(
    wasm: &Path,
    manifest_json: &str,
    dir: &Path,
    host: &WasmHost,
    grants: PluginGrants,
) -> Result<LoadedPlugin, clawft_wasm::WasmError> {
    let manifest = Manifest::parse(manifest_json, ManifestFormat::Json).expect("test manifest");
    let bytes = std::fs::read(wasm).expect("read wasm");
    clawft_wasm::load_component(manifest, dir, bytes, wasm, host, grants).await
}

/// A manifest for the sandbox probe with the given `permissions` object.
pub fn probe_manifest(id: &str, permissions: Value) -> String {
    serde_json::json!({
        "schema_version": 1, "id": id, "name": id, "version": "0.1.0",
        "capabilities": {"tools": ["read", "write", "list", "env", "env_all", "http", "spin", "state", "log"]},
        "entry": {"wasm": "sandbox_probe.wasm"},
        "permissions": permissions,
    })
    .to_string()
}

/// Call tool `name` of `plugin` through the `Tool` trait, as the agent does.
pub async fn call(plugin: &LoadedPlugin, name: &str, args: Value, workspace: &Path) -> ToolOutput {
    let tool = plugin
        .tools
        .iter()
        .find(|t| t.spec().name == name)
        .unwrap_or_else(|| panic!("no tool {name}"));
    tool.call(args, &ToolContext::new(workspace, "test", "t"))
        .await
        .expect("tool call")
}

/// A loopback HTTP server recording the headers of each request.
pub struct Server {
    pub addr: SocketAddr,
    pub seen: Arc<Mutex<Vec<HeaderMap>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

pub const SECRET: &str = "Bearer s3cr3t-t0ken-never-in-guest";

impl Server {
    pub async fn start() -> Self {
        let seen: Arc<Mutex<Vec<HeaderMap>>> = Arc::default();
        let app = Router::new()
            .route("/hello", get(|| async { "hello from loopback: 42 apples" }))
            .route("/big", get(|| async { "x".repeat(64 * 1024) }))
            .route(
                "/redirect",
                get(|| async { (StatusCode::FOUND, [("location", "http://169.254.169.254/")], "") }),
            )
            .route("/echo", post(|body: String| async move { format!("got {} bytes", body.len()) }))
            .route(
                "/private",
                get(|State(seen): State<Arc<Mutex<Vec<HeaderMap>>>>, headers: HeaderMap| async move {
                    let ok = headers.get("authorization").is_some_and(|v| v == SECRET);
                    seen.lock().unwrap().push(headers);
                    if ok {
                        (StatusCode::OK, "authorized: secret data 7")
                    } else {
                        (StatusCode::UNAUTHORIZED, "no or wrong token")
                    }
                }),
            )
            .with_state(Arc::clone(&seen));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self { addr, seen, task }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }
}
