//! A client for the ClawHub HTTP API (base URL configurable, so tests use a loopback
//! server that speaks the same API): resolve, moderation, version info, download, search.

use std::time::Duration;

use serde_json::Value;

use crate::FetchError;

/// Attempts on 429/5xx before giving up.
const MAX_ATTEMPTS: u32 = 3;

/// ClawHub endpoints under one base URL.
pub struct ClawHub {
    base: String,
    http: reqwest::Client,
}

/// One search result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchHit {
    /// Slug to install.
    pub slug: String,
    /// One-line summary.
    pub summary: String,
    /// Latest version, when given.
    pub version: Option<String>,
}

impl ClawHub {
    /// Talk to `base` (e.g. `https://clawhub.ai`).
    pub fn new(base: &str, http: reqwest::Client) -> Self {
        Self {
            base: base.trim_end_matches('/').to_owned(),
            http,
        }
    }

    /// The registry base URL.
    pub fn base(&self) -> &str {
        &self.base
    }

    async fn get(
        &self,
        path: &str,
        query: &[(&str, &str)],
    ) -> Result<Option<reqwest::Response>, FetchError> {
        let url = format!("{}{path}", self.base);
        for attempt in 1..=MAX_ATTEMPTS {
            let resp = self.http.get(&url).query(query).send().await.map_err(|e| {
                FetchError::Unreachable {
                    what: url.clone(),
                    reason: e.to_string(),
                }
            })?;
            let status = resp.status();
            if status.as_u16() == 404 {
                return Ok(None);
            }
            if status.is_success() {
                return Ok(Some(resp));
            }
            let retryable = status.as_u16() == 429 || status.is_server_error();
            if retryable && attempt < MAX_ATTEMPTS {
                let wait = resp
                    .headers()
                    .get("retry-after")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.parse::<u64>().ok())
                    .unwrap_or(attempt as u64)
                    .min(30);
                tracing::warn!(%url, status = status.as_u16(), wait, "ClawHub asked us to wait");
                tokio::time::sleep(Duration::from_secs(wait)).await;
                continue;
            }
            return Err(FetchError::Unreachable {
                what: url,
                reason: format!("HTTP {status}"),
            });
        }
        Err(FetchError::Unreachable {
            what: url,
            reason: "gave up after retries".into(),
        })
    }

    async fn json(&self, path: &str, query: &[(&str, &str)]) -> Result<Option<Value>, FetchError> {
        match self.get(path, query).await? {
            None => Ok(None),
            Some(resp) => resp
                .json()
                .await
                .map(Some)
                .map_err(|e| FetchError::Unreachable {
                    what: format!("{}{path}", self.base),
                    reason: format!("bad JSON: {e}"),
                }),
        }
    }

    /// The version to install: `wanted`, or the latest.
    pub async fn resolve_version(
        &self,
        slug: &str,
        wanted: Option<&str>,
    ) -> Result<String, FetchError> {
        let info = self
            .json(&format!("/api/v1/skills/{slug}"), &[])
            .await?
            .ok_or_else(|| FetchError::NotFound {
                what: format!("`{slug}` on ClawHub ({})", self.base),
                help: "check the slug; `weft skill search <words>` searches the registry".into(),
            })?;
        if let Some(v) = wanted {
            return Ok(v.to_owned());
        }
        let latest = &info["latestVersion"];
        latest
            .as_str()
            .or_else(|| latest["version"].as_str())
            .map(str::to_owned)
            .ok_or_else(|| FetchError::Unreachable {
                what: self.base.clone(),
                reason: format!("`{slug}` has no latestVersion"),
            })
    }

    /// The moderation verdict (`clean`, `suspicious`, `malware`), if ClawHub has one.
    pub async fn verdict(&self, slug: &str) -> Result<Option<String>, FetchError> {
        Ok(self
            .json(&format!("/api/v1/skills/{slug}/moderation"), &[])
            .await?
            .and_then(|v| v["verdict"].as_str().map(str::to_owned)))
    }

    /// The signature published for a version, if any.
    pub async fn signature(&self, slug: &str, version: &str) -> Result<Option<String>, FetchError> {
        Ok(self
            .json(&format!("/api/v1/skills/{slug}/versions/{version}"), &[])
            .await?
            .and_then(|v| v["signature"].as_str().map(str::to_owned)))
    }

    /// Download the version's ZIP, refusing more than `max` bytes (`setting` names that
    /// limit in the message).
    pub async fn download(
        &self,
        slug: &str,
        version: &str,
        max: u64,
        setting: &str,
    ) -> Result<Vec<u8>, FetchError> {
        let resp = self
            .get("/api/v1/download", &[("slug", slug), ("version", version)])
            .await?
            .ok_or_else(|| FetchError::NotFound {
                what: format!("`{slug}` version {version} on ClawHub"),
                help: "check the version with the registry".into(),
            })?;
        read_capped(resp, max, setting).await
    }

    /// Search the registry.
    pub async fn search(&self, query: &str, limit: usize) -> Result<Vec<SearchHit>, FetchError> {
        let limit = limit.to_string();
        let body = self
            .json("/api/v1/search", &[("q", query), ("limit", &limit)])
            .await?
            .unwrap_or(Value::Null);
        let items = body["results"]
            .as_array()
            .or_else(|| body["items"].as_array())
            .cloned()
            .unwrap_or_default();
        Ok(items
            .iter()
            .filter_map(|item| {
                Some(SearchHit {
                    slug: item["slug"].as_str()?.to_owned(),
                    summary: item["summary"]
                        .as_str()
                        .or_else(|| item["description"].as_str())
                        .unwrap_or("")
                        .to_owned(),
                    version: item["version"]
                        .as_str()
                        .or_else(|| item["latestVersion"].as_str())
                        .map(str::to_owned),
                })
            })
            .collect())
    }
}

/// Read a response body, refusing more than `max` bytes (`setting` names the limit).
pub async fn read_capped(
    mut resp: reqwest::Response,
    max: u64,
    setting: &str,
) -> Result<Vec<u8>, FetchError> {
    let mut out = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(|e| FetchError::Unreachable {
        what: resp.url().to_string(),
        reason: e.to_string(),
    })? {
        out.extend_from_slice(&chunk);
        if out.len() as u64 > max {
            return Err(FetchError::HostileArchive {
                reason: format!("download exceeds {max} bytes (`{setting}`)"),
            });
        }
    }
    Ok(out)
}
