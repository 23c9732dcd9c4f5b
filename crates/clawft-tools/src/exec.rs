//! `exec`: run a shell command in the workspace with a timeout, an output cap, a deny-list
//! and a scrubbed environment (the agent's API keys are not visible to commands).

use std::process::Stdio;
use std::time::Duration;

use async_trait::async_trait;
use clawft_plugin::{
    PluginError, PluginResult, Tool, ToolAnnotations, ToolContext, ToolOutput, ToolSpec,
};
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::io::AsyncReadExt;

/// Default command timeout, in seconds.
pub const DEFAULT_EXEC_TIMEOUT_SECS: u64 = 60;
/// Default cap on captured output (stdout + stderr), in bytes.
pub const DEFAULT_EXEC_MAX_OUTPUT_BYTES: usize = 64 * 1024;
/// Commands refused by default (matched case-insensitively on whitespace-normalised text).
pub const DEFAULT_DENY: &[&str] = &[
    "rm -rf /",
    "rm -rf /*",
    "rm -rf ~",
    "rm -fr /",
    "mkfs",
    "dd if=/dev/zero of=/dev/",
    "dd of=/dev/sd",
    ":(){",
    "shutdown",
    "reboot",
    "poweroff",
    "halt -",
    "init 0",
    "> /dev/sd",
    "chmod -r 777 /",
];
/// Environment variables passed to commands by default.
pub const DEFAULT_ENV_PASSTHROUGH: &[&str] = &[
    "PATH", "HOME", "LANG", "LC_ALL", "TERM", "USER", "SHELL", "TMPDIR", "TZ",
];

/// Settings under `tools.exec`.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ExecConfig {
    /// Whether `exec` is offered. Default true.
    pub enabled: bool,
    /// Seconds before the command (and its children) are killed. Default [`DEFAULT_EXEC_TIMEOUT_SECS`].
    pub timeout_secs: u64,
    /// Output bytes kept; the rest is cut with a note. Default [`DEFAULT_EXEC_MAX_OUTPUT_BYTES`].
    pub max_output_bytes: usize,
    /// Extra deny patterns, added to [`DEFAULT_DENY`].
    pub deny: Vec<String>,
    /// Extra environment variable names passed through, added to [`DEFAULT_ENV_PASSTHROUGH`].
    pub env_passthrough: Vec<String>,
}

impl Default for ExecConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            timeout_secs: DEFAULT_EXEC_TIMEOUT_SECS,
            max_output_bytes: DEFAULT_EXEC_MAX_OUTPUT_BYTES,
            deny: Vec::new(),
            env_passthrough: Vec::new(),
        }
    }
}

/// The `exec` tool.
pub struct Exec {
    config: ExecConfig,
}

impl Exec {
    /// With these settings.
    pub fn new(config: ExecConfig) -> Self {
        Self { config }
    }

    /// The deny pattern `command` matches, if any.
    pub fn denied_by(&self, command: &str) -> Option<String> {
        let normal = command
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_ascii_lowercase();
        DEFAULT_DENY
            .iter()
            .map(|p| p.to_string())
            .chain(self.config.deny.iter().map(|p| p.to_ascii_lowercase()))
            .find(|p| normal.contains(p.as_str()))
    }
}

#[async_trait]
impl Tool for Exec {
    fn spec(&self) -> ToolSpec {
        ToolSpec {
            name: "exec".into(),
            description: format!(
                "Run a shell command (sh -c) in the workspace directory and return its exit code and output. \
                 Killed after {} s; output is capped.",
                self.config.timeout_secs
            ),
            parameters: json!({"type": "object", "properties": {"command": {"type": "string", "description": "The shell command line"}}, "required": ["command"]}),
            annotations: ToolAnnotations {
                destructive: true,
                open_world: true,
                ..Default::default()
            },
        }
    }

    async fn call(&self, args: Value, ctx: &ToolContext) -> PluginResult<ToolOutput> {
        let command = args.get("command").and_then(Value::as_str).ok_or_else(|| {
            PluginError::InvalidArguments("missing string argument `command`".into())
        })?;
        if let Some(pattern) = self.denied_by(command) {
            return Ok(ToolOutput::error(format!(
                "refused: the command matches the deny-list pattern `{pattern}`"
            )));
        }
        let mut cmd = tokio::process::Command::new("sh");
        cmd.arg("-c")
            .arg(command)
            .current_dir(&ctx.workspace)
            .env_clear();
        for name in DEFAULT_ENV_PASSTHROUGH
            .iter()
            .copied()
            .chain(self.config.env_passthrough.iter().map(String::as_str))
        {
            if let Some(value) = std::env::var_os(name) {
                cmd.env(name, value);
            }
        }
        cmd.stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        #[cfg(unix)]
        cmd.process_group(0);
        let mut child = match cmd.spawn() {
            Ok(c) => c,
            Err(err) => return Ok(ToolOutput::error(format!("could not start `sh`: {err}"))),
        };
        let cap = self.config.max_output_bytes as u64;
        let mut stdout = child.stdout.take().expect("piped");
        let mut stderr = child.stderr.take().expect("piped");
        let run = async {
            let mut out = Vec::new();
            let mut err = Vec::new();
            let read_out = async {
                let _ = (&mut stdout).take(cap).read_to_end(&mut out).await;
                // Drain the rest so the child never blocks on a full pipe.
                let _ = tokio::io::copy(&mut stdout, &mut tokio::io::sink()).await;
            };
            let read_err = async {
                let _ = (&mut stderr).take(cap).read_to_end(&mut err).await;
                let _ = tokio::io::copy(&mut stderr, &mut tokio::io::sink()).await;
            };
            let (_, _, status) = tokio::join!(read_out, read_err, child.wait());
            (status, out, err)
        };
        let timeout = Duration::from_secs(self.config.timeout_secs);
        let (status, out, err) = match tokio::time::timeout(timeout, run).await {
            Ok(done) => done,
            Err(_) => {
                kill_group(&mut child).await;
                return Ok(ToolOutput::error(format!(
                    "the command did not finish within {} s and was killed (`tools.exec.timeout_secs`)",
                    timeout.as_secs()
                )));
            }
        };
        let status = status.map_err(PluginError::from)?;
        let code = status
            .code()
            .map_or_else(|| "killed by a signal".to_owned(), |c| c.to_string());
        let mut text = format!("exit code: {code}\n");
        let mut section = |title: &str, bytes: &[u8]| {
            if !bytes.is_empty() {
                text.push_str(&format!(
                    "--- {title} ---\n{}",
                    String::from_utf8_lossy(bytes)
                ));
                if bytes.len() as u64 >= cap {
                    text.push_str(&format!("\n[… {title} truncated at {cap} bytes]"));
                }
                if !text.ends_with('\n') {
                    text.push('\n');
                }
            }
        };
        section("stdout", &out);
        section("stderr", &err);
        Ok(if status.success() {
            ToolOutput::ok(text)
        } else {
            ToolOutput::error(text)
        })
    }
}

/// Kill the command's whole process group (the shell and anything it started).
async fn kill_group(child: &mut tokio::process::Child) {
    // The child was started with `process_group(0)`, so its pid is its group id. Only a
    // positive id is ever passed: `killpg(0)` would mean our own group.
    #[cfg(unix)]
    if let Some(pgid) = child
        .id()
        .and_then(|pid| rustix::process::Pid::from_raw(pid as i32))
    {
        let _ = rustix::process::kill_process_group(pgid, rustix::process::Signal::KILL);
    }
    let _ = child.kill().await;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(dir: &std::path::Path) -> ToolContext {
        ToolContext::new(dir, "cli", "t")
    }

    #[tokio::test]
    async fn runs_in_the_workspace_and_reports_exit_codes() {
        let ws = tempfile::tempdir().unwrap();
        let exec = Exec::new(ExecConfig::default());
        let out = exec
            .call(
                json!({"command": "echo hi > f.txt && cat f.txt"}),
                &ctx(ws.path()),
            )
            .await
            .unwrap();
        assert!(!out.is_error);
        assert_eq!(out.content, "exit code: 0\n--- stdout ---\nhi\n");
        assert!(ws.path().join("f.txt").exists());
        let out = exec
            .call(json!({"command": "echo oops >&2; exit 3"}), &ctx(ws.path()))
            .await
            .unwrap();
        assert!(out.is_error);
        assert!(
            out.content
                .starts_with("exit code: 3\n--- stderr ---\noops"),
            "{}",
            out.content
        );
    }

    #[tokio::test]
    async fn timeout_kills_the_whole_group() {
        let ws = tempfile::tempdir().unwrap();
        let exec = Exec::new(ExecConfig {
            timeout_secs: 1,
            ..Default::default()
        });
        let began = std::time::Instant::now();
        let out = exec
            .call(
                json!({"command": "sleep 30 & sleep 30; echo never"}),
                &ctx(ws.path()),
            )
            .await
            .unwrap();
        assert!(
            out.is_error && out.content.contains("did not finish within 1 s"),
            "{}",
            out.content
        );
        assert!(began.elapsed() < Duration::from_secs(10));
    }

    #[tokio::test]
    async fn output_is_capped_and_env_is_scrubbed() {
        let ws = tempfile::tempdir().unwrap();
        let exec = Exec::new(ExecConfig {
            max_output_bytes: 100,
            ..Default::default()
        });
        let out = exec
            .call(json!({"command": "yes | head -c 100000"}), &ctx(ws.path()))
            .await
            .unwrap();
        assert!(
            out.content.contains("[… stdout truncated at 100 bytes]"),
            "{}",
            out.content
        );
        let out = exec
            .call(json!({"command": "env"}), &ctx(ws.path()))
            .await
            .unwrap();
        assert!(
            !out.content.contains("CARGO_PKG_NAME"),
            "the environment must be scrubbed"
        );
        assert!(out.content.contains("PATH="));
    }

    #[tokio::test]
    async fn deny_list_refuses_dangerous_commands() {
        let ws = tempfile::tempdir().unwrap();
        let exec = Exec::new(ExecConfig {
            deny: vec!["curl".into()],
            ..Default::default()
        });
        // Each would be harmless if run (`echo`), but matches a pattern and must be refused.
        for cmd in [
            "echo rm  -rf   /",
            "echo mkfs.ext4 /dev/null",
            "echo CURL http://x",
        ] {
            let out = exec
                .call(json!({"command": cmd}), &ctx(ws.path()))
                .await
                .unwrap();
            assert!(
                out.is_error && out.content.starts_with("refused"),
                "{cmd}: {}",
                out.content
            );
        }
        assert!(exec.denied_by("rm -rf ./build").is_none());
    }
}
