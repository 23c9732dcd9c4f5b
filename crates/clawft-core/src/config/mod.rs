//! Configuration: global `~/.clawft/config.json` merged with the project's
//! `<workspace>/.clawft/config.json`, in JSON or YAML, with `CLAWFT_*` environment overrides
//! and secret references.
//!
//! Precedence, highest first: environment (`CLAWFT_MODEL`, `CLAWFT_WORKSPACE`,
//! `CLAWFT__SECTION__KEY=value`) > project config > global config > defaults.

mod load;
mod paths;
mod provider_env;
mod secret;
mod types;

use std::path::PathBuf;

pub use load::{LoadedConfig, load, load_from};
pub use paths::{Paths, find_config_file as find_config_file_in};
pub use provider_env::{ResolvedProvider, resolve_provider};
pub use secret::{Secret, SecretRef, find_literal_secrets, resolve_secret_refs};
pub use types::*;

/// Why configuration could not be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// A config file could not be read.
    #[error("could not read config file `{path}`: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A config file is not valid JSON/YAML.
    #[error("could not parse `{path}`{location}: {message}")]
    Syntax {
        /// The file.
        path: PathBuf,
        /// ` (line L, column C)` when known.
        location: String,
        /// The parser's message.
        message: String,
    },
    /// A key has the wrong type or is unknown.
    #[error(
        "invalid config in {files}: `{key}`: {message}\nhelp: see `weft config show` for the effective config and `weft onboard` for a commented example"
    )]
    Invalid {
        /// The files that were merged.
        files: String,
        /// Dotted key path.
        key: String,
        /// What is wrong.
        message: String,
    },
    /// A secret is written literally in a config file.
    #[error(
        "`{key}` in `{path}` holds a literal secret; secrets are never kept in config files\nhelp: replace it with a reference, e.g. `\"{leaf}\": {{\"env\": \"{env}\"}}` and export {env}, or `{{\"file\": \"/run/secrets/{leaf}\"}}`"
    )]
    LiteralSecret {
        /// The file.
        path: PathBuf,
        /// Dotted key path.
        key: String,
        /// Last key segment.
        leaf: String,
        /// Suggested environment variable name.
        env: String,
    },
    /// A secret reference could not be resolved.
    #[error("cannot read secret `{key}`: {message}")]
    Secret {
        /// Dotted key path.
        key: String,
        /// What failed and how to fix it.
        message: String,
    },
    /// No LLM provider configured or found in the environment.
    #[error(
        "no LLM provider is configured\nhelp: set one of these and try again:\n  - OPENAI_API_KEY (and OPENAI_BASE_URL for any OpenAI-compatible server, e.g. vLLM, llama.cpp, OpenRouter)\n  - ANTHROPIC_API_KEY (and optionally ANTHROPIC_BASE_URL)\n  - OLLAMA_HOST for a local Ollama server\n  or add a `providers` entry to {config}, e.g.\n    \"providers\": {{\"openai\": {{\"kind\": \"openai\", \"api_key\": {{\"env\": \"OPENAI_API_KEY\"}}}}}}\n  and choose the model with CLAWFT_MODEL or `agent.model`"
    )]
    NoProvider {
        /// The global config path, for the hint.
        config: String,
    },
    /// `agent.provider` names a provider that is not configured.
    #[error("`agent.provider` is `{name}`, but no such provider is configured{hint}")]
    UnknownProvider {
        /// The name given.
        name: String,
        /// "; did you mean" hint or the list of configured ones.
        hint: String,
    },
}
