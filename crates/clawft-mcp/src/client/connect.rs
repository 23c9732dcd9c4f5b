//! Opening one connection: start the stdio child (own process group, killed on drop,
//! stderr captured) or open streamable HTTP, run the `initialize` handshake and list
//! the tools, all within the server's connect timeout.

use std::collections::{HashMap, VecDeque};
use std::path::Path;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use clawft_core::config::SecretRef;
use process_wrap::tokio::{CommandWrap, KillOnDrop};
use rmcp::model::Tool;
use rmcp::service::{ClientInitializeError, RunningService};
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use rmcp::transport::{StreamableHttpClientTransport, TokioChildProcess};
use rmcp::{RoleClient, ServiceExt};
use tokio::io::AsyncBufReadExt;
use tokio::task::JoinHandle;

use super::error::McpClientError;
use super::handler::Handler;
use super::settings::{DEFAULT_ENV_PASSTHROUGH, McpServerConfig, PlainOrSecret, ServerTransport};
use super::transport::ClientTransport;

/// A live session with one server.
pub(crate) type Session = RunningService<RoleClient, Handler>;

/// Lines of a stdio server's stderr kept for error messages.
const STDERR_TAIL_LINES: usize = 5;
/// Characters kept of each such line.
const STDERR_LINE_CHARS: usize = 300;
/// How long a failed handshake waits for the rest of a dying child's stderr.
const STDERR_DRAIN: Duration = Duration::from_millis(500);

/// A connected server and the tools it listed.
pub(crate) struct Connected {
    pub session: Session,
    pub tools: Vec<Tool>,
}

/// Connects to `config`'s server within its connect timeout. Relative working
/// directories are resolved against `workspace`.
pub(crate) async fn connect(
    config: &McpServerConfig,
    workspace: &Path,
    handler: Handler,
) -> Result<Connected, McpClientError> {
    let tail = Arc::new(StderrTail::default());
    let secs = config.connect_timeout_secs;
    let mut stderr_reader = None;
    let attempt = async {
        let transport = match &config.transport {
            ServerTransport::Stdio {
                command,
                args,
                env,
                cwd,
            } => {
                let cwd = cwd
                    .as_ref()
                    .map_or_else(|| workspace.to_owned(), |dir| workspace.join(dir));
                let (child, reader) = spawn_child(config, command, args, env, &cwd, &tail)?;
                stderr_reader = reader;
                ClientTransport::Stdio(child)
            }
            ServerTransport::Http {
                url,
                bearer_token,
                headers,
            } => {
                // clawft's client stack (ring TLS, user agent); rmcp's default client
                // would expect a crypto provider installed by someone else.
                let http = clawft_http::client_builder().build().map_err(|e| {
                    McpClientError::Transport(format!("cannot build the HTTP client: {e}"))
                })?;
                ClientTransport::Http(StreamableHttpClientTransport::with_client(
                    http,
                    http_config(config, url, bearer_token.as_ref(), headers)?,
                ))
            }
        };
        let served = handler.serve(transport).await;
        let session = match served {
            Ok(session) => session,
            Err(err) => {
                // A child that died wrote why to stderr: read it to the end first.
                if let Some(reader) = stderr_reader.take() {
                    let _ = tokio::time::timeout(STDERR_DRAIN, reader).await;
                }
                return Err(McpClientError::Handshake {
                    reason: describe_init_error(&err),
                    stderr: tail.summary(),
                });
            }
        };
        let tools = session
            .peer()
            .list_all_tools()
            .await
            .map_err(|err| McpClientError::ListTools(err.to_string()))?;
        Ok(Connected { session, tools })
    };
    match tokio::time::timeout(Duration::from_secs(secs), attempt).await {
        Ok(result) => result,
        Err(_) => Err(McpClientError::ConnectTimeout {
            server: config.name.clone(),
            secs,
            stderr: tail.summary(),
        }),
    }
}

/// Why the handshake failed, without rmcp's transport type names.
fn describe_init_error(err: &ClientInitializeError) -> String {
    match err {
        ClientInitializeError::TransportError { error, context } => {
            let hint = if err.auth_challenge().is_some()
                || error.error.to_string().contains("Auth required")
            {
                "; the server wants credentials: check its `bearer_token` or `headers`"
            } else {
                ""
            };
            format!("{} (while trying to {context}){hint}", error.error)
        }
        ClientInitializeError::ConnectionClosed(during) => {
            format!("the server closed the connection before answering ({during})")
        }
        other => other.to_string(),
    }
}

/// Starts the child with only [`DEFAULT_ENV_PASSTHROUGH`] and its configured `env`, in
/// its own process group (a Ctrl-C at the terminal is for weft, not for it), killed when
/// its transport is dropped.
fn spawn_child(
    config: &McpServerConfig,
    command: &str,
    args: &[String],
    env: &std::collections::BTreeMap<String, PlainOrSecret>,
    cwd: &Path,
    tail: &Arc<StderrTail>,
) -> Result<(TokioChildProcess, Option<JoinHandle<()>>), McpClientError> {
    if !cwd.is_dir() {
        return Err(McpClientError::Transport(format!(
            "the working directory `{}` does not exist\nhelp: create it or fix `mcp_servers.{}.cwd`",
            cwd.display(),
            config.name
        )));
    }
    let mut cmd = tokio::process::Command::new(command);
    cmd.args(args).current_dir(cwd).env_clear();
    for var in DEFAULT_ENV_PASSTHROUGH {
        if let Some(value) = std::env::var_os(var) {
            cmd.env(var, value);
        }
    }
    for (name, value) in env {
        let key = format!("mcp_servers.{}.env.{name}", config.name);
        cmd.env(name, resolve(value, &key)?);
    }
    let mut wrapped = CommandWrap::from(cmd);
    #[cfg(unix)]
    wrapped.wrap(process_wrap::tokio::ProcessGroup::leader());
    wrapped.wrap(KillOnDrop);
    let (transport, stderr) = TokioChildProcess::builder(wrapped)
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|source| McpClientError::Spawn {
            server: config.name.clone(),
            command: command.to_owned(),
            source,
        })?;
    let reader = stderr.map(|stderr| {
        let tail = Arc::clone(tail);
        let server = config.name.clone();
        tokio::spawn(async move {
            let mut lines = tokio::io::BufReader::new(stderr).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                tracing::debug!(server = %server, "MCP server stderr: {line}");
                tail.push(line);
            }
        })
    });
    Ok((transport, reader))
}

/// The HTTP transport's settings, with the bearer token and header secrets read.
fn http_config(
    config: &McpServerConfig,
    url: &str,
    bearer_token: Option<&SecretRef>,
    headers: &std::collections::BTreeMap<String, PlainOrSecret>,
) -> Result<StreamableHttpClientTransportConfig, McpClientError> {
    let mut transport = StreamableHttpClientTransportConfig::with_uri(url.to_owned());
    if let Some(token) = bearer_token {
        let key = format!("mcp_servers.{}.bearer_token", config.name);
        let secret = token
            .resolve(&key)
            .map_err(|err| McpClientError::Secret(err.to_string()))?;
        transport = transport.auth_header(secret.expose().to_owned());
    }
    let mut custom = HashMap::new();
    for (name, value) in headers {
        let key = format!("mcp_servers.{}.headers.{name}", config.name);
        let header = http::HeaderName::from_bytes(name.as_bytes())
            .map_err(|err| McpClientError::Transport(format!("`{key}`: {err}")))?;
        let value = http::HeaderValue::from_str(&resolve(value, &key)?).map_err(|_| {
            McpClientError::Transport(format!(
                "`{key}`: the value is not a valid HTTP header value"
            ))
        })?;
        custom.insert(header, value);
    }
    Ok(transport.custom_headers(custom))
}

fn resolve(value: &PlainOrSecret, key: &str) -> Result<String, McpClientError> {
    match value {
        PlainOrSecret::Plain(text) => Ok(text.clone()),
        PlainOrSecret::Secret(reference) => reference
            .resolve(key)
            .map(|secret| secret.expose().to_owned())
            .map_err(|err| McpClientError::Secret(err.to_string())),
    }
}

/// The last lines a stdio server wrote to stderr.
#[derive(Default)]
pub(crate) struct StderrTail(Mutex<VecDeque<String>>);

impl StderrTail {
    fn push(&self, line: String) {
        let line: String = line.chars().take(STDERR_LINE_CHARS).collect();
        if line.trim().is_empty() {
            return;
        }
        let mut lines = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if lines.len() == STDERR_TAIL_LINES {
            lines.pop_front();
        }
        lines.push_back(line);
    }

    /// `; stderr: <line> | <line>`, or nothing when the server wrote nothing.
    fn summary(&self) -> String {
        let lines = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if lines.is_empty() {
            String::new()
        } else {
            format!(
                "; its stderr ends with: {}",
                lines
                    .iter()
                    .map(String::as_str)
                    .collect::<Vec<_>>()
                    .join(" | ")
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stderr_tail_keeps_the_last_lines() {
        let tail = StderrTail::default();
        assert_eq!(tail.summary(), "");
        for i in 0..8 {
            tail.push(format!("line {i}"));
        }
        tail.push("   ".into());
        assert_eq!(
            tail.summary(),
            "; its stderr ends with: line 3 | line 4 | line 5 | line 6 | line 7"
        );
        tail.push("x".repeat(1000));
        assert!(tail.summary().len() < 400 + 5 * 10);
    }
}
