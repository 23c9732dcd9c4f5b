//! The gateway's local admin endpoint, used by `weft channels status`.
//!
//! The gateway listens on a random loopback port and writes `gateway.json` (pid, URL) and an
//! `admin-token` (0600) under the state directory; clients send the token as a bearer token.
//! Nothing here is reachable from another machine.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::get;
use clawft_core::PluginHost;
use serde_json::{Value, json};

/// File naming the running gateway.
pub const GATEWAY_FILE: &str = "gateway.json";
/// File holding the admin bearer token.
pub const TOKEN_FILE: &str = "admin-token";

struct AdminState {
    host: Arc<PluginHost>,
    token: String,
    started_ms: u64,
}

/// Serve `/status` for `host`; returns when the listener is up. Removes the files on drop.
pub struct AdminServer {
    home: PathBuf,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for AdminServer {
    fn drop(&mut self) {
        self.task.abort();
        let _ = std::fs::remove_file(self.home.join(GATEWAY_FILE));
    }
}

fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// Start the endpoint on 127.0.0.1 and record it under `home`.
pub async fn start(home: &Path, host: Arc<PluginHost>) -> anyhow::Result<AdminServer> {
    use rand::Rng;
    std::fs::create_dir_all(home).with_context(|| format!("creating `{}`", home.display()))?;
    let token: String = rand::rng()
        .sample_iter(rand::distr::Alphanumeric)
        .take(40)
        .map(char::from)
        .collect();
    write_private(&home.join(TOKEN_FILE), &token)?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .context("binding the admin endpoint")?;
    let addr = listener.local_addr()?;
    let state = Arc::new(AdminState {
        host,
        token,
        started_ms: now_ms(),
    });
    let app = axum::Router::new()
        .route("/status", get(status))
        .with_state(state);
    let task = tokio::spawn(async move {
        if let Err(err) = axum::serve(listener, app).await {
            tracing::error!(%err, "admin endpoint stopped");
        }
    });
    let record = json!({"pid": std::process::id(), "url": format!("http://{addr}")});
    write_private(&home.join(GATEWAY_FILE), &record.to_string())?;
    Ok(AdminServer {
        home: home.to_owned(),
        task,
    })
}

fn write_private(path: &Path, text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let tmp = path.with_extension("tmp");
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let mut file = opts
        .open(&tmp)
        .with_context(|| format!("writing `{}`", tmp.display()))?;
    file.write_all(text.as_bytes())?;
    file.sync_all()?;
    std::fs::rename(&tmp, path).with_context(|| format!("writing `{}`", path.display()))?;
    Ok(())
}

async fn status(
    State(state): State<Arc<AdminState>>,
    headers: HeaderMap,
) -> Result<Json<Value>, StatusCode> {
    let expected = format!("Bearer {}", state.token);
    if headers.get("authorization").and_then(|v| v.to_str().ok()) != Some(expected.as_str()) {
        return Err(StatusCode::UNAUTHORIZED);
    }
    Ok(Json(json!({
        "pid": std::process::id(),
        "started_ms": state.started_ms,
        "channels": state.host.channel_status(),
    })))
}

/// What a client learns about the running gateway.
pub enum GatewayProbe {
    /// The gateway answered.
    Running(Value),
    /// No gateway is running (no record, or it does not answer).
    NotRunning(String),
}

/// Ask the gateway recorded under `home` for its status.
pub async fn probe(home: &Path) -> GatewayProbe {
    let record: Value = match std::fs::read_to_string(home.join(GATEWAY_FILE))
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
    {
        Some(v) => v,
        None => {
            return GatewayProbe::NotRunning(
                "no gateway is running (start one with `weft gateway`)".into(),
            );
        }
    };
    let Some(url) = record["url"].as_str() else {
        return GatewayProbe::NotRunning(format!(
            "`{}` is malformed",
            home.join(GATEWAY_FILE).display()
        ));
    };
    let token = std::fs::read_to_string(home.join(TOKEN_FILE)).unwrap_or_default();
    let client = clawft_http::client_builder()
        .timeout(std::time::Duration::from_secs(5))
        .no_proxy()
        .build();
    let Ok(client) = client else {
        return GatewayProbe::NotRunning("could not build an HTTP client".into());
    };
    match client
        .get(format!("{url}/status"))
        .bearer_auth(token.trim())
        .send()
        .await
    {
        Ok(resp) if resp.status().is_success() => match resp.json().await {
            Ok(v) => GatewayProbe::Running(v),
            Err(err) => GatewayProbe::NotRunning(format!("the gateway sent a bad answer: {err}")),
        },
        Ok(resp) => GatewayProbe::NotRunning(format!(
            "the gateway refused the request ({})",
            resp.status()
        )),
        Err(_) => GatewayProbe::NotRunning(format!(
            "no gateway is running (pid {} recorded in `{}` does not answer)",
            record["pid"],
            home.join(GATEWAY_FILE).display()
        )),
    }
}
