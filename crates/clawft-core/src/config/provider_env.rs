//! Choosing the LLM provider: config first, then the environment conventions users know
//! (`OPENAI_API_KEY`/`OPENAI_BASE_URL`, `ANTHROPIC_API_KEY`/`ANTHROPIC_BASE_URL`, `OLLAMA_HOST`).

use std::time::Duration;

use super::secret::Secret;
use super::types::{
    Config, DEFAULT_ANTHROPIC_MODEL, DEFAULT_OLLAMA_MODEL, DEFAULT_OPENAI_MODEL, ProviderConfig,
    ProviderKind,
};
use super::{ConfigError, Paths};

/// A provider ready to be built: everything resolved, secrets read.
#[derive(Debug, Clone)]
pub struct ResolvedProvider {
    /// Name (config key, or `openai`/`anthropic`/`ollama` from the environment).
    pub name: String,
    /// Wire protocol.
    pub kind: ProviderKind,
    /// Base URL without trailing slash.
    pub base_url: String,
    /// API key, when the provider needs one.
    pub api_key: Option<Secret>,
    /// Model to use.
    pub model: String,
    /// Per-request timeout.
    pub timeout: Duration,
    /// Retries on 429/5xx/connection errors.
    pub max_retries: u32,
}

/// Pick the provider for `config`, falling back to well-known environment variables.
pub fn resolve_provider(config: &Config, paths: &Paths) -> Result<ResolvedProvider, ConfigError> {
    let model_override = config.agent.model.clone();
    if let Some((name, provider)) = pick_configured(config)? {
        let api_key = provider
            .api_key
            .as_ref()
            .map(|r| r.resolve(&format!("providers.{name}.api_key")))
            .transpose()?;
        let base_url = provider
            .base_url
            .clone()
            .unwrap_or_else(|| default_base(provider.kind).to_owned());
        let model = model_override
            .or_else(|| provider.model.clone())
            .unwrap_or_else(|| default_model(provider.kind).to_owned());
        return Ok(build(
            name,
            provider.kind,
            base_url,
            api_key,
            model,
            provider,
        ));
    }

    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    let defaults = ProviderConfig::default();
    if env("OPENAI_API_KEY").is_some() || env("OPENAI_BASE_URL").is_some() {
        let base =
            env("OPENAI_BASE_URL").unwrap_or_else(|| default_base(ProviderKind::Openai).to_owned());
        let model = model_override.unwrap_or_else(|| DEFAULT_OPENAI_MODEL.to_owned());
        let key = env("OPENAI_API_KEY").map(Secret::new);
        return Ok(build(
            "openai",
            ProviderKind::Openai,
            base,
            key,
            model,
            &defaults,
        ));
    }
    if let Some(key) = env("ANTHROPIC_API_KEY") {
        let base = env("ANTHROPIC_BASE_URL")
            .unwrap_or_else(|| default_base(ProviderKind::Anthropic).to_owned());
        let model = model_override.unwrap_or_else(|| DEFAULT_ANTHROPIC_MODEL.to_owned());
        return Ok(build(
            "anthropic",
            ProviderKind::Anthropic,
            base,
            Some(Secret::new(key)),
            model,
            &defaults,
        ));
    }
    if let Some(host) = env("OLLAMA_HOST") {
        let host = if host.contains("://") {
            host
        } else {
            format!("http://{host}")
        };
        let base = format!("{}/v1", host.trim_end_matches('/'));
        let model = model_override.unwrap_or_else(|| DEFAULT_OLLAMA_MODEL.to_owned());
        return Ok(build(
            "ollama",
            ProviderKind::Openai,
            base,
            None,
            model,
            &defaults,
        ));
    }
    Err(ConfigError::NoProvider {
        config: paths.global_config().display().to_string(),
    })
}

fn pick_configured(config: &Config) -> Result<Option<(&str, &ProviderConfig)>, ConfigError> {
    match &config.agent.provider {
        Some(name) => match config.providers.get_key_value(name) {
            Some((k, v)) => Ok(Some((k.as_str(), v))),
            None => {
                let names: Vec<&str> = config.providers.keys().map(String::as_str).collect();
                let hint = crate::suggest::did_you_mean(name, names.iter().copied())
                    .unwrap_or_else(|| {
                        if names.is_empty() {
                            "; `providers` is empty".to_owned()
                        } else {
                            format!("; configured: {}", names.join(", "))
                        }
                    });
                Err(ConfigError::UnknownProvider {
                    name: name.clone(),
                    hint,
                })
            }
        },
        None => Ok(config.providers.iter().next().map(|(k, v)| (k.as_str(), v))),
    }
}

fn build(
    name: &str,
    kind: ProviderKind,
    base_url: String,
    api_key: Option<Secret>,
    model: String,
    settings: &ProviderConfig,
) -> ResolvedProvider {
    ResolvedProvider {
        name: name.to_owned(),
        kind,
        base_url: base_url.trim_end_matches('/').to_owned(),
        api_key,
        model,
        timeout: Duration::from_secs(settings.timeout_secs),
        max_retries: settings.max_retries,
    }
}

fn default_base(kind: ProviderKind) -> &'static str {
    match kind {
        ProviderKind::Openai => "https://api.openai.com/v1",
        ProviderKind::Anthropic => "https://api.anthropic.com",
    }
}

fn default_model(kind: ProviderKind) -> &'static str {
    match kind {
        ProviderKind::Openai => DEFAULT_OPENAI_MODEL,
        ProviderKind::Anthropic => DEFAULT_ANTHROPIC_MODEL,
    }
}
