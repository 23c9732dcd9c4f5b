//! A minimal Telegram Bot API client: JSON calls, multipart uploads, error mapping.
//!
//! Every response is `{"ok": bool, "result": ..., "description": ..., "error_code": ...,
//! "parameters": {"retry_after": n}}`. Errors map to [`PluginError`]: 429 (or
//! `parameters.retry_after`) and 5xx become `Transient` with the wait Telegram asked for,
//! 401/404 mean the token is wrong, 400 is a bad request. Request URLs embed the token, so
//! errors from the HTTP stack are stripped of their URL before they go anywhere.

use std::time::Duration;

use clawft_channel_kit::{RetryPolicy, rate_limit_delay};
use clawft_plugin::{PluginError, PluginResult};
use reqwest::multipart::{Form, Part};
use serde_json::Value;

/// A Bot API client bound to one token.
pub(crate) struct BotApi {
    http: reqwest::Client,
    /// `{api_base}/bot{token}`; contains the secret, never logged.
    base: String,
    retry: RetryPolicy,
}

/// A file to upload with `sendPhoto` / `sendDocument`.
pub(crate) struct Upload {
    /// The multipart field (`photo`, `document`).
    pub field: &'static str,
    /// File name shown to users.
    pub file_name: String,
    /// MIME type.
    pub mime_type: String,
    /// The bytes.
    pub bytes: Vec<u8>,
}

impl BotApi {
    pub(crate) fn new(api_base: &str, token: &str, send_attempts: u32) -> PluginResult<Self> {
        let http = clawft_http::client_builder()
            .connect_timeout(Duration::from_secs(15))
            .build()
            .map_err(|e| {
                PluginError::other(format!("cannot build the HTTP client: {}", e.without_url()))
            })?;
        Ok(Self {
            http,
            base: format!("{}/bot{}", api_base.trim_end_matches('/'), token),
            retry: RetryPolicy {
                max_attempts: send_attempts,
                ..RetryPolicy::default()
            },
        })
    }

    fn url(&self, method: &str) -> String {
        format!("{}/{method}", self.base)
    }

    /// One JSON call, without retries. `timeout` bounds the whole request.
    pub(crate) async fn call_once(
        &self,
        method: &str,
        body: &Value,
        timeout: Duration,
    ) -> PluginResult<Value> {
        let resp = self
            .http
            .post(self.url(method))
            .json(body)
            .timeout(timeout)
            .send()
            .await
            .map_err(|e| transport_error(method, e))?;
        decode(method, resp).await
    }

    /// A JSON call, retried on rate limits and network failures.
    pub(crate) async fn call(&self, method: &str, body: &Value) -> PluginResult<Value> {
        self.retry
            .run(method, |_| {
                self.call_once(method, body, Duration::from_secs(30))
            })
            .await
    }

    /// A multipart call with one file, retried like [`Self::call`].
    pub(crate) async fn upload(
        &self,
        method: &str,
        fields: &[(String, String)],
        file: &Upload,
    ) -> PluginResult<Value> {
        self.retry
            .run(method, |_| async {
                let mut form = Form::new();
                for (k, v) in fields {
                    form = form.text(k.clone(), v.clone());
                }
                let part = Part::bytes(file.bytes.clone())
                    .file_name(file.file_name.clone())
                    .mime_str(&file.mime_type)
                    .map_err(|e| {
                        PluginError::InvalidArguments(format!(
                            "bad MIME type `{}`: {e}",
                            file.mime_type
                        ))
                    })?;
                form = form.part(file.field, part);
                let resp = self
                    .http
                    .post(self.url(method))
                    .multipart(form)
                    .timeout(Duration::from_secs(120))
                    .send()
                    .await
                    .map_err(|e| transport_error(method, e))?;
                decode(method, resp).await
            })
            .await
    }
}

fn transport_error(method: &str, err: reqwest::Error) -> PluginError {
    let err = err.without_url();
    if err.is_timeout() {
        PluginError::Transient {
            message: format!("telegram `{method}` timed out"),
            retry_after_ms: None,
        }
    } else {
        PluginError::Transient {
            message: format!("telegram `{method}` failed: {err}"),
            retry_after_ms: None,
        }
    }
}

async fn decode(method: &str, resp: reqwest::Response) -> PluginResult<Value> {
    let status = resp.status();
    let headers = resp.headers().clone();
    let body: Value = match resp.json().await {
        Ok(v) => v,
        Err(e) if status.is_success() => {
            return Err(PluginError::Transient {
                message: format!(
                    "telegram `{method}` returned a body that is not JSON: {}",
                    e.without_url()
                ),
                retry_after_ms: None,
            });
        }
        Err(_) => Value::Null,
    };
    if status.is_success() && body.get("ok").and_then(Value::as_bool) == Some(true) {
        return Ok(body.get("result").cloned().unwrap_or(Value::Null));
    }
    let description = body
        .get("description")
        .and_then(Value::as_str)
        .unwrap_or("no description")
        .to_owned();
    let code = body
        .get("error_code")
        .and_then(Value::as_u64)
        .unwrap_or(u64::from(status.as_u16()));
    let wait = rate_limit_delay(&headers, Some(&body));
    let message = format!("telegram `{method}` failed ({code}): {description}");
    Err(match code {
        429 => PluginError::Transient {
            message,
            retry_after_ms: Some(wait.map_or(1_000, |d| d.as_millis() as u64)),
        },
        401 | 404 => PluginError::PermissionDenied(format!(
            "{message}\nhelp: Telegram rejected the bot token; check `bot_token` (and `api_base`)"
        )),
        403 => PluginError::PermissionDenied(message),
        400 => PluginError::InvalidArguments(message),
        409 => PluginError::Transient {
            message: format!(
                "{message}\nhelp: another process is polling this bot, or a webhook is set (call `deleteWebhook`)"
            ),
            retry_after_ms: wait.map(|d| d.as_millis() as u64),
        },
        c if c >= 500 => PluginError::Transient {
            message,
            retry_after_ms: wait.map(|d| d.as_millis() as u64),
        },
        _ => PluginError::Other(message),
    })
}
