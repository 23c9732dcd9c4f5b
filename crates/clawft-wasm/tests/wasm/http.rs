//! Outbound HTTP: only declared hosts, nothing inside the network unless declared
//! exactly, rate and size limits, secrets injected by the host and never seen by the guest.

use std::path::Path;

use clawft_plugin::ToolOutput;
use clawft_wasm::{LoadedPlugin, PluginGrants, SecretHeader, SecretValue, WasmError, WasmLimits};
use serde_json::{Value, json};

use crate::support::{SECRET, Server, host, host_with, load, probe_manifest};

async fn probe(network: Value, limits: WasmLimits, grants: PluginGrants) -> Option<LoadedPlugin> {
    let wasm = crate::support::plugin_wasm("sandbox-probe")?;
    let dir = tempfile::tempdir().unwrap();
    let manifest = probe_manifest("probe-http", json!({"network": network}));
    Some(
        load(&wasm, &manifest, dir.path(), &host_with(limits), grants)
            .await
            .expect("load"),
    )
}

/// The probe allowed `network`, with default limits and no secrets.
async fn probe_allowing(network: Value) -> Option<LoadedPlugin> {
    probe(network, WasmLimits::default(), PluginGrants::default()).await
}

async fn get(plugin: &LoadedPlugin, url: &str) -> ToolOutput {
    plugin
        .call("http", &json!({"url": url}).to_string(), Path::new("."))
        .await
}

fn refused(out: &ToolOutput, code: &str, note: &str) {
    assert!(out.is_error, "expected a refusal, got {}", out.content);
    assert!(
        out.content.contains(code),
        "missing `{code}` in {}",
        out.content
    );
    assert!(
        out.content.contains(note),
        "missing `{note}` in {}",
        out.content
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn undeclared_hosts_and_empty_allowlists_are_refused() {
    let server = Server::start().await;
    let Some(p) = probe_allowing(json!(["api.example.com"])).await else {
        return;
    };
    refused(
        &get(&p, &server.url("/hello")).await,
        "HttpRequestDenied",
        "is not declared in `permissions.network` (declared: `api.example.com`)",
    );
    let Some(p) = probe_allowing(json!([])).await else {
        return;
    };
    refused(
        &get(&p, &server.url("/hello")).await,
        "HttpRequestDenied",
        "declared: nothing",
    );
    assert!(server.seen.lock().unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_http_and_https_schemes() {
    let Some(p) = probe_allowing(json!(["*"])).await else {
        return;
    };
    for url in [
        "file://localhost/etc/passwd",
        "data://text/plain,hi",
        "ftp://example.com/x",
    ] {
        refused(
            &get(&p, url).await,
            "HttpProtocolError",
            "scheme is not allowed (http and https only)",
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inside_addresses_need_an_exact_entry() {
    let server = Server::start().await;
    let port = server.addr.port();
    let Some(p) = probe_allowing(json!(["*", "*.localhost"])).await else {
        return;
    };
    for url in [
        format!("http://127.0.0.1:{port}/hello"),
        format!("http://[::ffff:127.0.0.1]:{port}/hello"),
        format!("http://[::1]:{port}/hello"),
        "http://169.254.169.254/latest/meta-data/".to_owned(),
        "http://10.0.0.1/".to_owned(),
        "http://192.168.1.1/".to_owned(),
    ] {
        refused(
            &get(&p, &url).await,
            "DestinationIpProhibited",
            "only an exact `permissions.network` entry may reach it",
        );
    }
    // A name resolving to loopback is refused after the host's own DNS lookup.
    refused(
        &get(&p, &format!("http://localhost:{port}/hello")).await,
        "DestinationIpProhibited",
        "resolves to",
    );
    // A wildcard matches subdomains, never the inside: `a.localhost` passes the
    // allowlist but not the address check.
    let out = get(&p, &format!("http://a.localhost:{port}/hello")).await;
    assert!(
        out.is_error && !out.content.contains("not declared"),
        "{}",
        out.content
    );
    assert!(
        server.seen.lock().unwrap().is_empty(),
        "nothing reached the server"
    );

    // Declared exactly, the same loopback targets work.
    let Some(p) = probe_allowing(json!(["127.0.0.1", "localhost"])).await else {
        return;
    };
    for url in [
        format!("http://127.0.0.1:{port}/hello"),
        format!("http://localhost:{port}/hello"),
    ] {
        let out = get(&p, &url).await;
        assert!(
            !out.is_error && out.content.contains("42 apples"),
            "{url}: {}",
            out.content
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wildcards_match_subdomains_not_the_bare_host() {
    let Some(p) = probe_allowing(json!(["*.example.com"])).await else {
        return;
    };
    refused(
        &get(&p, "http://example.com/").await,
        "HttpRequestDenied",
        "not declared",
    );
    refused(
        &get(&p, "http://badexample.com/").await,
        "HttpRequestDenied",
        "not declared",
    );
    let Some(p) = probe_allowing(json!(["127.0.0.1:1"])).await else {
        return;
    };
    refused(
        &get(&p, "http://127.0.0.1:2/").await,
        "HttpRequestDenied",
        "`127.0.0.1:2` is not declared",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_and_size_limits() {
    let server = Server::start().await;
    let limits = WasmLimits {
        http_requests_per_minute: 2,
        http_response_body_bytes: 1_000,
        http_request_body_bytes: 100,
        ..WasmLimits::default()
    };
    let Some(p) = probe(json!(["127.0.0.1"]), limits, PluginGrants::default()).await else {
        return;
    };
    refused(
        &get(&p, &server.url("/big")).await,
        "HttpResponseBodySize",
        "over 1000 bytes (`limits.http_response_body_bytes`)",
    );
    let post = json!({"url": server.url("/echo"), "method": "POST", "body": "x".repeat(5_000)});
    let out = p.call("http", &post.to_string(), Path::new(".")).await;
    assert!(out.is_error, "{}", out.content);
    assert!(
        out.content.contains("request body over 100 bytes"),
        "{}",
        out.content
    );
    refused(
        &get(&p, &server.url("/hello")).await,
        "ConnectionLimitReached",
        "rate limit of 2 requests per minute",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redirects_are_not_followed() {
    let server = Server::start().await;
    let Some(p) = probe_allowing(json!(["127.0.0.1"])).await else {
        return;
    };
    let out = get(&p, &server.url("/redirect")).await;
    assert!(
        !out.is_error && out.content.starts_with("HTTP 302"),
        "{}",
        out.content
    );
    assert!(
        out.content.contains("location: http://169.254.169.254/"),
        "{}",
        out.content
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secrets_reach_the_declared_host_but_never_the_guest() {
    let server = Server::start().await;
    let grants = PluginGrants {
        approved: None,
        secrets: vec![SecretHeader {
            host: "127.0.0.1".into(),
            header: "authorization".into(),
            value: SecretValue::new(SECRET),
        }],
    };
    let Some(p) = probe(
        json!(["127.0.0.1", "localhost"]),
        WasmLimits::default(),
        grants,
    )
    .await
    else {
        return;
    };
    // The guest even tries to set its own value; the host's wins.
    let args = json!({"url": server.url("/private"), "headers": [["authorization", "guess"]]});
    let out = p.call("http", &args.to_string(), Path::new(".")).await;
    assert!(
        !out.is_error && out.content.contains("authorized: secret data 7"),
        "{}",
        out.content
    );
    assert!(
        !out.content.contains("s3cr3t"),
        "the guest saw the secret: {}",
        out.content
    );
    let env = p.call("env_all", "{}", Path::new(".")).await;
    assert!(!env.content.contains("s3cr3t"));
    {
        let seen = server.seen.lock().unwrap();
        assert_eq!(seen.len(), 1);
        assert_eq!(seen[0].get("authorization").unwrap(), SECRET);
    }
    // Another declared host does not get it.
    let url = format!("http://localhost:{}/private", server.addr.port());
    let out = get(&p, &url).await;
    assert!(out.content.starts_with("HTTP 401"), "{}", out.content);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secrets_for_undeclared_hosts_fail_the_load() {
    let Some(wasm) = crate::support::plugin_wasm("sandbox-probe") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let grants = PluginGrants {
        approved: None,
        secrets: vec![SecretHeader {
            host: "evil.example".into(),
            header: "authorization".into(),
            value: SecretValue::new("x"),
        }],
    };
    let manifest = probe_manifest("probe-secret", json!({"network": ["*"]}));
    let err = load(&wasm, &manifest, dir.path(), &host(), grants)
        .await
        .unwrap_err();
    assert!(
        matches!(err, WasmError::SecretForUndeclaredHost { .. }),
        "{err}"
    );
    assert!(err.to_string().contains("`evil.example`"), "{err}");
}
