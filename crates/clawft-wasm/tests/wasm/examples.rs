//! End to end: the example plugins load from their directories and serve calls.

use clawft_wasm::PluginGrants;
use serde_json::json;

use crate::support::{self, Server, call, host, load};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fs_notes_saves_lists_and_reads_in_its_granted_directory() {
    let wasm = crate::require_plugin!("fs-notes");
    let host = host();
    let plugin = clawft_wasm::load_plugin(wasm.parent().unwrap(), &host)
        .await
        .expect("load fs-notes");
    assert_eq!(plugin.id(), "fs-notes");
    let names: Vec<String> = plugin.tools.iter().map(|t| t.spec().name).collect();
    assert_eq!(names, ["save_note", "read_note", "list_notes"]);
    assert!(plugin.tools[0].spec().annotations.destructive);

    let ws = tempfile::tempdir().unwrap();
    let out = call(
        &plugin,
        "save_note",
        json!({"title": "groceries", "text": "milk, eggs"}),
        ws.path(),
    )
    .await;
    assert!(!out.is_error, "{}", out.content);
    assert_eq!(
        std::fs::read_to_string(ws.path().join("notes/groceries.txt")).unwrap(),
        "milk, eggs",
        "the note lands in $WORKSPACE/notes on the host"
    );
    call(
        &plugin,
        "save_note",
        json!({"title": "todo", "text": "write tests"}),
        ws.path(),
    )
    .await;
    let out = call(&plugin, "list_notes", json!({}), ws.path()).await;
    assert_eq!(out.content, "groceries\ntodo");
    let out = call(&plugin, "read_note", json!({"title": "todo"}), ws.path()).await;
    assert_eq!((out.is_error, out.content.as_str()), (false, "write tests"));

    let out = call(
        &plugin,
        "read_note",
        json!({"title": "../../etc/passwd"}),
        ws.path(),
    )
    .await;
    assert!(
        out.is_error && out.content.contains("invalid arguments"),
        "{}",
        out.content
    );
    let out = call(&plugin, "read_note", json!({"nope": 1}), ws.path()).await;
    assert!(
        out.is_error && out.content.contains("missing field `title`"),
        "{}",
        out.content
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_fetch_reaches_a_declared_loopback_host() {
    let wasm = crate::require_plugin!("http-fetch");
    let server = Server::start().await;
    let manifest = json!({
        "schema_version": 1, "id": "http-fetch", "name": "HTTP fetch", "version": "0.1.0",
        "capabilities": {"tools": ["fetch"]},
        "entry": {"wasm": "http_fetch.wasm"},
        "permissions": {"network": ["127.0.0.1"]}
    })
    .to_string();
    let host = host();
    let dir = tempfile::tempdir().unwrap();
    let plugin = load(&wasm, &manifest, dir.path(), &host, PluginGrants::default())
        .await
        .expect("load http-fetch");
    let spec = plugin.tools[0].spec();
    assert_eq!(spec.name, "fetch");
    assert!(spec.annotations.open_world);
    assert_eq!(spec.parameters["required"], json!(["url"]));

    let out = call(
        &plugin,
        "fetch",
        json!({"url": server.url("/hello")}),
        dir.path(),
    )
    .await;
    assert!(!out.is_error, "{}", out.content);
    assert_eq!(out.content, "HTTP 200\nhello from loopback: 42 apples");

    // The shipped manifest does not declare loopback: same plugin, refused.
    let shipped = clawft_wasm::load_plugin(wasm.parent().unwrap(), &host)
        .await
        .expect("load");
    let out = call(
        &shipped,
        "fetch",
        json!({"url": server.url("/hello")}),
        dir.path(),
    )
    .await;
    assert!(out.is_error, "{}", out.content);
    assert!(out.content.contains("HttpRequestDenied"), "{}", out.content);
    assert!(
        out.content.contains("[host]")
            && out
                .content
                .contains("is not declared in `permissions.network`"),
        "{}",
        out.content
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plugins_load_from_dir_manifest_or_wasm_path() {
    let wasm = crate::require_plugin!("fs-notes");
    let host = support::host();
    let dir = wasm.parent().unwrap();
    for path in [dir.to_owned(), dir.join("clawft.plugin.json"), wasm.clone()] {
        let p = clawft_wasm::load_plugin(&path, &host).await.expect("load");
        assert_eq!(p.info.name, "fs-notes");
        assert_eq!(p.sha256.len(), 64);
        assert!(p.size.within_budget(), "{:?}", p.size);
    }
}
