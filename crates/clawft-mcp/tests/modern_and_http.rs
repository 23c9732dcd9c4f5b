//! The stateless `2026-07-28` lifecycle (changes on `subscriptions/listen`) and the HTTP
//! transport's token, Origin and session handling.

mod common;

use std::time::Duration;

use clawft_mcp::{HttpAuth, HttpOptions, serve_http};
use common::{Fixture, Recorder, expect_notification, write_skill};
use rmcp::model::{ProtocolVersion, ServerNotification, SubscriptionFilter};
use rmcp::service::ClientLifecycleMode;
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use rmcp::{ServiceExt, service::ClientServiceExt};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn modern_clients_get_changes_on_their_subscription() {
    let fx = Fixture::new();
    let server = fx.server();
    let (server_io, client_io) = tokio::io::duplex(1 << 20);
    tokio::spawn(async move {
        if let Ok(running) = server.serve(server_io).await {
            let _ = running.waiting().await;
        }
    });
    let (tx, _rx) = mpsc::unbounded_channel();
    let client = Recorder(tx)
        .serve_with_lifecycle(
            client_io,
            ClientLifecycleMode::Discover {
                preferred_versions: vec![ProtocolVersion::V_2026_07_28],
            },
        )
        .await
        .expect("discover");
    let tools = client.list_all_tools().await.expect("tools/list");
    assert!(tools.iter().any(|t| t.name == "skill__demo"));

    let mut subscription = client
        .peer()
        .listen(
            SubscriptionFilter::builder()
                .tools_list_changed()
                .prompts_list_changed()
                .build(),
        )
        .await
        .expect("subscriptions/listen");
    assert_eq!(subscription.acknowledged().tools_list_changed, Some(true));
    assert_eq!(subscription.acknowledged().resources_list_changed, None);

    write_skill(
        &fx.skills_root(),
        "fresh",
        "description: Brand new.",
        "New.\n",
    );
    assert!(fx.skills.reload().changed);
    let mut seen = Vec::new();
    while seen.len() < 2 {
        let next = tokio::time::timeout(Duration::from_secs(5), subscription.next())
            .await
            .expect("a notification within 5 s")
            .expect("stream alive")
            .expect("not ended");
        seen.push(match next {
            ServerNotification::ToolListChangedNotification(_) => "tools",
            ServerNotification::PromptListChangedNotification(_) => "prompts",
            other => panic!("unexpected {other:?}"),
        });
    }
    assert_eq!(seen, ["tools", "prompts"]);
    let tools = client.list_all_tools().await.expect("tools/list");
    assert!(tools.iter().any(|t| t.name == "skill__fresh"));
    client.cancel().await.expect("close");
}

async fn start_http(fx: &Fixture, auth: HttpAuth) -> (String, CancellationToken) {
    let shutdown = CancellationToken::new();
    let options = HttpOptions {
        addr: "127.0.0.1:0".parse().expect("addr"),
        auth,
        allowed_origins: Vec::new(),
        allowed_hosts: Vec::new(),
    };
    let (tx, rx) = tokio::sync::oneshot::channel();
    let server = fx.server();
    let stop = shutdown.clone();
    tokio::spawn(async move {
        serve_http(server, options, stop.cancelled_owned(), move |addr| {
            let _ = tx.send(addr);
        })
        .await
        .expect("serve");
    });
    let addr = rx.await.expect("bound");
    (format!("http://{addr}/mcp"), shutdown)
}

const INIT: &str = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw","version":"0"}}}"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_requires_the_token_and_a_loopback_origin() {
    let fx = Fixture::new();
    let (url, shutdown) = start_http(&fx, HttpAuth::Bearer("tok3n".into())).await;
    let http = clawft_http::client_builder().build().expect("http client");
    let post = |auth: Option<&str>, origin: Option<&str>| {
        let mut req = http
            .post(&url)
            .header("content-type", "application/json")
            .header("accept", "application/json, text/event-stream")
            .body(INIT);
        if let Some(auth) = auth {
            req = req.header("authorization", auth);
        }
        if let Some(origin) = origin {
            req = req.header("origin", origin);
        }
        req.send()
    };
    let none = post(None, None).await.expect("send");
    assert_eq!(none.status(), 401);
    assert!(none.headers().contains_key("www-authenticate"));
    assert_eq!(
        post(Some("Bearer wrong"), None)
            .await
            .expect("send")
            .status(),
        401
    );
    let evil = post(Some("Bearer tok3n"), Some("https://evil.example"))
        .await
        .expect("send");
    assert_eq!(evil.status(), 403);
    let local = post(Some("Bearer tok3n"), Some("http://localhost:3000"))
        .await
        .expect("send");
    assert_eq!(local.status(), 200);
    let plain = post(Some("Bearer tok3n"), None).await.expect("send");
    assert_eq!(plain.status(), 200);
    let garbage = http
        .post(&url)
        .header("authorization", "Bearer tok3n")
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .body("{not json")
        .send()
        .await
        .expect("send");
    assert_eq!(garbage.status(), 400);
    let body: serde_json::Value = garbage.json().await.expect("a JSON-RPC error");
    assert_eq!(body["error"]["code"], -32700, "{body}");

    // rmcp's own streamable HTTP client, with the token, gets changes over its session.
    let transport = StreamableHttpClientTransport::from_config(
        StreamableHttpClientTransportConfig::with_uri(url.as_str()).auth_header("tok3n"),
    );
    let (tx, mut rx) = mpsc::unbounded_channel();
    let client = Recorder(tx).serve(transport).await.expect("http client");
    let tools = client.list_all_tools().await.expect("tools/list");
    assert!(tools.iter().any(|t| t.name == "echo"));
    // Give the session's GET stream a moment to open, then change the skills.
    tokio::time::sleep(Duration::from_millis(300)).await;
    write_skill(
        &fx.skills_root(),
        "over-http",
        "description: Via HTTP.",
        "x\n",
    );
    assert!(fx.skills.reload().changed);
    expect_notification(&mut rx, "tools").await;
    let tools = client.list_all_tools().await.expect("tools/list");
    assert!(tools.iter().any(|t| t.name == "skill__over-http"));
    client.cancel().await.expect("close");
    shutdown.cancel();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn open_http_on_loopback_needs_no_token() {
    let fx = Fixture::new();
    let (url, shutdown) = start_http(&fx, HttpAuth::Open).await;
    let response = clawft_http::client_builder()
        .build()
        .expect("http client")
        .post(&url)
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .body(INIT)
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), 200);
    shutdown.cancel();
}
