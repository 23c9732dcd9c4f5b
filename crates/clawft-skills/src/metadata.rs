//! The `metadata` frontmatter key: OpenClaw's gating and install hints.
//!
//! Real files write it three ways: a YAML map, a single-line JSON string
//! (`metadata: {"clawdbot":{...}}`), or a multi-line JSON5 block with trailing commas and
//! unquoted keys. The settings live under a namespace: `openclaw` is read first, then the
//! legacy `clawdbot`, `clawdis` and `moltbot`. Unknown keys are kept; `install` specs are
//! kept as data and never run.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Map, Value};

use crate::error::ParseError;

/// Namespaces read, first match wins.
pub const NAMESPACES: [&str; 4] = ["openclaw", "clawdbot", "clawdis", "moltbot"];

/// An operating system named in `metadata.openclaw.os`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub enum Os {
    /// `darwin` (also written `macos`).
    Darwin,
    /// `linux`.
    Linux,
    /// `win32` (also written `windows`).
    Win32,
    /// Anything else, lower-cased.
    Other(String),
}

impl Os {
    /// Reads an OS name as real files write it.
    pub fn parse(name: &str) -> Self {
        match name.trim().to_ascii_lowercase().as_str() {
            "darwin" | "macos" | "mac" | "osx" => Self::Darwin,
            "linux" => Self::Linux,
            "win32" | "windows" => Self::Win32,
            other => Self::Other(other.to_owned()),
        }
    }

    /// The OS of this build, named as OpenClaw names it.
    pub fn current() -> Self {
        Self::parse(std::env::consts::OS)
    }

    /// OpenClaw's name (`darwin`, `linux`, `win32`, or the raw name).
    pub fn as_str(&self) -> &str {
        match self {
            Self::Darwin => "darwin",
            Self::Linux => "linux",
            Self::Win32 => "win32",
            Self::Other(name) => name,
        }
    }
}

/// `metadata.openclaw.requires`: what must be present for the skill to be usable.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Requirements {
    /// Binaries that must all be on `PATH`.
    pub bins: Vec<String>,
    /// Binaries of which at least one must be on `PATH`.
    pub any_bins: Vec<String>,
    /// Environment variables that must be set (or provided by the skill's config).
    pub env: Vec<String>,
    /// Config paths that must be truthy (e.g. `channels.discord.token`).
    pub config: Vec<String>,
}

impl Requirements {
    /// Whether nothing is required.
    pub fn is_empty(&self) -> bool {
        self.bins.is_empty()
            && self.any_bins.is_empty()
            && self.env.is_empty()
            && self.config.is_empty()
    }
}

/// One `metadata.openclaw.install[]` entry. Kept as data: clawft never runs it implicitly.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InstallSpec {
    /// `brew`, `node`, `go`, `uv`, `download`, `apt`, `npm`, ...
    pub kind: Option<String>,
    /// Identifier of the spec.
    pub id: Option<String>,
    /// Human label.
    pub label: Option<String>,
    /// Binaries the install provides.
    pub bins: Vec<String>,
    /// The whole entry as written.
    pub raw: Value,
}

/// The typed view of `metadata`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SkillMetadata {
    /// The namespace the settings were read from (`openclaw`, `clawdbot`, ...).
    pub namespace: Option<String>,
    /// Skip the `requires` gates (the `os` gate still applies).
    pub always: bool,
    /// Emoji for UIs.
    pub emoji: Option<String>,
    /// Operating systems the skill supports; empty means any.
    pub os: Vec<Os>,
    /// Env var filled from the skill's configured API key.
    pub primary_env: Option<String>,
    /// Config key of the skill (defaults to its name).
    pub skill_key: Option<String>,
    /// Homepage for UIs.
    pub homepage: Option<String>,
    /// Gates.
    pub requires: Requirements,
    /// Installer specs, never run implicitly.
    pub install: Vec<InstallSpec>,
    /// Keys of the namespace this crate does not interpret, kept as written.
    pub extra: BTreeMap<String, Value>,
    /// The whole `metadata` value as parsed (all namespaces, other keys).
    pub raw: Option<Value>,
}

/// Deepest `{`/`[` nesting in JSON-like text, ignoring brackets inside quoted strings.
pub fn bracket_depth(text: &str) -> usize {
    let (mut depth, mut max, mut quote, mut escaped) = (0usize, 0usize, None, false);
    for c in text.chars() {
        if let Some(q) = quote {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '"' | '\'' => quote = Some(c),
            '{' | '[' => {
                depth += 1;
                max = max.max(depth);
            }
            '}' | ']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    max
}

fn parse_text(text: &str) -> Result<Value, String> {
    if let Ok(value) = serde_json::from_str::<Value>(text) {
        return Ok(value);
    }
    match json5::from_str::<Value>(text) {
        Ok(value) => Ok(value),
        Err(json5_err) if !text.starts_with(['{', '[']) => serde_yaml::from_str(text)
            .map(crate::yaml::yaml_to_json)
            .map_err(|_| json5_err.to_string()),
        Err(json5_err) => Err(json5_err.to_string()),
    }
}

/// Strings from a string or a list (a comma-separated string is split).
fn string_list(value: &Value) -> Option<Vec<String>> {
    match value {
        Value::String(s) => Some(
            s.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
        ),
        Value::Array(items) => items
            .iter()
            .map(|item| match item {
                Value::String(s) => Some(s.trim().to_owned()),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            })
            .collect(),
        _ => None,
    }
}

/// Text from a string, number or bool.
pub(crate) fn text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A boolean written as a bool, `"true"`/`"yes"`/`"on"`/`"1"` (and their opposites) or 0/1.
pub(crate) fn boolean(value: &Value) -> Option<bool> {
    match value {
        Value::Bool(b) => Some(*b),
        Value::Number(n) => n.as_i64().filter(|n| *n == 0 || *n == 1).map(|n| n == 1),
        Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "true" | "yes" | "on" | "1" => Some(true),
            "false" | "no" | "off" | "0" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

struct Reader<'a> {
    ns: &'a str,
    warnings: Vec<String>,
}

impl Reader<'_> {
    fn wrong(&mut self, key: &str, expected: &str) {
        self.warnings.push(format!(
            "ignored `metadata.{}.{key}`: expected {expected}",
            self.ns
        ));
    }

    fn text(&mut self, map: &mut Map<String, Value>, key: &str) -> Option<String> {
        let value = map.remove(key)?;
        let out = text(&value);
        if out.is_none() && !value.is_null() {
            self.wrong(key, "text");
        }
        out
    }

    fn list(&mut self, map: &mut Map<String, Value>, key: &str, expected: &str) -> Vec<String> {
        let Some(value) = map.remove(key) else {
            return Vec::new();
        };
        string_list(&value).unwrap_or_else(|| {
            if !value.is_null() {
                self.wrong(key, expected);
            }
            Vec::new()
        })
    }
}

/// Reads `metadata` (a map, or JSON/JSON5 text) found at `line`.
///
/// Returns the typed view and warnings for what was ignored (unparsable text, values of
/// the wrong kind, unknown OS names).
///
/// # Errors
/// [`ParseError::TooDeep`] when text metadata nests deeper than `max_depth - 1` brackets
/// (`metadata` itself sits at level 2 of the frontmatter).
pub fn parse_metadata(
    value: &Value,
    line: usize,
    max_depth: usize,
) -> Result<(SkillMetadata, Vec<String>), ParseError> {
    let mut warnings = Vec::new();
    let parsed = match value {
        Value::String(text) => {
            let depth = 1 + bracket_depth(text);
            if depth > max_depth {
                return Err(ParseError::TooDeep {
                    line,
                    key: "metadata".into(),
                    depth,
                    limit: max_depth,
                });
            }
            match parse_text(text.trim()) {
                Ok(v) => v,
                Err(err) => {
                    warnings.push(format!(
                        "ignored `metadata`: it is neither JSON, JSON5 nor YAML ({err}); \
                         gates and install hints in it do not apply"
                    ));
                    return Ok((SkillMetadata::default(), warnings));
                }
            }
        }
        other => other.clone(),
    };
    let Value::Object(root) = &parsed else {
        if !parsed.is_null() {
            warnings.push("ignored `metadata`: expected a map of keys to values".to_owned());
        }
        return Ok((SkillMetadata::default(), warnings));
    };
    let mut meta = SkillMetadata {
        raw: Some(parsed.clone()),
        ..SkillMetadata::default()
    };
    let Some((ns, Value::Object(ns_map))) = NAMESPACES
        .iter()
        .find_map(|ns| root.get(*ns).filter(|v| v.is_object()).map(|v| (*ns, v)))
    else {
        return Ok((meta, warnings));
    };
    meta.namespace = Some(ns.to_owned());
    let mut map = ns_map.clone();
    let mut r = Reader { ns, warnings };

    if let Some(v) = map.remove("always") {
        meta.always = boolean(&v).unwrap_or_else(|| {
            r.wrong("always", "true or false");
            false
        });
    }
    meta.emoji = r.text(&mut map, "emoji");
    meta.os = r
        .list(&mut map, "os", "a list of `darwin`, `linux`, `win32`")
        .iter()
        .map(|name| Os::parse(name))
        .collect();
    for os in &meta.os {
        if let Os::Other(name) = os {
            r.warnings.push(format!(
                "unknown OS `{name}` in `metadata.{ns}.os` (known: darwin, linux, win32)"
            ));
        }
    }
    meta.primary_env = r.text(&mut map, "primaryEnv");
    meta.skill_key = r.text(&mut map, "skillKey");
    meta.homepage = r.text(&mut map, "homepage");
    match map.remove("requires") {
        Some(Value::Object(mut req)) => {
            let names = "a list of names";
            meta.requires = Requirements {
                bins: r.list(&mut req, "bins", names),
                any_bins: r.list(&mut req, "anyBins", names),
                env: r.list(&mut req, "env", names),
                config: r.list(&mut req, "config", "a list of config paths"),
            };
            for (key, value) in req {
                meta.extra.insert(format!("requires.{key}"), value);
            }
        }
        Some(Value::Null) | None => {}
        Some(_) => r.wrong("requires", "a map with `bins`, `anyBins`, `env`, `config`"),
    }
    match map.remove("install") {
        Some(Value::Array(items)) => {
            for item in items {
                let Value::Object(spec) = &item else {
                    r.wrong("install[]", "a map with `kind`");
                    continue;
                };
                let get = |k: &str| spec.get(k).and_then(text);
                meta.install.push(InstallSpec {
                    kind: get("kind"),
                    id: get("id"),
                    label: get("label"),
                    bins: spec.get("bins").and_then(string_list).unwrap_or_default(),
                    raw: item.clone(),
                });
            }
        }
        Some(Value::Null) | None => {}
        Some(_) => r.wrong("install", "a list of installer specs"),
    }
    meta.extra.extend(map);
    Ok((meta, r.warnings))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn meta(value: Value) -> (SkillMetadata, Vec<String>) {
        parse_metadata(&value, 4, 16).expect("parses")
    }

    #[test]
    fn single_line_json_string_legacy_namespace() {
        let (m, w) = meta(json!(
            r#"{"clawdbot":{"emoji":"✅","always":true,"requires":{"bins":["curl","jq"]}}}"#
        ));
        assert!(w.is_empty(), "{w:?}");
        assert_eq!(m.namespace.as_deref(), Some("clawdbot"));
        assert!(m.always);
        assert_eq!(m.emoji.as_deref(), Some("✅"));
        assert_eq!(m.requires.bins, ["curl", "jq"]);
    }

    #[test]
    fn multi_line_json5_with_trailing_commas_and_bare_keys() {
        let text = "{\n  openclaw: {\n    emoji: '🔐',\n    requires: { bins: [\"op\"], },\n    \
                    install: [ { id: \"brew\", kind: \"brew\", bins: [\"op\"], }, ],\n  },\n}";
        let (m, w) = meta(Value::String(text.into()));
        assert!(w.is_empty(), "{w:?}");
        assert_eq!(m.namespace.as_deref(), Some("openclaw"));
        assert_eq!(m.requires.bins, ["op"]);
        assert_eq!(m.install.len(), 1);
        assert_eq!(m.install[0].kind.as_deref(), Some("brew"));
        assert_eq!(m.install[0].bins, ["op"]);
    }

    #[test]
    fn yaml_map_and_openclaw_wins_over_legacy() {
        let (m, _) = meta(json!({
            "clawdbot": {"emoji": "old"},
            "openclaw": {"emoji": "new", "os": ["macos", "linux"], "primaryEnv": "API_KEY",
                          "skillKey": "k", "custom": 1, "requires": {"anyBins": "a, b", "env": ["E"]}}
        }));
        assert_eq!(m.emoji.as_deref(), Some("new"));
        assert_eq!(m.os, [Os::Darwin, Os::Linux]);
        assert_eq!(m.primary_env.as_deref(), Some("API_KEY"));
        assert_eq!(m.skill_key.as_deref(), Some("k"));
        assert_eq!(m.requires.any_bins, ["a", "b"]);
        assert_eq!(m.requires.env, ["E"]);
        assert_eq!(m.extra["custom"], json!(1));
        assert_eq!(
            m.raw.as_ref().map(|r| r["clawdbot"]["emoji"].clone()),
            Some(json!("old"))
        );
    }

    #[test]
    fn unknown_os_and_wrong_types_warn() {
        let (m, w) =
            meta(json!({"moltbot": {"os": ["plan9"], "always": "maybe", "install": "brew"}}));
        assert_eq!(m.os, [Os::Other("plan9".into())]);
        assert!(!m.always);
        assert_eq!(w.len(), 3, "{w:?}");
        assert!(w.iter().any(|w| w.contains("unknown OS `plan9`")));
        assert!(w.iter().any(|w| w.contains("metadata.moltbot.always")));
    }

    #[test]
    fn unparsable_text_is_a_warning() {
        let (m, w) = meta(json!("{\"clawdbot\":{\"emoji\":\"x\"}"));
        assert_eq!(m, SkillMetadata::default());
        assert!(w[0].starts_with("ignored `metadata`"));
    }

    #[test]
    fn plain_string_map_without_namespace_is_kept_raw() {
        let (m, w) = meta(json!({"author": "me", "version": "1.0"}));
        assert!(w.is_empty());
        assert_eq!(m.namespace, None);
        assert_eq!(m.raw, Some(json!({"author": "me", "version": "1.0"})));
    }

    #[test]
    fn deep_text_is_refused_before_parsing() {
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        let err = parse_metadata(&Value::String(deep), 4, 16).expect_err("too deep");
        assert!(matches!(
            err,
            ParseError::TooDeep {
                line: 4,
                depth: 100_001,
                ..
            }
        ));
    }

    #[test]
    fn bracket_depth_ignores_quoted_brackets() {
        assert_eq!(bracket_depth(r#"{"a": "[[[{", "b": [1]}"#), 2);
        assert_eq!(bracket_depth("no brackets"), 0);
    }

    #[test]
    fn os_names() {
        assert_eq!(Os::parse("macOS"), Os::Darwin);
        assert_eq!(Os::parse("windows").as_str(), "win32");
        assert_eq!(
            Os::current().as_str(),
            if cfg!(target_os = "macos") {
                "darwin"
            } else if cfg!(windows) {
                "win32"
            } else {
                std::env::consts::OS
            }
        );
    }

    #[test]
    fn booleans_as_written() {
        assert_eq!(boolean(&json!("Yes")), Some(true));
        assert_eq!(boolean(&json!(0)), Some(false));
        assert_eq!(boolean(&json!("maybe")), None);
    }
}
