//! MCP over streamable HTTP: rmcp's `StreamableHttpService` mounted at `/mcp` in axum,
//! behind a bearer-token check, with `Host` and `Origin` validation.
//!
//! | check | default | on failure |
//! |---|---|---|
//! | `Authorization: Bearer <token>` | required; [`HttpAuth::Open`] is refused unless the address is loopback | 401 with `WWW-Authenticate: Bearer` |
//! | `Origin` (when present) | loopback origins only (`http://localhost:*`, `http://127.0.0.1:*`, `http://[::1]:*`) | 403 |
//! | `Host` | loopback names, plus the bound address when it is not a wildcard | 403 |
//! | POST body is JSON | — | 400 with a JSON-RPC `-32700` parse error |

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::{StreamableHttpServerConfig, StreamableHttpService};
use tokio_util::sync::CancellationToken;

use crate::error::McpError;
use crate::server::McpServer;

/// The path the MCP endpoint is served at.
pub const MCP_PATH: &str = "/mcp";

/// Origins allowed when none are configured.
pub const LOOPBACK_ORIGINS: [&str; 3] =
    ["http://localhost:*", "http://127.0.0.1:*", "http://[::1]:*"];

/// How HTTP clients authenticate.
#[derive(Clone, PartialEq, Eq)]
pub enum HttpAuth {
    /// Every request carries `Authorization: Bearer <token>`.
    Bearer(String),
    /// No token; only allowed on a loopback address.
    Open,
}

impl std::fmt::Debug for HttpAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Bearer(_) => f.write_str("Bearer(<redacted>)"),
            Self::Open => f.write_str("Open"),
        }
    }
}

/// Where and how to serve.
#[derive(Debug, Clone)]
pub struct HttpOptions {
    /// The address to bind.
    pub addr: SocketAddr,
    /// Authentication.
    pub auth: HttpAuth,
    /// Allowed browser origins; empty means [`LOOPBACK_ORIGINS`].
    pub allowed_origins: Vec<String>,
    /// Allowed `Host` values; empty means loopback names plus the bound address.
    pub allowed_hosts: Vec<String>,
}

impl HttpOptions {
    /// Checks that an open server is bound to loopback only.
    ///
    /// # Errors
    /// [`McpError::OpenNonLoopback`].
    pub fn validate(&self) -> Result<(), McpError> {
        if self.auth == HttpAuth::Open && !self.addr.ip().is_loopback() {
            return Err(McpError::OpenNonLoopback {
                addr: self.addr.to_string(),
            });
        }
        Ok(())
    }

    fn rmcp_config(&self, shutdown: CancellationToken) -> StreamableHttpServerConfig {
        let origins: Vec<String> = if self.allowed_origins.is_empty() {
            LOOPBACK_ORIGINS.iter().map(|o| (*o).to_owned()).collect()
        } else {
            self.allowed_origins.clone()
        };
        let hosts: Vec<String> = if self.allowed_hosts.is_empty() {
            let mut hosts: Vec<String> = ["localhost", "127.0.0.1", "::1"].map(String::from).into();
            if !self.addr.ip().is_unspecified() && !self.addr.ip().is_loopback() {
                hosts.push(self.addr.ip().to_string());
            }
            hosts
        } else {
            self.allowed_hosts.clone()
        };
        StreamableHttpServerConfig::default()
            .with_allowed_hosts(hosts)
            .with_allowed_origins(origins)
            .enforce_origin_validation()
            .with_cancellation_token(shutdown)
    }
}

/// The axum router serving `server` at [`MCP_PATH`] with the checks of `options`. Open
/// streams end when `shutdown` is cancelled.
///
/// # Errors
/// [`McpError::OpenNonLoopback`] for an open server on a non-loopback address.
pub fn http_router(
    server: McpServer,
    options: &HttpOptions,
    shutdown: CancellationToken,
) -> Result<Router, McpError> {
    options.validate()?;
    let service = StreamableHttpService::new(
        move || Ok(server.clone()),
        Arc::new(LocalSessionManager::default()),
        options.rmcp_config(shutdown),
    );
    let router = Router::new()
        .route_service(MCP_PATH, service)
        .layer(middleware::from_fn(reject_non_json));
    Ok(match &options.auth {
        HttpAuth::Open => router,
        HttpAuth::Bearer(token) => router.layer(middleware::from_fn_with_state(
            Arc::new(format!("Bearer {token}")),
            require_bearer,
        )),
    })
}

/// Binds `options.addr` and serves until `shutdown` completes; open event streams are
/// closed then. Calls `on_bound` with the bound address (useful with port 0) before
/// accepting connections.
///
/// # Errors
/// [`McpError::Bind`] when the address cannot be bound, [`McpError::OpenNonLoopback`] for
/// an open server on a non-loopback address, [`McpError::Io`] when serving fails.
pub async fn serve_http(
    server: McpServer,
    options: HttpOptions,
    shutdown: impl Future<Output = ()> + Send + 'static,
    on_bound: impl FnOnce(SocketAddr),
) -> Result<(), McpError> {
    let stop = CancellationToken::new();
    let router = http_router(server, &options, stop.child_token())?;
    let listener = tokio::net::TcpListener::bind(options.addr)
        .await
        .map_err(|source| McpError::Bind {
            addr: options.addr.to_string(),
            source,
        })?;
    let bound = listener.local_addr()?;
    on_bound(bound);
    tracing::info!(%bound, "serving MCP over HTTP at {MCP_PATH}");
    let streams = stop.clone();
    let result = axum::serve(listener, router)
        .with_graceful_shutdown(async move {
            shutdown.await;
            // End the open SSE streams, or the graceful shutdown would wait for them.
            streams.cancel();
        })
        .await;
    stop.cancel();
    result.map_err(McpError::from)
}

async fn require_bearer(
    State(expected): State<Arc<String>>,
    request: Request,
    next: Next,
) -> Response {
    let given = request
        .headers()
        .get(header::AUTHORIZATION)
        .map(HeaderValue::as_bytes)
        .unwrap_or_default();
    if constant_time_eq(given, expected.as_bytes()) {
        return next.run(request).await;
    }
    let mut response = (
        StatusCode::UNAUTHORIZED,
        "missing or wrong bearer token: send `Authorization: Bearer <token>` (the token is in $CLAWFT_HOME/mcp-token unless configured)\n",
    )
        .into_response();
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Bearer realm=\"clawft-mcp\""),
    );
    response
}

/// Largest POST body read (rmcp's own default limit): 4 MiB.
const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;

/// Answers a POST whose body is not JSON with a JSON-RPC parse error (`-32700`), which
/// rmcp would answer with a plain-text 415.
async fn reject_non_json(request: Request, next: Next) -> Response {
    if request.method() != axum::http::Method::POST {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_BODY_BYTES).await else {
        return (StatusCode::PAYLOAD_TOO_LARGE, "request body too large\n").into_response();
    };
    if let Err(err) = serde_json::from_slice::<serde::de::IgnoredAny>(&bytes) {
        let error = serde_json::json!({
            "jsonrpc": "2.0",
            "id": null,
            "error": {"code": -32700, "message": format!("parse error: {err}")},
        });
        return (
            StatusCode::BAD_REQUEST,
            [(header::CONTENT_TYPE, "application/json")],
            error.to_string(),
        )
            .into_response();
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

/// Compares without an early exit on the first differing byte.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_servers_must_be_loopback() {
        let mut options = HttpOptions {
            addr: "0.0.0.0:0".parse().expect("addr"),
            auth: HttpAuth::Open,
            allowed_origins: Vec::new(),
            allowed_hosts: Vec::new(),
        };
        assert!(matches!(
            options.validate(),
            Err(McpError::OpenNonLoopback { .. })
        ));
        options.auth = HttpAuth::Bearer("t".into());
        assert!(options.validate().is_ok());
        options.addr = "127.0.0.1:0".parse().expect("addr");
        options.auth = HttpAuth::Open;
        assert!(options.validate().is_ok());
        assert_eq!(
            format!("{:?}", HttpAuth::Bearer("s3cret".into())),
            "Bearer(<redacted>)"
        );
    }

    #[test]
    fn token_comparison() {
        assert!(constant_time_eq(b"Bearer abc", b"Bearer abc"));
        assert!(!constant_time_eq(b"Bearer abd", b"Bearer abc"));
        assert!(!constant_time_eq(b"Bearer ab", b"Bearer abc"));
    }
}
