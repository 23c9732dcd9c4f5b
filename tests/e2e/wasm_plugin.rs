//! A WASM plugin end to end: `weft plugin install` then an agent turn in which the model
//! calls the plugin's tool, the call runs in the sandbox, reaches a declared loopback host,
//! and its result reaches the model. Needs the example plugins (`scripts/build-plugins`).

use std::io::{Read, Write};
use std::net::TcpListener;

use clawft_e2e::{TestEnv, example_plugin, run};
use clawft_testkit::Reply;
use serde_json::json;

#[test]
fn an_installed_wasm_tool_is_called_by_the_agent_and_its_result_reaches_the_model() {
    let Some(wasm) = example_plugin("http-fetch", "http_fetch.wasm") else {
        eprintln!(
            "skipped: plugins/http-fetch/http_fetch.wasm is not built; run ./scripts/build-plugins (scripts/test does)"
        );
        return;
    };
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for mut conn in listener.incoming().flatten().take(4) {
            let mut buf = [0u8; 4096];
            let _ = conn.read(&mut buf);
            let body = "forecast: 17 degrees and sunny";
            let _ = write!(
                conn,
                "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });

    let env = TestEnv::with_llm(vec![
        Reply::tool(
            "fetch",
            json!({"url": format!("http://127.0.0.1:{port}/forecast")}),
        ),
        Reply::text("It will be sunny."),
    ]);
    // The example manifest allows public hosts only; this copy declares the exact loopback host.
    let plugin_dir = env.root.path().join("http-fetch");
    std::fs::create_dir_all(&plugin_dir).unwrap();
    std::fs::copy(&wasm, plugin_dir.join("http_fetch.wasm")).unwrap();
    std::fs::write(
        plugin_dir.join("clawft.plugin.json"),
        json!({
            "schema_version": 1, "id": "http-fetch", "name": "HTTP fetch", "version": "0.1.0",
            "capabilities": {"tools": ["fetch"]}, "entry": {"wasm": "http_fetch.wasm"},
            "permissions": {"network": ["127.0.0.1"]}
        })
        .to_string(),
    )
    .unwrap();

    let (code, stdout, stderr) =
        run(env
            .weft()
            .args(["plugin", "install", plugin_dir.to_str().unwrap()]));
    assert_eq!(code, 0, "install failed: {stdout}\n{stderr}");
    let (code, stdout, _) = run(env.weft().args(["plugin", "list"]));
    assert_eq!(code, 0);
    assert!(stdout.contains("http-fetch"), "{stdout}");

    let (code, stdout, stderr) = run(env.weft().args(["agent", "-m", "what is the forecast?"]));
    assert_eq!(
        (code, stdout.as_str()),
        (0, "It will be sunny.\n"),
        "{stderr}"
    );
    let requests = env.llm().requests();
    let offered: Vec<&str> = requests[0]["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["function"]["name"].as_str().unwrap())
        .collect();
    assert!(
        offered.contains(&"fetch"),
        "the plugin tool is offered to the model: {offered:?}"
    );
    let result = requests[1]["messages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["role"] == "tool")
        .unwrap()["content"]
        .clone();
    assert_eq!(result, "HTTP 200\nforecast: 17 degrees and sunny");
}
