//! `SKILL.md` skills for clawft, compatible with OpenClaw skills and the Agent Skills format.
//!
//! A skill is a folder holding `SKILL.md`: YAML frontmatter (`name`, `description`, ...)
//! and a markdown body the model reads when it activates the skill. This crate parses
//! those files as leniently as OpenClaw does ([`frontmatter`], [`yaml`], [`metadata`],
//! [`parse`] into a [`SkillDoc`]), reads them safely ([`file`](mod@file)), gates them on OS,
//! binaries, env and config ([`gating`]), finds them across layered sources ([`discover`](mod@discover),
//! [`layer`]), holds them in an atomically swapped snapshot ([`registry`]), reloads on file
//! changes ([`watch`]), renders the model's catalogue ([`catalogue`]) and names their slash
//! commands ([`command`]). [`SkillCatalogueStage`], [`ReadSkillTool`] and [`SkillCommands`]
//! connect a registry to the agent through the plugin traits.
//!
//! # Layers
//!
//! Same-name skills resolve by layer, highest first; the winner records what it shadows.
//!
//! | layer | directories (in order) |
//! |---|---|
//! | [`SkillLayer::Workspace`] | `<workspace>/skills`, `<workspace>/.agents/skills` |
//! | [`SkillLayer::Managed`] | `$CLAWFT_HOME/skills` (default `~/.clawft/skills`), `~/.agents/skills` |
//! | [`SkillLayer::Plugin`] | skill directories declared by plugin manifests |
//! | [`SkillLayer::Bundled`] | skills shipped with the binary |
//!
//! Unlike OpenClaw, which ranks `~/.agents/skills` above its managed directory, clawft
//! ranks its managed directory (where `weft skill install` writes) first.
//!
//! Malformed skills never stop the others: each is reported with file, line and reason
//! in the [`LoadReport`]. All limits are fields of [`SkillLimits`]. No async runtime.

pub mod agent_stage;
pub mod catalogue;
pub mod command;
pub mod discover;
pub mod error;
pub mod file;
pub mod format;
pub mod frontmatter;
pub mod gating;
#[cfg(feature = "install")]
pub mod install;
pub mod layer;
pub mod limits;
pub mod loaded;
pub mod metadata;
pub mod parse;
pub mod read_skill;
pub mod registry;
pub mod skill_commands;
pub mod watch;
pub mod yaml;

pub use agent_stage::SkillCatalogueStage;
pub use catalogue::{Catalogue, build_catalogue};
pub use command::{command_description, command_name, unique_command_name};
pub use discover::{discover, scan_root};
pub use error::{ParseError, SkillError, SkillResult};
pub use file::load_skill_file;
pub use format::{Diagnostic, ParsedSkill, SkillDoc, resolve_relative};
pub use gating::{Availability, GateContext};
pub use layer::{SkillLayer, SkillSource, SourceDirs};
pub use limits::SkillLimits;
pub use loaded::{LoadError, LoadReport, LoadWarning, LoadedSkill, ShadowedSkill};
pub use metadata::{InstallSpec, Os, Requirements, SkillMetadata};
pub use parse::parse_skill_md;
pub use read_skill::ReadSkillTool;
pub use registry::{ReloadOutcome, SkillRegistry, SkillSnapshot};
pub use skill_commands::SkillCommands;
pub use watch::SkillWatcher;
