//! Rate-limit hints and retrying transient failures.
//!
//! Platforms say how long to wait in different places:
//!
//! | platform | where |
//! |---|---|
//! | Telegram | JSON body `parameters.retry_after` (seconds, integer) with HTTP 429 |
//! | Discord | `Retry-After` header, `X-RateLimit-Reset-After` header (float seconds), JSON `retry_after` |
//! | Slack | `Retry-After` header (seconds) with HTTP 429 |
//!
//! [`rate_limit_delay`] reads all of them and takes the longest. Adapters turn a 429 into
//! [`PluginError::Transient`] with `retry_after_ms`, and [`RetryPolicy::run`] waits that long
//! before trying again.

use std::future::Future;
use std::time::Duration;

use clawft_plugin::{PluginError, PluginResult};
use http::HeaderMap;
use serde_json::Value;

/// Seconds (integer or fractional) to a duration; negative or absurd values are rejected.
fn secs(value: f64) -> Option<Duration> {
    (value.is_finite() && (0.0..86_400.0).contains(&value)).then(|| Duration::from_secs_f64(value))
}

/// The wait asked for by `Retry-After` (delta-seconds) or `X-RateLimit-Reset-After`.
///
/// An HTTP-date `Retry-After` is ignored (no platform here sends one).
pub fn retry_after_from_headers(headers: &HeaderMap) -> Option<Duration> {
    ["retry-after", "x-ratelimit-reset-after"]
        .iter()
        .filter_map(|name| {
            headers
                .get(*name)?
                .to_str()
                .ok()?
                .trim()
                .parse::<f64>()
                .ok()
        })
        .filter_map(secs)
        .max()
}

/// The wait asked for in a JSON error body: Telegram's `parameters.retry_after` or
/// Discord's top-level `retry_after`.
pub fn retry_after_from_json(body: &Value) -> Option<Duration> {
    let telegram = body
        .pointer("/parameters/retry_after")
        .and_then(Value::as_f64);
    let discord = body.get("retry_after").and_then(Value::as_f64);
    [telegram, discord]
        .into_iter()
        .flatten()
        .filter_map(secs)
        .max()
}

/// The longest wait any of the headers or the body asks for.
pub fn rate_limit_delay(headers: &HeaderMap, body: Option<&Value>) -> Option<Duration> {
    let from_body = body.and_then(retry_after_from_json);
    [retry_after_from_headers(headers), from_body]
        .into_iter()
        .flatten()
        .max()
}

/// How often and how long to retry a call that failed with [`PluginError::Transient`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Total attempts, the first included. Default [`Self::DEFAULT_MAX_ATTEMPTS`].
    pub max_attempts: u32,
    /// Wait before the second attempt when the peer gave no hint (doubles each time), in ms.
    pub base_delay_ms: u64,
    /// Longest wait without a hint, in ms.
    pub max_delay_ms: u64,
    /// Longest peer-requested wait we honour, in ms; a longer `retry_after` fails the call
    /// at once with the `Transient` error so the caller can decide.
    pub max_retry_after_ms: u64,
}

impl RetryPolicy {
    /// Default attempts: 4.
    pub const DEFAULT_MAX_ATTEMPTS: u32 = 4;
    /// Default first backoff: 500 ms.
    pub const DEFAULT_BASE_DELAY_MS: u64 = 500;
    /// Default backoff ceiling: 30 s.
    pub const DEFAULT_MAX_DELAY_MS: u64 = 30_000;
    /// Default ceiling on a peer's `retry_after`: 60 s.
    pub const DEFAULT_MAX_RETRY_AFTER_MS: u64 = 60_000;

    /// Backoff without a hint before attempt `attempt + 1` (attempt counts from 1).
    pub fn backoff(&self, attempt: u32) -> Duration {
        let factor = 1u64 << attempt.saturating_sub(1).min(20);
        Duration::from_millis(
            self.base_delay_ms
                .saturating_mul(factor)
                .min(self.max_delay_ms),
        )
    }

    /// Run `op` (given the attempt number, from 1) until it succeeds, fails with a
    /// non-transient error, or the attempts run out. `what` names the call in logs.
    pub async fn run<T, F, Fut>(&self, what: &str, mut op: F) -> PluginResult<T>
    where
        F: FnMut(u32) -> Fut,
        Fut: Future<Output = PluginResult<T>>,
    {
        let mut attempt = 1;
        loop {
            match op(attempt).await {
                Err(PluginError::Transient {
                    message,
                    retry_after_ms,
                }) if attempt < self.max_attempts.max(1) => {
                    let wait = match retry_after_ms {
                        Some(ms) if ms > self.max_retry_after_ms => {
                            return Err(PluginError::Transient {
                                message,
                                retry_after_ms,
                            });
                        }
                        Some(ms) => Duration::from_millis(ms),
                        None => self.backoff(attempt),
                    };
                    tracing::warn!(
                        call = what,
                        attempt,
                        wait_ms = wait.as_millis() as u64,
                        error = %message,
                        "transient failure; retrying"
                    );
                    tokio::time::sleep(wait).await;
                    attempt += 1;
                }
                other => return other,
            }
        }
    }
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: Self::DEFAULT_MAX_ATTEMPTS,
            base_delay_ms: Self::DEFAULT_BASE_DELAY_MS,
            max_delay_ms: Self::DEFAULT_MAX_DELAY_MS,
            max_retry_after_ms: Self::DEFAULT_MAX_RETRY_AFTER_MS,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use super::*;

    #[test]
    fn headers_are_read_in_seconds_and_the_longest_wins() {
        let mut h = HeaderMap::new();
        assert_eq!(retry_after_from_headers(&h), None);
        h.insert("Retry-After", "2".parse().unwrap());
        assert_eq!(retry_after_from_headers(&h), Some(Duration::from_secs(2)));
        h.insert("X-RateLimit-Reset-After", "2.5".parse().unwrap());
        assert_eq!(
            retry_after_from_headers(&h),
            Some(Duration::from_millis(2500))
        );
        h.insert(
            "Retry-After",
            "Wed, 21 Oct 2015 07:28:00 GMT".parse().unwrap(),
        );
        assert_eq!(
            retry_after_from_headers(&h),
            Some(Duration::from_millis(2500))
        );
    }

    #[test]
    fn json_bodies_of_telegram_and_discord_are_understood() {
        let tg =
            serde_json::json!({"ok": false, "error_code": 429, "parameters": {"retry_after": 3}});
        assert_eq!(retry_after_from_json(&tg), Some(Duration::from_secs(3)));
        let dc = serde_json::json!({"message": "You are being rate limited.", "retry_after": 0.25, "global": false});
        assert_eq!(retry_after_from_json(&dc), Some(Duration::from_millis(250)));
        assert_eq!(
            retry_after_from_json(&serde_json::json!({"retry_after": -1})),
            None
        );
        let mut h = HeaderMap::new();
        h.insert("retry-after", "1".parse().unwrap());
        assert_eq!(
            rate_limit_delay(&h, Some(&tg)),
            Some(Duration::from_secs(3))
        );
    }

    #[test]
    fn defaults_are_pinned() {
        let p = RetryPolicy::default();
        assert_eq!(p.max_attempts, 4);
        assert_eq!(p.base_delay_ms, 500);
        assert_eq!(p.max_delay_ms, 30_000);
        assert_eq!(p.max_retry_after_ms, 60_000);
        assert_eq!(p.backoff(1), Duration::from_millis(500));
        assert_eq!(p.backoff(3), Duration::from_millis(2000));
        assert_eq!(p.backoff(30), Duration::from_millis(30_000));
    }

    #[tokio::test(start_paused = true)]
    async fn run_waits_the_hinted_time_then_succeeds() {
        let calls = AtomicU32::new(0);
        let start = tokio::time::Instant::now();
        let out = RetryPolicy::default()
            .run("test", |attempt| {
                calls.fetch_add(1, Ordering::SeqCst);
                async move {
                    if attempt < 3 {
                        Err(PluginError::Transient {
                            message: "429".into(),
                            retry_after_ms: Some(1_500),
                        })
                    } else {
                        Ok(attempt)
                    }
                }
            })
            .await;
        assert_eq!(out.unwrap(), 3);
        assert_eq!(calls.load(Ordering::SeqCst), 3);
        assert_eq!(start.elapsed(), Duration::from_millis(3_000));
    }

    #[tokio::test(start_paused = true)]
    async fn run_gives_up_on_permanent_errors_and_long_hints() {
        let calls = AtomicU32::new(0);
        let out: PluginResult<()> = RetryPolicy::default()
            .run("test", |_| {
                calls.fetch_add(1, Ordering::SeqCst);
                async { Err(PluginError::InvalidArguments("bad".into())) }
            })
            .await;
        assert!(matches!(out, Err(PluginError::InvalidArguments(_))));
        assert_eq!(calls.load(Ordering::SeqCst), 1);

        let out: PluginResult<()> = RetryPolicy::default()
            .run("test", |_| async {
                Err(PluginError::Transient {
                    message: "slow down".into(),
                    retry_after_ms: Some(3_600_000),
                })
            })
            .await;
        assert!(matches!(out, Err(PluginError::Transient { .. })));

        let calls = AtomicU32::new(0);
        let out: PluginResult<()> = RetryPolicy::default()
            .run("test", |_| {
                calls.fetch_add(1, Ordering::SeqCst);
                async {
                    Err(PluginError::Transient {
                        message: "down".into(),
                        retry_after_ms: None,
                    })
                }
            })
            .await;
        assert!(out.is_err());
        assert_eq!(calls.load(Ordering::SeqCst), 4);
    }
}
