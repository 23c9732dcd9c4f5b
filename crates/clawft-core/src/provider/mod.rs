//! LLM providers behind one trait: OpenAI-compatible chat completions and the Anthropic
//! Messages API, both with tool calls, streaming, retries and timeouts.

mod anthropic;
mod http;
mod openai;
mod sse;

use std::sync::Arc;

use async_trait::async_trait;
use clawft_plugin::{ChatMessage, ToolCall, ToolSpec};

pub use anthropic::AnthropicProvider;
pub use http::RetryPolicy;
pub use openai::OpenAiProvider;

use crate::config::{ProviderKind, ResolvedProvider};

/// One request to the model.
#[derive(Debug, Clone)]
pub struct CompletionRequest {
    /// Model name.
    pub model: String,
    /// Conversation, system message first.
    pub messages: Vec<ChatMessage>,
    /// Tools the model may call.
    pub tools: Vec<ToolSpec>,
    /// Max tokens in the answer.
    pub max_tokens: Option<u32>,
    /// Sampling temperature.
    pub temperature: Option<f32>,
}

/// Token counts reported by the provider.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Usage {
    /// Prompt tokens.
    pub input_tokens: u64,
    /// Completion tokens.
    pub output_tokens: u64,
}

/// The model's answer: text, tool calls, or both.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Completion {
    /// Text content.
    pub content: String,
    /// Requested tool calls.
    pub tool_calls: Vec<ToolCall>,
    /// Why the model stopped (`stop`, `tool_calls`, `length`, ...).
    pub finish_reason: Option<String>,
    /// Token usage, when reported.
    pub usage: Usage,
}

/// Why a provider call failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProviderError {
    /// Could not reach the server (after retries).
    #[error(
        "could not reach the LLM server at {url} after {attempts} attempt(s): {message}\nhelp: check that the server is running and the base URL is right"
    )]
    Unreachable {
        /// Endpoint.
        url: String,
        /// Attempts made.
        attempts: u32,
        /// Last error.
        message: String,
    },
    /// The server answered with an error status (after retries for 429/5xx).
    #[error("the LLM server answered {status} at {url}: {body}{help}")]
    Status {
        /// Endpoint.
        url: String,
        /// HTTP status.
        status: u16,
        /// Response body (truncated).
        body: String,
        /// A hint for common statuses.
        help: String,
    },
    /// The answer was not what the protocol promises.
    #[error("the LLM server at {url} sent a malformed response: {message}")]
    Malformed {
        /// Endpoint.
        url: String,
        /// What was wrong.
        message: String,
    },
    /// The request timed out (after retries).
    #[error("the LLM request to {url} timed out after {secs} s")]
    Timeout {
        /// Endpoint.
        url: String,
        /// Timeout in seconds.
        secs: u64,
    },
}

/// Receives streamed text as it arrives.
pub type DeltaSink<'a> = &'a mut (dyn FnMut(&str) + Send);

/// An LLM endpoint.
#[async_trait]
pub trait LlmProvider: Send + Sync {
    /// Provider name for logs.
    fn name(&self) -> &str;

    /// Ask for a full answer.
    async fn complete(&self, req: &CompletionRequest) -> Result<Completion, ProviderError>;

    /// Ask for an answer, passing text deltas to `on_delta` as they stream in; returns the
    /// assembled answer (including tool calls).
    async fn stream(
        &self,
        req: &CompletionRequest,
        on_delta: DeltaSink<'_>,
    ) -> Result<Completion, ProviderError>;
}

/// Build the provider described by `resolved`.
pub fn build_provider(resolved: &ResolvedProvider) -> Arc<dyn LlmProvider> {
    match resolved.kind {
        ProviderKind::Openai => Arc::new(OpenAiProvider::new(resolved)),
        ProviderKind::Anthropic => Arc::new(AnthropicProvider::new(resolved)),
    }
}
