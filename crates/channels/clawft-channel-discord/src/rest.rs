//! The Discord REST calls the channel needs: `GET /gateway/bot`, create message (JSON or
//! multipart with files), add reaction. 429 answers become [`PluginError::Transient`] with
//! the wait from `Retry-After` / `X-RateLimit-Reset-After` / the body's `retry_after`, and
//! [`RetryPolicy`] honours it.

use std::time::Duration;

use clawft_channel_kit::{RetryPolicy, rate_limit_delay};
use clawft_plugin::{PluginError, PluginResult};
use reqwest::Method;
use reqwest::multipart::{Form, Part};
use serde_json::Value;

/// A file to attach to a message.
pub(crate) struct FileUpload {
    /// File name shown in Discord.
    pub name: String,
    /// MIME type.
    pub mime_type: String,
    /// The bytes.
    pub bytes: Vec<u8>,
}

/// A REST client for one bot token.
pub(crate) struct Rest {
    http: reqwest::Client,
    api_base: String,
    /// `Bot <token>`; never logged.
    auth: String,
    retry: RetryPolicy,
}

impl Rest {
    pub(crate) fn new(api_base: &str, token: &str, attempts: u32) -> PluginResult<Self> {
        let http = clawft_http::client_builder()
            .connect_timeout(Duration::from_secs(15))
            .timeout(Duration::from_secs(60))
            .user_agent("DiscordBot (https://github.com/clawft/clawft, 0.1)")
            .build()
            .map_err(|e| PluginError::other(format!("cannot build the HTTP client: {e}")))?;
        Ok(Self {
            http,
            api_base: api_base.trim_end_matches('/').to_owned(),
            auth: format!("Bot {token}"),
            retry: RetryPolicy {
                max_attempts: attempts,
                ..RetryPolicy::default()
            },
        })
    }

    async fn once(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        files: &[FileUpload],
    ) -> PluginResult<Value> {
        let url = format!("{}{path}", self.api_base);
        let mut req = self
            .http
            .request(method, &url)
            .header("Authorization", &self.auth);
        if files.is_empty() {
            if let Some(b) = body {
                req = req.json(b);
            }
        } else {
            let mut form = Form::new();
            if let Some(b) = body {
                form = form.text("payload_json", b.to_string());
            }
            for (i, f) in files.iter().enumerate() {
                let part = Part::bytes(f.bytes.clone())
                    .file_name(f.name.clone())
                    .mime_str(&f.mime_type)
                    .map_err(|e| {
                        PluginError::InvalidArguments(format!(
                            "bad MIME type `{}`: {e}",
                            f.mime_type
                        ))
                    })?;
                form = form.part(format!("files[{i}]"), part);
            }
            req = req.multipart(form);
        }
        let resp = req.send().await.map_err(|e| PluginError::Transient {
            message: format!("discord `{path}` failed: {e}"),
            retry_after_ms: None,
        })?;
        let status = resp.status();
        let headers = resp.headers().clone();
        let text = resp.text().await.unwrap_or_default();
        let json: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        if status.is_success() {
            return Ok(json);
        }
        let detail = json
            .get("message")
            .and_then(Value::as_str)
            .map_or_else(|| text.chars().take(200).collect(), str::to_owned);
        let message = format!("discord `{path}` failed ({status}): {detail}");
        Err(match status.as_u16() {
            429 => {
                let wait =
                    rate_limit_delay(&headers, Some(&json)).unwrap_or(Duration::from_secs(1));
                PluginError::Transient {
                    message,
                    retry_after_ms: Some(wait.as_millis() as u64),
                }
            }
            401 => PluginError::PermissionDenied(format!(
                "{message}\nhelp: Discord rejected the bot token; check `bot_token`"
            )),
            403 => PluginError::PermissionDenied(format!(
                "{message}\nhelp: the bot lacks a permission in that channel"
            )),
            404 => PluginError::NotFound(message),
            400 => PluginError::InvalidArguments(message),
            s if s >= 500 => PluginError::Transient {
                message,
                retry_after_ms: None,
            },
            _ => PluginError::Other(message),
        })
    }

    async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        files: &[FileUpload],
    ) -> PluginResult<Value> {
        self.retry
            .run(path, |_| self.once(method.clone(), path, body, files))
            .await
    }

    /// `GET /gateway/bot` → the gateway URL.
    pub(crate) async fn gateway_url(&self) -> PluginResult<String> {
        let v = self.call(Method::GET, "/gateway/bot", None, &[]).await?;
        v.get("url")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| PluginError::other("discord `/gateway/bot` answered without `url`"))
    }

    /// `POST /channels/{id}/messages`; returns the new message's id.
    pub(crate) async fn create_message(
        &self,
        channel_id: &str,
        payload: &Value,
        files: &[FileUpload],
    ) -> PluginResult<String> {
        let path = format!("/channels/{}/messages", encode(channel_id));
        let v = self.call(Method::POST, &path, Some(payload), files).await?;
        Ok(v.get("id")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned())
    }

    /// `PUT /channels/{id}/messages/{id}/reactions/{emoji}/@me`.
    pub(crate) async fn add_reaction(
        &self,
        channel_id: &str,
        message_id: &str,
        emoji: &str,
    ) -> PluginResult<()> {
        let path = format!(
            "/channels/{}/messages/{}/reactions/{}/@me",
            encode(channel_id),
            encode(message_id),
            encode(emoji.trim_matches(':'))
        );
        self.call(Method::PUT, &path, None, &[]).await.map(|_| ())
    }
}

/// Percent-encode a path segment (emoji are UTF-8 bytes, custom emoji `name:id`).
fn encode(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len() * 3);
    for b in segment.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_segments_are_percent_encoded() {
        assert_eq!(encode("123"), "123");
        assert_eq!(encode("👍"), "%F0%9F%91%8D");
        assert_eq!(encode("party:42"), "party%3A42");
    }
}
