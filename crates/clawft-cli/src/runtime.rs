//! Wiring: turn the loaded config into an agent with the built-in tools, the skills
//! registry and the slash commands.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use clawft_core::config::{self, LoadedConfig, Paths, ResolvedProvider};
use clawft_core::pipeline::{BaseInstructions, PersonalityFiles, Pipeline};
use clawft_core::{
    Agent, AgentParts, CommandRegistry, JsonlSessionStore, ToolRegistry, build_provider,
};
use clawft_plugin::MessageSink;
use clawft_skills::{
    GateContext, ReadSkillTool, SkillCatalogueStage, SkillCommands, SkillLimits, SkillRegistry,
    SourceDirs,
};
use serde::Deserialize;
use serde_json::Value;

use crate::commands::GlobalOpts;

/// Load config honouring `--workspace` and `CLAWFT_HOME`.
pub fn load_config(global: &GlobalOpts) -> anyhow::Result<LoadedConfig> {
    Ok(config::load_from(
        Paths::from_env(),
        global.workspace.clone(),
    )?)
}

/// The provider chosen by config or environment.
pub fn provider(loaded: &LoadedConfig) -> anyhow::Result<ResolvedProvider> {
    Ok(config::resolve_provider(&loaded.config, &loaded.paths)?)
}

/// Tools every agent gets: the built-ins enabled in config.
pub fn tool_registry(loaded: &LoadedConfig) -> anyhow::Result<Arc<ToolRegistry>> {
    let registry = Arc::new(ToolRegistry::new());
    for tool in clawft_tools::builtin_tools(&loaded.config.tools)? {
        registry
            .register(tool)
            .context("registering built-in tools (this is a bug)")?;
    }
    Ok(registry)
}

/// The `skills` config section.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SkillsSettings {
    /// Limits on skill files, scanning and the prompt catalogue.
    pub limits: SkillLimits,
    /// Watch skill directories and apply changes without restart. Default true.
    pub watch: bool,
    /// `weft skill install` settings (limits, ClawHub URL, trusted keys).
    pub install: clawft_skills::install::InstallSettings,
}

impl Default for SkillsSettings {
    fn default() -> Self {
        Self {
            limits: SkillLimits::default(),
            watch: true,
            install: clawft_skills::install::InstallSettings::default(),
        }
    }
}

impl SkillsSettings {
    /// The `skills` section of `loaded`, defaults where it is absent.
    pub fn from_config(loaded: &LoadedConfig) -> anyhow::Result<Self> {
        match loaded.config.sections.get("skills") {
            Some(v) => {
                serde_json::from_value(v.clone()).context("invalid `skills` section in config")
            }
            None => Ok(Self::default()),
        }
    }
}

/// Skills shipped with weft: `$CLAWFT_BUNDLED_SKILLS`, `skills/` beside the binary,
/// `../share/clawft/skills` beside it, or the repository's `skills/` in a development build.
pub fn bundled_skills_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("CLAWFT_BUNDLED_SKILLS").filter(|v| !v.is_empty()) {
        return Some(PathBuf::from(dir));
    }
    let exe_dir = std::env::current_exe()
        .ok()
        .and_then(|p| p.parent().map(ToOwned::to_owned));
    let candidates = exe_dir
        .iter()
        .flat_map(|d| [d.join("skills"), d.join("../share/clawft/skills")])
        .chain([PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../skills"
        ))]);
    candidates
        .into_iter()
        .find(|d| d.is_dir())
        .map(|d| d.canonicalize().unwrap_or(d))
}

/// Whether the config value at a dotted path is truthy (for skills' `requires.config`).
fn config_truthy(merged: &Value, path: &str) -> bool {
    let mut cur = merged;
    for key in path.split('.') {
        match cur.get(key) {
            Some(next) => cur = next,
            None => return false,
        }
    }
    match cur {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64() != Some(0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
    }
}

/// The skills registry over every layer, its gate and settings.
pub struct Skills {
    /// The registry (first load done).
    pub registry: Arc<SkillRegistry>,
    /// Settings from config.
    pub settings: SkillsSettings,
    merged: Value,
}

impl Skills {
    /// Load every layer now.
    pub fn load(loaded: &LoadedConfig) -> anyhow::Result<Self> {
        let settings = SkillsSettings::from_config(loaded)?;
        let dirs = SourceDirs {
            workspace: Some(loaded.workspace.clone()),
            clawft_home: Some(loaded.paths.home.clone()),
            home: home_dir(),
            plugin_dirs: Vec::new(),
            bundled: bundled_skills_dir(),
        };
        let registry = Arc::new(SkillRegistry::new(dirs.sources(), settings.limits.clone()));
        Ok(Self {
            registry,
            settings,
            merged: loaded.merged.clone(),
        })
    }

    /// The gate: this process's OS, PATH and env, plus config paths from the loaded config.
    pub fn gate(&self) -> GateContext {
        let merged = self.merged.clone();
        GateContext::current().with_config(move |path| config_truthy(&merged, path))
    }
}

fn home_dir() -> Option<PathBuf> {
    std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(PathBuf::from)
}

/// Build the agent: provider, tools (+ `read_skill`), sessions, pipeline (+ skills catalogue).
pub fn build_agent(
    loaded: &LoadedConfig,
    resolved: &ResolvedProvider,
    tools: Arc<ToolRegistry>,
    skills: &Skills,
    messages: Option<Arc<dyn MessageSink>>,
) -> anyhow::Result<Arc<Agent>> {
    std::fs::create_dir_all(&loaded.workspace)
        .with_context(|| format!("creating the workspace `{}`", loaded.workspace.display()))?;
    tools
        .register(Arc::new(ReadSkillTool::new(
            skills.registry.clone(),
            skills.gate(),
        )))
        .context("registering `read_skill`")?;
    let mut pipeline = Pipeline::new();
    pipeline
        .push(Arc::new(BaseInstructions::new(
            loaded.config.agent.system_prompt.clone(),
        )))
        .push(Arc::new(PersonalityFiles::new(
            loaded.config.personality.clone(),
        )))
        .push(Arc::new(SkillCatalogueStage::new(
            skills.registry.clone(),
            skills.gate(),
            home_dir(),
        )));
    Ok(Arc::new(Agent::new(AgentParts {
        provider: build_provider(resolved),
        model: resolved.model.clone(),
        tools,
        sessions: Arc::new(JsonlSessionStore::new(loaded.paths.sessions())),
        pipeline,
        settings: loaded.config.agent.clone(),
        workspace: loaded.workspace.clone(),
        messages,
    })))
}

/// Slash commands: built-ins plus skills.
pub fn command_registry(agent: Arc<Agent>, skills: &Skills) -> CommandRegistry {
    let mut commands = CommandRegistry::with_builtins(agent);
    commands.add_source(Arc::new(SkillCommands::new(
        skills.registry.clone(),
        skills.gate(),
    )));
    commands
}

/// Start the skills watcher when enabled; keep the returned value alive.
pub fn watch_skills(skills: &Skills) -> Option<clawft_skills::SkillWatcher> {
    if !skills.settings.watch {
        return None;
    }
    match clawft_skills::SkillWatcher::start(skills.registry.clone()) {
        Ok(w) => Some(w),
        Err(err) => {
            tracing::warn!(%err, "skill hot reload is off: could not watch skill directories");
            None
        }
    }
}

/// Resolves on Ctrl-C or SIGTERM (what systemd and `kill` send), for long-running commands.
pub async fn wait_for_shutdown() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truthiness_follows_openclaw() {
        let v = serde_json::json!({"a": {"b": true, "c": "", "d": 0, "e": ["x"]}});
        assert!(config_truthy(&v, "a.b"));
        assert!(!config_truthy(&v, "a.c"));
        assert!(!config_truthy(&v, "a.d"));
        assert!(config_truthy(&v, "a.e"));
        assert!(!config_truthy(&v, "a.missing.deeper"));
    }
}
