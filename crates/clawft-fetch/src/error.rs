//! [`FetchError`]: why getting a source failed, each with what to do.

use std::path::{Path, PathBuf};

/// Why fetching or staging a source failed. Each message says what to do.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FetchError {
    /// The source text is not understood.
    #[error("cannot install from `{source_text}`: {reason}")]
    BadSource {
        /// What was typed.
        source_text: String,
        /// Why.
        reason: String,
    },
    /// The host or registry could not be reached.
    #[error(
        "could not reach {what}: {reason}\nhelp: check the address and your network, then retry"
    )]
    Unreachable {
        /// URL or repository.
        what: String,
        /// Cause.
        reason: String,
    },
    /// The git ref does not exist.
    #[error(
        "`{url}` has no branch, tag or commit `{reference}`\nhelp: check the name with `git ls-remote {url}`"
    )]
    UnknownRef {
        /// Repository.
        url: String,
        /// The ref.
        reference: String,
    },
    /// A git command failed.
    #[error("git failed: {message}")]
    Git {
        /// git's stderr.
        message: String,
    },
    /// Something was not found.
    #[error("{what} was not found\nhelp: {help}")]
    NotFound {
        /// What.
        what: String,
        /// What to do.
        help: String,
    },
    /// The archive is dangerous or too big.
    #[error("refused a hostile or oversized archive: {reason}")]
    HostileArchive {
        /// What was wrong.
        reason: String,
    },
    /// A signature did not verify.
    #[error("signature check failed: {reason}")]
    BadSignature {
        /// Why.
        reason: String,
    },
    /// Signatures are required and this source has none.
    #[error(
        "`{source_text}` is not signed and `{section}.require_signatures` is on\nhelp: pass `--allow-unsigned` to install it anyway"
    )]
    Unsigned {
        /// The source.
        source_text: String,
        /// The settings section (`skills.install`, `wasm.install`).
        section: String,
    },
    /// ClawHub flagged the bundle.
    #[error("ClawHub marks `{slug}` as {verdict}{help}")]
    Flagged {
        /// Slug.
        slug: String,
        /// Verdict.
        verdict: String,
        /// What the user can do.
        help: String,
    },
    /// Bad install settings.
    #[error("invalid `{section}` settings: {reason}")]
    Config {
        /// The settings section.
        section: String,
        /// Why.
        reason: String,
    },
    /// File-system failure.
    #[error("`{}`: {source}", .path.display())]
    Io {
        /// Path.
        path: PathBuf,
        /// Cause.
        source: std::io::Error,
    },
}

impl FetchError {
    /// An I/O error on `path`; "permission denied" gets a hint about the folder.
    pub fn io(path: &Path, source: std::io::Error) -> Self {
        let source = if source.kind() == std::io::ErrorKind::PermissionDenied {
            std::io::Error::new(
                source.kind(),
                format!("{source} (check the folder's permissions)"),
            )
        } else {
            source
        };
        Self::Io {
            path: path.to_owned(),
            source,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permission_denied_says_what_to_check() {
        let err = FetchError::io(
            Path::new("/x"),
            std::io::Error::from(std::io::ErrorKind::PermissionDenied),
        );
        assert!(
            err.to_string().contains("check the folder's permissions"),
            "{err}"
        );
        let other = FetchError::io(
            Path::new("/x"),
            std::io::Error::from(std::io::ErrorKind::NotFound),
        );
        assert!(!other.to_string().contains("permissions"), "{other}");
    }
}
