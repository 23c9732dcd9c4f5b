//! The Anthropic Messages API (`POST {base_url}/v1/messages`).

use std::collections::BTreeMap;

use async_trait::async_trait;
use clawft_plugin::{Role, ToolCall};
use serde_json::{Value, json};

use super::http::{RetryPolicy, client, send_with_retry};
use super::{Completion, CompletionRequest, DeltaSink, LlmProvider, ProviderError, sse};
use crate::config::{ResolvedProvider, Secret};

/// API version header value.
pub const ANTHROPIC_VERSION: &str = "2023-06-01";
/// `max_tokens` is required by the API; used when the config sets none.
pub const DEFAULT_ANTHROPIC_MAX_TOKENS: u32 = 4096;

/// A provider speaking the Anthropic Messages API.
pub struct AnthropicProvider {
    name: String,
    url: String,
    api_key: Option<Secret>,
    retry: RetryPolicy,
    http: reqwest::Client,
}

impl AnthropicProvider {
    /// Build from resolved settings.
    pub fn new(resolved: &ResolvedProvider) -> Self {
        let base = resolved.base_url.trim_end_matches("/v1");
        Self {
            name: resolved.name.clone(),
            url: format!("{base}/v1/messages"),
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
            let mut req = self
                .http
                .post(&self.url)
                .header("anthropic-version", ANTHROPIC_VERSION)
                .json(body);
            if let Some(key) = &self.api_key {
                req = req.header("x-api-key", key.expose());
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

/// The JSON body: system text apart, tool results folded into user turns.
pub(crate) fn request_body(req: &CompletionRequest, stream: bool) -> Value {
    let system: Vec<&str> = req
        .messages
        .iter()
        .filter(|m| m.role == Role::System)
        .map(|m| m.content.as_str())
        .collect();
    let mut messages: Vec<Value> = Vec::new();
    for msg in req.messages.iter().filter(|m| m.role != Role::System) {
        let (role, blocks) = match msg.role {
            Role::User => ("user", vec![json!({"type": "text", "text": msg.content})]),
            Role::Tool => (
                "user",
                vec![
                    json!({"type": "tool_result", "tool_use_id": msg.tool_call_id.clone().unwrap_or_default(), "content": msg.content}),
                ],
            ),
            _ => {
                let mut blocks = Vec::new();
                if !msg.content.is_empty() {
                    blocks.push(json!({"type": "text", "text": msg.content}));
                }
                for c in &msg.tool_calls {
                    let input = if c.arguments.is_object() {
                        c.arguments.clone()
                    } else {
                        json!({})
                    };
                    blocks.push(
                        json!({"type": "tool_use", "id": c.id, "name": c.name, "input": input}),
                    );
                }
                ("assistant", blocks)
            }
        };
        // Consecutive same-role turns (e.g. several tool results) merge into one.
        match messages.last_mut() {
            Some(last) if last["role"] == role => {
                if let Some(content) = last["content"].as_array_mut() {
                    content.extend(blocks);
                }
            }
            _ => messages.push(json!({"role": role, "content": blocks})),
        }
    }
    let mut body = json!({
        "model": req.model,
        "max_tokens": req.max_tokens.unwrap_or(DEFAULT_ANTHROPIC_MAX_TOKENS),
        "messages": messages,
    });
    if !system.is_empty() {
        body["system"] = json!(system.join("\n\n"));
    }
    if !req.tools.is_empty() {
        body["tools"] = req
            .tools
            .iter()
            .map(|t| json!({"name": t.name, "description": t.description, "input_schema": t.parameters}))
            .collect();
    }
    if let Some(t) = req.temperature {
        body["temperature"] = json!(t);
    }
    if stream {
        body["stream"] = json!(true);
    }
    body
}

fn parse_completion(body: &Value) -> Result<Completion, String> {
    let blocks = body
        .get("content")
        .and_then(Value::as_array)
        .ok_or("no `content` array in the response")?;
    let mut out = Completion::default();
    for block in blocks {
        match block.get("type").and_then(Value::as_str) {
            Some("text") => out.content.push_str(
                block
                    .get("text")
                    .and_then(Value::as_str)
                    .unwrap_or_default(),
            ),
            Some("tool_use") => out.tool_calls.push(ToolCall {
                id: block
                    .get("id")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned(),
                name: block
                    .get("name")
                    .and_then(Value::as_str)
                    .ok_or("tool_use block without a name")?
                    .to_owned(),
                arguments: block.get("input").cloned().unwrap_or_else(|| json!({})),
            }),
            _ => {}
        }
    }
    out.finish_reason = body
        .get("stop_reason")
        .and_then(Value::as_str)
        .map(str::to_owned);
    if let Some(u) = body.get("usage") {
        out.usage.input_tokens = u.get("input_tokens").and_then(Value::as_u64).unwrap_or(0);
        out.usage.output_tokens = u.get("output_tokens").and_then(Value::as_u64).unwrap_or(0);
    }
    Ok(out)
}

#[async_trait]
impl LlmProvider for AnthropicProvider {
    fn name(&self) -> &str {
        &self.name
    }

    async fn complete(&self, req: &CompletionRequest) -> Result<Completion, ProviderError> {
        let resp = self.post(&request_body(req, false)).await?;
        let body: Value = resp
            .json()
            .await
            .map_err(|e| self.malformed(format!("not JSON: {e}")))?;
        parse_completion(&body).map_err(|m| self.malformed(m))
    }

    async fn stream(
        &self,
        req: &CompletionRequest,
        on_delta: DeltaSink<'_>,
    ) -> Result<Completion, ProviderError> {
        let resp = self.post(&request_body(req, true)).await?;
        let mut out = Completion::default();
        // index → (id, name, partial json)
        let mut tools: BTreeMap<u64, (String, String, String)> = BTreeMap::new();
        sse::read_events(resp, &self.url, |event| {
            let data: Value = serde_json::from_str(&event.data)
                .map_err(|e| self.malformed(format!("bad stream event ({e}): {}", event.data)))?;
            match data
                .get("type")
                .and_then(Value::as_str)
                .unwrap_or(&event.event)
            {
                "message_start" => {
                    let usage = &data["message"]["usage"];
                    out.usage.input_tokens = usage["input_tokens"].as_u64().unwrap_or(0);
                }
                "content_block_start" => {
                    let block = &data["content_block"];
                    if block["type"] == "tool_use" {
                        let index = data["index"].as_u64().unwrap_or(0);
                        let id = block["id"].as_str().unwrap_or_default().to_owned();
                        let name = block["name"].as_str().unwrap_or_default().to_owned();
                        tools.insert(index, (id, name, String::new()));
                    }
                }
                "content_block_delta" => {
                    let delta = &data["delta"];
                    if let Some(text) = delta["text"].as_str() {
                        on_delta(text);
                        out.content.push_str(text);
                    } else if let Some(part) = delta["partial_json"].as_str() {
                        let index = data["index"].as_u64().unwrap_or(0);
                        if let Some(entry) = tools.get_mut(&index) {
                            entry.2.push_str(part);
                        }
                    }
                }
                "message_delta" => {
                    if let Some(reason) = data["delta"]["stop_reason"].as_str() {
                        out.finish_reason = Some(reason.to_owned());
                    }
                    out.usage.output_tokens = data["usage"]["output_tokens"]
                        .as_u64()
                        .unwrap_or(out.usage.output_tokens);
                }
                "message_stop" => return Ok(false),
                "error" => return Err(self.malformed(format!("stream error: {}", data["error"]))),
                _ => {}
            }
            Ok(true)
        })
        .await?;
        out.tool_calls = tools
            .into_values()
            .map(|(id, name, json)| ToolCall {
                id,
                name,
                arguments: if json.trim().is_empty() {
                    json!({})
                } else {
                    serde_json::from_str(&json).unwrap_or(Value::String(json))
                },
            })
            .collect();
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clawft_plugin::ChatMessage;

    #[test]
    fn tool_results_merge_into_one_user_turn_and_system_moves_out() {
        let a = ToolCall {
            id: "t1".into(),
            name: "x".into(),
            arguments: json!({"a": 1}),
        };
        let b = ToolCall {
            id: "t2".into(),
            name: "y".into(),
            arguments: json!({}),
        };
        let mut assistant = ChatMessage::assistant("thinking");
        assistant.tool_calls = vec![a.clone(), b.clone()];
        let req = CompletionRequest {
            model: "claude".into(),
            messages: vec![
                ChatMessage::system("sys"),
                ChatMessage::user("hi"),
                assistant,
                ChatMessage::tool_result(&a, "r1"),
                ChatMessage::tool_result(&b, "r2"),
            ],
            tools: vec![],
            max_tokens: None,
            temperature: None,
        };
        let body = request_body(&req, false);
        assert_eq!(body["system"], "sys");
        assert_eq!(body["max_tokens"], 4096);
        let msgs = body["messages"].as_array().unwrap();
        assert_eq!(msgs.len(), 3);
        assert_eq!(msgs[1]["content"][1]["type"], "tool_use");
        assert_eq!(msgs[2]["content"].as_array().unwrap().len(), 2);
        assert_eq!(msgs[2]["content"][1]["tool_use_id"], "t2");
    }

    #[test]
    fn parses_text_and_tool_use() {
        let body = json!({"content": [{"type": "text", "text": "ok"}, {"type": "tool_use", "id": "t", "name": "n", "input": {"q": 1}}],
                          "stop_reason": "tool_use", "usage": {"input_tokens": 5, "output_tokens": 6}});
        let c = parse_completion(&body).unwrap();
        assert_eq!(c.content, "ok");
        assert_eq!(c.tool_calls[0].arguments, json!({"q": 1}));
        assert_eq!(c.usage.output_tokens, 6);
    }
}
