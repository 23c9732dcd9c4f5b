//! [`PluginInstallError`]: why installing, updating or removing a plugin failed.

use std::path::PathBuf;

use clawft_fetch::FetchError;

use crate::WasmError;

/// Why a plugin install, update or removal failed. Each says what to do.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PluginInstallError {
    /// Getting the source failed (unreachable, unknown ref, hostile archive, signature...).
    #[error(transparent)]
    Fetch(#[from] FetchError),
    /// No plugin manifest where one was expected.
    #[error(
        "no clawft.plugin.json or clawft.plugin.yaml in `{0}`\nhelp: point at the plugin's folder (`--path sub/folder` for repositories and archives)"
    )]
    NoPlugin(String),
    /// Several plugins and no choice made.
    #[error("`{source_text}` holds several plugins: {}\nhelp: pick one with `--path <folder>`", .choices.join(", "))]
    Ambiguous {
        /// The source.
        source_text: String,
        /// Relative folders.
        choices: Vec<String>,
    },
    /// The plugin does not validate (manifest, size budget, contract, tools).
    #[error(
        "the plugin from `{source_text}` does not validate: {error}\nhelp: check it with `weft plugin validate <folder>` or contact its author"
    )]
    Invalid {
        /// The source.
        source_text: String,
        /// What the host refused.
        error: WasmError,
    },
    /// A plugin file is not a regular file (a symlink, a device).
    #[error("`{}` is not a regular file; plugins may not contain links", .0.display())]
    NotAFile(PathBuf),
    /// A plugin with the same id from another source is installed.
    #[error("a different plugin `{id}` is already installed at `{}` (from `{installed_from}`)\nhelp: pass `--force` to replace it", .path.display())]
    Collision {
        /// Plugin id.
        id: String,
        /// Where.
        path: PathBuf,
        /// Its recorded source.
        installed_from: String,
    },
    /// Permissions need approval and nobody can give it.
    #[error(
        "plugin `{id}` asks for permissions that need approval ({what}) and there is no terminal to confirm\nhelp: review them with `weft plugin validate`, then re-run with `--yes` to approve them"
    )]
    NeedsApproval {
        /// Plugin id.
        id: String,
        /// The permissions, comma separated.
        what: String,
    },
    /// The user declined the permissions.
    #[error("`{id}` was not installed: its permissions were not approved")]
    Declined {
        /// Plugin id.
        id: String,
    },
    /// No such installed plugin.
    #[error("no installed plugin `{id}` in `{}`{hint}", .root.display())]
    NotInstalled {
        /// The id asked for.
        id: String,
        /// The plugins folder.
        root: PathBuf,
        /// "did you mean" / what is installed.
        hint: String,
    },
    /// An `install.json` is unreadable.
    #[error("the install record `{}` is unreadable: {reason}\nhelp: reinstall the plugin with `weft plugin install <source> --force`", .path.display())]
    Record {
        /// Path.
        path: PathBuf,
        /// Parse error.
        reason: String,
    },
}
