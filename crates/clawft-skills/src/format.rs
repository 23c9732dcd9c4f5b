//! The parsed `SKILL.md` ([`SkillDoc`]), its constants, and path helpers for its body.
//! Parsing itself is in [`crate::parse`].

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use serde::Serialize;
use serde_json::Value;

use crate::metadata::SkillMetadata;

/// The file name of a skill.
pub const SKILL_FILE: &str = "SKILL.md";

/// Placeholder in a body that stands for the skill's folder.
pub const BASE_DIR_PLACEHOLDER: &str = "{baseDir}";

/// Longest `description` the Agent Skills spec allows, in characters (longer ones warn).
pub const SPEC_MAX_DESCRIPTION_CHARS: usize = 1024;

/// Longest `compatibility` the Agent Skills spec allows, in characters (longer ones warn).
pub const SPEC_MAX_COMPATIBILITY_CHARS: usize = 500;

/// Top-level keys this crate interprets; every other key lands in [`SkillDoc::extra`].
pub const KNOWN_KEYS: [&str; 14] = [
    "name",
    "description",
    "license",
    "compatibility",
    "allowed-tools",
    "homepage",
    "version",
    "user-invocable",
    "disable-model-invocation",
    "command-dispatch",
    "command-tool",
    "command-arg-mode",
    "argument-hint",
    "metadata",
];

/// A parsed `SKILL.md`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SkillDoc {
    /// `name`, or the directory name when absent.
    pub name: String,
    /// `description` (required).
    pub description: String,
    /// The `SKILL.md` file.
    pub path: PathBuf,
    /// The skill folder (the `SKILL.md`'s directory); `{baseDir}` in the body.
    pub dir: PathBuf,
    /// `license`.
    pub license: Option<String>,
    /// `compatibility` (Agent Skills: environment requirements, free text).
    pub compatibility: Option<String>,
    /// `allowed-tools` (a list, or a space/comma separated string).
    pub allowed_tools: Vec<String>,
    /// `homepage` (or `metadata.openclaw.homepage`).
    pub homepage: Option<String>,
    /// `version`.
    pub version: Option<String>,
    /// `user-invocable` (default true): the skill is the slash command `/name`.
    pub user_invocable: bool,
    /// `disable-model-invocation` (default false): left out of the model's catalogue.
    pub disable_model_invocation: bool,
    /// `command-dispatch` (`tool`: the slash command calls a tool directly).
    pub command_dispatch: Option<String>,
    /// `command-tool`: the tool a dispatched command calls.
    pub command_tool: Option<String>,
    /// `command-arg-mode` (`raw`).
    pub command_arg_mode: Option<String>,
    /// `argument-hint` for the slash command.
    pub argument_hint: Option<String>,
    /// `metadata`, typed.
    pub metadata: SkillMetadata,
    /// Keys not in [`KNOWN_KEYS`], as written.
    pub extra: BTreeMap<String, Value>,
    /// The markdown body (normalised line ends, `{baseDir}` not yet resolved).
    pub body: String,
    /// 1-based line of the file where the body starts.
    pub body_line: usize,
}

/// Something the loader accepted but the author should know about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// 1-based line in the file, when known.
    pub line: Option<usize>,
    /// What and what to do.
    pub message: String,
}

/// A [`SkillDoc`] with the warnings produced while reading it.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedSkill {
    /// The skill.
    pub doc: SkillDoc,
    /// Non-fatal problems (name/directory mismatch, YAML fallback, ignored metadata, ...).
    pub warnings: Vec<Diagnostic>,
}

impl SkillDoc {
    /// The body with `{baseDir}` replaced by the skill folder: what the model reads on
    /// activation.
    pub fn instructions(&self) -> String {
        self.body
            .replace(BASE_DIR_PLACEHOLDER, &self.dir.display().to_string())
    }

    /// Resolves a path written in the body against the skill folder (see [`resolve_relative`]).
    pub fn resolve(&self, written: &str) -> PathBuf {
        resolve_relative(&self.dir, written)
    }

    /// The tool a slash command calls directly (`command-dispatch: tool` + `command-tool`).
    pub fn dispatch_tool(&self) -> Option<&str> {
        (self.command_dispatch.as_deref() == Some("tool"))
            .then_some(self.command_tool.as_deref())
            .flatten()
    }

    /// The config key of the skill: `metadata.openclaw.skillKey`, else the name.
    pub fn skill_key(&self) -> &str {
        self.metadata.skill_key.as_deref().unwrap_or(&self.name)
    }
}

/// Resolves `written` against `dir`: `{baseDir}` is replaced, absolute paths are kept,
/// relative ones are joined to `dir`, and `.`/`..` are folded lexically (no file access).
pub fn resolve_relative(dir: &Path, written: &str) -> PathBuf {
    let expanded = written.replace(BASE_DIR_PLACEHOLDER, &dir.display().to_string());
    let joined = dir.join(expanded);
    let mut out = PathBuf::new();
    for component in joined.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push(component);
                }
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolve_relative_paths() {
        let dir = Path::new("/s/skill");
        assert_eq!(
            resolve_relative(dir, "references/a.md"),
            Path::new("/s/skill/references/a.md")
        );
        assert_eq!(
            resolve_relative(dir, "./x/../y.md"),
            Path::new("/s/skill/y.md")
        );
        assert_eq!(
            resolve_relative(dir, "{baseDir}/run.sh"),
            Path::new("/s/skill/run.sh")
        );
        assert_eq!(resolve_relative(dir, "/etc/hosts"), Path::new("/etc/hosts"));
    }
}
