//! SSRF protection: which addresses outbound requests may reach.
//!
//! Loopback, private, link-local (including the cloud metadata address 169.254.169.254),
//! carrier-grade NAT, multicast and reserved ranges are refused unless the exact host name
//! is allow-listed. The check runs on the addresses DNS returns, so a public name that
//! resolves to 127.0.0.1 is refused too, and on every redirect hop.

use std::net::{IpAddr, SocketAddr};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

pub use clawft_plugin::manifest::is_public_ip as is_public;

/// Check a URL before any connection: scheme and IP-literal hosts.
pub fn check_url(url: &url::Url, allowed_private: &[String]) -> Result<(), String> {
    match url.scheme() {
        "http" | "https" => {}
        other => {
            return Err(format!(
                "the `{other}:` scheme is not allowed; use http or https"
            ));
        }
    }
    let host = url.host_str().ok_or("the URL has no host")?;
    if allowed_private.iter().any(|h| h.eq_ignore_ascii_case(host)) {
        return Ok(());
    }
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = bare.parse::<IpAddr>()
        && !is_public(ip)
    {
        return Err(format!(
            "`{host}` is a loopback, private or link-local address; refused"
        ));
    }
    if host.eq_ignore_ascii_case("localhost") || host.to_ascii_lowercase().ends_with(".localhost") {
        return Err(format!("`{host}` is a loopback name; refused"));
    }
    Ok(())
}

/// A DNS resolver that drops non-public addresses unless the host is allow-listed.
#[derive(Debug, Clone, Default)]
pub struct GuardedResolver {
    allowed_private: Vec<String>,
}

impl GuardedResolver {
    /// Hosts in `allowed_private` may resolve to any address.
    pub fn new(allowed_private: Vec<String>) -> Self {
        Self { allowed_private }
    }
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_owned();
        let allowed = self
            .allowed_private
            .iter()
            .any(|h| h.eq_ignore_ascii_case(&host));
        Box::pin(async move {
            let addrs: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let total = addrs.len();
            let kept: Vec<SocketAddr> = addrs
                .iter()
                .copied()
                .filter(|a| allowed || is_public(a.ip()))
                .collect();
            if kept.is_empty() {
                let shown = addrs
                    .first()
                    .map(|a| a.ip().to_string())
                    .unwrap_or_default();
                let msg = if total == 0 {
                    format!("`{host}` did not resolve")
                } else {
                    format!(
                        "`{host}` resolves to a loopback, private or link-local address ({shown}); refused"
                    )
                };
                return Err(msg.into());
            }
            Ok(Box::new(kept.into_iter()) as Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_checked_before_connecting() {
        let check = |u: &str, allow: &[String]| check_url(&url::Url::parse(u).unwrap(), allow);
        assert!(check("https://example.com/x", &[]).is_ok());
        assert!(
            check("file:///etc/passwd", &[])
                .unwrap_err()
                .contains("scheme")
        );
        assert!(check("http://127.0.0.1:8080/", &[]).is_err());
        assert!(check("http://[::1]/", &[]).is_err());
        assert!(check("http://localhost/", &[]).is_err());
        assert!(check("http://169.254.169.254/latest/meta-data", &[]).is_err());
        assert!(check("http://127.0.0.1:8080/", &["127.0.0.1".to_owned()]).is_ok());
    }

    #[tokio::test]
    async fn resolver_refuses_names_that_point_inside() {
        let resolver = GuardedResolver::default();
        let err = resolver
            .resolve("localhost".parse().unwrap())
            .await
            .err()
            .expect("refused");
        assert!(err.to_string().contains("refused"), "{err}");
        let allowed = GuardedResolver::new(vec!["localhost".into()]);
        assert!(allowed.resolve("localhost".parse().unwrap()).await.is_ok());
    }
}
