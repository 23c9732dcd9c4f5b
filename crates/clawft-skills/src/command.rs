//! Slash-command names for user-invocable skills, normalised the way OpenClaw does:
//! lower-cased, every run of other characters turned into one `_`, leading and trailing
//! `_` trimmed, at most 32 characters, `skill` when nothing is left; duplicates get `_2`,
//! `_3`, ... (the builder of the command list calls [`unique_command_name`]).

use std::collections::HashSet;

/// Longest slash-command name, in characters.
pub const MAX_COMMAND_NAME_CHARS: usize = 32;

/// Longest slash-command description, in characters (Discord's limit).
pub const MAX_COMMAND_DESCRIPTION_CHARS: usize = 100;

/// Name used when a skill name has no usable character.
pub const FALLBACK_COMMAND_NAME: &str = "skill";

/// The command name for a skill name (`My Skill!` → `my_skill`).
pub fn command_name(skill_name: &str) -> String {
    let mut out = String::new();
    for c in skill_name.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' {
            if c == '_' && out.ends_with('_') {
                continue;
            }
            out.push(c);
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    let trimmed: String = out
        .trim_matches('_')
        .chars()
        .take(MAX_COMMAND_NAME_CHARS)
        .collect();
    if trimmed.is_empty() {
        FALLBACK_COMMAND_NAME.to_owned()
    } else {
        trimmed
    }
}

/// `base`, or `base_2`, `base_3`, ... (the base cut so the whole stays within 32
/// characters), whichever is not in `taken`; the result is added to `taken`. Put reserved
/// names (`help`, `new`, ...) in `taken` first.
pub fn unique_command_name(base: &str, taken: &mut HashSet<String>) -> String {
    let base = base.to_lowercase();
    if taken.insert(base.clone()) {
        return base;
    }
    let mut index = 2usize;
    loop {
        let suffix = format!("_{index}");
        let keep = MAX_COMMAND_NAME_CHARS.saturating_sub(suffix.len()).max(1);
        let candidate = format!("{}{suffix}", base.chars().take(keep).collect::<String>());
        if taken.insert(candidate.clone()) {
            return candidate;
        }
        index += 1;
    }
}

/// The description shown with a slash command: cut to 100 characters, ending with `…`
/// when cut.
pub fn command_description(description: &str) -> String {
    truncate_chars(description.trim(), MAX_COMMAND_DESCRIPTION_CHARS)
}

/// `text` cut to at most `max` characters, the last one `…` when cut.
pub fn truncate_chars(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.truncate(out.trim_end().len());
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_normalised() {
        assert_eq!(command_name("My Skill!"), "my_skill");
        assert_eq!(command_name("gh-issues"), "gh_issues");
        assert_eq!(command_name("__a--b__"), "a_b");
        assert_eq!(command_name("日本"), "skill");
        let long = command_name(&"x".repeat(40));
        assert_eq!(long.len(), MAX_COMMAND_NAME_CHARS);
    }

    #[test]
    fn duplicates_get_numbered_suffixes_within_the_limit() {
        let mut taken: HashSet<String> = ["help".to_owned()].into();
        assert_eq!(unique_command_name("help", &mut taken), "help_2");
        assert_eq!(unique_command_name("help", &mut taken), "help_3");
        assert_eq!(unique_command_name("todo", &mut taken), "todo");
        let long = "y".repeat(32);
        assert_eq!(unique_command_name(&long, &mut taken), long);
        let second = unique_command_name(&long, &mut taken);
        assert_eq!(second, format!("{}_2", "y".repeat(30)));
        assert_eq!(second.len(), MAX_COMMAND_NAME_CHARS);
    }

    #[test]
    fn descriptions_are_cut_to_100() {
        let cut = command_description(&"word ".repeat(40));
        assert!(cut.chars().count() <= MAX_COMMAND_DESCRIPTION_CHARS);
        assert!(cut.ends_with('…'));
        assert_eq!(command_description("short"), "short");
    }
}
