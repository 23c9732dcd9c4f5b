//! Field-by-field validation of a manifest document, collecting every problem.

use serde_json::{Map, Value};

use super::permissions::HostPattern;
use super::{Problem, SUPPORTED_SCHEMA_VERSIONS};

const TOP_LEVEL_KEYS: &[&str] = &[
    "$schema",
    "schema_version",
    "id",
    "name",
    "version",
    "description",
    "capabilities",
    "entry",
    "dependencies",
    "permissions",
    "skills",
    "config_schema",
];
const CAPABILITY_KEYS: &[&str] = &["tools", "channels", "pipeline_stages", "memory", "voice"];
const PERMISSION_KEYS: &[&str] = &["filesystem", "network", "env", "exec"];
const DEPENDENCY_KEYS: &[&str] = &["clawft", "plugins"];
const ENTRY_KEYS: &[&str] = &["native", "wasm"];

/// Longest accepted plugin id.
pub const MAX_ID_LEN: usize = 64;

struct Checker {
    problems: Vec<Problem>,
}

impl Checker {
    fn report(&mut self, path: &str, message: impl Into<String>) {
        self.problems.push(Problem {
            path: path.to_owned(),
            message: message.into(),
        });
    }

    fn known_keys(&mut self, path: &str, map: &Map<String, Value>, known: &[&str]) {
        for key in map.keys() {
            if !known.contains(&key.as_str()) {
                let field = join(path, key);
                let hint = crate::suggest::closest(key, known.iter().copied())
                    .map(|k| format!("; did you mean `{k}`?"))
                    .unwrap_or_default();
                self.report(&field, format!("unknown field{hint}"));
            }
        }
    }

    fn required_str<'a>(&mut self, map: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
        match map.get(key) {
            None => {
                self.report(key, "missing required field");
                None
            }
            Some(Value::String(s)) if s.trim().is_empty() => {
                self.report(key, "must not be empty");
                None
            }
            Some(Value::String(s)) => Some(s),
            Some(other) => {
                self.report(key, format!("expected a string, found {}", kind(other)));
                None
            }
        }
    }

    fn object<'a>(&mut self, path: &str, value: &'a Value) -> Option<&'a Map<String, Value>> {
        match value {
            Value::Object(map) => Some(map),
            other => {
                self.report(path, format!("expected an object, found {}", kind(other)));
                None
            }
        }
    }

    /// Checks an array of strings, calling `each` on every element.
    fn string_list(
        &mut self,
        path: &str,
        value: &Value,
        mut each: impl FnMut(&mut Self, &str, &str),
    ) {
        let Value::Array(items) = value else {
            self.report(path, format!("expected a list, found {}", kind(value)));
            return;
        };
        for (i, item) in items.iter().enumerate() {
            let item_path = format!("{path}[{i}]");
            match item {
                Value::String(s) => each(self, &item_path, s),
                other => self.report(
                    &item_path,
                    format!("expected a string, found {}", kind(other)),
                ),
            }
        }
    }
}

/// Every problem in `doc`; empty when the manifest is valid.
pub fn check(doc: &Value) -> Vec<Problem> {
    let mut c = Checker {
        problems: Vec::new(),
    };
    let Some(root) = c.object("", doc) else {
        return c.problems;
    };

    // An unknown schema version means the rest cannot be interpreted: stop there.
    match root.get("schema_version") {
        None => c.report(
            "schema_version",
            format!(
                "missing required field (this clawft understands schema_version {})",
                supported()
            ),
        ),
        Some(Value::Number(n))
            if n.as_u64()
                .is_some_and(|v| SUPPORTED_SCHEMA_VERSIONS.contains(&v)) => {}
        Some(other) => {
            c.report(
                "schema_version",
                format!(
                    "unsupported schema version {other}; this clawft understands {}\nhelp: upgrade clawft, or ask the plugin author for a manifest with a supported version",
                    supported()
                ),
            );
            return c.problems;
        }
    }

    c.known_keys("", root, TOP_LEVEL_KEYS);

    if let Some(id) = c.required_str(root, "id") {
        check_id(&mut c, "id", id);
    }
    c.required_str(root, "name");
    if let Some(version) = c.required_str(root, "version")
        && let Err(err) = semver::Version::parse(version)
    {
        c.report(
            "version",
            format!("`{version}` is not a semantic version ({err}); e.g. `1.0.0`"),
        );
    }
    if let Some(desc) = root.get("description")
        && !desc.is_string()
    {
        c.report(
            "description",
            format!("expected a string, found {}", kind(desc)),
        );
    }

    if let Some(caps) = root.get("capabilities")
        && let Some(map) = c.object("capabilities", caps)
    {
        c.known_keys("capabilities", map, CAPABILITY_KEYS);
        for key in CAPABILITY_KEYS {
            if let Some(list) = map.get(*key) {
                c.string_list(&format!("capabilities.{key}"), list, |c, path, name| {
                    if !is_name(name) {
                        c.report(path, format!("`{name}` is not a valid name (letters, digits, `_`, `-`; 1-64 characters)"));
                    }
                });
            }
        }
    }

    match root.get("entry") {
        None => c.report("entry", "missing required field; write {\"wasm\": \"plugin.wasm\"} or {\"native\": \"<cargo feature>\"}"),
        Some(entry) => check_entry(&mut c, entry),
    }

    if let Some(deps) = root.get("dependencies") {
        check_dependencies(&mut c, deps);
    }
    if let Some(perms) = root.get("permissions") {
        check_permissions(&mut c, perms);
    }
    if let Some(skills) = root.get("skills") {
        c.string_list("skills", skills, |c, path, dir| {
            check_relative(c, path, dir)
        });
    }
    if let Some(schema) = root.get("config_schema") {
        match schema {
            Value::Object(map) => {
                if let Some(t) = map.get("type")
                    && t != "object"
                {
                    c.report(
                        "config_schema.type",
                        "plugin settings are an object; use \"type\": \"object\"",
                    );
                }
            }
            Value::Bool(_) => {}
            other => c.report(
                "config_schema",
                format!("expected a JSON Schema object, found {}", kind(other)),
            ),
        }
    }
    c.problems
}

fn check_id(c: &mut Checker, path: &str, id: &str) {
    let ok_chars = id
        .chars()
        .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || matches!(ch, '-' | '_' | '.'));
    let ok_start = id
        .chars()
        .next()
        .is_some_and(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit());
    if !ok_chars || !ok_start || id.len() > MAX_ID_LEN {
        c.report(
            path,
            format!("`{id}` is not a valid plugin id (lowercase letters, digits, `-`, `_`, `.`; starts with a letter or digit; at most {MAX_ID_LEN} characters)"),
        );
    }
}

fn check_entry(c: &mut Checker, entry: &Value) {
    let Some(map) = c.object("entry", entry) else {
        return;
    };
    c.known_keys("entry", map, ENTRY_KEYS);
    let present: Vec<&str> = ENTRY_KEYS
        .iter()
        .copied()
        .filter(|k| map.contains_key(*k))
        .collect();
    if present.len() != 1 {
        c.report(
            "entry",
            "give exactly one of `wasm` (path to a .wasm component) or `native` (a Cargo feature)",
        );
        return;
    }
    let key = present[0];
    let path = format!("entry.{key}");
    match &map[key] {
        Value::String(s) if key == "wasm" => {
            check_relative(c, &path, s);
            if !s.ends_with(".wasm") {
                c.report(&path, format!("`{s}` should name a `.wasm` file"));
            }
        }
        Value::String(s) if !is_name(s) => {
            c.report(&path, format!("`{s}` is not a Cargo feature name"))
        }
        Value::String(_) => {}
        other => c.report(&path, format!("expected a string, found {}", kind(other))),
    }
}

fn check_dependencies(c: &mut Checker, deps: &Value) {
    let Some(map) = c.object("dependencies", deps) else {
        return;
    };
    c.known_keys("dependencies", map, DEPENDENCY_KEYS);
    if let Some(req) = map.get("clawft") {
        check_version_req(c, "dependencies.clawft", req);
    }
    if let Some(plugins) = map.get("plugins")
        && let Some(plugins) = c.object("dependencies.plugins", plugins)
    {
        for (id, req) in plugins {
            let path = format!("dependencies.plugins.{id}");
            check_id(c, &path, id);
            check_version_req(c, &path, req);
        }
    }
}

fn check_version_req(c: &mut Checker, path: &str, req: &Value) {
    match req {
        Value::String(s) => {
            if let Err(err) = semver::VersionReq::parse(s) {
                c.report(
                    path,
                    format!("`{s}` is not a version range ({err}); e.g. `^1.2` or `>=0.3, <0.5`"),
                );
            }
        }
        other => c.report(
            path,
            format!("expected a version range string, found {}", kind(other)),
        ),
    }
}

fn check_permissions(c: &mut Checker, perms: &Value) {
    let Some(map) = c.object("permissions", perms) else {
        return;
    };
    c.known_keys("permissions", map, PERMISSION_KEYS);
    if let Some(fs) = map.get("filesystem") {
        match fs {
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    let path = format!("permissions.filesystem[{i}]");
                    let Some(entry) = c.object(&path, item) else {
                        continue;
                    };
                    c.known_keys(&path, entry, &["path", "write"]);
                    match entry.get("path") {
                        Some(Value::String(p)) if !p.trim().is_empty() => {
                            if p.split(['/', '\\']).any(|part| part == "..") {
                                c.report(
                                    &format!("{path}.path"),
                                    format!("`{p}` must not contain `..`"),
                                );
                            }
                        }
                        Some(other) if !other.is_string() => c.report(
                            &format!("{path}.path"),
                            format!("expected a string, found {}", kind(other)),
                        ),
                        _ => c.report(&format!("{path}.path"), "missing or empty directory path"),
                    }
                    if let Some(w) = entry.get("write")
                        && !w.is_boolean()
                    {
                        c.report(
                            &format!("{path}.write"),
                            format!("expected true or false, found {}", kind(w)),
                        );
                    }
                }
            }
            other => c.report(
                "permissions.filesystem",
                format!("expected a list, found {}", kind(other)),
            ),
        }
    }
    if let Some(net) = map.get("network") {
        c.string_list("permissions.network", net, |c, path, host| {
            if let Err(why) = HostPattern::parse(host) {
                c.report(path, format!("\"{host}\": {why}"));
            }
        });
    }
    if let Some(env) = map.get("env") {
        c.string_list("permissions.env", env, |c, path, name| {
            let valid = !name.is_empty()
                && name
                    .chars()
                    .all(|ch| ch.is_ascii_alphanumeric() || ch == '_')
                && !name.starts_with(|ch: char| ch.is_ascii_digit());
            if !valid {
                c.report(
                    path,
                    format!("`{name}` is not an environment variable name"),
                );
            }
        });
    }
    if let Some(exec) = map.get("exec")
        && !exec.is_boolean()
    {
        c.report(
            "permissions.exec",
            format!("expected true or false, found {}", kind(exec)),
        );
    }
}

fn check_relative(c: &mut Checker, path: &str, rel: &str) {
    if rel.trim().is_empty() {
        c.report(path, "must not be empty");
    } else if rel.starts_with('/') || rel.starts_with('\\') || rel.chars().nth(1) == Some(':') {
        c.report(
            path,
            format!("`{rel}` must be relative to the manifest's directory"),
        );
    } else if rel.split(['/', '\\']).any(|part| part == "..") {
        c.report(
            path,
            format!("`{rel}` must stay inside the plugin directory (no `..`)"),
        );
    }
}

fn is_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.chars()
            .all(|ch| ch.is_ascii_alphanumeric() || ch == '_' || ch == '-')
}

fn supported() -> String {
    SUPPORTED_SCHEMA_VERSIONS
        .iter()
        .map(u64::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}
