//! [`Fetcher`]: get any [`SourceSpec`] into a staging folder and say what it resolved to.
//! What to look for in the fetched tree, how to validate it and where to install it is the
//! caller's business (skills, plugins).

use std::path::{Path, PathBuf};
use std::time::Duration;

use sha2::{Digest, Sha256};

use crate::verify::{SignatureCheck, TrustedKeys};
use crate::{ClawHub, FetchError, FetchSettings, SourceSpec, archive, clawhub, fingerprint, git};

/// Time allowed to connect to a host (archive URLs, ClawHub).
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(15);

/// A ClawHub release that was fetched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClawHubRelease {
    /// Registry base URL.
    pub registry: String,
    /// Slug.
    pub slug: String,
    /// Version fetched.
    pub version: String,
}

/// What [`Fetcher::fetch`] got.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fetched {
    /// The folder holding the fetched tree: inside the staging folder, or the source
    /// folder itself for local sources (never written to).
    pub root: PathBuf,
    /// What the source resolved to: a commit id, a ClawHub version, `sha256:<hex>` of a
    /// downloaded archive, or `local`.
    pub resolved: String,
    /// A signature the source published (ClawHub), base64.
    pub signature: Option<String>,
    /// The ClawHub release, for ClawHub sources.
    pub clawhub: Option<ClawHubRelease>,
}

/// Fetches sources under one settings section.
pub struct Fetcher {
    settings: FetchSettings,
    section: String,
    http: reqwest::Client,
    clawhub: ClawHub,
    keys: TrustedKeys,
}

impl Fetcher {
    /// A fetcher using `settings`, which live in the config section `section`
    /// (`skills.install`, `wasm.install`; named in messages).
    pub fn new(settings: FetchSettings, section: &str) -> Result<Self, FetchError> {
        let http = clawft_http::client_builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .build()
            .map_err(|e| FetchError::Config {
                section: section.to_owned(),
                reason: e.to_string(),
            })?;
        let keys = TrustedKeys::parse(&settings.trusted_keys, section)?;
        let clawhub = ClawHub::new(&settings.clawhub_url, http.clone());
        Ok(Self {
            settings,
            section: section.to_owned(),
            http,
            clawhub,
            keys,
        })
    }

    /// The settings.
    pub fn settings(&self) -> &FetchSettings {
        &self.settings
    }

    /// The ClawHub client.
    pub fn clawhub(&self) -> &ClawHub {
        &self.clawhub
    }

    /// Check `signature` over `fingerprint` and the `require_signatures` policy; returns
    /// whether a trusted signature was verified.
    pub fn check_signature(
        &self,
        spec: &SourceSpec,
        fingerprint: &str,
        signature: Option<&str>,
        allow_unsigned: bool,
    ) -> Result<bool, FetchError> {
        match self.keys.check(fingerprint, signature)? {
            SignatureCheck::Verified => Ok(true),
            SignatureCheck::Unsigned if self.settings.require_signatures && !allow_unsigned => {
                Err(FetchError::Unsigned {
                    source_text: spec.to_string(),
                    section: self.section.clone(),
                })
            }
            SignatureCheck::Unsigned => Ok(false),
        }
    }

    /// Get `spec` into `staging` (an empty folder). A ClawHub verdict of `malware` is always
    /// refused, `suspicious` unless `allow_suspicious`. `progress` receives short status lines.
    pub async fn fetch(
        &self,
        spec: &SourceSpec,
        staging: &Path,
        allow_suspicious: bool,
        progress: &(dyn Fn(&str) + Sync),
    ) -> Result<Fetched, FetchError> {
        let limits = &self.settings.limits;
        let download_setting = format!("{}.max_download_bytes", self.section);
        let fetched = |root: PathBuf, resolved: String| Fetched {
            root,
            resolved,
            signature: None,
            clawhub: None,
        };
        match spec {
            SourceSpec::Local { path } => {
                if !path.is_dir() {
                    return Err(FetchError::NotFound {
                        what: format!("folder `{}`", path.display()),
                        help: "check the path".into(),
                    });
                }
                Ok(fetched(path.clone(), "local".into()))
            }
            SourceSpec::Git {
                url,
                subpath,
                reference,
            } => {
                progress(&format!("fetching {url}"));
                let repo = staging.join("repo");
                let commit =
                    git::fetch(url, reference.as_deref(), subpath.as_deref(), &repo).await?;
                let root = match subpath {
                    Some(sub) => repo.join(sub.trim_matches('/')),
                    None => repo,
                };
                if !root.is_dir() {
                    return Err(FetchError::NotFound {
                        what: format!(
                            "folder `{}` in {url} at {}",
                            subpath.as_deref().unwrap_or("/"),
                            &commit[..commit.len().min(12)]
                        ),
                        help: "check the path inside the repository (`--path`)".into(),
                    });
                }
                Ok(fetched(root, commit))
            }
            SourceSpec::Archive { url, subpath } => {
                progress(&format!("downloading {url}"));
                let resp = self
                    .http
                    .get(url)
                    .send()
                    .await
                    .and_then(reqwest::Response::error_for_status)
                    .map_err(|e| FetchError::Unreachable {
                        what: url.clone(),
                        reason: e.to_string(),
                    })?;
                let bytes =
                    clawhub::read_capped(resp, limits.max_download_bytes, &download_setting)
                        .await?;
                let out = staging.join("unpacked");
                progress("unpacking");
                if url.to_ascii_lowercase().ends_with(".zip") {
                    archive::extract_zip(&bytes, &out, limits, &self.section)?;
                } else {
                    archive::extract_tar_gz(&bytes, &out, limits, &self.section)?;
                }
                let digest = fingerprint::hex(&Sha256::digest(&bytes));
                let root = match subpath {
                    Some(sub) => out.join(sub.trim_matches('/')),
                    None => out,
                };
                if !root.is_dir() {
                    return Err(FetchError::NotFound {
                        what: format!("folder `{}` in {url}", subpath.as_deref().unwrap_or("/")),
                        help: "check the path inside the archive (`--path`)".into(),
                    });
                }
                Ok(fetched(root, format!("sha256:{digest}")))
            }
            SourceSpec::ClawHub { slug, version, .. } => {
                progress(&format!("resolving {slug} on {}", self.clawhub.base()));
                let version = self
                    .clawhub
                    .resolve_version(slug, version.as_deref())
                    .await?;
                self.check_verdict(slug, allow_suspicious).await?;
                let signature = self.clawhub.signature(slug, &version).await?;
                progress(&format!("downloading {slug} {version}"));
                let bytes = self
                    .clawhub
                    .download(slug, &version, limits.max_download_bytes, &download_setting)
                    .await?;
                let out = staging.join("unpacked");
                archive::extract_zip(&bytes, &out, limits, &self.section)?;
                Ok(Fetched {
                    root: out,
                    resolved: version.clone(),
                    signature,
                    clawhub: Some(ClawHubRelease {
                        registry: self.clawhub.base().to_owned(),
                        slug: slug.clone(),
                        version,
                    }),
                })
            }
        }
    }

    async fn check_verdict(&self, slug: &str, allow_suspicious: bool) -> Result<(), FetchError> {
        let flagged = |verdict: &str, help: &str| FetchError::Flagged {
            slug: slug.to_owned(),
            verdict: verdict.to_owned(),
            help: help.to_owned(),
        };
        match self.clawhub.verdict(slug).await?.as_deref() {
            Some("malware") => Err(flagged("malware", "; it will not be installed")),
            Some("suspicious") if !allow_suspicious => Err(flagged(
                "suspicious",
                "\nhelp: review its files first; pass `--force` to install it anyway",
            )),
            _ => Ok(()),
        }
    }
}
