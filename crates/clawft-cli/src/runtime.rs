//! Wiring: turn the loaded config into an agent with the built-in tools and pipeline.

use std::sync::Arc;

use anyhow::Context;
use clawft_core::config::{self, LoadedConfig, Paths, ResolvedProvider};
use clawft_core::pipeline::{BaseInstructions, PersonalityFiles, Pipeline};
use clawft_core::{Agent, AgentParts, JsonlSessionStore, ToolRegistry, build_provider};
use clawft_plugin::MessageSink;

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

/// Build the agent: provider, tools, sessions, pipeline.
pub fn build_agent(
    loaded: &LoadedConfig,
    resolved: &ResolvedProvider,
    tools: Arc<ToolRegistry>,
    messages: Option<Arc<dyn MessageSink>>,
) -> anyhow::Result<Agent> {
    std::fs::create_dir_all(&loaded.workspace)
        .with_context(|| format!("creating the workspace `{}`", loaded.workspace.display()))?;
    let mut pipeline = Pipeline::new();
    pipeline
        .push(Arc::new(BaseInstructions::new(
            loaded.config.agent.system_prompt.clone(),
        )))
        .push(Arc::new(PersonalityFiles::new(
            loaded.config.personality.clone(),
        )));
    Ok(Agent::new(AgentParts {
        provider: build_provider(resolved),
        model: resolved.model.clone(),
        tools,
        sessions: Arc::new(JsonlSessionStore::new(loaded.paths.sessions())),
        pipeline,
        settings: loaded.config.agent.clone(),
        workspace: loaded.workspace.clone(),
        messages,
    }))
}
