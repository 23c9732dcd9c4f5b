//! The `mcp_servers` config section: MCP servers whose tools the agent may call, each a
//! child process spoken to over stdio or a streamable HTTP endpoint. Parsing only
//! validates (no I/O); secrets are read when a server is connected.
//!
//! ```json
//! "mcp_servers": {
//!   "github": {
//!     "command": "npx", "args": ["-y", "@modelcontextprotocol/server-github"],
//!     "env": {"GITHUB_PERSONAL_ACCESS_TOKEN": {"env": "GITHUB_TOKEN"}}
//!   },
//!   "search": {
//!     "url": "https://mcp.example.com/mcp",
//!     "bearer_token": {"file": "/run/secrets/search-token"},
//!     "tools": ["search"], "timeout_secs": 30
//!   }
//! }
//! ```

use std::collections::BTreeMap;
use std::path::PathBuf;

use clawft_core::config::SecretRef;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use super::error::McpClientError;
use super::naming::server_name_problem;

/// Seconds a server gets to start and answer `initialize` and `tools/list`; past it the
/// server is skipped (stdio children are killed). Scope: one connection attempt, also on
/// reconnect. Default 30 (an `npx` server may download itself first).
pub const DEFAULT_CONNECT_TIMEOUT_SECS: u64 = 30;
/// Seconds one `tools/call` may take; past it the model reads a timeout error and the
/// request is abandoned. Scope: one call. Default 60. The agent's own
/// `agent.tool_timeout_secs` still bounds every tool call.
pub const DEFAULT_CALL_TIMEOUT_SECS: u64 = 60;
/// Characters of one tool result passed to the model; longer results are cut with a
/// visible marker. Scope: one call. Default 50 000 (as `web_fetch`).
pub const DEFAULT_MAX_OUTPUT_CHARS: usize = 50_000;
/// Environment variables a stdio server inherits from weft (any others must be listed in
/// its `env`), so provider keys and tokens do not leak to third-party servers.
pub const DEFAULT_ENV_PASSTHROUGH: &[&str] = &[
    "HOME", "LOGNAME", "USER", "PATH", "SHELL", "TERM", "LANG", "LC_ALL", "TMPDIR",
];

/// A config value that is either plain text or a secret reference
/// (`{"env": "NAME"}`, `{"file": "/path"}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum PlainOrSecret {
    /// A non-secret value written in config.
    Plain(String),
    /// Where the value is kept.
    Secret(SecretRef),
}

impl<'de> Deserialize<'de> for PlainOrSecret {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        match Value::deserialize(deserializer)? {
            Value::String(s) => Ok(Self::Plain(s)),
            value @ Value::Object(_) => serde_json::from_value(value)
                .map(Self::Secret)
                .map_err(|err| D::Error::custom(format!("{err} (a secret reference is {{\"env\": \"NAME\"}} or {{\"file\": \"/path\"}})"))),
            other => Err(D::Error::custom(format!(
                "expected a string or a secret reference like {{\"env\": \"NAME\"}}, found `{other}`"
            ))),
        }
    }
}

/// How weft reaches a server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerTransport {
    /// A child process speaking MCP on its stdin/stdout.
    Stdio {
        /// Program to run (looked up on `PATH` when it has no `/`).
        command: String,
        /// Its arguments.
        args: Vec<String>,
        /// Environment set for it, on top of [`DEFAULT_ENV_PASSTHROUGH`].
        env: BTreeMap<String, PlainOrSecret>,
        /// Working directory; relative paths are relative to the workspace. Default: the
        /// workspace.
        cwd: Option<PathBuf>,
    },
    /// MCP streamable HTTP.
    Http {
        /// The endpoint, e.g. `http://127.0.0.1:8000/mcp`.
        url: String,
        /// Sent as `Authorization: Bearer <token>`.
        bearer_token: Option<SecretRef>,
        /// More headers sent with every request.
        headers: BTreeMap<String, PlainOrSecret>,
    },
}

/// One configured server, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct McpServerConfig {
    /// Its name in `mcp_servers`; prefixes its tools (`<name>__<tool>`).
    pub name: String,
    /// How to reach it.
    pub transport: ServerTransport,
    /// Whether to connect at all. Default true.
    pub enabled: bool,
    /// Remote tool names to register (all when `None`).
    pub tools: Option<Vec<String>>,
    /// See [`DEFAULT_CONNECT_TIMEOUT_SECS`].
    pub connect_timeout_secs: u64,
    /// See [`DEFAULT_CALL_TIMEOUT_SECS`].
    pub timeout_secs: u64,
    /// See [`DEFAULT_MAX_OUTPUT_CHARS`].
    pub max_output_chars: usize,
}

/// One entry of `mcp_servers` as written; every key is known or refused.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawServer {
    command: Option<String>,
    args: Option<Vec<String>>,
    env: Option<BTreeMap<String, PlainOrSecret>>,
    cwd: Option<PathBuf>,
    url: Option<String>,
    bearer_token: Option<SecretRef>,
    headers: Option<BTreeMap<String, PlainOrSecret>>,
    enabled: Option<bool>,
    tools: Option<Vec<String>>,
    connect_timeout_secs: Option<u64>,
    timeout_secs: Option<u64>,
    max_output_chars: Option<usize>,
}

/// The whole `mcp_servers` section, by server name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct McpServersSettings {
    /// Every configured server, sorted by name.
    pub servers: BTreeMap<String, McpServerConfig>,
}

impl McpServersSettings {
    /// Reads and checks the section (`None` when absent: no servers). No I/O: commands
    /// are not looked up and secrets are not read here.
    ///
    /// # Errors
    /// [`McpClientError::Config`] naming the key (`mcp_servers.<name>.<field>`) of the
    /// first problem: an unknown field, a wrong type, a bad server name, neither or both
    /// of `command` and `url`, a field of the other transport, or a literal secret in a
    /// header.
    pub fn from_section(section: Option<&Value>) -> Result<Self, McpClientError> {
        let Some(section) = section else {
            return Ok(Self::default());
        };
        let raw: BTreeMap<String, RawServer> =
            serde_path_to_error::deserialize(section).map_err(|err| {
                let path = err.path().to_string();
                McpClientError::config(
                    if path == "." {
                        "mcp_servers".to_owned()
                    } else {
                        format!("mcp_servers.{path}")
                    },
                    err.into_inner().to_string(),
                )
            })?;
        let mut servers = BTreeMap::new();
        for (name, raw) in raw {
            servers.insert(name.clone(), validate(&name, raw)?);
        }
        Ok(Self { servers })
    }

    /// Servers with `enabled` not false.
    pub fn enabled(&self) -> impl Iterator<Item = &McpServerConfig> {
        self.servers.values().filter(|s| s.enabled)
    }

    /// Whether no server is configured.
    pub fn is_empty(&self) -> bool {
        self.servers.is_empty()
    }
}

fn validate(name: &str, raw: RawServer) -> Result<McpServerConfig, McpClientError> {
    let key = |field: &str| format!("mcp_servers.{name}.{field}");
    if let Some(problem) = server_name_problem(name) {
        return Err(McpClientError::config(
            format!("mcp_servers.{name}"),
            problem,
        ));
    }
    let transport = match (raw.command, raw.url) {
        (Some(_), Some(_)) => {
            return Err(McpClientError::config(
                format!("mcp_servers.{name}"),
                "has both `command` (stdio) and `url` (HTTP); keep one",
            ));
        }
        (None, None) => {
            return Err(McpClientError::config(
                format!("mcp_servers.{name}"),
                "needs `command` (a program speaking MCP on stdio) or `url` (a streamable HTTP endpoint)",
            ));
        }
        (Some(command), None) => {
            for (field, present) in [
                ("bearer_token", raw.bearer_token.is_some()),
                ("headers", raw.headers.is_some()),
            ] {
                if present {
                    return Err(McpClientError::config(
                        key(field),
                        "applies to HTTP servers (`url`) only; a stdio server gets secrets through `env`",
                    ));
                }
            }
            if command.trim().is_empty() {
                return Err(McpClientError::config(key("command"), "is empty"));
            }
            let env = raw.env.unwrap_or_default();
            if let Some(bad) = env
                .keys()
                .find(|name| name.is_empty() || name.contains(['=', '\0']))
            {
                return Err(McpClientError::config(
                    key(&format!("env.{bad}")),
                    "is not a usable environment variable name (empty, or holds `=`)",
                ));
            }
            ServerTransport::Stdio {
                command,
                args: raw.args.unwrap_or_default(),
                env,
                cwd: raw.cwd,
            }
        }
        (None, Some(url)) => {
            for (field, present) in [
                ("args", raw.args.is_some()),
                ("env", raw.env.is_some()),
                ("cwd", raw.cwd.is_some()),
            ] {
                if present {
                    return Err(McpClientError::config(
                        key(field),
                        "applies to stdio servers (`command`) only",
                    ));
                }
            }
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                return Err(McpClientError::config(
                    key("url"),
                    format!("`{url}` is not an http:// or https:// URL"),
                ));
            }
            let headers = raw.headers.unwrap_or_default();
            for (header, value) in &headers {
                if http::HeaderName::from_bytes(header.as_bytes()).is_err() {
                    return Err(McpClientError::config(
                        key(&format!("headers.{header}")),
                        "is not a valid HTTP header name",
                    ));
                }
                if matches!(value, PlainOrSecret::Plain(_)) && header_is_secret(header) {
                    return Err(McpClientError::config(
                        key(&format!("headers.{header}")),
                        "holds a literal secret; secrets are never kept in config files\nhelp: use a reference such as {\"env\": \"NAME\"} or {\"file\": \"/run/secrets/name\"}, or `bearer_token` for `Authorization: Bearer`",
                    ));
                }
            }
            ServerTransport::Http {
                url,
                bearer_token: raw.bearer_token,
                headers,
            }
        }
    };
    let positive = |field: &str, value: Option<u64>, default: u64| match value {
        Some(0) => Err(McpClientError::config(key(field), "must be at least 1")),
        Some(v) => Ok(v),
        None => Ok(default),
    };
    Ok(McpServerConfig {
        name: name.to_owned(),
        transport,
        enabled: raw.enabled.unwrap_or(true),
        tools: raw.tools,
        connect_timeout_secs: positive(
            "connect_timeout_secs",
            raw.connect_timeout_secs,
            DEFAULT_CONNECT_TIMEOUT_SECS,
        )?,
        timeout_secs: positive("timeout_secs", raw.timeout_secs, DEFAULT_CALL_TIMEOUT_SECS)?,
        max_output_chars: raw.max_output_chars.unwrap_or(DEFAULT_MAX_OUTPUT_CHARS),
    })
}

/// Header names whose values are credentials.
fn header_is_secret(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    ["auth", "token", "key", "secret", "cookie", "password"]
        .iter()
        .any(|word| name.contains(word))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(value: Value) -> Result<McpServersSettings, String> {
        McpServersSettings::from_section(Some(&value)).map_err(|e| e.to_string())
    }

    /// Pins every documented default.
    #[test]
    fn defaults_are_pinned() {
        assert_eq!(DEFAULT_CONNECT_TIMEOUT_SECS, 30);
        assert_eq!(DEFAULT_CALL_TIMEOUT_SECS, 60);
        assert_eq!(DEFAULT_MAX_OUTPUT_CHARS, 50_000);
        assert_eq!(
            DEFAULT_ENV_PASSTHROUGH,
            [
                "HOME", "LOGNAME", "USER", "PATH", "SHELL", "TERM", "LANG", "LC_ALL", "TMPDIR"
            ]
        );
        assert_eq!(
            super::super::SHUTDOWN_TIMEOUT,
            std::time::Duration::from_secs(2)
        );
        let s = parse(json!({"a": {"command": "prog"}})).expect("valid");
        let a = &s.servers["a"];
        assert!(a.enabled && a.tools.is_none());
        assert_eq!((a.connect_timeout_secs, a.timeout_secs), (30, 60));
        assert_eq!(a.max_output_chars, 50_000);
        assert_eq!(
            McpServersSettings::from_section(None).expect("absent"),
            McpServersSettings::default()
        );
    }

    #[test]
    fn stdio_and_http_servers_parse() {
        let s = parse(json!({
            "fs": {"command": "mcp-fs", "args": ["--root", "."], "cwd": "sub",
                   "env": {"LEVEL": "debug", "API_TOKEN": {"env": "FS_TOKEN"}}},
            "web": {"url": "https://example.com/mcp", "bearer_token": {"file": "/run/t"},
                    "headers": {"X-Tenant": "acme", "X-Api-Key": {"env": "KEY"}},
                    "tools": ["search"], "timeout_secs": 5, "enabled": false}
        }))
        .expect("valid");
        let ServerTransport::Stdio {
            command,
            args,
            env,
            cwd,
        } = &s.servers["fs"].transport
        else {
            panic!("stdio expected");
        };
        assert_eq!((command.as_str(), args.len()), ("mcp-fs", 2));
        assert_eq!(env["LEVEL"], PlainOrSecret::Plain("debug".into()));
        assert_eq!(
            env["API_TOKEN"],
            PlainOrSecret::Secret(SecretRef::Env("FS_TOKEN".into()))
        );
        assert_eq!(cwd.as_deref(), Some(std::path::Path::new("sub")));
        let web = &s.servers["web"];
        assert!(
            matches!(&web.transport, ServerTransport::Http { bearer_token: Some(SecretRef::File(_)), headers, .. } if headers.len() == 2)
        );
        assert_eq!(web.tools.as_deref(), Some(&["search".to_owned()][..]));
        assert_eq!(web.timeout_secs, 5);
        assert_eq!(
            s.enabled().map(|s| s.name.as_str()).collect::<Vec<_>>(),
            ["fs"]
        );
    }

    #[test]
    fn unknown_fields_are_named_with_their_key() {
        let err = parse(json!({"fs": {"command": "x", "agrs": []}})).expect_err("typo");
        assert!(err.contains("`mcp_servers.fs.agrs`"), "{err}");
        assert!(err.contains("unknown field `agrs`"), "{err}");
        assert!(err.contains("args"), "lists the expected fields: {err}");
    }

    #[test]
    fn wrong_types_are_named_with_their_key() {
        let err = parse(json!({"fs": {"command": "x", "args": "a b"}})).expect_err("type");
        assert!(err.contains("`mcp_servers.fs.args`"), "{err}");
        let err = parse(json!({"fs": {"command": "x", "env": {"N": 3}}})).expect_err("type");
        assert!(err.contains("`mcp_servers.fs.env.N`"), "{err}");
        assert!(err.contains("secret reference"), "{err}");
        let err = parse(json!({"fs": {"command": "x", "env": {"N": {"envv": "X"}}}}))
            .expect_err("bad ref");
        assert!(
            err.contains("`mcp_servers.fs.env.N`") && err.contains("envv"),
            "{err}"
        );
        let err = parse(json!(["x"])).expect_err("not a map");
        assert!(err.contains("`mcp_servers`"), "{err}");
    }

    #[test]
    fn transport_mistakes_are_explained() {
        let err = parse(json!({"a": {}})).expect_err("neither");
        assert!(
            err.contains("`mcp_servers.a`") && err.contains("`command`") && err.contains("`url`"),
            "{err}"
        );
        let err = parse(json!({"a": {"command": "x", "url": "http://h"}})).expect_err("both");
        assert!(err.contains("both"), "{err}");
        let err = parse(json!({"a": {"url": "http://h", "env": {}}})).expect_err("env on http");
        assert!(err.contains("`mcp_servers.a.env`"), "{err}");
        let err = parse(json!({"a": {"command": "x", "bearer_token": {"env": "T"}}}))
            .expect_err("token on stdio");
        assert!(err.contains("`mcp_servers.a.bearer_token`"), "{err}");
        let err = parse(json!({"a": {"url": "ftp://h"}})).expect_err("scheme");
        assert!(err.contains("`mcp_servers.a.url`"), "{err}");
        let err = parse(json!({"a": {"command": "x", "env": {"A=B": "c"}}})).expect_err("env name");
        assert!(err.contains("`mcp_servers.a.env.A=B`"), "{err}");
        let err = parse(json!({"a": {"command": "x", "timeout_secs": 0}})).expect_err("zero");
        assert!(err.contains("`mcp_servers.a.timeout_secs`"), "{err}");
    }

    #[test]
    fn bad_server_names_are_refused() {
        for name in ["has space", "a__b", "skill", "dot.ted"] {
            let err = parse(json!({name: {"command": "x"}})).expect_err(name);
            assert!(err.contains(&format!("`mcp_servers.{name}`")), "{err}");
        }
    }

    #[test]
    fn literal_secrets_in_headers_are_refused() {
        let err =
            parse(json!({"a": {"url": "http://h", "headers": {"Authorization": "Bearer abc"}}}))
                .expect_err("literal");
        assert!(
            err.contains("`mcp_servers.a.headers.Authorization`"),
            "{err}"
        );
        assert!(
            err.contains("literal secret") && !err.contains("abc"),
            "{err}"
        );
        parse(json!({"a": {"url": "http://h", "headers": {"Authorization": {"env": "AUTH"}}}}))
            .expect("a reference is fine");
        let err = parse(json!({"a": {"url": "http://h", "headers": {"bad header": "x"}}}))
            .expect_err("name");
        assert!(err.contains("not a valid HTTP header name"), "{err}");
    }
}
