//! One MCP session over an in-memory pipe, driven by rmcp's own client: what a client sees
//! and how failures come back.

mod common;

use common::{Fixture, connect, expect_notification, expect_notifications, write_skill};
use rmcp::model::{
    CallToolRequestParams, ErrorCode, GetPromptRequestParams, ReadResourceRequestParams,
    ResourceContents,
};
use rmcp::service::ServiceError;
use serde_json::json;

fn args(value: serde_json::Value) -> rmcp::model::JsonObject {
    match value {
        serde_json::Value::Object(map) => map,
        _ => panic!("not an object"),
    }
}

fn text_of(result: &rmcp::model::CallToolResult) -> String {
    result
        .content
        .iter()
        .filter_map(|c| c.as_text().map(|t| t.text.clone()))
        .collect::<Vec<_>>()
        .join("\n")
}

fn error_code(err: ServiceError) -> ErrorCode {
    match err {
        ServiceError::McpError(data) => data.code,
        other => panic!("expected a JSON-RPC error, got {other}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tools_list_has_tools_and_namespaced_skills_with_hints() {
    let fx = Fixture::new();
    let (client, _rx) = connect(fx.server()).await;
    let info = client.peer_info().expect("server info");
    assert_eq!(info.protocol_version.as_str(), "2025-11-25");
    assert_eq!(
        info.server_info.as_ref().map(|i| i.name.as_str()),
        Some("clawft")
    );
    let caps = &info.capabilities;
    assert_eq!(caps.tools.as_ref().and_then(|t| t.list_changed), Some(true));

    let tools = client.list_all_tools().await.expect("tools/list");
    let names: Vec<&str> = tools.iter().map(|t| t.name.as_ref()).collect();
    for expected in [
        "echo",
        "fail",
        "skill__demo",
        "skill__hidden-from-users",
        "skill__dispatcher",
    ] {
        assert!(
            names.contains(&expected),
            "{expected} missing from {names:?}"
        );
    }
    // Model invocation disabled, or gated out: not tools.
    assert!(!names.contains(&"skill__quiet"), "{names:?}");
    assert!(!names.contains(&"skill__gated"), "{names:?}");

    let echo = tools.iter().find(|t| t.name == "echo").expect("echo");
    let hints = echo.annotations.as_ref().expect("annotations");
    assert_eq!(
        (
            hints.read_only_hint,
            hints.destructive_hint,
            hints.idempotent_hint,
            hints.open_world_hint
        ),
        (Some(true), Some(false), Some(true), Some(false))
    );
    assert_eq!(echo.input_schema["properties"]["text"]["type"], "string");

    let demo = tools
        .iter()
        .find(|t| t.name == "skill__demo")
        .expect("demo");
    assert_eq!(demo.description.as_deref(), Some("A demo skill."));
    let described = demo.input_schema["properties"]["arguments"]["description"].as_str();
    assert!(
        described.is_some_and(|d| d.contains("<topic>")),
        "{described:?}"
    );
    client.cancel().await.expect("close");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_succeed_fail_as_results_and_survive_panics() {
    let fx = Fixture::new();
    let (client, _rx) = connect(fx.server()).await;
    let call = |name: &'static str, a: serde_json::Value| {
        client.call_tool(CallToolRequestParams::new(name).with_arguments(args(a)))
    };

    let ok = call("echo", json!({"text": "hi"})).await.expect("echo");
    assert_eq!((text_of(&ok).as_str(), ok.is_error), ("hi", Some(false)));

    let failed = call("fail", json!({}))
        .await
        .expect("a failure is a result");
    assert_eq!(failed.is_error, Some(true));
    assert!(text_of(&failed).contains("it failed"));

    let invalid = call("invalid", json!({}))
        .await
        .expect("a plugin error is a result");
    assert_eq!(invalid.is_error, Some(true));
    assert!(
        text_of(&invalid).contains("missing `x`"),
        "{}",
        text_of(&invalid)
    );

    let crashed = call("boom", json!({})).await.expect("a panic is a result");
    assert_eq!(crashed.is_error, Some(true));
    assert!(text_of(&crashed).contains("crashed"));

    let who = call("whoami", json!({})).await.expect("whoami");
    let who = text_of(&who);
    assert!(who.starts_with("mcp rmcp"), "{who}");
    assert!(
        who.ends_with(&fx.workspace().display().to_string()),
        "{who}"
    );

    let unknown = call("ecoh", json!({})).await.expect_err("unknown tool");
    let ServiceError::McpError(data) = unknown else {
        panic!("not a JSON-RPC error")
    };
    assert_eq!(data.code, ErrorCode::INVALID_PARAMS);
    assert!(
        data.message.contains("did you mean `echo`"),
        "{}",
        data.message
    );
    // A skill that is not a tool is unknown too.
    let quiet = call("skill__quiet", json!({}))
        .await
        .expect_err("not a tool");
    assert_eq!(error_code(quiet), ErrorCode::INVALID_PARAMS);

    // A standard method with params that do not parse: -32602, not -32601.
    let malformed = client
        .send_request(rmcp::model::ClientRequest::CustomRequest(
            rmcp::model::CustomRequest::new("tools/call", Some(json!({"name": 42}))),
        ))
        .await
        .expect_err("malformed params");
    assert_eq!(error_code(malformed), ErrorCode::INVALID_PARAMS);
    let unknown_method = client
        .send_request(rmcp::model::ClientRequest::CustomRequest(
            rmcp::model::CustomRequest::new("no/such/method", None),
        ))
        .await
        .expect_err("unknown method");
    assert_eq!(error_code(unknown_method), ErrorCode::METHOD_NOT_FOUND);

    // Still serving after all that.
    let again = call("echo", json!({"text": "still here"}))
        .await
        .expect("echo");
    assert_eq!(text_of(&again), "still here");
    client.cancel().await.expect("close");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn skill_tools_return_instructions_or_dispatch() {
    let fx = Fixture::new();
    let (client, _rx) = connect(fx.server()).await;
    let result = client
        .call_tool(
            CallToolRequestParams::new("skill__demo")
                .with_arguments(args(json!({"arguments": "rust traits"}))),
        )
        .await
        .expect("skill call");
    assert_eq!(result.is_error, Some(false));
    let text = text_of(&result);
    let dir = fx.skills_root().join("demo");
    assert!(
        text.contains(&format!(
            "Read {}/references/guide.md first.",
            dir.display()
        )),
        "{text}"
    );
    assert!(text.ends_with("Arguments: rust traits"), "{text}");

    let dispatched = client
        .call_tool(
            CallToolRequestParams::new("skill__dispatcher")
                .with_arguments(args(json!({"arguments": "go"}))),
        )
        .await
        .expect("dispatch");
    let value: serde_json::Value = serde_json::from_str(&text_of(&dispatched)).expect("json");
    assert_eq!(
        value,
        json!({"command": "go", "commandName": "dispatcher", "skillName": "dispatcher"})
    );
    client.cancel().await.expect("close");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prompts_and_resources_mirror_skills() {
    let fx = Fixture::new();
    let (client, _rx) = connect(fx.server()).await;
    let prompts = client.list_all_prompts().await.expect("prompts/list");
    let names: Vec<&str> = prompts.iter().map(|p| p.name.as_str()).collect();
    assert!(
        names.contains(&"demo") && names.contains(&"quiet"),
        "{names:?}"
    );
    assert!(
        !names.contains(&"hidden-from-users") && !names.contains(&"gated"),
        "{names:?}"
    );
    let demo = prompts.iter().find(|p| p.name == "demo").expect("demo");
    let arg = &demo.arguments.as_ref().expect("arguments")[0];
    assert_eq!(arg.name, "arguments");
    assert!(
        arg.description
            .as_deref()
            .is_some_and(|d| d.contains("<topic>"))
    );

    let mut params = GetPromptRequestParams::new("demo");
    params.arguments = Some(args(json!({"arguments": "lifetimes"})));
    let got = client.get_prompt(params).await.expect("prompts/get");
    let message = serde_json::to_value(&got.messages[0]).expect("json");
    assert_eq!(message["role"], "user");
    let text = message["content"]["text"].as_str().expect("text");
    assert!(text.contains("references/guide.md") && text.ends_with("User input: lifetimes"));
    let missing = client
        .get_prompt(GetPromptRequestParams::new("dmeo"))
        .await
        .expect_err("unknown prompt");
    assert_eq!(error_code(missing), ErrorCode::INVALID_PARAMS);

    let resources = client.list_all_resources().await.expect("resources/list");
    let uris: Vec<&str> = resources.iter().map(|r| r.uri.as_str()).collect();
    assert!(uris.contains(&"skill://demo/SKILL.md"), "{uris:?}");
    assert!(
        uris.contains(&"skill://demo/references/guide.md"),
        "{uris:?}"
    );
    assert!(
        !uris
            .iter()
            .any(|u| u.contains(".hidden") || u.contains("gated")),
        "{uris:?}"
    );

    let read = |uri: &str| client.read_resource(ReadResourceRequestParams::new(uri));
    let guide = read("skill://demo/references/guide.md")
        .await
        .expect("read");
    match &guide.contents[0] {
        ResourceContents::TextResourceContents { text, .. } => assert_eq!(text, "the guide"),
        other => panic!("expected text, got {other:?}"),
    }
    for bad in [
        "skill://demo/../outside.txt",
        "skill://demo/.hidden",
        "skill://gated/SKILL.md",
        "skill://nope/SKILL.md",
    ] {
        let err = read(bad).await.expect_err(bad);
        let code = error_code(err);
        assert!(
            code == ErrorCode::INVALID_PARAMS || code == ErrorCode::RESOURCE_NOT_FOUND,
            "{bad}: {code:?}"
        );
    }
    client.cancel().await.expect("close");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hot_reload_and_new_tools_are_announced() {
    let fx = Fixture::new();
    let server = fx.server();
    let (client, mut rx) = connect(server.clone()).await;
    // The forwarder starts with `notifications/initialized`; wait until it listens.
    for _ in 0..100 {
        if server.listeners() > 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    write_skill(
        &fx.skills_root(),
        "fresh",
        "description: Brand new.",
        "New.\n",
    );
    assert!(fx.skills.reload().changed);
    expect_notifications(&mut rx, &["tools", "prompts", "resources"]).await;
    let tools = client.list_all_tools().await.expect("tools/list");
    assert!(tools.iter().any(|t| t.name == "skill__fresh"));

    fx.tools
        .register(std::sync::Arc::new(common::TestTool("late")))
        .expect("register");
    expect_notification(&mut rx, "tools").await;
    let tools = client.list_all_tools().await.expect("tools/list");
    assert!(tools.iter().any(|t| t.name == "late"));
    client.cancel().await.expect("close");
}
