//! Why a plugin could not be loaded.

use std::path::PathBuf;

use clawft_plugin::ManifestError;

/// Why loading or preparing a WASM plugin failed. Each message names the plugin or file
/// and, where there is one, what to do about it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WasmError {
    /// A file could not be read or written.
    #[error("could not access `{path}`: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The manifest is missing or invalid.
    #[error(transparent)]
    Manifest(#[from] ManifestError),
    /// The manifest names a native plugin.
    #[error(
        "plugin `{id}` is a native plugin (`entry.native`); only `entry.wasm` plugins load in the WASM host"
    )]
    NotWasm {
        /// Plugin id.
        id: String,
    },
    /// The component is over the size budget.
    #[error(
        "`{path}` is too large: {size} bytes ({gzipped} bytes gzipped); the limits are {max_size} bytes and {max_gzipped} bytes gzipped\nhelp: build in release with opt-level \"z\", lto = true, codegen-units = 1, panic = \"abort\", strip = true"
    )]
    TooLarge {
        /// The component file (or a label for in-memory bytes).
        path: PathBuf,
        /// Its size in bytes.
        size: u64,
        /// Its gzip-compressed size in bytes.
        gzipped: u64,
        /// The uncompressed limit.
        max_size: u64,
        /// The compressed limit.
        max_gzipped: u64,
    },
    /// The bytes are not a component wasmtime accepts.
    #[error(
        "`{path}` is not a valid WebAssembly component: {message}\nhelp: build for `wasm32-wasip2` (a core module from `wasm32-unknown-unknown` or `wasm32-wasip1` is not a component)"
    )]
    Compile {
        /// The component file.
        path: PathBuf,
        /// wasmtime's explanation.
        message: String,
    },
    /// The component does not implement a supported `clawft:plugin` world, or imports
    /// something the host does not provide.
    #[error(
        "`{path}` does not fit the clawft plugin contract (supported WIT versions: {supported}): {message}\nhelp: build it with clawft-plugin-sdk, which exports `describe` and `execute-tool`"
    )]
    Link {
        /// The component file.
        path: PathBuf,
        /// Supported versions, comma separated.
        supported: String,
        /// What is missing or mismatched.
        message: String,
    },
    /// Running `describe` failed.
    #[error("plugin `{id}`: `describe` failed: {message}")]
    Describe {
        /// Plugin id.
        id: String,
        /// What went wrong (trap, limit, ...).
        message: String,
    },
    /// A tool the plugin describes is not acceptable.
    #[error("plugin `{id}`, tool `{tool}`: {message}")]
    BadTool {
        /// Plugin id.
        id: String,
        /// Tool name as described.
        tool: String,
        /// What is wrong and what to do.
        message: String,
    },
    /// The manifest asks for permissions nobody approved.
    #[error(
        "plugin `{id}` asks for permissions that were not approved: {what}\nhelp: run `weft plugin install` again to review and approve them"
    )]
    NotApproved {
        /// Plugin id.
        id: String,
        /// The difference.
        what: String,
    },
    /// A secret was configured for a host the manifest does not declare.
    #[error(
        "plugin `{id}`: a secret is configured for `{host}`, which `permissions.network` does not declare\nhelp: declare the exact host in the manifest or remove the secret from `wasm.plugins.{id}.secrets`"
    )]
    SecretForUndeclaredHost {
        /// Plugin id.
        id: String,
        /// The host.
        host: String,
    },
    /// The engine could not be set up.
    #[error("could not set up the WASM engine: {0} (this is a bug in clawft-wasm)")]
    Engine(String),
}

impl WasmError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io {
            path: path.into(),
            source,
        }
    }
}
