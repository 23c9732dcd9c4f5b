//! The plugin manifest (`clawft.plugin.json` or `clawft.plugin.yaml`).
//!
//! A manifest is read without running any plugin code. [`Manifest::parse`] first checks the
//! document field by field and reports **every** problem with its path (for example
//! `permissions.network[2]: "*.": not a host pattern`), then builds the typed value.
//!
//! ```
//! use clawft_plugin::manifest::{Manifest, ManifestFormat};
//! let json = r#"{
//!   "schema_version": 1, "id": "weather", "name": "Weather", "version": "0.2.0",
//!   "description": "Forecasts", "capabilities": {"tools": ["forecast"]},
//!   "entry": {"wasm": "weather.wasm"},
//!   "permissions": {"network": ["api.open-meteo.com"]}
//! }"#;
//! let manifest = Manifest::parse(json, ManifestFormat::Json).unwrap();
//! assert_eq!(manifest.id, "weather");
//! assert!(manifest.permissions.allows_host("api.open-meteo.com"));
//! ```

mod permissions;
mod validate;

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use permissions::{FsPermission, HostPattern, Permissions, is_public_ip};

/// Manifest schema versions this crate understands.
pub const SUPPORTED_SCHEMA_VERSIONS: &[u64] = &[1];

/// File names looked for in a plugin directory, in order.
pub const MANIFEST_FILE_NAMES: &[&str] = &[
    "clawft.plugin.json",
    "clawft.plugin.yaml",
    "clawft.plugin.yml",
];

/// The syntax a manifest is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ManifestFormat {
    /// `clawft.plugin.json`
    Json,
    /// `clawft.plugin.yaml` / `.yml`
    Yaml,
}

impl ManifestFormat {
    /// The format implied by a file name's extension.
    pub fn from_path(path: &Path) -> Option<Self> {
        match path.extension()?.to_str()? {
            "json" => Some(Self::Json),
            "yaml" | "yml" => Some(Self::Yaml),
            _ => None,
        }
    }
}

/// What a plugin provides, by name.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Capabilities {
    /// Tool names.
    #[serde(default)]
    pub tools: Vec<String>,
    /// Channel names.
    #[serde(default)]
    pub channels: Vec<String>,
    /// Pipeline stage names.
    #[serde(default)]
    pub pipeline_stages: Vec<String>,
    /// Memory backend names.
    #[serde(default)]
    pub memory: Vec<String>,
    /// Voice handler names.
    #[serde(default)]
    pub voice: Vec<String>,
}

/// How the host loads the plugin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Entry {
    /// A plugin compiled into the binary behind this Cargo feature.
    Native(String),
    /// A WASM component, path relative to the manifest.
    Wasm(PathBuf),
}

/// Version requirements on clawft and other plugins.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Dependencies {
    /// Required clawft version range.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clawft: Option<semver::VersionReq>,
    /// Other plugins by id, each with a version range.
    #[serde(default)]
    pub plugins: BTreeMap<String, semver::VersionReq>,
}

/// A validated plugin manifest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// Manifest schema version (see [`SUPPORTED_SCHEMA_VERSIONS`]).
    pub schema_version: u64,
    /// Unique plugin id: lowercase letters, digits, `-`, `_`, `.`; at most 64 characters.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Plugin version.
    pub version: semver::Version,
    /// What the plugin does.
    #[serde(default)]
    pub description: String,
    /// What it provides.
    #[serde(default)]
    pub capabilities: Capabilities,
    /// How it is loaded.
    pub entry: Entry,
    /// What it needs.
    #[serde(default)]
    pub dependencies: Dependencies,
    /// What it may touch. Nothing by default.
    #[serde(default)]
    pub permissions: Permissions,
    /// Skill directories shipped with the plugin, relative to the manifest.
    #[serde(default)]
    pub skills: Vec<PathBuf>,
    /// JSON Schema of the plugin's settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config_schema: Option<Value>,
}

/// One problem found in a manifest, located by field path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Dotted path to the field, e.g. `permissions.network[2]` (empty for the whole document).
    pub path: String,
    /// What is wrong and, where it helps, what to write instead.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            write!(f, "{}", self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

/// Why a manifest was refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ManifestError {
    /// The file could not be read.
    #[error("could not read `{path}`: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// No manifest file in a plugin directory.
    #[error(
        "no plugin manifest in `{0}`\nhelp: add a `clawft.plugin.json` or `clawft.plugin.yaml`"
    )]
    Missing(PathBuf),
    /// The document is not valid JSON/YAML.
    #[error("manifest is not valid {format}{location}: {message}")]
    Syntax {
        /// `JSON` or `YAML`.
        format: &'static str,
        /// ` at line L column C`, when known.
        location: String,
        /// The parser's message.
        message: String,
    },
    /// The document parsed but has invalid fields. Every problem is listed.
    #[error("manifest has {} problem{}:\n{}", .0.len(), if .0.len() == 1 { "" } else { "s" }, list(.0))]
    Invalid(Vec<Problem>),
}

fn list(problems: &[Problem]) -> String {
    problems
        .iter()
        .map(|p| format!("  - {p}"))
        .collect::<Vec<_>>()
        .join("\n")
}

impl Manifest {
    /// Parse and validate a manifest document.
    pub fn parse(text: &str, format: ManifestFormat) -> Result<Self, ManifestError> {
        let value = to_value(text, format)?;
        let problems = validate::check(&value);
        if !problems.is_empty() {
            return Err(ManifestError::Invalid(problems));
        }
        serde_json::from_value(value).map_err(|err| {
            // `check` accepts only documents that deserialize; reaching here is a bug.
            ManifestError::Invalid(vec![Problem {
                path: String::new(),
                message: format!("{err} (this is a bug in clawft's manifest validation)"),
            }])
        })
    }

    /// Read and validate a manifest file.
    pub fn from_file(path: &Path) -> Result<Self, ManifestError> {
        let format = ManifestFormat::from_path(path).unwrap_or(ManifestFormat::Json);
        let text = std::fs::read_to_string(path).map_err(|source| ManifestError::Io {
            path: path.to_owned(),
            source,
        })?;
        Self::parse(&text, format)
    }

    /// Find the manifest file in a plugin directory.
    pub fn find_in(dir: &Path) -> Result<PathBuf, ManifestError> {
        MANIFEST_FILE_NAMES
            .iter()
            .map(|name| dir.join(name))
            .find(|path| path.is_file())
            .ok_or_else(|| ManifestError::Missing(dir.to_owned()))
    }
}

fn to_value(text: &str, format: ManifestFormat) -> Result<Value, ManifestError> {
    match format {
        ManifestFormat::Json => serde_json::from_str(text).map_err(|err| ManifestError::Syntax {
            format: "JSON",
            location: format!(" at line {} column {}", err.line(), err.column()),
            message: err.to_string(),
        }),
        ManifestFormat::Yaml => serde_yaml::from_str(text).map_err(|err| {
            let location = err
                .location()
                .map(|loc| format!(" at line {} column {}", loc.line(), loc.column()))
                .unwrap_or_default();
            ManifestError::Syntax {
                format: "YAML",
                location,
                message: err.to_string(),
            }
        }),
    }
}

#[cfg(test)]
mod tests;
