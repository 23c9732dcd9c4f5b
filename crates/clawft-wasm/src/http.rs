//! Outbound HTTP for plugins: every `wasi:http` request goes through [`HttpHooks`].
//!
//! In order, a request must: use `http`/`https`; target a host (and port) the manifest
//! declares; if the host is an IP literal or resolves to a loopback, private, link-local
//! or metadata address, be declared as that *exact* host (a wildcard never reaches
//! inside); fit the per-minute request budget and the body caps. DNS is resolved by the
//! host (tokio's resolver), and the connection goes to the checked addresses only, so a
//! name cannot be re-pointed between check and connect. Redirects are not followed (the
//! plugin sees the 3xx and its next request is checked again) and proxies from the
//! environment are ignored. Secrets configured for the host are added as headers here,
//! after the request has left the guest.
//!
//! Malicious-guest note: this module is the only way out of the sandbox to the network.
//! A refusal returns a WASI error code to the guest and adds a host note to the tool
//! output naming the host and the rule.

use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use bytes::{Bytes, BytesMut};
use clawft_plugin::manifest::HostPattern;
use http_body_util::{BodyExt, Full, Limited};
use wasmtime_wasi_http::{Error, RequestOptions, WasiBody, WasiHttpHooks};

use crate::config::SecretHeader;
use crate::limits::WasmLimits;
use crate::log::RateWindow;
use crate::state::Notes;

pub use clawft_plugin::manifest::is_public_ip as is_public;

/// One plugin's network policy, shared by all its calls.
pub(crate) struct NetPolicy {
    plugin: Arc<str>,
    network: Vec<HostPattern>,
    secrets: Vec<SecretHeader>,
    rate: RateWindow,
    request_body_max: u64,
    response_body_max: u64,
    client: reqwest::Client,
}

impl NetPolicy {
    pub(crate) fn new(
        plugin: Arc<str>,
        network: Vec<HostPattern>,
        secrets: Vec<SecretHeader>,
        limits: &WasmLimits,
    ) -> Result<Self, String> {
        let exact: Vec<HostPattern> = network.iter().filter(|p| p.is_exact()).cloned().collect();
        let client = clawft_http::client_builder()
            .redirect(reqwest::redirect::Policy::none())
            .retry(reqwest::retry::never())
            .no_proxy()
            .connect_timeout(limits.deadline())
            .dns_resolver(Arc::new(CheckedResolver { exact }))
            .build()
            .map_err(|e| format!("could not build the HTTP client: {e}"))?;
        Ok(Self {
            plugin,
            network,
            secrets,
            rate: RateWindow::new(limits.http_requests_per_minute),
            request_body_max: limits.http_request_body_bytes,
            response_body_max: limits.http_response_body_bytes,
            client,
        })
    }

    fn declared(&self) -> String {
        if self.network.is_empty() {
            "nothing".into()
        } else {
            self.network
                .iter()
                .map(|p| format!("`{p}`"))
                .collect::<Vec<_>>()
                .join(", ")
        }
    }

    async fn send(
        &self,
        request: http::Request<WasiBody>,
        options: Option<RequestOptions>,
        notes: &Notes,
    ) -> Result<http::Response<WasiBody>, Error> {
        let plugin = &*self.plugin;
        let deny = |why: String, code: Error| {
            notes.push(format!("plugin `{plugin}`: HTTP request refused: {why}"));
            Err(code)
        };
        let uri = request.uri().clone();
        let scheme = uri.scheme_str().unwrap_or_default().to_ascii_lowercase();
        if scheme != "http" && scheme != "https" {
            return deny(
                format!("the `{scheme}:` scheme is not allowed (http and https only)"),
                Error::HttpProtocolError,
            );
        }
        let Some(authority) = uri.authority() else {
            return Err(Error::HttpRequestUriInvalid);
        };
        let host = authority
            .host()
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_ascii_lowercase();
        let port = authority
            .port_u16()
            .unwrap_or(if scheme == "https" { 443 } else { 80 });
        if !self.network.iter().any(|p| p.matches(&host, Some(port))) {
            return deny(
                format!(
                    "`{host}:{port}` is not declared in `permissions.network` (declared: {})",
                    self.declared()
                ),
                Error::HttpRequestDenied,
            );
        }
        let exact = self
            .network
            .iter()
            .any(|p| p.is_exact() && p.matches(&host, Some(port)));
        if let Ok(ip) = host.parse::<IpAddr>()
            && !is_public(ip)
            && !exact
        {
            return deny(
                format!(
                    "`{host}` is a loopback, private or link-local address; only an exact `permissions.network` entry may reach it"
                ),
                Error::DestinationIpProhibited,
            );
        }
        if !self.rate.try_acquire() {
            return deny(
                format!(
                    "rate limit of {} requests per minute reached (`limits.http_requests_per_minute`)",
                    self.rate.per_minute()
                ),
                Error::ConnectionLimitReached,
            );
        }

        let (mut parts, body) = request.into_parts();
        let max_req = usize::try_from(self.request_body_max).unwrap_or(usize::MAX);
        let body = match Limited::new(body, max_req).collect().await {
            Ok(collected) => collected.to_bytes(),
            Err(err) if err.is::<http_body_util::LengthLimitError>() => {
                return deny(
                    format!(
                        "request body over {} bytes (`limits.http_request_body_bytes`)",
                        self.request_body_max
                    ),
                    Error::HttpRequestBodySize(Some(self.request_body_max)),
                );
            }
            Err(err) => return Err(Error::InternalError(Some(err.to_string()))),
        };

        parts.headers.remove(http::header::HOST);
        for secret in self
            .secrets
            .iter()
            .filter(|s| s.host.eq_ignore_ascii_case(&host))
        {
            let (Ok(name), Ok(mut value)) = (
                http::HeaderName::from_bytes(secret.header.as_bytes()),
                http::HeaderValue::from_str(secret.value.expose()),
            ) else {
                notes.push(format!("plugin `{plugin}`: secret header `{}` for `{host}` is not a valid header; not sent", secret.header));
                continue;
            };
            value.set_sensitive(true);
            parts.headers.insert(name, value);
        }

        let mut builder = self
            .client
            .request(parts.method, uri.to_string())
            .headers(parts.headers)
            .body(body);
        if let Some(timeout) = options.and_then(|o| o.first_byte_timeout) {
            builder = builder.timeout(timeout);
        }
        let mut response = match builder.send().await {
            Ok(response) => response,
            Err(err) => return Err(self.send_error(&err, &host, notes)),
        };

        let status = response.status();
        let headers = std::mem::take(response.headers_mut());
        let mut collected = BytesMut::new();
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    if (collected.len() + chunk.len()) as u64 > self.response_body_max {
                        return deny(
                            format!(
                                "response from `{host}` over {} bytes (`limits.http_response_body_bytes`)",
                                self.response_body_max
                            ),
                            Error::HttpResponseBodySize(Some(self.response_body_max)),
                        );
                    }
                    collected.extend_from_slice(&chunk);
                }
                Ok(None) => break,
                Err(err) => return Err(self.send_error(&err, &host, notes)),
            }
        }
        let mut out = http::Response::builder().status(status);
        for (name, value) in &headers {
            if !is_hop_by_hop(name) {
                out = out.header(name, value);
            }
        }
        let body: Bytes = collected.freeze();
        out.body(
            Full::new(body)
                .map_err(|never| match never {})
                .boxed_unsync(),
        )
        .map_err(|e| Error::InternalError(Some(e.to_string())))
    }

    fn send_error(&self, err: &reqwest::Error, host: &str, notes: &Notes) -> Error {
        let mut source: Option<&dyn std::error::Error> = Some(err);
        while let Some(e) = source {
            if let Some(refused) = e.downcast_ref::<Refused>() {
                notes.push(format!(
                    "plugin `{}`: HTTP request refused: {}",
                    self.plugin, refused.0
                ));
                return Error::DestinationIpProhibited;
            }
            source = e.source();
        }
        tracing::debug!(plugin = &*self.plugin, host, "HTTP request failed: {err:#}");
        if err.is_timeout() {
            Error::ConnectionTimeout
        } else if err.is_connect() {
            Error::ConnectionRefused
        } else {
            Error::InternalError(Some(format!("request to `{host}` failed")))
        }
    }
}

fn is_hop_by_hop(name: &http::HeaderName) -> bool {
    use http::header;
    [
        header::CONNECTION,
        header::TRANSFER_ENCODING,
        header::UPGRADE,
        header::TE,
        header::TRAILER,
        header::PROXY_AUTHENTICATE,
    ]
    .contains(name)
        || name.as_str() == "keep-alive"
}

/// A DNS answer the policy refused.
#[derive(Debug)]
struct Refused(String);

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Refused {}

/// Resolves with tokio and keeps only public addresses, unless the name is declared as
/// an exact host.
struct CheckedResolver {
    exact: Vec<HostPattern>,
}

impl reqwest::dns::Resolve for CheckedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_ascii_lowercase();
        let inside_ok = self.exact.iter().any(|p| p.matches(&host, None));
        Box::pin(async move {
            let addrs: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let kept: Vec<SocketAddr> = addrs
                .iter()
                .copied()
                .filter(|a| inside_ok || is_public(a.ip()))
                .collect();
            if kept.is_empty() {
                let why = match addrs.first() {
                    None => format!("`{host}` did not resolve"),
                    Some(a) => format!(
                        "`{host}` resolves to {}, a loopback, private or link-local address; only an exact `permissions.network` entry may reach it",
                        a.ip()
                    ),
                };
                return Err(Box::new(Refused(why)) as Box<dyn std::error::Error + Send + Sync>);
            }
            Ok(Box::new(kept.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// The `wasi:http` hooks of one call: the plugin's policy plus the call's notes.
pub(crate) struct HttpHooks {
    pub(crate) policy: Arc<NetPolicy>,
    pub(crate) notes: Notes,
}

type IoFuture = Box<dyn Future<Output = Result<(), Error>> + Send>;

impl WasiHttpHooks for HttpHooks {
    fn is_supported_scheme(&mut self, scheme: &http::uri::Scheme) -> bool {
        let ok = *scheme == http::uri::Scheme::HTTP || *scheme == http::uri::Scheme::HTTPS;
        if !ok {
            self.notes.push(format!(
                "plugin `{}`: HTTP request refused: the `{scheme}:` scheme is not allowed (http and https only)",
                self.policy.plugin
            ));
        }
        ok
    }

    fn send_request(
        &mut self,
        request: http::Request<WasiBody>,
        options: Option<RequestOptions>,
        _response_done: IoFuture,
    ) -> Box<dyn Future<Output = Result<(http::Response<WasiBody>, IoFuture), Error>> + Send> {
        let policy = Arc::clone(&self.policy);
        let notes = self.notes.clone();
        Box::new(async move {
            let response = policy.send(request, options, &notes).await?;
            Ok((response, Box::new(async { Ok(()) }) as IoFuture))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn resolver_keeps_loopback_only_for_exact_hosts() {
        use reqwest::dns::Resolve;
        let strict = CheckedResolver { exact: vec![] };
        let err = strict
            .resolve("localhost".parse().unwrap())
            .await
            .err()
            .expect("localhost must be refused");
        assert!(err.to_string().contains("loopback"), "{err}");
        let exact = CheckedResolver {
            exact: vec![HostPattern::parse("localhost").unwrap()],
        };
        assert!(exact.resolve("localhost".parse().unwrap()).await.is_ok());
    }
}
