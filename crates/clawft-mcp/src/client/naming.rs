//! Tool names: how a remote tool `tool` of the server `server` is named in clawft's
//! registry (`<server>__<tool>`), within the 64 characters of `[a-zA-Z0-9_-]` that LLM
//! APIs accept.
//!
//! * Characters outside `[a-zA-Z0-9_-]` in the remote name (MCP also allows `.` and `/`)
//!   become `_`.
//! * A name longer than [`MAX_TOOL_NAME_LEN`] is cut and ends in `_` plus 8 hex digits of
//!   a hash of the remote name, so two long names that share a prefix stay distinct.
//! * Two remote names that map to the same name (e.g. `a.b` and `a_b`) are told apart
//!   the same way: the second one gets the hash suffix.
//!
//! The mapping is stable: the same server name and remote name give the same tool name
//! on every run.

use std::collections::BTreeSet;

/// Separator between the server name and the remote tool name.
pub const SERVER_SEPARATOR: &str = "__";
/// Longest tool name LLM APIs accept.
pub const MAX_TOOL_NAME_LEN: usize = 64;
/// Longest server name: leaves at least 30 characters for the remote tool name.
pub const MAX_SERVER_NAME_LEN: usize = 32;
/// Server names refused because the MCP server already uses the prefix (`skill__<name>`).
pub const RESERVED_SERVER_NAMES: &[&str] = &["skill"];

/// Why a server name cannot be used as a tool-name prefix.
pub(crate) fn server_name_problem(name: &str) -> Option<String> {
    if name.is_empty() || name.len() > MAX_SERVER_NAME_LEN {
        return Some(format!(
            "a server name must be 1 to {MAX_SERVER_NAME_LEN} characters long"
        ));
    }
    if !name.chars().all(is_name_char) {
        return Some(
            "a server name may use only a-z, A-Z, 0-9, `_` and `-` (it prefixes tool names)"
                .to_owned(),
        );
    }
    if name.contains(SERVER_SEPARATOR) || name.ends_with('_') {
        return Some(format!(
            "a server name may not contain `{SERVER_SEPARATOR}` or end in `_`: tools are named `<server>{SERVER_SEPARATOR}<tool>`"
        ));
    }
    if RESERVED_SERVER_NAMES.contains(&name) {
        return Some(format!(
            "`{name}` is reserved (the MCP server names skills `{name}{SERVER_SEPARATOR}<skill>`)"
        ));
    }
    None
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

/// The registry name of `remote` on `server`, without collision handling. `server` must
/// be a valid server name (checked when `mcp_servers` is parsed).
pub fn tool_name(server: &str, remote: &str) -> String {
    let cleaned: String = remote
        .chars()
        .map(|c| if is_name_char(c) { c } else { '_' })
        .collect();
    let cleaned = if cleaned.is_empty() {
        "_".to_owned()
    } else {
        cleaned
    };
    let full = format!("{server}{SERVER_SEPARATOR}{cleaned}");
    if full.len() <= MAX_TOOL_NAME_LEN {
        full
    } else {
        hashed(&full, remote)
    }
}

/// `base` cut to fit, plus `_` and 8 hex digits of the hash of `remote`.
fn hashed(base: &str, remote: &str) -> String {
    let suffix = format!("_{:08x}", fnv1a(remote));
    let keep = MAX_TOOL_NAME_LEN - suffix.len();
    // `base` is ASCII: every byte index is a char boundary.
    let cut = &base[..base.len().min(keep)];
    format!("{cut}{suffix}")
}

/// Names every remote tool of `server`, in order, so no two share a name: the first
/// to claim a name keeps it, later ones get the hash suffix.
pub fn unique_tool_names<'a>(
    server: &str,
    remotes: impl IntoIterator<Item = &'a str>,
) -> Vec<String> {
    let mut taken = BTreeSet::new();
    remotes
        .into_iter()
        .map(|remote| {
            let mut name = tool_name(server, remote);
            if taken.contains(&name) {
                name = hashed(&name, remote);
            }
            taken.insert(name.clone());
            name
        })
        .collect()
}

/// 32-bit FNV-1a: tiny, stable across versions and platforms (unlike `DefaultHasher`).
fn fnv1a(text: &str) -> u32 {
    text.bytes().fold(0x811c_9dc5_u32, |hash, byte| {
        (hash ^ u32::from(byte)).wrapping_mul(0x0100_0193)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid(name: &str) -> bool {
        !name.is_empty() && name.len() <= MAX_TOOL_NAME_LEN && name.chars().all(is_name_char)
    }

    #[test]
    fn plain_names_are_prefixed() {
        assert_eq!(tool_name("github", "create_issue"), "github__create_issue");
        assert_eq!(tool_name("fs", "read-file"), "fs__read-file");
    }

    #[test]
    fn foreign_characters_become_underscores() {
        assert_eq!(tool_name("s", "files.read/all"), "s__files_read_all");
        assert_eq!(tool_name("s", "ü"), "s___");
        assert_eq!(tool_name("s", ""), "s___");
    }

    #[test]
    fn long_names_are_cut_and_hashed_stably() {
        let long = "x".repeat(100);
        let name = tool_name("server", &long);
        assert_eq!(name.len(), MAX_TOOL_NAME_LEN);
        assert!(valid(&name), "{name}");
        assert!(name.starts_with("server__xxxx"), "{name}");
        assert_eq!(name, tool_name("server", &long), "stable");
        let other = tool_name("server", &format!("{long}y"));
        assert_ne!(name, other, "a shared prefix does not collide");
        // FNV-1a of a known input, pinned so names survive upgrades.
        assert_eq!(fnv1a("a"), 0xe40c_292c);
    }

    #[test]
    fn exactly_64_characters_fit_without_a_hash() {
        let remote = "y".repeat(MAX_TOOL_NAME_LEN - "s__".len());
        assert_eq!(tool_name("s", &remote), format!("s__{remote}"));
    }

    #[test]
    fn collisions_get_the_hash_suffix() {
        let names = unique_tool_names("s", ["a.b", "a_b", "c"]);
        assert_eq!(names[0], "s__a_b");
        assert_ne!(names[1], names[0]);
        assert!(
            names[1].starts_with("s__a_b_") && valid(&names[1]),
            "{names:?}"
        );
        assert_eq!(names[2], "s__c");
    }

    #[test]
    fn server_names_are_checked() {
        assert_eq!(server_name_problem("github"), None);
        assert_eq!(server_name_problem("my-server_2"), None);
        for bad in ["", "a b", "a.b", "a__b", "a_", "skill", &"n".repeat(33)] {
            assert!(server_name_problem(bad).is_some(), "{bad:?} accepted");
        }
    }
}
