//! The Slack Web API calls the channel needs: `auth.test`, `apps.connections.open`,
//! `chat.postMessage`, `reactions.add` and the two-step external file upload.
//!
//! Slack answers HTTP 200 with `{"ok": false, "error": "..."}` for most failures and HTTP
//! 429 with `Retry-After` when rate limited; both map to [`PluginError`] (`ratelimited` and
//! 429 become `Transient` with the wait, token errors `PermissionDenied`).

use std::time::Duration;

use clawft_channel_kit::{RetryPolicy, retry_after_from_headers};
use clawft_plugin::{PluginError, PluginResult};
use serde_json::{Value, json};

/// Which token a call uses.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Token {
    /// The bot token (`xoxb-`).
    Bot,
    /// The app-level token (`xapp-`).
    App,
}

/// A Web API client for one app.
pub(crate) struct WebApi {
    http: reqwest::Client,
    base: String,
    bot: String,
    app: String,
    retry: RetryPolicy,
}

impl WebApi {
    pub(crate) fn new(base: &str, bot: &str, app: &str, attempts: u32) -> PluginResult<Self> {
        let http = clawft_http::client_builder()
            .connect_timeout(Duration::from_secs(15))
            .timeout(Duration::from_secs(60))
            .build()
            .map_err(|e| PluginError::other(format!("cannot build the HTTP client: {e}")))?;
        Ok(Self {
            http,
            base: base.trim_end_matches('/').to_owned(),
            bot: bot.to_owned(),
            app: app.to_owned(),
            retry: RetryPolicy {
                max_attempts: attempts,
                ..RetryPolicy::default()
            },
        })
    }

    async fn once(
        &self,
        method: &str,
        token: Token,
        body: &Value,
        form: bool,
    ) -> PluginResult<Value> {
        let token = match token {
            Token::Bot => &self.bot,
            Token::App => &self.app,
        };
        let req = self
            .http
            .post(format!("{}/{method}", self.base))
            .bearer_auth(token);
        let req = if form {
            let pairs: Vec<(String, String)> = body
                .as_object()
                .map(|o| {
                    o.iter()
                        .map(|(k, v)| {
                            (
                                k.clone(),
                                v.as_str().map_or_else(|| v.to_string(), str::to_owned),
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
            req.form(&pairs)
        } else {
            req.json(body)
        };
        let resp = req.send().await.map_err(|e| PluginError::Transient {
            message: format!("slack `{method}` failed: {e}"),
            retry_after_ms: None,
        })?;
        let status = resp.status();
        let wait = retry_after_from_headers(resp.headers());
        if status.as_u16() == 429 {
            return Err(PluginError::Transient {
                message: format!("slack `{method}` is rate limited (429)"),
                retry_after_ms: Some(wait.map_or(1_000, |d| d.as_millis() as u64)),
            });
        }
        let v: Value = resp.json().await.unwrap_or(Value::Null);
        if v.get("ok").and_then(Value::as_bool) == Some(true) {
            return Ok(v);
        }
        let error = v
            .get("error")
            .and_then(Value::as_str)
            .unwrap_or("unknown_error");
        let message = format!("slack `{method}` failed ({status}): {error}");
        Err(match error {
            "ratelimited" => PluginError::Transient {
                message,
                retry_after_ms: Some(wait.map_or(1_000, |d| d.as_millis() as u64)),
            },
            "invalid_auth" | "not_authed" | "account_inactive" | "token_revoked"
            | "token_expired" => PluginError::PermissionDenied(format!(
                "{message}\nhelp: check `bot_token` and `app_token` (Socket Mode needs an app-level token with `connections:write`)"
            )),
            "missing_scope" | "not_in_channel" | "channel_not_found" | "is_archived" => {
                PluginError::PermissionDenied(message)
            }
            _ if status.is_server_error() => PluginError::Transient {
                message,
                retry_after_ms: None,
            },
            _ => PluginError::InvalidArguments(message),
        })
    }

    /// Call `method` with a JSON body, retrying on rate limits.
    pub(crate) async fn call(
        &self,
        method: &str,
        token: Token,
        body: &Value,
    ) -> PluginResult<Value> {
        self.retry
            .run(method, |_| self.once(method, token, body, false))
            .await
    }

    /// The bot's own user id (`auth.test`).
    pub(crate) async fn bot_user_id(&self) -> PluginResult<String> {
        let v = self.call("auth.test", Token::Bot, &json!({})).await?;
        v.get("user_id")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| PluginError::other("slack `auth.test` answered without `user_id`"))
    }

    /// A fresh Socket Mode websocket URL (`apps.connections.open`).
    pub(crate) async fn open_socket(&self) -> PluginResult<String> {
        let v = self
            .call("apps.connections.open", Token::App, &json!({}))
            .await?;
        v.get("url")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| {
                PluginError::other("slack `apps.connections.open` answered without `url`")
            })
    }

    /// Upload a file into `channel` (optionally a thread) with the external upload flow.
    pub(crate) async fn upload_file(
        &self,
        channel: &str,
        thread_ts: Option<&str>,
        name: &str,
        bytes: Vec<u8>,
    ) -> PluginResult<()> {
        let args = json!({"filename": name, "length": bytes.len().to_string()});
        let ticket = self
            .retry
            .run("files.getUploadURLExternal", |_| {
                self.once("files.getUploadURLExternal", Token::Bot, &args, true)
            })
            .await?;
        let (Some(url), Some(file_id)) = (
            ticket.get("upload_url").and_then(Value::as_str),
            ticket.get("file_id").and_then(Value::as_str),
        ) else {
            return Err(PluginError::other(
                "slack `files.getUploadURLExternal` answered without `upload_url`/`file_id`",
            ));
        };
        let resp =
            self.http
                .post(url)
                .body(bytes)
                .send()
                .await
                .map_err(|e| PluginError::Transient {
                    message: format!("slack file upload failed: {}", e.without_url()),
                    retry_after_ms: None,
                })?;
        if !resp.status().is_success() {
            return Err(PluginError::other(format!(
                "slack file upload failed ({})",
                resp.status()
            )));
        }
        let mut complete =
            json!({"files": [{"id": file_id, "title": name}], "channel_id": channel});
        if let Some(ts) = thread_ts {
            complete["thread_ts"] = json!(ts);
        }
        self.call("files.completeUploadExternal", Token::Bot, &complete)
            .await?;
        Ok(())
    }
}
