//! The error type shared by every plugin trait.

use thiserror::Error;

/// Result alias used throughout the plugin traits.
pub type PluginResult<T> = Result<T, PluginError>;

/// What went wrong inside a plugin call.
///
/// The variants say who is at fault, so the host can decide what to do: a bad argument is
/// reported back to the model, a transient failure is retried, an unsupported operation is
/// not attempted again.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum PluginError {
    /// The caller passed arguments the plugin cannot use (bad JSON, missing field, ...).
    #[error("invalid arguments: {0}")]
    InvalidArguments(String),
    /// The plugin refused because a permission was not granted (path, host, env var, exec).
    #[error("permission denied: {0}")]
    PermissionDenied(String),
    /// The referenced thing (file, chat, tool, key) does not exist.
    #[error("not found: {0}")]
    NotFound(String),
    /// The operation is not supported by this plugin (e.g. reactions on IRC).
    #[error("not supported: {0}")]
    Unsupported(String),
    /// A limit was hit (size, time, rate, count). The message names the limit.
    #[error("limit exceeded: {0}")]
    LimitExceeded(String),
    /// A temporary failure worth retrying later (network, rate limit). `retry_after_ms` is
    /// the peer's hint when it gave one.
    #[error("temporary failure: {message}")]
    Transient {
        /// What failed.
        message: String,
        /// How long the peer asked us to wait, in milliseconds.
        retry_after_ms: Option<u64>,
    },
    /// The operation did not finish in time.
    #[error("timed out after {0} ms")]
    Timeout(u64),
    /// Any other failure, with a message meant for a human.
    #[error("{0}")]
    Other(String),
}

impl PluginError {
    /// A [`PluginError::Other`] from anything printable.
    pub fn other(message: impl std::fmt::Display) -> Self {
        Self::Other(message.to_string())
    }

    /// Whether retrying the same call later could succeed.
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::Transient { .. } | Self::Timeout(_))
    }
}

impl From<std::io::Error> for PluginError {
    fn from(err: std::io::Error) -> Self {
        match err.kind() {
            std::io::ErrorKind::NotFound => Self::NotFound(err.to_string()),
            std::io::ErrorKind::PermissionDenied => Self::PermissionDenied(err.to_string()),
            std::io::ErrorKind::TimedOut => Self::Timeout(0),
            _ => Self::Other(err.to_string()),
        }
    }
}

impl From<serde_json::Error> for PluginError {
    fn from(err: serde_json::Error) -> Self {
        Self::InvalidArguments(err.to_string())
    }
}
