//! The MCP client against real servers: clawft's own MCP server over streamable HTTP
//! (tools registered as `<server>__<tool>`, calls, remote errors, `list_changed`, a
//! server that goes away) and stdio servers that cannot start, die or hang.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use clawft_core::ToolRegistry;
use clawft_mcp::client::{McpClients, McpServersSettings, RetryDelays};
use clawft_mcp::{HttpAuth, HttpOptions, serve_http};
use clawft_plugin::{ToolContext, ToolOutput};
use common::{Fixture, TestTool};
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

async fn start_http(fx: &Fixture, token: &str) -> (String, CancellationToken) {
    start_http_on(fx, token, "127.0.0.1:0").await
}

async fn start_http_on(fx: &Fixture, token: &str, addr: &str) -> (String, CancellationToken) {
    let shutdown = CancellationToken::new();
    let options = HttpOptions {
        addr: addr.parse().expect("addr"),
        auth: HttpAuth::Bearer(token.to_owned()),
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

fn settings(value: Value) -> McpServersSettings {
    McpServersSettings::from_section(Some(&value)).expect("valid settings")
}

async fn call(registry: &ToolRegistry, name: &str, args: Value) -> ToolOutput {
    let tool = registry
        .snapshot()
        .get(name)
        .cloned()
        .unwrap_or_else(|| panic!("`{name}` is not registered"));
    tool.call(args, &ToolContext::new("/tmp", "test", "chat"))
        .await
        .expect("remote tools never return Err")
}

/// A server that is down when weft starts is retried in the background; its tools join
/// the registry once it answers, and the other servers were usable all along.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_down_at_start_joins_when_it_comes_up() {
    let fx = Fixture::new();
    let (up_url, _up) = start_http(&fx, "tok").await;
    // A free port with nothing listening yet.
    let late_addr = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port");
    let token_file = fx.dir.path().join("token");
    std::fs::write(&token_file, "tok").expect("write token");
    let registry = Arc::new(ToolRegistry::new());
    let config = settings(json!({
        "up": {"url": up_url, "bearer_token": {"file": &token_file}},
        "late": {"url": format!("http://{late_addr}/mcp"), "bearer_token": {"file": &token_file},
                 "connect_timeout_secs": 2},
    }));
    let (mut clients, reports) =
        McpClients::connect_all(&config, registry.clone(), fx.dir.path()).await;
    let late = reports.iter().find(|r| r.server == "late").expect("late");
    assert!(late.result.is_err(), "nothing listens yet: {late:?}");
    assert!(registry.snapshot().get("up__echo").is_some());
    assert!(registry.snapshot().get("late__echo").is_none());

    clients.retry_failed(RetryDelays {
        first: Duration::from_millis(100),
        max: Duration::from_millis(400),
    });
    tokio::time::sleep(Duration::from_millis(600)).await;
    let (_late_url, _late) = start_http_on(&fx, "tok", &late_addr.to_string()).await;
    let deadline = Instant::now() + Duration::from_secs(10);
    while registry.snapshot().get("late__echo").is_none() {
        assert!(
            Instant::now() < deadline,
            "the late server's tools did not join within 10 s"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        call(&registry, "late__echo", json!({"text": "finally"})).await,
        ToolOutput::ok("finally")
    );
    clients.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_server_tools_are_registered_called_and_refreshed() {
    let fx = Fixture::new();
    let (url, shutdown) = start_http(&fx, "s3cret").await;
    let token_file = fx.dir.path().join("token");
    std::fs::write(&token_file, "s3cret\n").expect("write token");
    let registry = Arc::new(ToolRegistry::new());
    let config = settings(json!({"srv": {
        "url": url, "bearer_token": {"file": token_file}, "timeout_secs": 5
    }}));

    let began = Instant::now();
    let (clients, reports) =
        McpClients::connect_all(&config, registry.clone(), fx.dir.path()).await;
    let connect_ms = began.elapsed().as_millis();
    assert_eq!(reports.len(), 1);
    let names = reports[0].result.as_ref().expect("connected");
    for expected in ["srv__echo", "srv__fail", "srv__skill__demo"] {
        assert!(
            names.iter().any(|n| n == expected),
            "{expected} missing from {names:?}"
        );
    }
    assert_eq!(clients.servers(), ["srv"]);
    let spec = registry.snapshot().get("srv__echo").expect("echo").spec();
    assert_eq!(spec.description, "test tool echo");
    assert_eq!(spec.parameters["properties"]["text"]["type"], "string");
    assert!(spec.annotations.read_only && spec.annotations.idempotent);
    assert!(!spec.annotations.destructive && !spec.annotations.open_world);

    let began = Instant::now();
    let echoed = call(&registry, "srv__echo", json!({"text": "hello over MCP"})).await;
    let call_ms = began.elapsed().as_millis();
    assert_eq!(echoed, ToolOutput::ok("hello over MCP"));
    eprintln!("connect + list: {connect_ms} ms; one tools/call round trip: {call_ms} ms");
    assert_eq!(
        call(&registry, "srv__fail", json!({})).await,
        ToolOutput::error("it failed, as asked")
    );
    let skill = call(&registry, "srv__skill__demo", json!({"arguments": "x"})).await;
    assert!(
        !skill.is_error && skill.content.contains("Skill `demo`"),
        "{skill:?}"
    );

    // A tool added on the server arrives through `tools/list_changed`. Give the
    // session's GET stream a moment to open first.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let version = registry.snapshot().version();
    fx.tools
        .register(Arc::new(TestTool("whoami2")))
        .expect("register");
    let deadline = Instant::now() + Duration::from_secs(5);
    while registry.snapshot().get("srv__whoami2").is_none() {
        assert!(Instant::now() < deadline, "no refresh within 5 s");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let after = registry.snapshot();
    assert!(after.version() > version);
    assert!(after.get("srv__echo").is_some(), "the other tools stay");

    // The server goes away: a call fails with a readable error, quickly.
    shutdown.cancel();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let began = Instant::now();
    let gone = call(&registry, "srv__echo", json!({"text": "anyone?"})).await;
    assert!(gone.is_error, "{gone:?}");
    assert!(gone.content.contains("`srv`"), "{}", gone.content);
    assert!(began.elapsed() < Duration::from_secs(10), "no hang");

    clients.shutdown().await;
    let closed = call(&registry, "srv__fail", json!({})).await;
    assert!(
        closed.is_error && closed.content.contains("shut down"),
        "{closed:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn allow_list_limits_the_registered_tools() {
    let fx = Fixture::new();
    let (url, shutdown) = start_http(&fx, "t").await;
    let token_file = fx.dir.path().join("token");
    std::fs::write(&token_file, "t").expect("write token");
    let registry = Arc::new(ToolRegistry::new());
    let config = settings(json!({"only": {
        "url": url, "bearer_token": {"file": token_file}, "tools": ["echo", "ehco"]
    }}));
    let (clients, reports) =
        McpClients::connect_all(&config, registry.clone(), fx.dir.path()).await;
    assert_eq!(
        reports[0].result.as_ref().expect("connected"),
        &["only__echo".to_owned()]
    );
    assert_eq!(registry.snapshot().len(), 1);
    clients.shutdown().await;
    shutdown.cancel();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn broken_servers_are_reported_and_skipped_while_others_load() {
    let fx = Fixture::new();
    let (url, shutdown) = start_http(&fx, "right").await;
    let token_file = fx.dir.path().join("token");
    std::fs::write(&token_file, "wrong").expect("write token");
    let good_token = fx.dir.path().join("good-token");
    std::fs::write(&good_token, "right").expect("write token");
    let registry = Arc::new(ToolRegistry::new());
    let config = settings(json!({
        "ghost": {"command": "/no/such/mcp-server-xyz"},
        "quitter": {"command": "sh", "args": ["-c", "echo 'fatal: no config' >&2; exit 3"]},
        "sleeper": {"command": "sleep", "args": ["30"], "connect_timeout_secs": 1},
        "denied": {"url": url, "bearer_token": {"file": token_file}},
        "unset": {"url": url, "bearer_token": {"env": "CLAWFT_TEST_NO_SUCH_VAR_XYZ"}},
        "good": {"url": url, "bearer_token": {"file": good_token}},
        "nowhere": {"command": "sh", "cwd": "no/such/dir"},
        "off": {"command": "/no/such/thing", "enabled": false}
    }));
    let began = Instant::now();
    let (clients, reports) =
        McpClients::connect_all(&config, registry.clone(), fx.dir.path()).await;
    assert!(
        began.elapsed() < Duration::from_secs(10),
        "servers connect concurrently and the sleeper times out after 1 s"
    );
    let error = |name: &str| {
        reports
            .iter()
            .find(|r| r.server == name)
            .unwrap_or_else(|| panic!("no report for {name}"))
            .result
            .as_ref()
            .expect_err(name)
            .to_string()
    };
    for report in &reports {
        if let Err(err) = &report.result {
            eprintln!("{}: {err}", report.server);
        }
    }
    let ghost = error("ghost");
    assert!(
        ghost.contains("cannot start `/no/such/mcp-server-xyz`"),
        "{ghost}"
    );
    assert!(ghost.contains("mcp_servers.ghost.command"), "{ghost}");
    let quitter = error("quitter");
    assert!(
        quitter.contains("fatal: no config"),
        "stderr tail in: {quitter}"
    );
    let sleeper = error("sleeper");
    assert!(
        sleeper.contains("within 1 s") && sleeper.contains("connect_timeout_secs"),
        "{sleeper}"
    );
    let denied = error("denied");
    assert!(
        denied.to_lowercase().contains("auth") || denied.contains("401"),
        "{denied}"
    );
    let nowhere = error("nowhere");
    assert!(
        nowhere.contains("no/such/dir") && nowhere.contains("mcp_servers.nowhere.cwd"),
        "{nowhere}"
    );
    let unset = error("unset");
    assert!(unset.contains("CLAWFT_TEST_NO_SUCH_VAR_XYZ"), "{unset}");
    assert!(
        reports.iter().all(|r| r.server != "off"),
        "disabled servers are not started"
    );
    assert_eq!(clients.servers(), ["good"]);
    assert!(registry.snapshot().get("good__echo").is_some());
    assert!(registry.snapshot().names().all(|n| n.starts_with("good__")));
    clients.shutdown().await;
    shutdown.cancel();
}
