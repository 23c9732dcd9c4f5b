//! The `mcp` config section: HTTP listener settings and every limit of the server, each
//! with a `DEFAULT_*` const.

use clawft_core::config::SecretRef;
use serde::{Deserialize, Serialize};

/// Files listed as resources per skill (including `SKILL.md`); the rest are not listed and
/// cannot be read. Scope: one skill folder. Default 64.
pub const DEFAULT_MAX_RESOURCE_FILES_PER_SKILL: usize = 64;
/// Directory levels below a skill folder searched for resources. Default 3.
pub const DEFAULT_MAX_RESOURCE_DEPTH: usize = 3;
/// Bytes of one resource file; larger files are listed but reading them fails with
/// `-32602`. Default 256 000 (the same as a `SKILL.md`).
pub const DEFAULT_MAX_RESOURCE_BYTES: u64 = 256_000;
/// Milliseconds between two checks of the tool registry's version by each connected session;
/// a change is announced as `tools/list_changed` within this delay. Default 500.
pub const DEFAULT_TOOL_POLL_MS: u64 = 500;

/// Limits of the MCP server. Deserializes with every field optional.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct McpLimits {
    /// See [`DEFAULT_MAX_RESOURCE_FILES_PER_SKILL`].
    pub max_resource_files_per_skill: usize,
    /// See [`DEFAULT_MAX_RESOURCE_DEPTH`].
    pub max_resource_depth: usize,
    /// See [`DEFAULT_MAX_RESOURCE_BYTES`].
    pub max_resource_bytes: u64,
    /// See [`DEFAULT_TOOL_POLL_MS`].
    pub tool_poll_ms: u64,
}

impl Default for McpLimits {
    fn default() -> Self {
        Self {
            max_resource_files_per_skill: DEFAULT_MAX_RESOURCE_FILES_PER_SKILL,
            max_resource_depth: DEFAULT_MAX_RESOURCE_DEPTH,
            max_resource_bytes: DEFAULT_MAX_RESOURCE_BYTES,
            tool_poll_ms: DEFAULT_TOOL_POLL_MS,
        }
    }
}

/// The `mcp.http` config section.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HttpSettings {
    /// Address to listen on when `weft mcp serve --http` is given without one, and the
    /// address `weft gateway` serves MCP on. Default: none (HTTP off).
    pub listen: Option<String>,
    /// Where the bearer token lives (`{"env": "NAME"}` or `{"file": "/path"}`). Default:
    /// none, so a token is generated once and kept in `$CLAWFT_HOME/mcp-token` (mode 0600).
    pub token: Option<SecretRef>,
    /// Serve without a token. Honoured only on a loopback address. Default false.
    pub allow_unauthenticated: bool,
    /// Browser origins allowed to call the server (`"https://app.example:443"`,
    /// `"http://localhost:*"`). Default: none, which allows only loopback origins
    /// (`http://localhost:*`, `http://127.0.0.1:*`, `http://[::1]:*`). Requests without an
    /// `Origin` header (SDKs, CLIs) are not affected.
    pub allowed_origins: Vec<String>,
    /// `Host` header values accepted (DNS-rebinding protection). Default: none, which
    /// accepts loopback names only; set it when binding a non-loopback address.
    pub allowed_hosts: Vec<String>,
}

/// The whole `mcp` config section.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct McpSettings {
    /// The HTTP transport.
    pub http: HttpSettings,
    /// Limits.
    pub limits: McpLimits,
}

impl McpSettings {
    /// Reads the section from its config value (`None` when absent: every default).
    ///
    /// # Errors
    /// A message naming the bad key, for a value that does not match.
    pub fn from_section(section: Option<&serde_json::Value>) -> Result<Self, String> {
        match section {
            None => Ok(Self::default()),
            Some(value) => serde_json::from_value(value.clone())
                .map_err(|err| format!("invalid `mcp` section in config: {err}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Pins every documented default.
    #[test]
    fn defaults_are_pinned() {
        let limits = McpLimits::default();
        assert_eq!(limits.max_resource_files_per_skill, 64);
        assert_eq!(limits.max_resource_depth, 3);
        assert_eq!(limits.max_resource_bytes, 256_000);
        assert_eq!(limits.tool_poll_ms, 500);
        let http = HttpSettings::default();
        assert_eq!(http.listen, None);
        assert_eq!(http.token, None);
        assert!(!http.allow_unauthenticated);
        assert!(http.allowed_origins.is_empty() && http.allowed_hosts.is_empty());
    }

    #[test]
    fn section_parses_secret_refs_and_refuses_typos() {
        let value = serde_json::json!({
            "http": {"listen": "127.0.0.1:7000", "token": {"env": "MCP_TOKEN"}},
            "limits": {"tool_poll_ms": 100}
        });
        let settings = McpSettings::from_section(Some(&value)).expect("valid");
        assert_eq!(
            settings.http.token,
            Some(SecretRef::Env("MCP_TOKEN".into()))
        );
        assert_eq!(settings.limits.tool_poll_ms, 100);
        assert_eq!(settings.limits.max_resource_depth, 3);
        let typo = serde_json::json!({"htp": {}});
        let err = McpSettings::from_section(Some(&typo)).expect_err("typo");
        assert!(err.contains("htp"), "{err}");
        assert_eq!(McpSettings::from_section(None), Ok(McpSettings::default()));
    }
}
