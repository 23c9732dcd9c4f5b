//! The HTTP part shared by providers: client, retries with backoff, error mapping.

use std::time::Duration;

use rand::Rng;
use reqwest::{RequestBuilder, Response, StatusCode};

use super::ProviderError;

/// First backoff delay.
pub const DEFAULT_INITIAL_BACKOFF_MS: u64 = 500;
/// Longest backoff delay (also the cap on a server's `Retry-After`).
pub const DEFAULT_MAX_BACKOFF_MS: u64 = 30_000;

/// How requests are retried: on connection errors, timeouts, 429 and 5xx, with exponential
/// backoff and jitter, honouring `Retry-After`.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// Retries after the first attempt.
    pub max_retries: u32,
    /// First delay, in ms. Default [`DEFAULT_INITIAL_BACKOFF_MS`].
    pub initial_backoff_ms: u64,
    /// Cap on any delay, in ms. Default [`DEFAULT_MAX_BACKOFF_MS`].
    pub max_backoff_ms: u64,
    /// Per-attempt timeout.
    pub timeout: Duration,
}

impl RetryPolicy {
    /// Delay before retry number `attempt` (1-based), with ±25 % jitter.
    pub fn backoff(&self, attempt: u32, retry_after: Option<Duration>) -> Duration {
        if let Some(after) = retry_after {
            return after.min(Duration::from_millis(self.max_backoff_ms));
        }
        let base = self
            .initial_backoff_ms
            .saturating_mul(1u64 << attempt.saturating_sub(1).min(16))
            .min(self.max_backoff_ms);
        let jitter = rand::rng().random_range(0.75..1.25);
        Duration::from_millis((base as f64 * jitter) as u64)
    }
}

/// Send the request built by `make`, retrying per `policy`. Returns a 2xx response.
pub async fn send_with_retry(
    url: &str,
    policy: &RetryPolicy,
    make: impl Fn() -> RequestBuilder,
) -> Result<Response, ProviderError> {
    let mut attempt = 0;
    loop {
        attempt += 1;
        let outcome = make().timeout(policy.timeout).send().await;
        let (retryable, retry_after, err) = match outcome {
            Ok(resp) if resp.status().is_success() => return Ok(resp),
            Ok(resp) => {
                let status = resp.status();
                let retry_after = parse_retry_after(&resp);
                let body = resp.text().await.unwrap_or_default();
                let retryable = status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error();
                (retryable, retry_after, status_error(url, status, &body))
            }
            Err(err) if err.is_timeout() => (
                true,
                None,
                ProviderError::Timeout {
                    url: url.to_owned(),
                    secs: policy.timeout.as_secs(),
                },
            ),
            Err(err) => (
                err.is_connect() || err.is_request() || err.is_body(),
                None,
                ProviderError::Unreachable {
                    url: url.to_owned(),
                    attempts: attempt,
                    message: error_chain(&err),
                },
            ),
        };
        if !retryable || attempt > policy.max_retries {
            return Err(match err {
                ProviderError::Unreachable { url, message, .. } => ProviderError::Unreachable {
                    url,
                    attempts: attempt,
                    message,
                },
                other => other,
            });
        }
        let delay = policy.backoff(attempt, retry_after);
        tracing::warn!(%url, attempt, delay_ms = delay.as_millis() as u64, error = %err, "LLM request failed; retrying");
        tokio::time::sleep(delay).await;
    }
}

fn parse_retry_after(resp: &Response) -> Option<Duration> {
    let value = resp
        .headers()
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?;
    value
        .trim()
        .parse::<f64>()
        .ok()
        .map(|s| Duration::from_millis((s.max(0.0) * 1000.0) as u64))
}

fn status_error(url: &str, status: StatusCode, body: &str) -> ProviderError {
    let mut body: String = body.chars().take(500).collect();
    if body.is_empty() {
        body = status.canonical_reason().unwrap_or("").to_owned();
    }
    let help = match status.as_u16() {
        401 | 403 => {
            "\nhelp: the API key was refused; check the key's environment variable or secret file"
        }
        404 => "\nhelp: check the base URL (it usually ends in /v1) and the model name",
        429 => "\nhelp: rate limited; wait, or lower the request rate",
        _ => "",
    };
    ProviderError::Status {
        url: url.to_owned(),
        status: status.as_u16(),
        body,
        help: help.to_owned(),
    }
}

fn error_chain(err: &dyn std::error::Error) -> String {
    let mut out = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        out.push_str(": ");
        out.push_str(&cause.to_string());
        source = cause.source();
    }
    out
}

/// A shared client with connection pooling.
pub fn client() -> reqwest::Client {
    clawft_http::client_builder()
        .connect_timeout(Duration::from_secs(10))
        .build()
        .unwrap_or_else(|_| reqwest::Client::new())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_caps_and_honours_retry_after() {
        let p = RetryPolicy {
            max_retries: 5,
            initial_backoff_ms: 100,
            max_backoff_ms: 1000,
            timeout: Duration::from_secs(1),
        };
        let first = p.backoff(1, None).as_millis();
        assert!((75..=125).contains(&first), "{first}");
        let third = p.backoff(3, None).as_millis();
        assert!((300..=500).contains(&third), "{third}");
        assert!(p.backoff(10, None).as_millis() <= 1250);
        assert_eq!(
            p.backoff(1, Some(Duration::from_secs(60))),
            Duration::from_millis(1000)
        );
    }
}
