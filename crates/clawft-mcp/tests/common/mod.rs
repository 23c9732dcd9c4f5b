//! Fixtures shared by the session tests: registries with test tools and skills, and an
//! rmcp client connected in-process.

#![allow(dead_code, missing_docs)]

use std::path::{Path, PathBuf};
use std::sync::Arc;

use clawft_core::ToolRegistry;
use clawft_mcp::McpServer;
use clawft_mcp::settings::McpLimits;
use clawft_plugin::{
    PluginError, PluginResult, Tool, ToolAnnotations, ToolContext, ToolOutput, ToolSpec,
    async_trait,
};
use clawft_skills::{SkillLayer, SkillLimits, SkillRegistry, SkillSource};
use rmcp::service::{NotificationContext, RunningService};
use rmcp::{ClientHandler, RoleClient, ServiceExt};
use serde_json::{Value, json};
use tokio::sync::mpsc;

/// A tool for tests: `echo` returns its `text`, `fail` fails, `boom` panics, `whoami`
/// reports its context.
pub struct TestTool(pub &'static str);

#[async_trait]
impl Tool for TestTool {
    fn spec(&self) -> ToolSpec {
        ToolSpec {
            name: self.0.into(),
            description: format!("test tool {}", self.0),
            parameters: json!({"type": "object", "properties": {"text": {"type": "string"}}}),
            annotations: ToolAnnotations {
                read_only: self.0 == "echo",
                destructive: self.0 == "boom",
                idempotent: self.0 == "echo",
                open_world: false,
            },
        }
    }

    async fn call(&self, args: Value, ctx: &ToolContext) -> PluginResult<ToolOutput> {
        match self.0 {
            "echo" => Ok(ToolOutput::ok(
                args.get("text")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_owned(),
            )),
            "fail" => Ok(ToolOutput::error("it failed, as asked")),
            "invalid" => Err(PluginError::InvalidArguments("missing `x`".into())),
            "whoami" => Ok(ToolOutput::ok(format!(
                "{} {} {}",
                ctx.channel,
                ctx.chat_id,
                ctx.workspace.display()
            ))),
            "dispatch" => Ok(ToolOutput::ok(args.to_string())),
            _ => panic!("boom"),
        }
    }
}

pub struct Fixture {
    pub dir: tempfile::TempDir,
    pub tools: Arc<ToolRegistry>,
    pub skills: Arc<SkillRegistry>,
}

impl Fixture {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path().join("skills");
        write_skill(
            &root,
            "demo",
            "description: A demo skill.\nargument-hint: <topic>",
            "Read {baseDir}/references/guide.md first.\n",
        );
        std::fs::create_dir_all(root.join("demo/references")).expect("mkdir");
        std::fs::write(root.join("demo/references/guide.md"), "the guide").expect("write");
        std::fs::write(root.join("demo/.hidden"), "secret").expect("write");
        std::fs::write(dir.path().join("outside.txt"), "outside").expect("write");
        write_skill(
            &root,
            "quiet",
            "description: Users only.\ndisable-model-invocation: true",
            "Only for users.\n",
        );
        write_skill(
            &root,
            "hidden-from-users",
            "description: Model only.\nuser-invocable: false",
            "Only for the model.\n",
        );
        write_skill(
            &root,
            "gated",
            "description: Needs a binary.\nmetadata: {\"openclaw\": {\"requires\": {\"bins\": [\"no-such-binary-xyz\"]}}}",
            "Never shown.\n",
        );
        write_skill(
            &root,
            "dispatcher",
            "description: Runs a tool.\ncommand-dispatch: tool\ncommand-tool: dispatch",
            "Dispatches.\n",
        );
        let skills = Arc::new(SkillRegistry::new(
            vec![SkillSource::new(SkillLayer::Workspace, &root)],
            SkillLimits::default(),
        ));
        let tools = Arc::new(ToolRegistry::new());
        for name in ["echo", "fail", "invalid", "boom", "whoami", "dispatch"] {
            tools.register(Arc::new(TestTool(name))).expect("register");
        }
        Self { dir, tools, skills }
    }

    pub fn skills_root(&self) -> PathBuf {
        self.dir.path().join("skills")
    }

    pub fn workspace(&self) -> PathBuf {
        self.dir.path().join("ws")
    }

    pub fn server(&self) -> McpServer {
        McpServer::builder(self.tools.clone(), self.skills.clone(), self.workspace())
            .limits(McpLimits {
                tool_poll_ms: 50,
                ..McpLimits::default()
            })
            .build()
    }
}

pub fn write_skill(root: &Path, name: &str, frontmatter: &str, body: &str) {
    let dir = root.join(name);
    std::fs::create_dir_all(&dir).expect("mkdir");
    std::fs::write(
        dir.join("SKILL.md"),
        format!("---\n{frontmatter}\n---\n{body}"),
    )
    .expect("write skill");
}

/// A client that records list_changed notifications.
#[derive(Clone)]
pub struct Recorder(pub mpsc::UnboundedSender<&'static str>);

impl ClientHandler for Recorder {
    async fn on_tool_list_changed(&self, _context: NotificationContext<RoleClient>) {
        let _ = self.0.send("tools");
    }
    async fn on_prompt_list_changed(&self, _context: NotificationContext<RoleClient>) {
        let _ = self.0.send("prompts");
    }
    async fn on_resource_list_changed(&self, _context: NotificationContext<RoleClient>) {
        let _ = self.0.send("resources");
    }
}

pub type Client = RunningService<RoleClient, Recorder>;

/// Connects an initialize-handshake client to `server` over an in-memory pipe.
pub async fn connect(server: McpServer) -> (Client, mpsc::UnboundedReceiver<&'static str>) {
    let (server_io, client_io) = tokio::io::duplex(1 << 20);
    tokio::spawn(async move {
        if let Ok(running) = server.serve(server_io).await {
            let _ = running.waiting().await;
        }
    });
    let (tx, rx) = mpsc::unbounded_channel();
    let client = Recorder(tx)
        .serve(client_io)
        .await
        .expect("client connects");
    (client, rx)
}

/// Waits up to 5 s until every kind in `kinds` has arrived on `rx`, in any order (the
/// server sends the three list_changed notifications concurrently).
pub async fn expect_notifications(rx: &mut mpsc::UnboundedReceiver<&'static str>, kinds: &[&str]) {
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(5);
    let mut missing: Vec<&str> = kinds.to_vec();
    while !missing.is_empty() {
        let got = tokio::time::timeout_at(deadline, rx.recv())
            .await
            .unwrap_or_else(|_| panic!("no list_changed for {missing:?} within 5 s"));
        let Some(kind) = got else {
            panic!("notification channel closed")
        };
        missing.retain(|k| *k != kind);
    }
}

/// Waits up to 5 s for `kind` on `rx`.
pub async fn expect_notification(rx: &mut mpsc::UnboundedReceiver<&'static str>, kind: &str) {
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        let got = tokio::time::timeout_at(deadline, rx.recv())
            .await
            .unwrap_or_else(|_| panic!("no {kind} list_changed within 5 s"));
        if got == Some(kind) {
            return;
        }
        assert!(got.is_some(), "notification channel closed");
    }
}
