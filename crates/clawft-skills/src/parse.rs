//! [`parse_skill_md`]: frontmatter keys to typed [`SkillDoc`] fields (OpenClaw and Agent
//! Skills semantics). Unknown keys are kept; what had to be guessed (a name that differs
//! from its folder, invalid YAML read leniently, ignored values) becomes a warning, and
//! only a missing frontmatter or `description` is an error.

use std::path::Path;

use serde_json::{Map, Value};

use crate::error::ParseError;
use crate::format::{
    Diagnostic, ParsedSkill, SPEC_MAX_COMPATIBILITY_CHARS, SPEC_MAX_DESCRIPTION_CHARS, SkillDoc,
};
use crate::frontmatter::{
    FRONTMATTER_FIRST_LINE, Frontmatter, FrontmatterSource, normalize_text, parse_frontmatter,
    split_frontmatter,
};
use crate::limits::SkillLimits;
use crate::metadata::{SkillMetadata, boolean, parse_metadata, text};

/// Splits `allowed-tools` written as a string: on commas and whitespace outside
/// parentheses (`Bash(git add:*) Read, Write`), dropping YAML list dashes.
fn split_tools(text: &str) -> Vec<String> {
    let (mut out, mut current, mut depth) = (Vec::new(), String::new(), 0usize);
    let mut flush = |current: &mut String| {
        let token = current.trim();
        if !token.is_empty() && token != "-" {
            out.push(token.to_owned());
        }
        current.clear();
    };
    for c in text.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                flush(&mut current);
                continue;
            }
            c if c.is_whitespace() && depth == 0 => {
                flush(&mut current);
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    flush(&mut current);
    out
}

fn is_spec_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// The frontmatter fields not yet consumed, and the warnings so far.
struct Fields<'a> {
    map: Map<String, Value>,
    frontmatter: &'a Frontmatter,
    warnings: Vec<Diagnostic>,
}

impl Fields<'_> {
    fn line(&self, key: &str) -> Option<usize> {
        self.frontmatter.line_of(key)
    }

    fn warn(&mut self, key: &str, message: String) {
        let line = self.line(key);
        self.warnings.push(Diagnostic { line, message });
    }

    fn take(&mut self, key: &str) -> Option<Value> {
        self.map.remove(key).filter(|v| !v.is_null())
    }

    fn text(&mut self, key: &str) -> Option<String> {
        let value = self.take(key)?;
        let out = text(&value);
        if out.is_none() {
            self.warn(key, format!("ignored `{key}`: expected text"));
        }
        out
    }

    fn flag(&mut self, key: &str, default: bool) -> bool {
        let Some(value) = self.take(key) else {
            return default;
        };
        boolean(&value).unwrap_or_else(|| {
            self.warn(
                key,
                format!("ignored `{key}`: expected true or false; using {default}"),
            );
            default
        })
    }

    fn tools(&mut self) -> Vec<String> {
        match self.take("allowed-tools") {
            None => Vec::new(),
            Some(Value::String(s)) => split_tools(&s),
            Some(Value::Array(items)) => items.iter().filter_map(text).collect(),
            Some(_) => {
                let message = "ignored `allowed-tools`: expected a list or a string";
                self.warn("allowed-tools", message.to_owned());
                Vec::new()
            }
        }
    }

    /// Warns about invalid YAML; returns the detail a missing description should carry.
    fn note_yaml_fallback(&mut self) -> Option<String> {
        let (line, message) = match &self.frontmatter.source {
            FrontmatterSource::Yaml => return None,
            FrontmatterSource::YamlAfterQuotingDescription { line, yaml_error } => {
                let message = format!(
                    "frontmatter is not valid YAML ({yaml_error}); read it by quoting the \
                     `description` value\nhelp: put the description in double quotes"
                );
                self.warnings.push(Diagnostic {
                    line: *line,
                    message,
                });
                return None;
            }
            FrontmatterSource::LineParser { line, yaml_error } => (*line, yaml_error.clone()),
        };
        self.warnings.push(Diagnostic {
            line,
            message: format!(
                "frontmatter is not valid YAML ({message}); read it with the lenient line \
                 parser, so every value is plain text\nhelp: fix the YAML at this line"
            ),
        });
        Some(match line {
            Some(line) => format!("; YAML parsing failed at line {line}: {message}"),
            None => format!("; YAML parsing failed: {message}"),
        })
    }

    fn description(&mut self, yaml_note: Option<String>) -> Result<String, ParseError> {
        let line = self.line("description").unwrap_or(1);
        let description = match self.take("description") {
            Some(value @ (Value::Array(_) | Value::Object(_))) => {
                return Err(ParseError::InvalidField {
                    line,
                    key: "description".into(),
                    reason: format!(
                        "expected text, found {}\nhelp: write `description: \"...\"` on one \
                         line, or use `description: |` followed by indented lines",
                        if value.is_array() { "a list" } else { "a map" }
                    ),
                });
            }
            value => value.as_ref().and_then(text),
        };
        let description = description.ok_or_else(|| ParseError::MissingDescription {
            line,
            detail: yaml_note.unwrap_or_default(),
        })?;
        if description.chars().count() > SPEC_MAX_DESCRIPTION_CHARS {
            self.warn(
                "description",
                format!(
                    "`description` is over the Agent Skills limit of \
                     {SPEC_MAX_DESCRIPTION_CHARS} characters; the catalogue shortens it"
                ),
            );
        }
        Ok(description)
    }

    fn name(&mut self, dir_name: &str) -> String {
        let name = match self.take("name").as_ref().and_then(text) {
            Some(name) => {
                if !dir_name.is_empty() && name != dir_name {
                    self.warn(
                        "name",
                        format!(
                            "`name` is `{name}` but the directory is `{dir_name}`; the skill \
                             is registered as `{name}`"
                        ),
                    );
                }
                name
            }
            None => dir_name.to_owned(),
        };
        if !is_spec_name(&name) {
            self.warn(
                "name",
                format!(
                    "name `{name}` does not follow the Agent Skills rule (1-64 lowercase \
                     letters, digits and hyphens); other Agent Skills tools may refuse it"
                ),
            );
        }
        name
    }

    fn metadata(&mut self, max_depth: usize) -> Result<SkillMetadata, ParseError> {
        let Some(value) = self.take("metadata") else {
            return Ok(SkillMetadata::default());
        };
        let line = self.line("metadata").unwrap_or(1);
        let (meta, notes) = parse_metadata(&value, line, max_depth)?;
        for message in notes {
            self.warnings.push(Diagnostic {
                line: Some(line),
                message,
            });
        }
        Ok(meta)
    }
}

/// Parses the text of a `SKILL.md` found at `path`.
///
/// # Errors
/// No frontmatter, unterminated frontmatter, no `description`, a `description` that is not
/// text, or nesting over `limits.max_yaml_depth`.
pub fn parse_skill_md(
    text_in: &str,
    path: &Path,
    limits: &SkillLimits,
) -> Result<ParsedSkill, ParseError> {
    let normalized = normalize_text(text_in);
    let split = split_frontmatter(&normalized)?;
    let fm = parse_frontmatter(&split.block, FRONTMATTER_FIRST_LINE, limits.max_yaml_depth)?;
    let mut f = Fields {
        map: fm.fields.clone(),
        frontmatter: &fm,
        warnings: Vec::new(),
    };
    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let dir_name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();

    let yaml_note = f.note_yaml_fallback();
    let description = f.description(yaml_note)?;
    let name = f.name(&dir_name);
    let license = f.text("license");
    let compatibility = f.text("compatibility");
    if compatibility
        .as_ref()
        .is_some_and(|c| c.chars().count() > SPEC_MAX_COMPATIBILITY_CHARS)
    {
        let message = format!(
            "`compatibility` is over the Agent Skills limit of {SPEC_MAX_COMPATIBILITY_CHARS} \
             characters"
        );
        f.warn("compatibility", message);
    }
    let homepage = f.text("homepage");
    let version = f.text("version");
    let command_dispatch = f.text("command-dispatch");
    let command_tool = f.text("command-tool");
    if command_dispatch.as_deref() == Some("tool") && command_tool.is_none() {
        let message = "`command-dispatch: tool` without `command-tool`; the slash command goes \
                       to the model instead\nhelp: add `command-tool: <tool name>`";
        f.warn("command-dispatch", message.to_owned());
    }
    let command_arg_mode = f.text("command-arg-mode");
    let argument_hint = f.text("argument-hint");
    let user_invocable = f.flag("user-invocable", true);
    let disable_model_invocation = f.flag("disable-model-invocation", false);
    let allowed_tools = f.tools();
    let metadata = f.metadata(limits.max_yaml_depth)?;
    let homepage = homepage.or_else(|| metadata.homepage.clone());

    Ok(ParsedSkill {
        doc: SkillDoc {
            name,
            description,
            path: path.to_path_buf(),
            dir,
            license,
            compatibility,
            allowed_tools,
            homepage,
            version,
            user_invocable,
            disable_model_invocation,
            command_dispatch,
            command_tool,
            command_arg_mode,
            argument_hint,
            metadata,
            extra: f.map.into_iter().collect(),
            body: split.body,
            body_line: split.body_line,
        },
        warnings: f.warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<ParsedSkill, ParseError> {
        parse_skill_md(
            text,
            Path::new("/skills/my-skill/SKILL.md"),
            &SkillLimits::default(),
        )
    }

    #[test]
    fn full_frontmatter_is_typed() {
        let p = parse(
            "---\nname: my-skill\ndescription: Does things.\nlicense: MIT\nversion: 1.0\n\
             allowed-tools: Bash(git add:*) Read, Write\nuser-invocable: false\n\
             disable-model-invocation: true\ncommand-dispatch: tool\ncommand-tool: tasker\n\
             command-arg-mode: raw\nargument-hint: <task>\nauthor: me\n\
             metadata: {\"openclaw\":{\"emoji\":\"x\",\"homepage\":\"https://h\"}}\n---\n\
             Run {baseDir}/scripts/a.sh\n",
        )
        .expect("valid");
        assert!(p.warnings.is_empty(), "{:?}", p.warnings);
        let d = p.doc;
        assert_eq!(d.name, "my-skill");
        assert_eq!(d.description, "Does things.");
        assert_eq!(d.license.as_deref(), Some("MIT"));
        assert_eq!(d.version.as_deref(), Some("1.0"));
        assert_eq!(d.allowed_tools, ["Bash(git add:*)", "Read", "Write"]);
        assert!(!d.user_invocable);
        assert!(d.disable_model_invocation);
        assert_eq!(d.dispatch_tool(), Some("tasker"));
        assert_eq!(d.command_arg_mode.as_deref(), Some("raw"));
        assert_eq!(d.argument_hint.as_deref(), Some("<task>"));
        assert_eq!(d.extra["author"], "me");
        assert_eq!(d.metadata.emoji.as_deref(), Some("x"));
        assert_eq!(d.homepage.as_deref(), Some("https://h"));
        assert_eq!(d.body_line, 16);
        assert_eq!(d.instructions(), "Run /skills/my-skill/scripts/a.sh\n");
    }

    #[test]
    fn name_defaults_to_directory_and_flags_default() {
        let d = parse("---\ndescription: x\n---\n").expect("valid").doc;
        assert_eq!(d.name, "my-skill");
        assert!(d.user_invocable);
        assert!(!d.disable_model_invocation);
        assert_eq!(d.skill_key(), "my-skill");
    }

    #[test]
    fn name_mismatch_is_a_warning() {
        let p = parse("---\nname: other\ndescription: x\n---\n").expect("valid");
        assert_eq!(p.doc.name, "other");
        assert_eq!(p.warnings.len(), 1);
        assert_eq!(p.warnings[0].line, Some(2));
        assert!(p.warnings[0].message.contains("directory is `my-skill`"));
    }

    #[test]
    fn missing_description_is_an_error_with_line() {
        let err = parse("---\nname: my-skill\n---\nbody").expect_err("no description");
        assert!(matches!(
            err,
            ParseError::MissingDescription { line: 1, .. }
        ));
        let err = parse("---\nname: my-skill\ndescription:\n---\n").expect_err("empty");
        assert_eq!(err.line(), 3);
        let err = parse("---\ndescription: [a]\n---\n").expect_err("list");
        assert!(matches!(err, ParseError::InvalidField { line: 2, .. }));
    }

    #[test]
    fn missing_description_after_yaml_failure_explains_both() {
        let err = parse("---\nname: x\nsummary: a: b\n---\n").expect_err("no description");
        let text = err.to_string();
        assert!(text.contains("YAML parsing failed at line 3"), "{text}");
    }

    #[test]
    fn line_parser_values_become_typed_fields() {
        let p = parse(
            "---\nname: my-skill\ndescription: Use when: x\nuser-invocable: false\n\
             metadata: {\"clawdbot\":{\"requires\":{\"bins\":[\"gh\"]}}\nbad: [\n---\n",
        )
        .expect("valid");
        assert!(!p.doc.user_invocable);
        assert_eq!(p.doc.description, "Use when: x");
        assert!(p.warnings.iter().any(|w| w.message.contains("line parser")));
        // The unbalanced JSON is reported and ignored, not fatal.
        assert!(
            p.warnings
                .iter()
                .any(|w| w.message.starts_with("ignored `metadata`"))
        );
    }

    #[test]
    fn bad_flag_warns_and_keeps_default() {
        let p = parse("---\ndescription: x\nuser-invocable: sometimes\n---\n").expect("valid");
        assert!(p.doc.user_invocable);
        assert!(p.warnings[0].message.contains("user-invocable"));
    }

    #[test]
    fn every_known_key_is_consumed_and_others_kept() {
        let mut text = String::from("---\n");
        for key in crate::format::KNOWN_KEYS {
            text.push_str(&format!("{key}: x\n"));
        }
        text.push_str("triggers: [a]\n---\n");
        let doc = parse(&text).expect("valid").doc;
        assert_eq!(doc.extra.keys().collect::<Vec<_>>(), ["triggers"]);
    }

    #[test]
    fn tools_split_respects_parentheses() {
        assert_eq!(split_tools("- Read\n  - Write"), ["Read", "Write"]);
        assert_eq!(split_tools("Bash(a, b) Grep"), ["Bash(a, b)", "Grep"]);
    }
}
