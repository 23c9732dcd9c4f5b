//! `web_fetch`: fetch an http(s) URL and return its text, with SSRF protection.

use std::time::Duration;

use async_trait::async_trait;
use clawft_plugin::{
    PluginError, PluginResult, Tool, ToolAnnotations, ToolContext, ToolOutput, ToolSpec,
};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::net_guard::{GuardedResolver, check_url};

/// Default request timeout, in seconds.
pub const DEFAULT_WEB_TIMEOUT_SECS: u64 = 30;
/// Default cap on downloaded bytes.
pub const DEFAULT_WEB_MAX_BYTES: usize = 2 * 1024 * 1024;
/// Default cap on characters returned to the model.
pub const DEFAULT_WEB_MAX_CHARS: usize = 50_000;
/// Default number of redirects followed.
pub const DEFAULT_WEB_MAX_REDIRECTS: usize = 5;

/// Settings under `tools.web_fetch`.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WebFetchConfig {
    /// Whether `web_fetch` is offered. Default true.
    pub enabled: bool,
    /// Seconds per request. Default [`DEFAULT_WEB_TIMEOUT_SECS`].
    pub timeout_secs: u64,
    /// Bytes downloaded at most; the rest is dropped with a note. Default [`DEFAULT_WEB_MAX_BYTES`].
    pub max_bytes: usize,
    /// Characters returned at most. Default [`DEFAULT_WEB_MAX_CHARS`].
    pub max_chars: usize,
    /// Redirects followed (each hop re-checked). Default [`DEFAULT_WEB_MAX_REDIRECTS`].
    pub max_redirects: usize,
    /// Exact host names that may resolve to loopback/private addresses (e.g. a home server).
    /// Empty by default.
    pub allow_private_hosts: Vec<String>,
}

impl Default for WebFetchConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            timeout_secs: DEFAULT_WEB_TIMEOUT_SECS,
            max_bytes: DEFAULT_WEB_MAX_BYTES,
            max_chars: DEFAULT_WEB_MAX_CHARS,
            max_redirects: DEFAULT_WEB_MAX_REDIRECTS,
            allow_private_hosts: Vec::new(),
        }
    }
}

/// The `web_fetch` tool.
pub struct WebFetch {
    config: WebFetchConfig,
    client: reqwest::Client,
}

impl WebFetch {
    /// With these settings.
    pub fn new(config: WebFetchConfig) -> Self {
        let allowed = config.allow_private_hosts.clone();
        let max_redirects = config.max_redirects;
        let redirect = reqwest::redirect::Policy::custom(move |attempt| {
            if attempt.previous().len() >= max_redirects {
                return attempt.error(format!("more than {max_redirects} redirects"));
            }
            match check_url(attempt.url(), &allowed) {
                Ok(()) => attempt.follow(),
                Err(why) => attempt.error(format!("redirect refused: {why}")),
            }
        });
        let client = clawft_http::client_builder()
            .user_agent(concat!("clawft-web-fetch/", env!("CARGO_PKG_VERSION")))
            .redirect(redirect)
            .dns_resolver(GuardedResolver::new(config.allow_private_hosts.clone()))
            .timeout(Duration::from_secs(config.timeout_secs))
            .no_proxy()
            .build()
            .unwrap_or_else(|_| reqwest::Client::new());
        Self { config, client }
    }
}

/// Turn HTML into readable text: drop scripts, styles and tags, decode common entities,
/// collapse blank runs.
pub fn html_to_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len() / 2);
    let lower = html.to_ascii_lowercase();
    let mut i = 0;
    while i < html.len() {
        if html.as_bytes()[i] == b'<' {
            let skip_block = ["script", "style", "noscript", "svg"]
                .iter()
                .find(|t| lower[i + 1..].starts_with(*t));
            if let Some(tag) = skip_block {
                let close = format!("</{tag}");
                i = lower[i..].find(&close).map(|p| i + p).unwrap_or(html.len());
            }
            let end = html[i..].find('>').map(|p| i + p + 1).unwrap_or(html.len());
            let tag = &lower[i..end];
            if [
                "<br", "<p", "</p", "<div", "</div", "<li", "<h1", "<h2", "<h3", "<tr", "</h",
            ]
            .iter()
            .any(|t| tag.starts_with(t))
            {
                out.push('\n');
            }
            i = end;
        } else {
            let next = html[i..].find('<').map(|p| i + p).unwrap_or(html.len());
            out.push_str(&html[i..next]);
            i = next;
        }
    }
    let decoded = out
        .replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
    let mut text = String::new();
    let mut blank = 0;
    for line in decoded.lines() {
        let line = line.split_whitespace().collect::<Vec<_>>().join(" ");
        if line.is_empty() {
            blank += 1;
            if blank == 1 && !text.is_empty() {
                text.push('\n');
            }
        } else {
            blank = 0;
            text.push_str(&line);
            text.push('\n');
        }
    }
    text.trim().to_owned()
}

#[async_trait]
impl Tool for WebFetch {
    fn spec(&self) -> ToolSpec {
        ToolSpec {
            name: "web_fetch".into(),
            description: "Fetch a web page or API response over http(s) and return it as text (HTML is converted to plain text). Private and loopback addresses are refused.".into(),
            parameters: json!({"type": "object", "properties": {"url": {"type": "string", "description": "An http:// or https:// URL"}}, "required": ["url"]}),
            annotations: ToolAnnotations { read_only: true, open_world: true, ..Default::default() },
        }
    }

    async fn call(&self, args: Value, _ctx: &ToolContext) -> PluginResult<ToolOutput> {
        let raw = args
            .get("url")
            .and_then(Value::as_str)
            .ok_or_else(|| PluginError::InvalidArguments("missing string argument `url`".into()))?;
        let url = match url::Url::parse(raw) {
            Ok(u) => u,
            Err(err) => {
                return Ok(ToolOutput::error(format!(
                    "`{raw}` is not a valid URL: {err}"
                )));
            }
        };
        if let Err(why) = check_url(&url, &self.config.allow_private_hosts) {
            return Ok(ToolOutput::error(why));
        }
        let mut resp = match self.client.get(url).send().await {
            Ok(r) => r,
            Err(err) => {
                let mut msg = err.to_string();
                let mut source = std::error::Error::source(&err);
                while let Some(cause) = source {
                    msg.push_str(": ");
                    msg.push_str(&cause.to_string());
                    source = cause.source();
                }
                return Ok(ToolOutput::error(format!("fetch failed: {msg}")));
            }
        };
        let status = resp.status();
        let content_type = resp
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let mut body: Vec<u8> = Vec::new();
        let mut cut = false;
        while let Some(chunk) = resp
            .chunk()
            .await
            .map_err(|e| PluginError::other(format!("download failed: {e}")))?
        {
            let room = self.config.max_bytes.saturating_sub(body.len());
            if chunk.len() > room {
                body.extend_from_slice(&chunk[..room]);
                cut = true;
                break;
            }
            body.extend_from_slice(&chunk);
        }
        let raw_text = String::from_utf8_lossy(&body);
        let mut text = if content_type.contains("html") {
            html_to_text(&raw_text)
        } else {
            raw_text.into_owned()
        };
        if let Some((idx, _)) = text.char_indices().nth(self.config.max_chars) {
            text.truncate(idx);
            cut = true;
        }
        let mut out = format!(
            "status: {}\ncontent-type: {content_type}\n\n{text}",
            status.as_u16()
        );
        if cut {
            out.push_str("\n\n[… truncated]");
        }
        Ok(if status.is_success() {
            ToolOutput::ok(out)
        } else {
            ToolOutput::error(out)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_becomes_text() {
        let html = "<html><head><style>p{}</style><script>alert(1)</script></head><body><h1>Title</h1><p>A &amp; B</p><p>line<br>two</p></body></html>";
        assert_eq!(html_to_text(html), "Title\n\nA & B\n\nline\ntwo");
    }

    #[tokio::test]
    async fn loopback_is_refused_unless_allowed() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let app = axum::Router::new()
            .route(
                "/",
                axum::routing::get(|| async { ([("content-type", "text/html")], "<p>hello</p>") }),
            )
            .route(
                "/hop",
                axum::routing::get(|| async {
                    axum::response::Redirect::temporary("http://10.0.0.1/")
                }),
            );
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        let ctx = ToolContext::new("/tmp", "cli", "t");

        let refused = WebFetch::new(WebFetchConfig::default());
        let out = refused
            .call(json!({"url": format!("http://{addr}/")}), &ctx)
            .await
            .unwrap();
        assert!(
            out.is_error && out.content.contains("refused"),
            "{}",
            out.content
        );
        let out = refused
            .call(
                json!({"url": format!("http://localhost:{}/", addr.port())}),
                &ctx,
            )
            .await
            .unwrap();
        assert!(
            out.is_error && out.content.contains("refused"),
            "{}",
            out.content
        );

        let allowed = WebFetch::new(WebFetchConfig {
            allow_private_hosts: vec!["127.0.0.1".into()],
            ..Default::default()
        });
        let out = allowed
            .call(json!({"url": format!("http://{addr}/")}), &ctx)
            .await
            .unwrap();
        assert!(!out.is_error, "{}", out.content);
        assert!(out.content.ends_with("\n\nhello"), "{}", out.content);
        let out = allowed
            .call(json!({"url": format!("http://{addr}/hop")}), &ctx)
            .await
            .unwrap();
        assert!(
            out.is_error && out.content.contains("redirect refused"),
            "{}",
            out.content
        );
    }
}
