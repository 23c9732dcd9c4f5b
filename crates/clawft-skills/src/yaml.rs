//! Strict YAML for frontmatter, converted to JSON values (what the rest of the crate
//! works with): tags are dropped and non-string keys become strings.

use serde_json::{Map, Value};

/// Why strict YAML refused a frontmatter block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlFailure {
    /// The 1-based file line of the problem, when YAML reports one.
    pub line: Option<usize>,
    /// The YAML error, without YAML's own (block-relative) position.
    pub message: String,
}

/// Parses a frontmatter block as a YAML mapping. `first_line` is the file line of the
/// block's first line. Empty blocks give an empty map.
///
/// # Errors
/// [`YamlFailure`] when the YAML is invalid or not a mapping.
pub fn parse_yaml(block: &str, first_line: usize) -> Result<Map<String, Value>, YamlFailure> {
    if block.trim().is_empty() {
        return Ok(Map::new());
    }
    match serde_yaml::from_str::<serde_yaml::Value>(block) {
        Ok(serde_yaml::Value::Mapping(map)) => Ok(map
            .into_iter()
            .map(|(k, v)| (yaml_key(k), yaml_to_json(v)))
            .collect()),
        Ok(serde_yaml::Value::Null) => Ok(Map::new()),
        Ok(_) => Err(YamlFailure {
            line: Some(first_line),
            message: "the frontmatter must be a YAML mapping of `key: value` lines".to_owned(),
        }),
        Err(err) => {
            let mut message = err.to_string();
            if let Some(at) = message.find(" at line ") {
                message.truncate(at);
            }
            Err(YamlFailure {
                line: err
                    .location()
                    .map(|l| first_line + l.line().saturating_sub(1)),
                message,
            })
        }
    }
}

fn yaml_key(key: serde_yaml::Value) -> String {
    match key {
        serde_yaml::Value::String(s) => s.trim().to_owned(),
        other => match yaml_to_json(other) {
            Value::String(s) => s,
            v => v.to_string(),
        },
    }
}

/// Converts a YAML value to JSON; tags are dropped, non-string keys become strings.
pub fn yaml_to_json(value: serde_yaml::Value) -> Value {
    use serde_yaml::Value as Y;
    match value {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::from(i)
            } else if let Some(u) = n.as_u64() {
                Value::from(u)
            } else {
                n.as_f64()
                    .and_then(serde_json::Number::from_f64)
                    .map_or_else(|| Value::String(n.to_string()), Value::Number)
            }
        }
        Y::String(s) => Value::String(s),
        Y::Sequence(seq) => Value::Array(seq.into_iter().map(yaml_to_json).collect()),
        Y::Mapping(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| (yaml_key(k), yaml_to_json(v)))
                .collect(),
        ),
        Y::Tagged(tagged) => yaml_to_json(tagged.value),
    }
}

/// Nesting depth of a value: scalars 0, a list or map 1 + its deepest child.
pub fn value_depth(value: &Value) -> usize {
    match value {
        Value::Array(items) => 1 + items.iter().map(value_depth).max().unwrap_or(0),
        Value::Object(map) => 1 + map.values().map(value_depth).max().unwrap_or(0),
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn mapping_converts_with_string_keys() {
        let map = parse_yaml("a: 1\n2: [x, {b: true}]\nf: 1.5\nt: !tag v\n", 2).expect("valid");
        assert_eq!(
            Value::Object(map),
            json!({"a": 1, "2": ["x", {"b": true}], "f": 1.5, "t": "v"})
        );
    }

    #[test]
    fn errors_are_placed_in_the_file() {
        let err = parse_yaml("a: 1\nb: c: d\n", 2).expect_err("invalid");
        assert_eq!(err.line, Some(3));
        assert!(!err.message.contains(" at line "), "{}", err.message);
        let err = parse_yaml("- just\n- a list\n", 2).expect_err("not a map");
        assert!(err.message.contains("mapping"));
        assert_eq!(parse_yaml("  \n", 2).expect("empty"), Map::new());
    }

    #[test]
    fn depth_counts_containers() {
        assert_eq!(value_depth(&json!("x")), 0);
        assert_eq!(value_depth(&json!({"a": [1, {"b": []}]})), 4);
    }
}
