//! Fetching skills and plugins for clawft, with one copy of the machinery both installers
//! use (`weft skill install`, `weft plugin install`).
//!
//! A [`SourceSpec`] is what the user typed: `github.com/owner/repo[/sub/path][@ref]`, any git
//! URL (`https://`, `ssh://`, `file://`, `git@`), a ClawHub slug `[@owner/]slug[@version]`,
//! an archive URL (`.zip`, `.tar.gz`) or a local folder. A [`Fetcher`] gets it into a
//! [`Staging`] folder: git with a shallow fetch of one ref (sparse when a sub-path is
//! given), archives with [`archive`]'s checks (no absolute paths, no `..`, no links, caps
//! on size and file count from [`FetchLimits`]), ClawHub through its HTTP API ([`ClawHub`],
//! refusing `malware` and, unless allowed, `suspicious` verdicts). It returns [`Fetched`]:
//! the staged tree, what the source resolved to (commit, version, archive digest) and any
//! published signature.
//!
//! The caller then [locates](find_bundles) what it installs in the tree, validates it, takes
//! its [`fingerprint()`] (sha256 over `path:sha256` lines, ClawHub's bundle hash), checks a
//! signature with [`Fetcher::check_signature`] (Ed25519 over the hex fingerprint, keys
//! from `trusted_keys`), and moves it into place with [`copy_tree`] and [`replace_dir`];
//! records go through [`write_atomic`]. Everything before the final rename happens inside
//! the staging folder, so a hostile, broken or interrupted source leaves the managed folder
//! as it was.
//!
//! Git sources use the `git` command-line client (`GIT_TERMINAL_PROMPT=0`). Depend on the
//! crate only where installing is wanted, since it brings an HTTP client, zip, tar and
//! Ed25519; its one feature, `testing`, adds archive builders for installer tests.

pub mod archive;
pub mod clawhub;
pub mod error;
pub mod fetcher;
pub mod fingerprint;
pub mod git;
pub mod locate;
pub mod settings;
pub mod source;
pub mod staging;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
pub mod verify;

pub use clawhub::{ClawHub, SearchHit};
pub use error::FetchError;
pub use fetcher::{ClawHubRelease, Fetched, Fetcher};
pub use fingerprint::{fingerprint, fingerprint_without};
pub use locate::find_bundles;
pub use settings::{
    DEFAULT_CLAWHUB_URL, DEFAULT_MAX_DOWNLOAD_BYTES, DEFAULT_MAX_FILES, DEFAULT_MAX_UNPACKED_BYTES,
    FetchLimits, FetchSettings,
};
pub use source::SourceSpec;
pub use staging::{Staging, copy_tree, is_folder_name, replace_dir, write_atomic};
pub use verify::{SignatureCheck, TrustedKeys};
