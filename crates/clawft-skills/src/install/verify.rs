//! Signatures: Ed25519 over the SHA-256 fingerprint of the skill, checked against the keys
//! the user trusts (`skills.install.trusted_keys`, base64).

use base64::Engine;
use ed25519_dalek::{Signature, Verifier, VerifyingKey};

use super::InstallError;

/// The outcome of checking a bundle's signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignatureCheck {
    /// A trusted key verified the signature.
    Verified,
    /// The source gave no signature.
    Unsigned,
}

/// Parse base64 public keys.
pub fn parse_keys(keys: &[String]) -> Result<Vec<VerifyingKey>, InstallError> {
    keys.iter()
        .map(|k| {
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(k.trim())
                .map_err(|e| InstallError::Config {
                    reason: format!("trusted key `{k}` is not base64: {e}"),
                })?;
            let arr: [u8; 32] = bytes.try_into().map_err(|_| InstallError::Config {
                reason: format!("trusted key `{k}` is not 32 bytes"),
            })?;
            VerifyingKey::from_bytes(&arr).map_err(|e| InstallError::Config {
                reason: format!("trusted key `{k}`: {e}"),
            })
        })
        .collect()
}

/// Check `signature` (base64, optional) over the hex `fingerprint`.
pub fn check(
    fingerprint: &str,
    signature: Option<&str>,
    trusted: &[VerifyingKey],
) -> Result<SignatureCheck, InstallError> {
    let Some(sig) = signature else {
        return Ok(SignatureCheck::Unsigned);
    };
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(sig.trim())
        .map_err(|_| InstallError::BadSignature {
            reason: "the signature is not base64".into(),
        })?;
    let sig = Signature::from_slice(&bytes).map_err(|_| InstallError::BadSignature {
        reason: "the signature is not 64 bytes".into(),
    })?;
    if trusted.is_empty() {
        return Err(InstallError::BadSignature {
            reason: "the source is signed but no trusted keys are configured (`skills.install.trusted_keys`)".into(),
        });
    }
    if trusted
        .iter()
        .any(|k| k.verify(fingerprint.as_bytes(), &sig).is_ok())
    {
        Ok(SignatureCheck::Verified)
    } else {
        Err(InstallError::BadSignature {
            reason: "no trusted key verifies it; the content may have been altered".into(),
        })
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
        let trusted = parse_keys(&[b64(key.verifying_key().as_bytes())]).unwrap();
        let fp = "ab".repeat(32);
        let sig = b64(&key.sign(fp.as_bytes()).to_bytes());
        assert_eq!(
            check(&fp, Some(&sig), &trusted).unwrap(),
            SignatureCheck::Verified
        );
        assert_eq!(
            check(&fp, None, &trusted).unwrap(),
            SignatureCheck::Unsigned
        );
        assert!(check(&"cd".repeat(32), Some(&sig), &trusted).is_err());
        assert!(check(&fp, Some("!!"), &trusted).is_err());
        assert!(check(&fp, Some(&sig), &[]).is_err());
    }
}
