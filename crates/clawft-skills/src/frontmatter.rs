//! Splitting a `SKILL.md` into frontmatter and body, and reading the frontmatter the way
//! OpenClaw does, so the sloppy files real users publish still load.
//!
//! The block between the first line `---` and the next line `---` is parsed twice: as
//! YAML, and with a line parser (`key: value` at column 0, an empty value followed by
//! indented continuation lines, surrounding quotes stripped). When YAML fails (most often
//! an unquoted `description:` containing `": "`), the raw description is quoted and YAML is
//! tried once more; if that fails too the line parser's result is used. When YAML succeeds,
//! a structured value (map or list) whose raw inline text contains `:` is replaced by the
//! line parser's raw string (single-line JSON such as `metadata: {"clawdbot": ...}`), and
//! keys only the line parser saw are added.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use crate::error::ParseError;
use crate::yaml::{parse_yaml, value_depth};

/// Line of the file where the frontmatter block starts (the line after the opening `---`).
pub const FRONTMATTER_FIRST_LINE: usize = 2;

/// Strips a leading UTF-8 byte-order mark and turns CRLF and lone CR line ends into LF.
pub fn normalize_text(text: &str) -> String {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.contains('\r') {
        text.replace("\r\n", "\n").replace('\r', "\n")
    } else {
        text.to_owned()
    }
}

/// A normalised `SKILL.md` cut into its frontmatter block and its body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitDocument {
    /// The text between the fences (starts at [`FRONTMATTER_FIRST_LINE`]).
    pub block: String,
    /// Everything after the closing fence line.
    pub body: String,
    /// The 1-based line where the body starts.
    pub body_line: usize,
}

fn is_fence(line: &str) -> bool {
    line.strip_prefix("---")
        .is_some_and(|rest| rest.chars().all(|c| c == ' ' || c == '\t'))
}

/// Cuts normalised text (see [`normalize_text`]) at the frontmatter fences.
///
/// # Errors
/// [`ParseError::NoFrontmatter`] when the first line is not `---`;
/// [`ParseError::UnterminatedFrontmatter`] when no later line is `---`.
pub fn split_frontmatter(normalized: &str) -> Result<SplitDocument, ParseError> {
    let mut lines = normalized.split_inclusive('\n');
    let first = lines.next().ok_or(ParseError::NoFrontmatter)?;
    if !is_fence(first.trim_end_matches('\n')) {
        return Err(ParseError::NoFrontmatter);
    }
    let block_start = first.len();
    let mut offset = block_start;
    let mut line_no = 1;
    for line in lines {
        line_no += 1;
        if is_fence(line.trim_end_matches('\n')) {
            return Ok(SplitDocument {
                block: normalized[block_start..offset].to_owned(),
                body: normalized[offset + line.len()..].to_owned(),
                body_line: line_no + 1,
            });
        }
        offset += line.len();
    }
    Err(ParseError::UnterminatedFrontmatter { line: 1 })
}

/// One top-level `key: value` line found by the line parser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineEntry {
    /// The key (`[A-Za-z0-9_-]+`).
    pub key: String,
    /// The value: the inline text with surrounding quotes stripped, or the indented
    /// continuation lines joined when the inline text is empty. May be empty.
    pub value: String,
    /// The raw inline text after `key:`, trimmed.
    pub inline: String,
    /// 1-based line of the key in the file.
    pub line: usize,
}

fn split_key_line(line: &str) -> Option<(&str, &str)> {
    let end = line
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
        .filter(|&end| end > 0)?;
    let rest = line[end..].strip_prefix(':')?;
    Some((&line[..end], rest))
}

/// Removes one pair of matching surrounding `"` or `'`.
pub fn strip_quotes(value: &str) -> &str {
    let bytes = value.as_bytes();
    match (bytes.first(), bytes.last()) {
        (Some(&a), Some(&b)) if bytes.len() >= 2 && a == b && (a == b'"' || a == b'\'') => {
            &value[1..value.len() - 1]
        }
        _ => value,
    }
}

/// OpenClaw's line parser. `first_line` is the file line of the block's first line.
pub fn parse_lines(block: &str, first_line: usize) -> Vec<LineEntry> {
    let lines: Vec<&str> = block.split('\n').collect();
    let indented = |l: &str| l.starts_with([' ', '\t']);
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let Some((key, raw)) = split_key_line(lines[i]) else {
            i += 1;
            continue;
        };
        let start = i;
        let inline = raw.trim();
        let value = if inline.is_empty() && lines.get(i + 1).is_some_and(|l| indented(l)) {
            let mut parts = Vec::new();
            while let Some(next) = lines.get(i + 1) {
                if !next.is_empty() && !indented(next) {
                    break;
                }
                parts.push(*next);
                i += 1;
            }
            parts.join("\n").trim().to_owned()
        } else {
            strip_quotes(inline).to_owned()
        };
        out.push(LineEntry {
            key: key.to_owned(),
            value,
            inline: inline.to_owned(),
            line: first_line + start,
        });
        i += 1;
    }
    out
}

/// How the frontmatter was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FrontmatterSource {
    /// Strict YAML succeeded.
    Yaml,
    /// YAML failed, then succeeded once the raw `description` value was quoted.
    YamlAfterQuotingDescription {
        /// Where the first YAML attempt failed.
        line: Option<usize>,
        /// The YAML error.
        yaml_error: String,
    },
    /// YAML failed; only the line parser's string values are used.
    LineParser {
        /// Where YAML failed.
        line: Option<usize>,
        /// The YAML error.
        yaml_error: String,
    },
}

/// The merged frontmatter.
#[derive(Debug, Clone, PartialEq)]
pub struct Frontmatter {
    /// Top-level keys and values (YAML-typed, or strings from the line parser).
    pub fields: Map<String, Value>,
    /// 1-based file line of each top-level key the line parser saw.
    pub key_lines: BTreeMap<String, usize>,
    /// Which parser produced `fields`.
    pub source: FrontmatterSource,
}

impl Frontmatter {
    /// The file line of `key`, if it was seen.
    pub fn line_of(&self, key: &str) -> Option<usize> {
        self.key_lines.get(key).copied()
    }
}

fn is_block_scalar_indicator(raw: &str) -> bool {
    let mut chars = raw.chars();
    if !matches!(chars.next(), Some('|' | '>')) {
        return false;
    }
    let rest: Vec<char> = chars.collect();
    match rest.as_slice() {
        [] => true,
        [a] => (a.is_ascii_digit() && *a != '0') || *a == '+' || *a == '-',
        [a, b] => {
            (a.is_ascii_digit() && *a != '0' && (*b == '+' || *b == '-'))
                || ((*a == '+' || *a == '-') && b.is_ascii_digit() && *b != '0')
        }
        _ => false,
    }
}

/// Rewrites the first top-level `description:` line with its raw value JSON-quoted, the
/// recovery OpenClaw tries before falling back to the line parser.
fn quote_description(block: &str) -> Option<String> {
    let mut lines: Vec<String> = block.split('\n').map(str::to_owned).collect();
    for line in &mut lines {
        let Some(rest) = ["description:", "\"description\":", "'description':"]
            .iter()
            .find_map(|prefix| line.strip_prefix(prefix))
        else {
            continue;
        };
        let raw = rest.trim();
        if raw.is_empty() || is_block_scalar_indicator(raw) {
            return None;
        }
        let quoted = serde_json::to_string(strip_quotes(raw)).ok()?;
        *line = format!("description: {quoted}");
        let rewritten = lines.join("\n");
        return (rewritten != block).then_some(rewritten);
    }
    None
}

/// Parses a frontmatter block (see the module doc for the rules).
///
/// `first_line` is the file line of the block's first line (normally
/// [`FRONTMATTER_FIRST_LINE`]).
///
/// # Errors
/// [`ParseError::TooDeep`] when a YAML value nests deeper than `max_depth` levels.
pub fn parse_frontmatter(
    block: &str,
    first_line: usize,
    max_depth: usize,
) -> Result<Frontmatter, ParseError> {
    let mut line_values = Map::new();
    let mut key_lines = BTreeMap::new();
    let mut inline_colon = BTreeSet::new();
    for entry in parse_lines(block, first_line) {
        key_lines.insert(entry.key.clone(), entry.line);
        if entry.inline.contains(':') {
            inline_colon.insert(entry.key.clone());
        }
        if !entry.value.is_empty() {
            line_values.insert(entry.key, Value::String(entry.value));
        }
    }

    let (yaml, source) = match parse_yaml(block, first_line) {
        Ok(map) => (Some(map), FrontmatterSource::Yaml),
        Err(failure) => {
            let retried = quote_description(block).and_then(|b| parse_yaml(&b, first_line).ok());
            match retried {
                Some(map) => (
                    Some(map),
                    FrontmatterSource::YamlAfterQuotingDescription {
                        line: failure.line,
                        yaml_error: failure.message,
                    },
                ),
                None => (
                    None,
                    FrontmatterSource::LineParser {
                        line: failure.line,
                        yaml_error: failure.message,
                    },
                ),
            }
        }
    };

    let Some(yaml) = yaml else {
        return Ok(Frontmatter {
            fields: line_values,
            key_lines,
            source,
        });
    };
    let mut fields = Map::new();
    for (key, value) in yaml {
        if key.is_empty() || value.is_null() {
            continue;
        }
        let depth = 1 + value_depth(&value);
        if depth > max_depth {
            return Err(ParseError::TooDeep {
                line: key_lines.get(&key).copied().unwrap_or(first_line),
                key,
                depth,
                limit: max_depth,
            });
        }
        let structured = value.is_object() || value.is_array();
        let value = match value {
            _ if structured && inline_colon.contains(&key) => {
                line_values.get(&key).cloned().unwrap_or(value)
            }
            Value::String(s) => Value::String(s.trim().to_owned()),
            other => other,
        };
        fields.insert(key, value);
    }
    for (key, value) in line_values {
        fields.entry(key).or_insert(value);
    }
    Ok(Frontmatter {
        fields,
        key_lines,
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(block: &str) -> Frontmatter {
        parse_frontmatter(block, FRONTMATTER_FIRST_LINE, 16).expect("parses")
    }

    #[test]
    fn normalize_strips_bom_and_crlf() {
        assert_eq!(
            normalize_text("\u{feff}---\r\na: b\r\n---\r"),
            "---\na: b\n---\n"
        );
        assert_eq!(normalize_text("plain\n"), "plain\n");
    }

    #[test]
    fn split_finds_block_and_body() {
        let doc = split_frontmatter("---\nname: x\n---\n# Body\n").expect("split");
        assert_eq!(doc.block, "name: x\n");
        assert_eq!(doc.body, "# Body\n");
        assert_eq!(doc.body_line, 4);
    }

    #[test]
    fn split_accepts_trailing_spaces_and_eof_fence() {
        let doc = split_frontmatter("--- \nname: x\n---").expect("split");
        assert_eq!(doc.block, "name: x\n");
        assert_eq!(doc.body, "");
    }

    #[test]
    fn split_reports_missing_and_unterminated() {
        assert_eq!(
            split_frontmatter("# Title\n"),
            Err(ParseError::NoFrontmatter)
        );
        assert_eq!(split_frontmatter(""), Err(ParseError::NoFrontmatter));
        assert_eq!(
            split_frontmatter("---\nname: x\n"),
            Err(ParseError::UnterminatedFrontmatter { line: 1 })
        );
        // `----` is not a fence.
        assert!(split_frontmatter("---\na: b\n----\n").is_err());
    }

    #[test]
    fn line_parser_strips_quotes_and_joins_continuations() {
        let entries = parse_lines(
            "name: 'x'\nmetadata:\n  { \"a\": 1,\n\n  }\nother: \"q\"\n",
            2,
        );
        assert_eq!(entries[0].value, "x");
        assert_eq!(entries[0].line, 2);
        assert_eq!(entries[1].key, "metadata");
        assert_eq!(entries[1].value, "{ \"a\": 1,\n\n  }");
        assert_eq!(entries[1].line, 3);
        assert_eq!(entries[2].value, "q");
        assert_eq!(entries[2].line, 7);
    }

    #[test]
    fn strip_quotes_needs_a_matching_pair() {
        assert_eq!(strip_quotes("\"a\""), "a");
        assert_eq!(strip_quotes("'a\""), "'a\"");
        assert_eq!(strip_quotes("\""), "\"");
    }

    #[test]
    fn yaml_values_are_typed() {
        let fm = parse(
            "name: x\nuser-invocable: false\nversion: 1.2\ndescription: |\n  Multi\n  line\n",
        );
        assert_eq!(fm.source, FrontmatterSource::Yaml);
        assert_eq!(fm.fields["user-invocable"], Value::Bool(false));
        assert_eq!(
            fm.fields["description"],
            Value::String("Multi\nline".into())
        );
        assert_eq!(fm.line_of("description"), Some(5));
    }

    #[test]
    fn unquoted_colon_description_is_recovered_by_quoting() {
        let fm = parse("name: x\ndescription: Use when: you need it\nuser-invocable: false\n");
        assert!(matches!(
            fm.source,
            FrontmatterSource::YamlAfterQuotingDescription { line: Some(3), .. }
        ));
        assert_eq!(fm.fields["description"], "Use when: you need it");
        assert_eq!(fm.fields["user-invocable"], Value::Bool(false));
    }

    #[test]
    fn broken_yaml_falls_back_to_line_parser() {
        let fm = parse("name: x\ndescription: ok\nmetadata: {\"a\": {\"b\": 1}\n");
        match &fm.source {
            FrontmatterSource::LineParser { line, yaml_error } => {
                assert!(line.is_some());
                assert!(!yaml_error.contains(" at line "));
            }
            other => panic!("expected the line parser, got {other:?}"),
        }
        assert_eq!(fm.fields["description"], "ok");
        assert_eq!(fm.fields["metadata"], "{\"a\": {\"b\": 1}");
    }

    #[test]
    fn structured_value_with_inline_colon_prefers_raw_line() {
        let fm =
            parse("description: d\nmetadata: {\"clawdbot\":{\"emoji\":\"x\"}}\ntags: [a, b]\n");
        assert_eq!(fm.source, FrontmatterSource::Yaml);
        assert_eq!(fm.fields["metadata"], "{\"clawdbot\":{\"emoji\":\"x\"}}");
        // No colon in the raw inline text: YAML's list wins.
        assert_eq!(fm.fields["tags"], serde_json::json!(["a", "b"]));
    }

    #[test]
    fn bracketed_description_with_colon_keeps_the_raw_text() {
        let fm = parse("description: [Beta]: does x\n");
        assert_ne!(fm.source, FrontmatterSource::Yaml);
        assert_eq!(fm.fields["description"], "[Beta]: does x");
    }

    #[test]
    fn multi_line_json5_block_stays_yaml_typed() {
        let fm = parse(
            "description: d\nmetadata:\n  {\n    \"openclaw\": { \"emoji\": \"x\", },\n  }\n",
        );
        assert_eq!(fm.fields["metadata"]["openclaw"]["emoji"], "x");
    }

    #[test]
    fn too_deep_names_key_and_line() {
        let err = parse_frontmatter("description: d\nx: [[[[1]]]]\n", 2, 4).expect_err("too deep");
        assert_eq!(
            err,
            ParseError::TooDeep {
                line: 3,
                key: "x".into(),
                depth: 5,
                limit: 4
            }
        );
    }

    #[test]
    fn non_mapping_yaml_uses_line_parser() {
        let fm = parse("just a sentence\n");
        assert!(matches!(fm.source, FrontmatterSource::LineParser { .. }));
        assert!(fm.fields.is_empty());
    }

    #[test]
    fn block_scalar_indicators() {
        for ok in ["|", ">", "|-", ">+", "|2", "|2-", ">-1"] {
            assert!(is_block_scalar_indicator(ok), "{ok}");
        }
        for no in ["|0", "text", "|ab", ">--"] {
            assert!(!is_block_scalar_indicator(no), "{no}");
        }
    }
}
