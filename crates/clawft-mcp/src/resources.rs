//! MCP resources: the files of every available skill, at `skill://<name>/<path in its
//! folder>` (the scheme of the MCP skills extension), `SKILL.md` first. Listing walks each
//! folder within [`crate::settings::McpLimits`] (hidden entries skipped, symlinks not
//! followed); reading refuses anything outside the folder, hidden, too deep or too large.
//! Only UTF-8 text is served.

use std::path::{Component, Path};

use clawft_skills::LoadedSkill;
use rmcp::ErrorData;
use rmcp::model::{ReadResourceResult, Resource, ResourceContents};

use crate::server::Shared;
use crate::settings::McpLimits;

/// The URI scheme of skill files.
pub const SCHEME: &str = "skill://";

/// The URI of `rel` (a `/`-separated path) in skill `name`.
pub fn skill_uri(name: &str, rel: &str) -> String {
    let mut uri = String::with_capacity(SCHEME.len() + name.len() + rel.len() + 1);
    uri.push_str(SCHEME);
    uri.push_str(name);
    uri.push('/');
    for byte in rel.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            uri.push(char::from(byte));
        } else {
            uri.push_str(&format!("%{byte:02X}"));
        }
    }
    uri
}

/// Splits a skill URI into the skill name and the decoded relative path.
fn parse_uri(uri: &str) -> Option<(&str, String)> {
    let rest = uri.strip_prefix(SCHEME)?;
    let (name, rel) = rest.split_once('/')?;
    let mut bytes = Vec::with_capacity(rel.len());
    let mut iter = rel.bytes();
    while let Some(b) = iter.next() {
        if b == b'%' {
            let hex = [iter.next()?, iter.next()?];
            let hex = std::str::from_utf8(&hex).ok()?;
            bytes.push(u8::from_str_radix(hex, 16).ok()?);
        } else {
            bytes.push(b);
        }
    }
    Some((name, String::from_utf8(bytes).ok()?))
}

fn mime_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "md" | "markdown" => "text/markdown",
        "json" => "application/json",
        "yaml" | "yml" => "application/yaml",
        "toml" => "application/toml",
        "py" => "text/x-python",
        "sh" | "bash" => "text/x-shellscript",
        "js" | "mjs" => "text/javascript",
        "ts" => "text/x-typescript",
        "html" | "htm" => "text/html",
        "csv" => "text/csv",
        _ => "text/plain",
    }
}

/// Every file of every available skill.
pub(crate) fn list(shared: &Shared) -> Vec<Resource> {
    let snapshot = shared.skills.snapshot();
    let mut out = Vec::new();
    for skill in snapshot.iter() {
        if skill.availability(&shared.gate).is_ready() {
            list_skill(skill, &shared.limits, &mut out);
        }
    }
    out
}

fn list_skill(skill: &LoadedSkill, limits: &McpLimits, out: &mut Vec<Resource>) {
    let doc = &skill.doc;
    let mut files = Vec::new();
    walk(&doc.dir, limits, &mut files);
    files.sort_by(|a, b| (a.0 != "SKILL.md", &a.0).cmp(&(b.0 != "SKILL.md", &b.0)));
    for (rel, size) in files {
        let path = doc.dir.join(&rel);
        let description = if rel == "SKILL.md" {
            doc.description.clone()
        } else {
            format!("A file of the skill `{}`", doc.name)
        };
        out.push(
            Resource::new(skill_uri(&doc.name, &rel), format!("{}/{rel}", doc.name))
                .with_description(description)
                .with_mime_type(mime_type(&path))
                .with_size(size),
        );
    }
}

/// Collects `(relative path, size)` of regular files below `dir`, breadth first, within the
/// depth and count limits.
fn walk(root: &Path, limits: &McpLimits, out: &mut Vec<(String, u64)>) {
    let mut queue = std::collections::VecDeque::from([(root.to_path_buf(), String::new(), 0)]);
    while let Some((dir, prefix, depth)) = queue.pop_front() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut entries: Vec<_> = entries.flatten().collect();
        entries.sort_by_key(|e| e.file_name());
        for entry in entries {
            if out.len() >= limits.max_resource_files_per_skill {
                return;
            }
            let name = entry.file_name();
            let Some(name) = name.to_str() else { continue };
            if name.starts_with('.') {
                continue;
            }
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            let rel = format!("{prefix}{name}");
            if kind.is_file() {
                let size = entry.metadata().map(|m| m.len()).unwrap_or(0);
                out.push((rel, size));
            } else if kind.is_dir() && depth + 1 < limits.max_resource_depth {
                queue.push_back((entry.path(), format!("{rel}/"), depth + 1));
            }
        }
    }
}

/// Handles `resources/read`.
///
/// # Errors
/// `-32002` (resource not found) for a URI that names no available skill or no file in its
/// folder; `-32602` for a path that is hidden, too deep, too large or not UTF-8 text.
pub(crate) fn read(shared: &Shared, uri: &str) -> Result<ReadResourceResult, ErrorData> {
    let not_found = || ErrorData::resource_not_found(format!("no resource `{uri}`"), None);
    let (name, rel) = parse_uri(uri).ok_or_else(not_found)?;
    let snapshot = shared.skills.snapshot();
    let skill = snapshot
        .get(name)
        .filter(|s| s.availability(&shared.gate).is_ready())
        .ok_or_else(not_found)?;
    let rel_path = Path::new(&rel);
    let components: Vec<_> = rel_path.components().collect();
    let plain = !components.is_empty()
        && components.iter().all(|c| match c {
            Component::Normal(part) => !part.to_string_lossy().starts_with('.'),
            _ => false,
        });
    if !plain || components.len() > shared.limits.max_resource_depth {
        return Err(ErrorData::invalid_params(
            format!(
                "`{uri}` is not a servable path: use a relative path inside the skill folder, without hidden or `..` parts, at most {} levels deep",
                shared.limits.max_resource_depth
            ),
            None,
        ));
    }
    let path = skill.doc.dir.join(rel_path);
    if !path.is_file() {
        return Err(not_found());
    }
    let text =
        clawft_skills::file::read_confined(&path, &skill.doc.dir, shared.limits.max_resource_bytes)
            .map_err(|err| {
                ErrorData::invalid_params(format!("cannot read `{uri}`: {err}"), None)
            })?;
    Ok(ReadResourceResult::new(vec![
        ResourceContents::text(text, uri).with_mime_type(mime_type(&path)),
    ]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_round_trip_with_escapes() {
        let uri = skill_uri("pdf", "references/a guide#1.md");
        assert_eq!(uri, "skill://pdf/references/a%20guide%231.md");
        assert_eq!(
            parse_uri(&uri),
            Some(("pdf", "references/a guide#1.md".to_owned()))
        );
        assert_eq!(parse_uri("file:///etc/passwd"), None);
        assert_eq!(parse_uri("skill://pdf/%zz"), None);
    }
}
