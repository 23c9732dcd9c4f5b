//! Permissions a plugin asks for. A plugin gets none of these unless its manifest asks
//! and the host grants.

use std::fmt;
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
    fn default_grants_nothing() {
        let p = Permissions::default();
        assert!(p.filesystem.is_empty() && p.network.is_empty() && p.env.is_empty());
        assert!(!p.exec);
        assert!(!p.allows_host("example.com"));
        assert!(!p.is_sensitive());
    }
}
