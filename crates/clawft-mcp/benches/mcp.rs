//! Benchmark of the MCP server: `tools/list` with 1,000 skills, and `tools/call`
//! round-trip latency of a no-op tool, over an in-process pipe and over real stdio pipes
//! to a child process (this binary re-executed as the server). Prints p50/p99.
//!
//! Targets (issue 5): list < 5 ms, call overhead < 1 ms beyond the tool's own work.
//!
//! `cargo bench -p clawft-mcp` (`BENCH_ITERS=N` to change the iteration count).

#![allow(missing_docs)]

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use clawft_core::ToolRegistry;
use clawft_mcp::McpServer;
use clawft_plugin::{
    PluginResult, Tool, ToolAnnotations, ToolContext, ToolOutput, ToolSpec, async_trait,
};
use clawft_skills::{SkillLayer, SkillLimits, SkillRegistry, SkillSource};
use rmcp::model::CallToolRequestParams;
use rmcp::service::RunningService;
use rmcp::{RoleClient, ServiceExt};
use serde_json::{Value, json};

const SKILLS: usize = 1_000;
const SERVER_ENV: &str = "CLAWFT_MCP_BENCH_SERVE";

struct Noop;

#[async_trait]
impl Tool for Noop {
    fn spec(&self) -> ToolSpec {
        ToolSpec {
            name: "noop".into(),
            description: "does nothing".into(),
            parameters: json!({"type": "object", "properties": {"x": {"type": "integer"}}}),
            annotations: ToolAnnotations::default(),
        }
    }
    async fn call(&self, _args: Value, _ctx: &ToolContext) -> PluginResult<ToolOutput> {
        Ok(ToolOutput::ok("ok"))
    }
}

fn write_skills(root: &Path) {
    for i in 0..SKILLS {
        let dir = root.join(format!("skill-{i:04}"));
        std::fs::create_dir_all(&dir).expect("mkdir");
        std::fs::write(
            dir.join("SKILL.md"),
            format!(
                "---\ndescription: Benchmark skill number {i}, which helps with task {i}.\nargument-hint: <thing>\n---\nDo step one in {{baseDir}}, then step two.\n"
            ),
        )
        .expect("write");
    }
}

fn server(root: &Path) -> McpServer {
    let limits = SkillLimits {
        max_skills_per_source: SKILLS * 2,
        max_candidates_per_root: SKILLS * 2,
        ..SkillLimits::default()
    };
    let skills = Arc::new(SkillRegistry::new(
        vec![SkillSource::new(SkillLayer::Workspace, root)],
        limits,
    ));
    assert_eq!(skills.snapshot().len(), SKILLS, "every skill loaded");
    let tools = Arc::new(ToolRegistry::new());
    tools.register(Arc::new(Noop)).expect("register");
    McpServer::builder(tools, skills, root).build()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

fn report(label: &str, mut samples: Vec<Duration>) {
    samples.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "{label:<48} n={:<5} p50 {:>8.3} ms   p99 {:>8.3} ms   max {:>8.3} ms",
        samples.len(),
        ms(percentile(&samples, 0.50)),
        ms(percentile(&samples, 0.99)),
        ms(samples[samples.len() - 1]),
    );
}

async fn measure(label: &str, client: &RunningService<RoleClient, ()>, iters: usize) {
    let first = Instant::now();
    let tools = client.list_all_tools().await.expect("tools/list");
    let first = first.elapsed();
    assert_eq!(tools.len(), SKILLS + 1);
    println!(
        "{label}: first tools/list (builds the cache) {:.3} ms",
        first.as_secs_f64() * 1e3
    );

    let mut list = Vec::with_capacity(iters);
    for _ in 0..iters {
        let start = Instant::now();
        let tools = client.list_all_tools().await.expect("tools/list");
        list.push(start.elapsed());
        assert_eq!(tools.len(), SKILLS + 1);
    }
    report(
        &format!("{label}: tools/list, {SKILLS} skills + 1 tool"),
        list,
    );

    let mut calls = Vec::with_capacity(iters * 4);
    for i in 0..iters * 4 {
        let mut args = serde_json::Map::new();
        args.insert("x".into(), json!(i));
        let start = Instant::now();
        let result = client
            .call_tool(CallToolRequestParams::new("noop").with_arguments(args))
            .await
            .expect("tools/call");
        calls.push(start.elapsed());
        assert_eq!(result.is_error, Some(false));
    }
    report(
        &format!("{label}: tools/call round trip (no-op tool)"),
        calls,
    );
}

async fn baseline(iters: usize) {
    let tool = Noop;
    let ctx = ToolContext::new("/tmp", "bench", "bench");
    let mut samples = Vec::with_capacity(iters * 4);
    for i in 0..iters * 4 {
        let start = Instant::now();
        let out = tool.call(json!({"x": i}), &ctx).await.expect("call");
        samples.push(start.elapsed());
        assert!(!out.is_error);
    }
    report("baseline: the tool's own work (direct call)", samples);
}

/// The server's own cost over real pipes: JSON-RPC lines written and read as bytes, no
/// client-side deserialization (rmcp's typed client spends most of a 1,000-tool list in
/// its untagged-enum decoding).
async fn raw_stdio(root: &Path, iters: usize) {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let mut child = tokio::process::Command::new(std::env::current_exe().expect("exe"))
        .env(SERVER_ENV, root)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("spawn the stdio server");
    let mut stdin = child.stdin.take().expect("stdin");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    roundtrip(
        &mut stdin,
        &mut lines,
        r#"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"bench","version":"0"}}}"#.into(),
        0,
    )
    .await;
    stdin
        .write_all(b"{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}\n")
        .await
        .expect("write");
    let mut list = Vec::with_capacity(iters);
    let mut bytes = 0;
    for id in 1..=iters as u64 {
        let start = Instant::now();
        bytes = roundtrip(
            &mut stdin,
            &mut lines,
            format!(r#"{{"jsonrpc":"2.0","id":{id},"method":"tools/list"}}"#),
            id,
        )
        .await;
        list.push(start.elapsed());
    }
    println!("raw stdio: tools/list response is {} KiB", bytes / 1024);
    report(
        &format!("raw stdio: tools/list, {SKILLS} skills + 1 tool"),
        list,
    );
    let mut calls = Vec::with_capacity(iters * 4);
    for i in 0..iters as u64 * 4 {
        let id = 100_000 + i;
        let start = Instant::now();
        roundtrip(
            &mut stdin,
            &mut lines,
            format!(r#"{{"jsonrpc":"2.0","id":{id},"method":"tools/call","params":{{"name":"noop","arguments":{{"x":{i}}}}}}}"#),
            id,
        )
        .await;
        calls.push(start.elapsed());
    }
    report("raw stdio: tools/call round trip (no-op tool)", calls);
    drop(stdin);
    let _ = child.wait().await;
}

type ChildLines = tokio::io::Lines<tokio::io::BufReader<tokio::process::ChildStdout>>;

/// Writes one request line and reads lines until the response with `id`; returns its size.
async fn roundtrip(
    stdin: &mut tokio::process::ChildStdin,
    lines: &mut ChildLines,
    line: String,
    id: u64,
) -> usize {
    use tokio::io::AsyncWriteExt;
    stdin.write_all(line.as_bytes()).await.expect("write");
    stdin.write_all(b"\n").await.expect("write");
    stdin.flush().await.expect("flush");
    let needle = format!("\"id\":{id}");
    loop {
        let got = lines.next_line().await.expect("read").expect("open");
        if got.contains(&needle) {
            return got.len();
        }
    }
}

fn serve_child(root: &Path) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        clawft_mcp::serve_stdio(server(root)).await.expect("serve");
    });
}

fn main() {
    if let Some(root) = std::env::var_os(SERVER_ENV) {
        serve_child(Path::new(&root));
        return;
    }
    // `cargo bench` passes `--bench`; `cargo test --benches` passes nothing: run few iterations.
    let benching = std::env::args().any(|a| a == "--bench");
    let iters: usize = std::env::var("BENCH_ITERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if benching { 300 } else { 5 });
    let dir = tempfile::tempdir().expect("tempdir");
    write_skills(dir.path());
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        baseline(iters).await;

        let (server_io, client_io) = tokio::io::duplex(1 << 22);
        let mcp = server(dir.path());
        tokio::spawn(async move {
            if let Ok(running) = mcp.serve(server_io).await {
                let _ = running.waiting().await;
            }
        });
        let client = ().serve(client_io).await.expect("in-process client");
        measure("in-process", &client, iters).await;
        client.cancel().await.expect("close");

        let mut child = tokio::process::Command::new(std::env::current_exe().expect("exe"))
            .env(SERVER_ENV, dir.path())
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("spawn the stdio server");
        let stdout = child.stdout.take().expect("stdout");
        let stdin = child.stdin.take().expect("stdin");
        let client = ().serve((stdout, stdin)).await.expect("stdio client");
        measure("stdio (child process)", &client, iters).await;
        client.cancel().await.expect("close");
        let _ = child.wait().await;

        raw_stdio(dir.path(), iters).await;
    });
}
