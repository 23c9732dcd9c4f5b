//! The HTTP client stack every clawft crate shares.
//!
//! clawft speaks TLS through rustls with the *ring* crypto provider rather than
//! aws-lc-rs: ring is about 1.9 MiB smaller in the release binary and needs no C
//! toolchain beyond what `cc` already uses. reqwest is built without a provider of its
//! own (`rustls-no-provider`), so a process must install one before its first client;
//! [`client_builder`] does that, and [`install_crypto_provider`] is there for the other
//! rustls users (websocket connectors).
//!
//! ```
//! let client = clawft_http::client_builder()
//!     .timeout(std::time::Duration::from_secs(30))
//!     .build()
//!     .expect("an HTTP client");
//! # drop(client);
//! ```

/// The `User-Agent` clawft sends unless a caller sets its own.
pub const USER_AGENT: &str = concat!("clawft/", env!("CARGO_PKG_VERSION"));

/// Make ring the process-wide rustls crypto provider, unless one is installed already.
///
/// Cheap after the first call; safe from any thread.
pub fn install_crypto_provider() {
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        // Losing a race with another thread installing the same provider is fine.
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
}

/// A reqwest client builder with the crypto provider installed and clawft's user agent.
pub fn client_builder() -> reqwest::ClientBuilder {
    install_crypto_provider();
    reqwest::Client::builder().user_agent(USER_AGENT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_a_tls_capable_client_without_a_preinstalled_provider() {
        client_builder().build().expect("client builds");
        assert!(rustls::crypto::CryptoProvider::get_default().is_some());
    }

    #[test]
    fn installing_twice_is_harmless() {
        install_crypto_provider();
        install_crypto_provider();
        assert!(rustls::crypto::CryptoProvider::get_default().is_some());
    }
}
