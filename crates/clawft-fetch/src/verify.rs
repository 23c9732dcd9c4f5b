//! Signatures: Ed25519 over the hex SHA-256 fingerprint of a bundle, checked against the
//! keys the user trusts (`trusted_keys` in an install settings section, base64).

use base64::Engine;
use ed25519_dalek::{Signature, Verifier, VerifyingKey};

use crate::FetchError;

/// The outcome of checking a bundle's signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignatureCheck {
    /// A trusted key verified the signature.
    Verified,
    /// The source gave no signature.
    Unsigned,
}

/// The Ed25519 keys whose signatures are trusted.
#[derive(Debug, Clone)]
pub struct TrustedKeys {
    keys: Vec<VerifyingKey>,
    section: String,
}

impl TrustedKeys {
    /// Parse base64 public keys from the `trusted_keys` of `section` (named in messages).
    pub fn parse(keys: &[String], section: &str) -> Result<Self, FetchError> {
        let config = |reason: String| FetchError::Config {
            section: section.to_owned(),
            reason,
        };
        let keys = keys
            .iter()
            .map(|k| {
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(k.trim())
                    .map_err(|e| config(format!("trusted key `{k}` is not base64: {e}")))?;
                let arr: [u8; 32] = bytes
                    .try_into()
                    .map_err(|_| config(format!("trusted key `{k}` is not 32 bytes")))?;
                VerifyingKey::from_bytes(&arr)
                    .map_err(|e| config(format!("trusted key `{k}`: {e}")))
            })
            .collect::<Result<_, _>>()?;
        Ok(Self {
            keys,
            section: section.to_owned(),
        })
    }

    /// Check `signature` (base64, optional) over the hex `fingerprint`. A signature that
    /// no trusted key verifies is an error, never a silent "unsigned".
    pub fn check(
        &self,
        fingerprint: &str,
        signature: Option<&str>,
    ) -> Result<SignatureCheck, FetchError> {
        let Some(sig) = signature else {
            return Ok(SignatureCheck::Unsigned);
        };
        let bad = |reason: String| FetchError::BadSignature { reason };
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(sig.trim())
            .map_err(|_| bad("the signature is not base64".into()))?;
        let sig = Signature::from_slice(&bytes)
            .map_err(|_| bad("the signature is not 64 bytes".into()))?;
        if self.keys.is_empty() {
            return Err(bad(format!(
                "the source is signed but no trusted keys are configured (`{}.trusted_keys`)",
                self.section
            )));
        }
        if self
            .keys
            .iter()
            .any(|k| k.verify(fingerprint.as_bytes(), &sig).is_ok())
        {
            Ok(SignatureCheck::Verified)
        } else {
            Err(bad(
                "no trusted key verifies it; the content may have been altered".into(),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::{Signer, SigningKey};

    #[test]
    fn verifies_good_and_refuses_bad_signatures() {
        let key = SigningKey::from_bytes(&[7u8; 32]);
        let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
        let trusted = TrustedKeys::parse(&[b64(key.verifying_key().as_bytes())], "s").unwrap();
        let fp = "ab".repeat(32);
        let sig = b64(&key.sign(fp.as_bytes()).to_bytes());
        assert_eq!(
            trusted.check(&fp, Some(&sig)).unwrap(),
            SignatureCheck::Verified
        );
        assert_eq!(trusted.check(&fp, None).unwrap(), SignatureCheck::Unsigned);
        assert!(trusted.check(&"cd".repeat(32), Some(&sig)).is_err());
        assert!(trusted.check(&fp, Some("!!")).is_err());
        let none = TrustedKeys::parse(&[], "wasm.install").unwrap();
        let err = none.check(&fp, Some(&sig)).unwrap_err().to_string();
        assert!(err.contains("`wasm.install.trusted_keys`"), "{err}");
        assert!(TrustedKeys::parse(&["bm90IGEga2V5".into()], "s").is_err());
    }
}
