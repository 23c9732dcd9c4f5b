//! SSRF protection: which addresses outbound requests may reach.
//!
//! Loopback, private, link-local (including the cloud metadata address 169.254.169.254),
//! carrier-grade NAT, multicast and reserved ranges are refused unless the exact host name
//! is allow-listed. The check runs on the addresses DNS returns, so a public name that
//! resolves to 127.0.0.1 is refused too, and on every redirect hop.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// Whether `ip` is a globally routable unicast address.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public_v4(v4);
            }
            let seg = v6.segments();
            // NAT64 well-known prefix 64:ff9b::/96 embeds an IPv4 address.
            if seg[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
                let v4 = Ipv4Addr::new(
                    (seg[6] >> 8) as u8,
                    seg[6] as u8,
                    (seg[7] >> 8) as u8,
                    seg[7] as u8,
                );
                return is_public_v4(v4);
            }
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (seg[0] & 0xfe00) == 0xfc00 // unique local fc00::/7
                || (seg[0] & 0xffc0) == 0xfe80 // link-local fe80::/10
                || (seg[0] == 0x2001 && seg[1] == 0x0db8)) // documentation
        }
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_private()
        || ip.is_loopback()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0
        || (a == 100 && (64..128).contains(&b)) // CGNAT 100.64.0.0/10
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
        || (a == 198 && (b == 18 || b == 19)) // benchmarking
        || a >= 240) // reserved
}

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
    fn classifies_addresses() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
            "64:ff9b::a9fe:a9fe",
            "224.0.0.1",
            "255.255.255.255",
        ] {
            assert!(
                !is_public(private.parse().unwrap()),
                "{private} should be refused"
            );
        }
        for public in [
            "1.1.1.1",
            "93.184.216.34",
            "2606:4700::1111",
            "::ffff:8.8.8.8",
        ] {
            assert!(
                is_public(public.parse().unwrap()),
                "{public} should be allowed"
            );
        }
    }

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
