//! Permissions a plugin asks for. A plugin gets none of these unless its manifest asks
//! and the host grants.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr};
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// Access to one directory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FsPermission {
    /// Directory path; `~` and `$WORKSPACE` are expanded by the host.
    pub path: PathBuf,
    /// Whether the plugin may write (read-only otherwise).
    #[serde(default)]
    pub write: bool,
}

/// A host the plugin may call: an exact name (`api.example.com`), a wildcard over
/// subdomains (`*.example.com`), optionally with a port (`localhost:8080`), or `*` (any
/// public host; loopback and private ranges still need an exact entry).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct HostPattern {
    /// Lowercased host or `*.suffix` or `*`.
    host: String,
    /// Port, if restricted.
    port: Option<u16>,
}

impl HostPattern {
    /// Parse a pattern, explaining what is wrong if it is not one.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let lower = raw.trim().to_ascii_lowercase();
        if lower.contains("://") || lower.contains('/') {
            return Err("not a host pattern (write the host only, without scheme or path)".into());
        }
        let (host, port) = match lower.rsplit_once(':') {
            Some((host, port)) if !host.contains(':') => {
                let port: u16 = port
                    .parse()
                    .map_err(|_| format!("`{port}` is not a port number"))?;
                (host.to_owned(), Some(port))
            }
            _ => (lower.clone(), None),
        };
        if host == "*" {
            return Ok(Self { host, port });
        }
        let name = host.strip_prefix("*.").unwrap_or(&host);
        let valid_label = |label: &str| {
            !label.is_empty()
                && label.len() <= 63
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        };
        let is_ip = name.parse::<std::net::IpAddr>().is_ok();
        if name.is_empty() || name.contains('*') || !(is_ip || name.split('.').all(valid_label)) {
            return Err("not a host pattern".into());
        }
        Ok(Self { host, port })
    }

    /// Whether `host` (and `port`, if given) matches this pattern.
    pub fn matches(&self, host: &str, port: Option<u16>) -> bool {
        if let (Some(want), Some(got)) = (self.port, port)
            && want != got
        {
            return false;
        }
        let host = host.to_ascii_lowercase();
        if self.host == "*" {
            return true;
        }
        match self.host.strip_prefix("*.") {
            Some(suffix) => host.len() > suffix.len() && host.ends_with(&format!(".{suffix}")),
            None => host == self.host,
        }
    }

    /// Whether this pattern names one exact host (needed to reach loopback/private targets).
    pub fn is_exact(&self) -> bool {
        !self.host.starts_with('*')
    }

    /// Whether this is the `*` wildcard.
    pub fn is_any(&self) -> bool {
        self.host == "*"
    }
}

impl fmt::Display for HostPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.port {
            Some(port) => write!(f, "{}:{port}", self.host),
            None => f.write_str(&self.host),
        }
    }
}

impl TryFrom<String> for HostPattern {
    type Error = String;
    fn try_from(raw: String) -> Result<Self, String> {
        Self::parse(&raw)
    }
}

impl From<HostPattern> for String {
    fn from(pattern: HostPattern) -> String {
        pattern.to_string()
    }
}

/// Everything a plugin may touch. The default grants nothing: no filesystem, no network,
/// no environment variables, no processes.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Permissions {
    /// Directories.
    #[serde(default)]
    pub filesystem: Vec<FsPermission>,
    /// Hosts for outbound HTTP.
    #[serde(default)]
    pub network: Vec<HostPattern>,
    /// Environment variable names the plugin may read.
    #[serde(default)]
    pub env: Vec<String>,
    /// Whether the plugin may run processes (native plugins only; WASM cannot).
    #[serde(default)]
    pub exec: bool,
}

impl Permissions {
    /// Whether any network pattern allows `host`.
    pub fn allows_host(&self, host: &str) -> bool {
        self.network.iter().any(|p| p.matches(host, None))
    }

    /// Whether the plugin asks for something that deserves a human's confirmation:
    /// any host (`*`), exec, or environment variables.
    pub fn is_sensitive(&self) -> bool {
        self.exec || !self.env.is_empty() || self.network.iter().any(HostPattern::is_any)
    }
}

/// Whether `ip` is a globally routable unicast address. Network permissions never reach
/// loopback, private, link-local (incl. cloud metadata), CGNAT, multicast or reserved
/// addresses unless a plugin names the exact host; every host-side HTTP path (the
/// `web_fetch` tool, WASM plugins) applies this one rule after DNS resolution.
pub fn is_public_ip(ip: IpAddr) -> bool {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_and_wildcard_hosts() {
        let exact = HostPattern::parse("API.Example.com").unwrap();
        assert!(exact.matches("api.example.com", None));
        assert!(!exact.matches("x.api.example.com", None));
        let wild = HostPattern::parse("*.example.com").unwrap();
        assert!(wild.matches("a.example.com", Some(443)));
        assert!(!wild.matches("example.com", None));
        assert!(!wild.matches("badexample.com", None));
        assert!(!wild.is_exact());
    }

    #[test]
    fn ports_restrict() {
        let p = HostPattern::parse("localhost:8080").unwrap();
        assert!(p.matches("localhost", Some(8080)));
        assert!(!p.matches("localhost", Some(8081)));
        assert_eq!(p.to_string(), "localhost:8080");
    }

    #[test]
    fn bad_patterns_are_refused() {
        for bad in [
            "*.",
            "https://x.com",
            "a..b",
            "*x.com",
            "",
            "x.com:99999",
            "-a.com",
        ] {
            assert!(HostPattern::parse(bad).is_err(), "{bad} accepted");
        }
        assert!(HostPattern::parse("127.0.0.1").is_ok());
    }

    #[test]
    fn classifies_addresses() {
        for inside in [
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
            "::ffff:169.254.169.254",
            "64:ff9b::a9fe:a9fe",
            "224.0.0.1",
            "255.255.255.255",
        ] {
            assert!(
                !is_public_ip(inside.parse().unwrap()),
                "{inside} must be refused"
            );
        }
        for public in [
            "1.1.1.1",
            "93.184.216.34",
            "2606:4700::1111",
            "::ffff:8.8.8.8",
        ] {
            assert!(
                is_public_ip(public.parse().unwrap()),
                "{public} must be allowed"
            );
        }
    }

    #[test]
    fn default_grants_nothing() {
        let p = Permissions::default();
        assert!(p.filesystem.is_empty() && p.network.is_empty() && p.env.is_empty());
        assert!(!p.exec);
        assert!(!p.allows_host("example.com"));
        assert!(!p.is_sensitive());
    }
}
