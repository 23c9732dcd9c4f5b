//! The typed configuration and its documented defaults.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::secret::SecretRef;

/// Default cap on agent loop iterations (model calls) per turn.
pub const DEFAULT_MAX_ITERATIONS: usize = 20;
/// Default number of earlier messages sent to the model.
pub const DEFAULT_MAX_HISTORY_MESSAGES: usize = 40;
/// Default number of tool calls run at once within one model step.
pub const DEFAULT_MAX_PARALLEL_TOOLS: usize = 8;
/// Default wall-clock limit for one tool call, in seconds.
pub const DEFAULT_TOOL_TIMEOUT_SECS: u64 = 120;
/// Default per-request timeout for LLM calls, in seconds.
pub const DEFAULT_PROVIDER_TIMEOUT_SECS: u64 = 120;
/// Default number of retries on 429/5xx/connection errors.
pub const DEFAULT_PROVIDER_MAX_RETRIES: u32 = 3;
/// Default cap per personality file, in characters (OpenClaw uses the same).
pub const DEFAULT_PERSONALITY_MAX_FILE_CHARS: usize = 20_000;
/// Default time a plugin gets to start, in seconds.
pub const DEFAULT_PLUGIN_START_TIMEOUT_SECS: u64 = 30;
/// Default time a plugin gets to stop, in seconds.
pub const DEFAULT_PLUGIN_STOP_TIMEOUT_SECS: u64 = 10;
/// Default model when neither config nor `CLAWFT_MODEL` names one.
pub const DEFAULT_OPENAI_MODEL: &str = "gpt-4o-mini";
/// Default Anthropic model.
pub const DEFAULT_ANTHROPIC_MODEL: &str = "claude-sonnet-4-5";
/// Top-level sections owned by other crates; any other unknown key is an error.
pub const KNOWN_SECTIONS: &[&str] = &[
    "skills",
    "mcp",
    "mcp_servers",
    "cron",
    "heartbeat",
    "gateway",
    "wasm",
];
/// Default Ollama model.
pub const DEFAULT_OLLAMA_MODEL: &str = "llama3.2";

/// The whole configuration (global merged with project).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Config {
    /// JSON Schema reference (ignored).
    #[serde(rename = "$schema", skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// Workspace directory (file tools are confined to it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workspace: Option<PathBuf>,
    /// Agent loop settings.
    pub agent: AgentSettings,
    /// LLM providers by name.
    pub providers: BTreeMap<String, ProviderConfig>,
    /// Built-in tool settings by tool name (read by each tool's own config type).
    pub tools: BTreeMap<String, Value>,
    /// Personality file injection.
    pub personality: PersonalityConfig,
    /// Channel settings by channel name (read by each channel plugin).
    pub channels: BTreeMap<String, Value>,
    /// Plugin host settings.
    pub plugins: PluginHostConfig,
    /// Settings of subsystems that arrive as separate crates (skills, mcp, cron, ...),
    /// by section name, read by those crates.
    #[serde(flatten)]
    pub sections: BTreeMap<String, Value>,
}

/// Agent loop settings.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AgentSettings {
    /// Model name; `CLAWFT_MODEL` overrides.
    pub model: Option<String>,
    /// Provider name from `providers`; the first configured one when unset.
    pub provider: Option<String>,
    /// Model calls per turn before giving up. Default [`DEFAULT_MAX_ITERATIONS`].
    pub max_iterations: usize,
    /// Earlier messages sent with each turn. Default [`DEFAULT_MAX_HISTORY_MESSAGES`].
    pub max_history_messages: usize,
    /// Tool calls run concurrently. Default [`DEFAULT_MAX_PARALLEL_TOOLS`].
    pub max_parallel_tools: usize,
    /// Seconds one tool call may take. Default [`DEFAULT_TOOL_TIMEOUT_SECS`].
    pub tool_timeout_secs: u64,
    /// Max tokens per completion (provider default when unset; Anthropic needs one: 4096).
    pub max_tokens: Option<u32>,
    /// Sampling temperature.
    pub temperature: Option<f32>,
    /// Replaces the built-in base instructions.
    pub system_prompt: Option<String>,
}

impl Default for AgentSettings {
    fn default() -> Self {
        Self {
            model: None,
            provider: None,
            max_iterations: DEFAULT_MAX_ITERATIONS,
            max_history_messages: DEFAULT_MAX_HISTORY_MESSAGES,
            max_parallel_tools: DEFAULT_MAX_PARALLEL_TOOLS,
            tool_timeout_secs: DEFAULT_TOOL_TIMEOUT_SECS,
            max_tokens: None,
            temperature: None,
            system_prompt: None,
        }
    }
}

/// Which wire protocol a provider speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum ProviderKind {
    /// OpenAI chat completions (OpenAI, OpenRouter, Ollama, vLLM, llama.cpp, ...).
    #[default]
    Openai,
    /// Anthropic Messages API.
    Anthropic,
}

/// One LLM provider.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ProviderConfig {
    /// Wire protocol.
    pub kind: ProviderKind,
    /// Base URL, e.g. `https://api.openai.com/v1`.
    pub base_url: Option<String>,
    /// API key reference.
    pub api_key: Option<SecretRef>,
    /// Default model for this provider.
    pub model: Option<String>,
    /// Seconds per request. Default [`DEFAULT_PROVIDER_TIMEOUT_SECS`].
    pub timeout_secs: u64,
    /// Retries on 429/5xx/connection errors. Default [`DEFAULT_PROVIDER_MAX_RETRIES`].
    pub max_retries: u32,
}

impl Default for ProviderConfig {
    fn default() -> Self {
        Self {
            kind: ProviderKind::Openai,
            base_url: None,
            api_key: None,
            model: None,
            timeout_secs: DEFAULT_PROVIDER_TIMEOUT_SECS,
            max_retries: DEFAULT_PROVIDER_MAX_RETRIES,
        }
    }
}

/// Personality and workspace file injection (SOUL.md and friends).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PersonalityConfig {
    /// Files read from the workspace each turn, in order.
    pub files: Vec<String>,
    /// Characters kept per file. Default [`DEFAULT_PERSONALITY_MAX_FILE_CHARS`]; longer
    /// files are cut with a visible marker.
    pub max_file_chars: usize,
}

impl Default for PersonalityConfig {
    fn default() -> Self {
        Self {
            files: ["AGENTS.md", "SOUL.md", "IDENTITY.md", "USER.md", "TOOLS.md"]
                .map(String::from)
                .to_vec(),
            max_file_chars: DEFAULT_PERSONALITY_MAX_FILE_CHARS,
        }
    }
}

/// Plugin host settings.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PluginHostConfig {
    /// Seconds each plugin gets to start. Default [`DEFAULT_PLUGIN_START_TIMEOUT_SECS`].
    pub start_timeout_secs: u64,
    /// Seconds each plugin gets to stop. Default [`DEFAULT_PLUGIN_STOP_TIMEOUT_SECS`].
    pub stop_timeout_secs: u64,
}

impl Default for PluginHostConfig {
    fn default() -> Self {
        Self {
            start_timeout_secs: DEFAULT_PLUGIN_START_TIMEOUT_SECS,
            stop_timeout_secs: DEFAULT_PLUGIN_STOP_TIMEOUT_SECS,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_defaults_are_pinned() {
        let c = Config::default();
        assert_eq!(c.agent.max_iterations, 20);
        assert_eq!(c.agent.max_history_messages, 40);
        assert_eq!(c.agent.max_parallel_tools, 8);
        assert_eq!(c.agent.tool_timeout_secs, 120);
        assert_eq!(c.personality.max_file_chars, 20_000);
        assert_eq!(
            c.personality.files,
            ["AGENTS.md", "SOUL.md", "IDENTITY.md", "USER.md", "TOOLS.md"]
        );
        assert_eq!(c.plugins.start_timeout_secs, 30);
        assert_eq!(c.plugins.stop_timeout_secs, 10);
        let p = ProviderConfig::default();
        assert_eq!((p.timeout_secs, p.max_retries), (120, 3));
    }
}
