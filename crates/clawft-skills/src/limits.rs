//! Every limit of the skill loader, with its default. One field per limit, one `DEFAULT_*`
//! const per field; the struct is read from config (missing fields take their default).

use serde::{Deserialize, Serialize};

/// Largest `SKILL.md` loaded, in bytes (per file). Default 256,000 (OpenClaw's cap).
/// On exceed: the skill is refused with an error naming the size and the limit.
pub const DEFAULT_MAX_SKILL_FILE_BYTES: u64 = 256_000;

/// Deepest frontmatter value, in nesting levels (the frontmatter map itself is level 1;
/// `metadata.openclaw.install[0].bins` is a list at level 6). Default 16. On exceed: the skill is
/// refused with an error naming the key and its line.
pub const DEFAULT_MAX_YAML_DEPTH: usize = 16;

/// How many directory levels below a skill root are searched for `SKILL.md` (per root):
/// 1 finds `<root>/<skill>/SKILL.md`, 2 also `<root>/<group>/<skill>/SKILL.md`. Default 3.
/// On exceed: deeper directories are not scanned (nor watched).
pub const DEFAULT_MAX_SCAN_DEPTH: usize = 3;

/// Most skill directories considered per root (per root, counted before parsing).
/// Default 300 (OpenClaw's). On exceed: scanning that root stops, with a warning.
pub const DEFAULT_MAX_CANDIDATES_PER_ROOT: usize = 300;

/// Most skills loaded from one source (per source, counted after parsing). Default 200
/// (OpenClaw's). On exceed: the rest of that source is skipped, with a warning.
pub const DEFAULT_MAX_SKILLS_PER_SOURCE: usize = 200;

/// Most skills listed in the model's catalogue (per prompt). Default 150 (OpenClaw's).
/// On exceed: the catalogue keeps the first 150 (higher layers first) and says
/// `Skills truncated: included N of M`.
pub const DEFAULT_MAX_SKILLS_IN_PROMPT: usize = 150;

/// Character budget of the whole catalogue text (per prompt, in Unicode scalar values).
/// Default 18,000 (OpenClaw 2026.9). On exceed: descriptions are dropped first (with a
/// warning line), then the largest prefix of skills that fits is kept (with
/// `Skills truncated: included N of M`).
pub const DEFAULT_MAX_CATALOGUE_CHARS: usize = 18_000;

/// Longest description shown in the catalogue (per skill, in characters). Default 1,024
/// (the Agent Skills maximum). On exceed: the description is cut and ends with `…`.
pub const DEFAULT_MAX_CATALOGUE_DESCRIPTION_CHARS: usize = 1_024;

/// Quiet time before the watcher reloads after a change, in milliseconds. Default 250.
/// Changes closer together than this are folded into one reload.
pub const DEFAULT_WATCH_DEBOUNCE_MS: u64 = 250;

/// Most directories watched for skill changes (per watcher, all roots together).
/// Default 2,000. On exceed: further directories are not watched, with a warning; a
/// manual reload still finds their skills.
pub const DEFAULT_MAX_WATCHED_DIRS: usize = 2_000;

/// The limits of skill loading, cataloguing and watching.
///
/// Deserializes from config with every field optional:
/// `{"max_skill_file_bytes": 512000}` keeps every other default.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SkillLimits {
    /// See [`DEFAULT_MAX_SKILL_FILE_BYTES`].
    pub max_skill_file_bytes: u64,
    /// See [`DEFAULT_MAX_YAML_DEPTH`].
    pub max_yaml_depth: usize,
    /// See [`DEFAULT_MAX_SCAN_DEPTH`].
    pub max_scan_depth: usize,
    /// See [`DEFAULT_MAX_CANDIDATES_PER_ROOT`].
    pub max_candidates_per_root: usize,
    /// See [`DEFAULT_MAX_SKILLS_PER_SOURCE`].
    pub max_skills_per_source: usize,
    /// See [`DEFAULT_MAX_SKILLS_IN_PROMPT`].
    pub max_skills_in_prompt: usize,
    /// See [`DEFAULT_MAX_CATALOGUE_CHARS`].
    pub max_catalogue_chars: usize,
    /// See [`DEFAULT_MAX_CATALOGUE_DESCRIPTION_CHARS`].
    pub max_catalogue_description_chars: usize,
    /// See [`DEFAULT_WATCH_DEBOUNCE_MS`].
    pub watch_debounce_ms: u64,
    /// See [`DEFAULT_MAX_WATCHED_DIRS`].
    pub max_watched_dirs: usize,
}

impl Default for SkillLimits {
    fn default() -> Self {
        Self {
            max_skill_file_bytes: DEFAULT_MAX_SKILL_FILE_BYTES,
            max_yaml_depth: DEFAULT_MAX_YAML_DEPTH,
            max_scan_depth: DEFAULT_MAX_SCAN_DEPTH,
            max_candidates_per_root: DEFAULT_MAX_CANDIDATES_PER_ROOT,
            max_skills_per_source: DEFAULT_MAX_SKILLS_PER_SOURCE,
            max_skills_in_prompt: DEFAULT_MAX_SKILLS_IN_PROMPT,
            max_catalogue_chars: DEFAULT_MAX_CATALOGUE_CHARS,
            max_catalogue_description_chars: DEFAULT_MAX_CATALOGUE_DESCRIPTION_CHARS,
            watch_debounce_ms: DEFAULT_WATCH_DEBOUNCE_MS,
            max_watched_dirs: DEFAULT_MAX_WATCHED_DIRS,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Pins every documented default: changing one must change this test and the docs.
    #[test]
    fn defaults_are_pinned() {
        let limits = SkillLimits::default();
        assert_eq!(limits.max_skill_file_bytes, 256_000);
        assert_eq!(limits.max_yaml_depth, 16);
        assert_eq!(limits.max_scan_depth, 3);
        assert_eq!(limits.max_candidates_per_root, 300);
        assert_eq!(limits.max_skills_per_source, 200);
        assert_eq!(limits.max_skills_in_prompt, 150);
        assert_eq!(limits.max_catalogue_chars, 18_000);
        assert_eq!(limits.max_catalogue_description_chars, 1_024);
        assert_eq!(limits.watch_debounce_ms, 250);
        assert_eq!(limits.max_watched_dirs, 2_000);
    }

    #[test]
    fn missing_fields_take_defaults() {
        let limits: SkillLimits =
            serde_json::from_str(r#"{"max_skill_file_bytes": 1000}"#).expect("valid limits");
        assert_eq!(limits.max_skill_file_bytes, 1000);
        assert_eq!(
            SkillLimits {
                max_skill_file_bytes: DEFAULT_MAX_SKILL_FILE_BYTES,
                ..limits
            },
            SkillLimits::default()
        );
    }

    #[test]
    fn unknown_fields_are_refused() {
        let err = serde_json::from_str::<SkillLimits>(r#"{"max_skils": 3}"#)
            .expect_err("typo must be refused");
        assert!(err.to_string().contains("max_skils"));
    }
}
