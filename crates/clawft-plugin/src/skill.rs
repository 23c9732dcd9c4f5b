//! The [`Skill`] trait: instructions the model activates on demand.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::error::PluginResult;

/// What the host needs to list a skill without reading its body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkillDescriptor {
    /// Skill name (unique after precedence resolution).
    pub name: String,
    /// One-paragraph description the model uses to decide whether to activate it.
    pub description: String,
    /// Where the skill lives (its `SKILL.md`, or a plugin-defined location).
    pub location: PathBuf,
    /// Whether users may call it as `/name`.
    pub user_invocable: bool,
    /// Whether the model sees it in its catalogue.
    pub model_invocable: bool,
    /// Short hint for the argument of the slash command.
    pub argument_hint: Option<String>,
}

/// A skill: a descriptor plus instructions read on activation (progressive disclosure).
pub trait Skill: Send + Sync {
    /// Name, description and location.
    fn descriptor(&self) -> &SkillDescriptor;

    /// The full instructions (the `SKILL.md` body with paths resolved).
    fn instructions(&self) -> PluginResult<String>;
}
