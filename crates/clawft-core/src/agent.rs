//! The agent loop: assemble context → call the model → run requested tools (concurrently)
//! → repeat until a final answer or the iteration limit.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use clawft_plugin::{
    ChatMessage, InboundMessage, MessageSink, ToolCall, ToolContext, ToolOutput, TurnContext,
};
use futures_util::future::join_all;
use tokio::sync::Semaphore;

use crate::config::AgentSettings;
use crate::pipeline::Pipeline;
use crate::provider::{CompletionRequest, LlmProvider, ProviderError, Usage};
use crate::session::{SessionError, SessionRecord, SessionStore, trim_history};
use crate::tool_registry::{ToolRegistry, ToolSet};

/// Something that happened during a turn, for live display.
#[derive(Debug, Clone, Copy)]
pub enum TurnEvent<'a> {
    /// Streamed answer text.
    TextDelta(&'a str),
    /// A tool call is starting.
    ToolStarted {
        /// Tool name.
        name: &'a str,
    },
    /// A tool call finished.
    ToolFinished {
        /// Tool name.
        name: &'a str,
        /// Whether it failed.
        is_error: bool,
    },
}

/// Receives [`TurnEvent`]s. With an observer the model's answer is streamed.
pub trait TurnObserver: Send + Sync {
    /// Called for each event.
    fn on_event(&self, event: TurnEvent<'_>);
}

/// The result of one turn.
#[derive(Debug, Clone, PartialEq)]
pub struct TurnOutcome {
    /// The final answer text.
    pub reply: String,
    /// Model calls made.
    pub iterations: usize,
    /// Tool calls run.
    pub tool_calls: usize,
    /// Token usage summed over the turn.
    pub usage: Usage,
    /// Whether the turn stopped at `agent.max_iterations`.
    pub hit_limit: bool,
}

/// Why a turn failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AgentError {
    /// The model call failed.
    #[error(transparent)]
    Provider(#[from] ProviderError),
    /// The session could not be read or written.
    #[error(transparent)]
    Session(#[from] SessionError),
    /// A pipeline stage failed.
    #[error("pipeline stage `{stage}` failed: {message}")]
    Stage {
        /// Stage name.
        stage: String,
        /// Its error.
        message: String,
    },
}

/// What an agent is made of.
pub struct AgentParts {
    /// The LLM.
    pub provider: Arc<dyn LlmProvider>,
    /// Model name at start.
    pub model: String,
    /// Tools.
    pub tools: Arc<ToolRegistry>,
    /// Conversation storage.
    pub sessions: Arc<dyn SessionStore>,
    /// Context assembly.
    pub pipeline: Pipeline,
    /// Limits and sampling.
    pub settings: AgentSettings,
    /// Workspace directory.
    pub workspace: PathBuf,
    /// Outbound message sink for the `message` tool.
    pub messages: Option<Arc<dyn MessageSink>>,
}

/// The agent runtime shared by every channel.
pub struct Agent {
    parts: AgentParts,
    /// The model in use; `/model` can switch it while running.
    model: std::sync::RwLock<String>,
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

impl Agent {
    /// Assemble an agent.
    pub fn new(parts: AgentParts) -> Self {
        let model = std::sync::RwLock::new(parts.model.clone());
        Self { parts, model }
    }

    /// Switch the model for later turns; returns the previous one.
    pub fn set_model(&self, model: String) -> String {
        let mut current = self.model.write().unwrap_or_else(|p| p.into_inner());
        std::mem::replace(&mut *current, model)
    }

    /// The workspace directory.
    pub fn workspace(&self) -> &std::path::Path {
        &self.parts.workspace
    }

    /// The tool registry.
    pub fn tools(&self) -> &Arc<ToolRegistry> {
        &self.parts.tools
    }

    /// The session store.
    pub fn sessions(&self) -> &Arc<dyn SessionStore> {
        &self.parts.sessions
    }

    /// The model name.
    pub fn model(&self) -> String {
        self.model.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Handle one inbound message and produce the reply. Every message of the turn is
    /// persisted as soon as it exists, so a crash loses at most the step in flight.
    pub async fn run_turn(
        &self,
        inbound: &InboundMessage,
        observer: Option<&dyn TurnObserver>,
    ) -> Result<TurnOutcome, AgentError> {
        let p = &self.parts;
        let key = inbound.session_key();
        let stored: Vec<ChatMessage> = p
            .sessions
            .load(&key)
            .await?
            .into_iter()
            .map(|r| r.message)
            .collect();

        let mut ctx = TurnContext::new(inbound.clone(), &p.workspace);
        ctx.history = trim_history(&stored, p.settings.max_history_messages).to_vec();
        p.pipeline
            .run(&mut ctx)
            .await
            .map_err(|(stage, err)| AgentError::Stage {
                stage,
                message: err.to_string(),
            })?;

        let user = ChatMessage::user(inbound.content.text.clone());
        self.persist(&key, std::slice::from_ref(&user)).await?;
        if let Some(reply) = ctx.direct_reply.take() {
            self.persist(&key, &[ChatMessage::assistant(reply.clone())])
                .await?;
            return Ok(TurnOutcome {
                reply,
                iterations: 0,
                tool_calls: 0,
                usage: Usage::default(),
                hit_limit: false,
            });
        }

        let tools = p.tools.snapshot();
        let mut messages = Vec::with_capacity(ctx.history.len() + 2);
        messages.push(ChatMessage::system(ctx.system_prompt()));
        messages.append(&mut ctx.history);
        messages.push(user);

        let tool_ctx = ToolContext {
            workspace: p.workspace.clone(),
            channel: inbound.channel.clone(),
            chat_id: inbound.chat.id.clone(),
            messages: p.messages.clone(),
        };
        let mut outcome = TurnOutcome {
            reply: String::new(),
            iterations: 0,
            tool_calls: 0,
            usage: Usage::default(),
            hit_limit: false,
        };

        while outcome.iterations < p.settings.max_iterations {
            outcome.iterations += 1;
            let req = CompletionRequest {
                model: self.model(),
                messages: messages.clone(),
                tools: tools.specs(),
                max_tokens: p.settings.max_tokens,
                temperature: p.settings.temperature,
            };
            let completion = match observer {
                Some(obs) => {
                    let mut sink = |delta: &str| obs.on_event(TurnEvent::TextDelta(delta));
                    p.provider.stream(&req, &mut sink).await?
                }
                None => p.provider.complete(&req).await?,
            };
            outcome.usage.input_tokens += completion.usage.input_tokens;
            outcome.usage.output_tokens += completion.usage.output_tokens;

            let mut assistant = ChatMessage::assistant(completion.content);
            assistant.tool_calls = completion.tool_calls;
            self.persist(&key, std::slice::from_ref(&assistant)).await?;
            if assistant.tool_calls.is_empty() {
                outcome.reply = assistant.content;
                return Ok(outcome);
            }
            let calls = assistant.tool_calls.clone();
            messages.push(assistant);
            outcome.tool_calls += calls.len();
            let results = self.run_tools(&tools, &calls, &tool_ctx, observer).await;
            self.persist(&key, &results).await?;
            messages.extend(results);
        }

        outcome.hit_limit = true;
        outcome.reply = format!(
            "I stopped after {} model calls without reaching a final answer (limit `agent.max_iterations` = {}). \
             Ask me to continue, or raise the limit.",
            outcome.iterations, p.settings.max_iterations
        );
        self.persist(&key, &[ChatMessage::assistant(outcome.reply.clone())])
            .await?;
        Ok(outcome)
    }

    async fn persist(&self, key: &str, messages: &[ChatMessage]) -> Result<(), SessionError> {
        let ts_ms = now_ms();
        let records: Vec<SessionRecord> = messages
            .iter()
            .map(|m| SessionRecord {
                ts_ms,
                message: m.clone(),
            })
            .collect();
        self.parts.sessions.append(key, &records).await
    }

    /// Run calls concurrently (bounded), returning results in call order.
    async fn run_tools(
        &self,
        tools: &ToolSet,
        calls: &[ToolCall],
        ctx: &ToolContext,
        observer: Option<&dyn TurnObserver>,
    ) -> Vec<ChatMessage> {
        let limit = Arc::new(Semaphore::new(
            self.parts.settings.max_parallel_tools.max(1),
        ));
        let timeout = Duration::from_secs(self.parts.settings.tool_timeout_secs);
        let runs = calls.iter().map(|call| {
            let limit = limit.clone();
            async move {
                let _permit = limit.acquire().await;
                if let Some(obs) = observer {
                    obs.on_event(TurnEvent::ToolStarted { name: &call.name });
                }
                let output = call_one(tools, call, ctx, timeout).await;
                if let Some(obs) = observer {
                    obs.on_event(TurnEvent::ToolFinished {
                        name: &call.name,
                        is_error: output.is_error,
                    });
                }
                let content = if output.is_error {
                    format!("error: {}", output.content)
                } else {
                    output.content
                };
                ChatMessage::tool_result(call, content)
            }
        });
        join_all(runs).await
    }
}

async fn call_one(
    tools: &ToolSet,
    call: &ToolCall,
    ctx: &ToolContext,
    timeout: Duration,
) -> ToolOutput {
    let Some(tool) = tools.get(&call.name) else {
        let hint = crate::suggest::did_you_mean(&call.name, tools.names()).unwrap_or_default();
        let available = tools.names().collect::<Vec<_>>().join(", ");
        return ToolOutput::error(format!(
            "unknown tool `{}`{hint}; available tools: {available}",
            call.name
        ));
    };
    if !call.arguments.is_object() {
        return ToolOutput::error(format!(
            "the arguments for `{}` must be a JSON object; received: {}",
            call.name, call.arguments
        ));
    }
    tracing::debug!(tool = %call.name, "calling tool");
    match tokio::time::timeout(timeout, tool.call(call.arguments.clone(), ctx)).await {
        Ok(Ok(output)) => output,
        Ok(Err(err)) => ToolOutput::error(err.to_string()),
        Err(_) => ToolOutput::error(format!(
            "`{}` did not finish within {} s and was stopped",
            call.name,
            timeout.as_secs()
        )),
    }
}
