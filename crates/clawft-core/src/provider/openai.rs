//! OpenAI-compatible chat completions (OpenAI, OpenRouter, Ollama, vLLM, llama.cpp server).

use std::collections::BTreeMap;

use async_trait::async_trait;
use clawft_plugin::{ChatMessage, Role, ToolCall};
use serde_json::{Value, json};

use super::http::{RetryPolicy, client, send_with_retry};
use super::{Completion, CompletionRequest, DeltaSink, LlmProvider, ProviderError, Usage, sse};
use crate::config::{ResolvedProvider, Secret};

/// A provider speaking `POST {base_url}/chat/completions`.
pub struct OpenAiProvider {
    name: String,
    url: String,
    api_key: Option<Secret>,
    retry: RetryPolicy,
    http: reqwest::Client,
}

impl OpenAiProvider {
    /// Build from resolved settings.
    pub fn new(resolved: &ResolvedProvider) -> Self {
        Self {
            name: resolved.name.clone(),
            url: format!("{}/chat/completions", resolved.base_url),
            api_key: resolved.api_key.clone(),
            retry: RetryPolicy {
                max_retries: resolved.max_retries,
                initial_backoff_ms: super::http::DEFAULT_INITIAL_BACKOFF_MS,
                max_backoff_ms: super::http::DEFAULT_MAX_BACKOFF_MS,
                timeout: resolved.timeout,
            },
            http: client(),
        }
    }

    async fn post(&self, body: &Value) -> Result<reqwest::Response, ProviderError> {
        send_with_retry(&self.url, &self.retry, || {
            let mut req = self.http.post(&self.url).json(body);
            if let Some(key) = &self.api_key {
                req = req.bearer_auth(key.expose());
            }
            req
        })
        .await
    }

    fn malformed(&self, message: impl Into<String>) -> ProviderError {
        ProviderError::Malformed {
            url: self.url.clone(),
            message: message.into(),
        }
    }
}

/// The JSON body for a request.
pub(crate) fn request_body(req: &CompletionRequest, stream: bool) -> Value {
    let messages: Vec<Value> = req.messages.iter().map(message_json).collect();
    let mut body = json!({"model": req.model, "messages": messages});
    if !req.tools.is_empty() {
        body["tools"] = req
            .tools
            .iter()
            .map(|t| json!({"type": "function", "function": {"name": t.name, "description": t.description, "parameters": t.parameters}}))
            .collect();
    }
    if let Some(max) = req.max_tokens {
        body["max_tokens"] = json!(max);
    }
    if let Some(t) = req.temperature {
        body["temperature"] = json!(t);
    }
    if stream {
        body["stream"] = json!(true);
    }
    body
}

fn message_json(msg: &ChatMessage) -> Value {
    let role = match msg.role {
        Role::System => "system",
        Role::User => "user",
        Role::Assistant => "assistant",
        Role::Tool => "tool",
    };
    let mut out = json!({"role": role, "content": msg.content});
    if !msg.tool_calls.is_empty() {
        out["tool_calls"] = msg
            .tool_calls
            .iter()
            .map(|c| json!({"id": c.id, "type": "function", "function": {"name": c.name, "arguments": c.arguments.to_string()}}))
            .collect();
        if msg.content.is_empty() {
            out["content"] = Value::Null;
        }
    }
    if let Some(id) = &msg.tool_call_id {
        out["tool_call_id"] = json!(id);
    }
    out
}

/// Tool-call arguments arrive as a JSON string; malformed JSON is kept as a string so the
/// agent can tell the model.
fn parse_arguments(raw: &str) -> Value {
    if raw.trim().is_empty() {
        return json!({});
    }
    serde_json::from_str(raw).unwrap_or_else(|_| Value::String(raw.to_owned()))
}

fn parse_completion(body: &Value) -> Result<Completion, String> {
    let choice = body
        .get("choices")
        .and_then(|c| c.get(0))
        .ok_or("no `choices[0]` in the response")?;
    let message = choice
        .get("message")
        .ok_or("no `choices[0].message` in the response")?;
    let content = message
        .get("content")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let mut tool_calls = Vec::new();
    if let Some(calls) = message.get("tool_calls").and_then(Value::as_array) {
        for (i, call) in calls.iter().enumerate() {
            let function = call
                .get("function")
                .ok_or(format!("tool_calls[{i}] has no `function`"))?;
            let name = function
                .get("name")
                .and_then(Value::as_str)
                .ok_or(format!("tool_calls[{i}] has no name"))?;
            let arguments = match function.get("arguments") {
                Some(Value::String(s)) => parse_arguments(s),
                Some(v @ Value::Object(_)) => v.clone(),
                _ => json!({}),
            };
            let id = call
                .get("id")
                .and_then(Value::as_str)
                .map(str::to_owned)
                .unwrap_or_else(|| format!("call_{i}"));
            tool_calls.push(ToolCall {
                id,
                name: name.to_owned(),
                arguments,
            });
        }
    }
    let usage = body.get("usage").map(|u| Usage {
        input_tokens: u.get("prompt_tokens").and_then(Value::as_u64).unwrap_or(0),
        output_tokens: u
            .get("completion_tokens")
            .and_then(Value::as_u64)
            .unwrap_or(0),
    });
    Ok(Completion {
        content,
        tool_calls,
        finish_reason: choice
            .get("finish_reason")
            .and_then(Value::as_str)
            .map(str::to_owned),
        usage: usage.unwrap_or_default(),
    })
}

#[derive(Default)]
struct PartialCall {
    id: String,
    name: String,
    arguments: String,
}

#[async_trait]
impl LlmProvider for OpenAiProvider {
    fn name(&self) -> &str {
        &self.name
    }

    async fn complete(&self, req: &CompletionRequest) -> Result<Completion, ProviderError> {
        let resp = self.post(&request_body(req, false)).await?;
        let text = resp
            .text()
            .await
            .map_err(|e| self.malformed(format!("could not read body: {e}")))?;
        let body: Value = serde_json::from_str(&text).map_err(|e| {
            self.malformed(format!(
                "not JSON ({e}): {}",
                text.chars().take(200).collect::<String>()
            ))
        })?;
        parse_completion(&body).map_err(|m| self.malformed(m))
    }

    async fn stream(
        &self,
        req: &CompletionRequest,
        on_delta: DeltaSink<'_>,
    ) -> Result<Completion, ProviderError> {
        let resp = self.post(&request_body(req, true)).await?;
        let is_sse = resp
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/event-stream"));
        if !is_sse {
            // Some servers ignore `stream`; accept a plain answer.
            let text = resp
                .text()
                .await
                .map_err(|e| self.malformed(e.to_string()))?;
            let body: Value = serde_json::from_str(&text)
                .map_err(|e| self.malformed(format!("not JSON ({e})")))?;
            let done = parse_completion(&body).map_err(|m| self.malformed(m))?;
            on_delta(&done.content);
            return Ok(done);
        }
        let mut out = Completion::default();
        let mut calls: BTreeMap<u64, PartialCall> = BTreeMap::new();
        sse::read_events(resp, &self.url, |event| {
            if event.data == "[DONE]" {
                return Ok(false);
            }
            let chunk: Value = serde_json::from_str(&event.data)
                .map_err(|e| self.malformed(format!("bad stream chunk ({e}): {}", event.data)))?;
            if let Some(err) = chunk.get("error") {
                return Err(self.malformed(format!("stream error: {err}")));
            }
            if let Some(u) = chunk.get("usage").filter(|u| u.is_object()) {
                out.usage.input_tokens =
                    u.get("prompt_tokens").and_then(Value::as_u64).unwrap_or(0);
                out.usage.output_tokens = u
                    .get("completion_tokens")
                    .and_then(Value::as_u64)
                    .unwrap_or(0);
            }
            let Some(choice) = chunk.get("choices").and_then(|c| c.get(0)) else {
                return Ok(true);
            };
            if let Some(reason) = choice.get("finish_reason").and_then(Value::as_str) {
                out.finish_reason = Some(reason.to_owned());
            }
            let Some(delta) = choice.get("delta") else {
                return Ok(true);
            };
            if let Some(text) = delta.get("content").and_then(Value::as_str) {
                on_delta(text);
                out.content.push_str(text);
            }
            for call in delta
                .get("tool_calls")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let index = call.get("index").and_then(Value::as_u64).unwrap_or(0);
                let partial = calls.entry(index).or_default();
                if let Some(id) = call.get("id").and_then(Value::as_str) {
                    partial.id = id.to_owned();
                }
                if let Some(f) = call.get("function") {
                    if let Some(name) = f.get("name").and_then(Value::as_str) {
                        partial.name.push_str(name);
                    }
                    if let Some(args) = f.get("arguments").and_then(Value::as_str) {
                        partial.arguments.push_str(args);
                    }
                }
            }
            Ok(true)
        })
        .await?;
        out.tool_calls = calls
            .into_iter()
            .map(|(i, p)| ToolCall {
                id: if p.id.is_empty() {
                    format!("call_{i}")
                } else {
                    p.id
                },
                name: p.name,
                arguments: parse_arguments(&p.arguments),
            })
            .collect();
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clawft_plugin::ToolSpec;

    #[test]
    fn request_body_has_tools_and_tool_messages() {
        let call = ToolCall {
            id: "c1".into(),
            name: "read_file".into(),
            arguments: json!({"path": "a"}),
        };
        let mut assistant = ChatMessage::assistant("");
        assistant.tool_calls.push(call.clone());
        let req = CompletionRequest {
            model: "m".into(),
            messages: vec![
                ChatMessage::system("s"),
                ChatMessage::user("u"),
                assistant,
                ChatMessage::tool_result(&call, "data"),
            ],
            tools: vec![ToolSpec {
                name: "read_file".into(),
                description: "d".into(),
                parameters: json!({"type": "object"}),
                annotations: Default::default(),
            }],
            max_tokens: Some(10),
            temperature: None,
        };
        let body = request_body(&req, true);
        assert_eq!(body["stream"], true);
        assert_eq!(body["tools"][0]["function"]["name"], "read_file");
        assert_eq!(body["messages"][2]["content"], Value::Null);
        assert_eq!(
            body["messages"][2]["tool_calls"][0]["function"]["arguments"],
            r#"{"path":"a"}"#
        );
        assert_eq!(body["messages"][3]["tool_call_id"], "c1");
        assert_eq!(body["max_tokens"], 10);
    }

    #[test]
    fn parses_tool_calls_and_bad_arguments() {
        let body = json!({"choices": [{"message": {"content": null, "tool_calls": [
            {"id": "a", "type": "function", "function": {"name": "x", "arguments": "{\"k\":1}"}},
            {"id": "b", "type": "function", "function": {"name": "y", "arguments": "{oops"}}
        ]}, "finish_reason": "tool_calls"}], "usage": {"prompt_tokens": 3, "completion_tokens": 4}});
        let c = parse_completion(&body).unwrap();
        assert_eq!(c.tool_calls[0].arguments, json!({"k": 1}));
        assert_eq!(c.tool_calls[1].arguments, Value::String("{oops".into()));
        assert_eq!(
            c.usage,
            Usage {
                input_tokens: 3,
                output_tokens: 4
            }
        );
        assert!(parse_completion(&json!({"nope": 1})).is_err());
    }
}
