//! The outcome of loading: [`LoadedSkill`] (a parsed skill with its layer and what it
//! shadows, implementing [`clawft_plugin::Skill`]) and [`LoadReport`] (skills, errors,
//! warnings).

use std::fmt;
use std::path::{Path, PathBuf};

use clawft_plugin::{PluginResult, Skill, SkillDescriptor};
use serde::Serialize;

use crate::error::SkillError;
use crate::format::{Diagnostic, SkillDoc};
use crate::gating::{Availability, GateContext};
use crate::layer::SkillLayer;

/// A same-name skill in a lower-precedence place, hidden by the winner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ShadowedSkill {
    /// Its layer.
    pub layer: SkillLayer,
    /// Its `SKILL.md`.
    pub path: PathBuf,
}

/// A skill that won precedence for its name.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadedSkill {
    /// The parsed file.
    pub doc: SkillDoc,
    /// The layer it came from.
    pub layer: SkillLayer,
    /// The skill root it was found under.
    pub root: PathBuf,
    /// Same-name skills it hides, highest first.
    pub shadows: Vec<ShadowedSkill>,
    descriptor: SkillDescriptor,
}

impl LoadedSkill {
    /// Wraps a parsed skill found under `root` in `layer`.
    pub fn new(doc: SkillDoc, layer: SkillLayer, root: impl Into<PathBuf>) -> Self {
        let descriptor = SkillDescriptor {
            name: doc.name.clone(),
            description: doc.description.clone(),
            location: doc.path.clone(),
            user_invocable: doc.user_invocable,
            model_invocable: !doc.disable_model_invocation,
            argument_hint: doc.argument_hint.clone(),
        };
        Self {
            doc,
            layer,
            root: root.into(),
            shadows: Vec::new(),
            descriptor,
        }
    }

    /// The skill name.
    pub fn name(&self) -> &str {
        &self.doc.name
    }

    /// The `SKILL.md` path.
    pub fn path(&self) -> &Path {
        &self.doc.path
    }

    /// Whether its gates pass in `ctx`.
    pub fn availability(&self, ctx: &GateContext) -> Availability {
        ctx.check(&self.doc)
    }
}

impl Skill for LoadedSkill {
    fn descriptor(&self) -> &SkillDescriptor {
        &self.descriptor
    }

    /// The body with `{baseDir}` replaced by the skill folder. The body was read when the
    /// skill was loaded; hot reload replaces the skill when the file changes.
    fn instructions(&self) -> PluginResult<String> {
        Ok(self.doc.instructions())
    }
}

/// A skill that could not be loaded: which file, which line, why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LoadError {
    /// The `SKILL.md` (or directory) concerned.
    pub path: PathBuf,
    /// 1-based line in the file, for problems in its text.
    pub line: Option<usize>,
    /// What is wrong and what to do.
    pub reason: String,
}

impl LoadError {
    /// From an error met while loading `path`.
    pub fn from_error(path: impl Into<PathBuf>, err: &SkillError) -> Self {
        Self {
            path: path.into(),
            line: err.line(),
            reason: err.reason(),
        }
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}: {}", self.path.display(), self.reason),
            None => write!(f, "{}: {}", self.path.display(), self.reason),
        }
    }
}

/// Something the user should know that did not stop a skill from loading.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LoadWarning {
    /// The file or root concerned.
    pub path: PathBuf,
    /// 1-based line, when about a file's text.
    pub line: Option<usize>,
    /// What and what to do.
    pub message: String,
}

impl LoadWarning {
    /// A warning about `path` without a line.
    pub fn new(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            line: None,
            message: message.into(),
        }
    }

    /// From a file's diagnostic.
    pub fn from_diagnostic(path: impl Into<PathBuf>, diagnostic: Diagnostic) -> Self {
        Self {
            path: path.into(),
            line: diagnostic.line,
            message: diagnostic.message,
        }
    }
}

impl fmt::Display for LoadWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}: {}", self.path.display(), self.message),
            None => write!(f, "{}: {}", self.path.display(), self.message),
        }
    }
}

/// Everything one scan found.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LoadReport {
    /// The winners, one per name, sorted by name.
    pub skills: Vec<LoadedSkill>,
    /// Skills that could not be loaded.
    pub errors: Vec<LoadError>,
    /// Non-fatal problems.
    pub warnings: Vec<LoadWarning>,
}

impl LoadReport {
    /// The winner named `name`.
    pub fn get(&self, name: &str) -> Option<&LoadedSkill> {
        self.skills.iter().find(|s| s.doc.name == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::limits::SkillLimits;
    use crate::parse::parse_skill_md;

    fn loaded(text: &str) -> LoadedSkill {
        let doc = parse_skill_md(text, Path::new("/r/demo/SKILL.md"), &SkillLimits::default())
            .expect("valid")
            .doc;
        LoadedSkill::new(doc, SkillLayer::Managed, "/r")
    }

    #[test]
    fn descriptor_mirrors_frontmatter() {
        let skill = loaded(
            "---\ndescription: Demo.\ndisable-model-invocation: true\nargument-hint: <x>\n---\n",
        );
        let d = skill.descriptor();
        assert_eq!(d.name, "demo");
        assert_eq!(d.description, "Demo.");
        assert_eq!(d.location, Path::new("/r/demo/SKILL.md"));
        assert!(d.user_invocable);
        assert!(!d.model_invocable);
        assert_eq!(d.argument_hint.as_deref(), Some("<x>"));
    }

    #[test]
    fn instructions_resolve_base_dir() {
        let skill = loaded("---\ndescription: d\n---\nRun `{baseDir}/x.sh`.\n");
        assert_eq!(skill.instructions().expect("body"), "Run `/r/demo/x.sh`.\n");
    }

    #[test]
    fn errors_and_warnings_display_file_and_line() {
        let err = LoadError {
            path: "/r/a/SKILL.md".into(),
            line: Some(3),
            reason: "bad".into(),
        };
        assert_eq!(err.to_string(), "/r/a/SKILL.md:3: bad");
        assert_eq!(LoadWarning::new("/r", "cap hit").to_string(), "/r: cap hit");
    }
}
