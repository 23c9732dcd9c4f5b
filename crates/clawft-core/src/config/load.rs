//! Reading, merging and checking config files.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use super::paths::{Paths, find_config_file};
use super::secret::find_literal_secrets;
use super::{Config, ConfigError};

/// The effective configuration and where it came from.
#[derive(Debug, Clone)]
pub struct LoadedConfig {
    /// The typed, merged config.
    pub config: Config,
    /// State directories.
    pub paths: Paths,
    /// The workspace directory (absolute).
    pub workspace: PathBuf,
    /// Files that were merged, lowest precedence first.
    pub files: Vec<PathBuf>,
    /// The merged document, for `weft config show`.
    pub merged: Value,
}

/// Load config using `CLAWFT_HOME` and `CLAWFT_WORKSPACE` from the environment.
pub fn load() -> Result<LoadedConfig, ConfigError> {
    load_from(Paths::from_env(), None)
}

/// Load config from `paths`; `workspace` (e.g. a `--workspace` flag) beats the config's.
pub fn load_from(paths: Paths, workspace: Option<PathBuf>) -> Result<LoadedConfig, ConfigError> {
    let mut files = Vec::new();
    let mut merged = Value::Object(Map::new());

    if let Some(global) = find_config_file(&paths.home) {
        merge(&mut merged, read_document(&global)?);
        files.push(global);
    }

    let workspace = std::env::var_os("CLAWFT_WORKSPACE")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or(workspace)
        .or_else(|| {
            merged
                .get("workspace")
                .and_then(Value::as_str)
                .map(expand_home)
        })
        .unwrap_or_else(|| paths.default_workspace());
    let workspace = absolute(&workspace);

    if let Some(project) = find_config_file(&workspace.join(".clawft"))
        && !files.contains(&project)
    {
        merge(&mut merged, read_document(&project)?);
        files.push(project);
    }

    apply_env_overrides(&mut merged, std::env::vars());

    let file_list = if files.is_empty() {
        "defaults (no config file)".to_owned()
    } else {
        files
            .iter()
            .map(|f| format!("`{}`", f.display()))
            .collect::<Vec<_>>()
            .join(" + ")
    };
    let config: Config = serde_path_to_error::deserialize(merged.clone()).map_err(|err| {
        let key = err.path().to_string();
        ConfigError::Invalid {
            files: file_list.clone(),
            key: if key == "." {
                "(top level)".into()
            } else {
                key
            },
            message: err.into_inner().to_string(),
        }
    })?;

    if let Some(unknown) = config
        .sections
        .keys()
        .find(|k| !super::KNOWN_SECTIONS.contains(&k.as_str()))
    {
        let mut known: Vec<&str> = vec![
            "workspace",
            "agent",
            "providers",
            "tools",
            "personality",
            "channels",
            "plugins",
        ];
        known.extend_from_slice(super::KNOWN_SECTIONS);
        let hint = crate::suggest::did_you_mean(unknown, known.iter().copied())
            .unwrap_or_else(|| format!("; known sections: {}", known.join(", ")));
        return Err(ConfigError::Invalid {
            files: file_list,
            key: unknown.clone(),
            message: format!("unknown section{hint}"),
        });
    }

    Ok(LoadedConfig {
        config,
        paths,
        workspace,
        files,
        merged,
    })
}

/// Parse one config file and refuse literal secrets in it.
fn read_document(path: &Path) -> Result<Value, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Io {
        path: path.to_owned(),
        source,
    })?;
    let is_yaml = matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml")
    );
    let value: Value = if text.trim().is_empty() {
        Value::Object(Map::new())
    } else if is_yaml {
        serde_yaml::from_str(&text).map_err(|err| ConfigError::Syntax {
            path: path.to_owned(),
            location: err
                .location()
                .map(|l| format!(" (line {}, column {})", l.line(), l.column()))
                .unwrap_or_default(),
            message: err.to_string(),
        })?
    } else {
        serde_json::from_str(&text).map_err(|err| ConfigError::Syntax {
            path: path.to_owned(),
            location: format!(" (line {}, column {})", err.line(), err.column()),
            message: err.to_string(),
        })?
    };
    if let Some(key) = find_literal_secrets(&value).into_iter().next() {
        let leaf = key
            .rsplit('.')
            .next()
            .unwrap_or(&key)
            .trim_end_matches(']')
            .to_owned();
        let env = format!(
            "CLAWFT_{}",
            key.replace(['.', '[', ']', '-'], "_").to_ascii_uppercase()
        )
        .replace("__", "_")
        .trim_end_matches('_')
        .to_owned();
        return Err(ConfigError::LiteralSecret {
            path: path.to_owned(),
            key,
            leaf,
            env,
        });
    }
    Ok(value)
}

/// Deep-merge `over` into `base`: objects merge key by key, anything else replaces.
pub(crate) fn merge(base: &mut Value, over: Value) {
    match (base, over) {
        (Value::Object(base), Value::Object(over)) => {
            for (key, value) in over {
                match base.get_mut(&key) {
                    Some(existing) => merge(existing, value),
                    None => {
                        base.insert(key, value);
                    }
                }
            }
        }
        (base, over) => *base = over,
    }
}

/// `CLAWFT_MODEL=x` sets `agent.model`; `CLAWFT__AGENT__MAX_ITERATIONS=5` sets
/// `agent.max_iterations` (values parse as JSON where they can, else as strings).
fn apply_env_overrides(doc: &mut Value, vars: impl Iterator<Item = (String, String)>) {
    for (name, value) in vars {
        if name == "CLAWFT_MODEL" && !value.is_empty() {
            set_path(doc, &["agent", "model"], Value::String(value));
        } else if let Some(path) = name.strip_prefix("CLAWFT__") {
            let keys: Vec<String> = path.split("__").map(str::to_ascii_lowercase).collect();
            if keys.iter().any(String::is_empty) {
                continue;
            }
            let parsed = serde_json::from_str(&value).unwrap_or(Value::String(value));
            let refs: Vec<&str> = keys.iter().map(String::as_str).collect();
            set_path(doc, &refs, parsed);
        }
    }
}

fn set_path(doc: &mut Value, keys: &[&str], value: Value) {
    let mut cur = doc;
    for key in &keys[..keys.len() - 1] {
        if !cur.is_object() {
            *cur = Value::Object(Map::new());
        }
        cur = cur
            .as_object_mut()
            .map(|m| {
                m.entry(key.to_string())
                    .or_insert_with(|| Value::Object(Map::new()))
            })
            .expect("just made an object");
    }
    if !cur.is_object() {
        *cur = Value::Object(Map::new());
    }
    if let Some(map) = cur.as_object_mut() {
        map.insert(keys[keys.len() - 1].to_owned(), value);
    }
}

/// `~/x` → `$HOME/x`.
pub fn expand_home(raw: &str) -> PathBuf {
    match raw.strip_prefix("~/") {
        Some(rest) => directories::BaseDirs::new()
            .map(|b| b.home_dir().join(rest))
            .unwrap_or_else(|| PathBuf::from(raw)),
        None => PathBuf::from(raw),
    }
}

fn absolute(path: &Path) -> PathBuf {
    if path.is_absolute() {
        path.to_owned()
    } else {
        std::env::current_dir()
            .map(|d| d.join(path))
            .unwrap_or_else(|_| path.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn merge_is_deep_and_project_wins() {
        let mut base = json!({"agent": {"model": "a", "max_iterations": 3}, "tools": {"exec": {"timeout_secs": 5}}});
        merge(
            &mut base,
            json!({"agent": {"model": "b"}, "tools": {"exec": {"enabled": false}}}),
        );
        assert_eq!(
            base,
            json!({"agent": {"model": "b", "max_iterations": 3}, "tools": {"exec": {"timeout_secs": 5, "enabled": false}}})
        );
    }

    #[test]
    fn env_overrides_set_nested_keys() {
        let mut doc = json!({"agent": {"model": "a"}});
        let vars = [
            ("CLAWFT_MODEL".to_owned(), "m2".to_owned()),
            ("CLAWFT__AGENT__MAX_ITERATIONS".to_owned(), "7".to_owned()),
            (
                "CLAWFT__TOOLS__EXEC__ENABLED".to_owned(),
                "false".to_owned(),
            ),
            ("UNRELATED".to_owned(), "x".to_owned()),
        ];
        apply_env_overrides(&mut doc, vars.into_iter());
        assert_eq!(doc["agent"]["model"], "m2");
        assert_eq!(doc["agent"]["max_iterations"], 7);
        assert_eq!(doc["tools"]["exec"]["enabled"], false);
    }

    #[test]
    fn global_and_project_files_merge_and_yaml_works() {
        let home = tempfile::tempdir().unwrap();
        let ws = tempfile::tempdir().unwrap();
        std::fs::write(
            home.path().join("config.json"),
            r#"{"agent": {"model": "global", "max_iterations": 4}}"#,
        )
        .unwrap();
        std::fs::create_dir_all(ws.path().join(".clawft")).unwrap();
        std::fs::write(
            ws.path().join(".clawft/config.yaml"),
            "agent:\n  model: project\n",
        )
        .unwrap();
        let loaded = load_from(Paths::at(home.path()), Some(ws.path().to_owned())).unwrap();
        assert_eq!(loaded.config.agent.model.as_deref(), Some("project"));
        assert_eq!(loaded.config.agent.max_iterations, 4);
        assert_eq!(loaded.files.len(), 2);
    }

    #[test]
    fn literal_secret_is_refused_with_the_fix() {
        let home = tempfile::tempdir().unwrap();
        std::fs::write(
            home.path().join("config.json"),
            r#"{"providers": {"openai": {"api_key": "sk-123"}}}"#,
        )
        .unwrap();
        let err = load_from(Paths::at(home.path()), Some(home.path().into()))
            .unwrap_err()
            .to_string();
        assert!(err.contains("`providers.openai.api_key`"), "{err}");
        assert!(err.contains("literal secret"), "{err}");
        assert!(
            err.contains(r#""api_key": {"env": "CLAWFT_PROVIDERS_OPENAI_API_KEY"}"#),
            "{err}"
        );
        assert!(
            !err.contains("sk-123"),
            "the secret must not be echoed: {err}"
        );
    }

    #[test]
    fn bad_key_names_file_and_path() {
        let home = tempfile::tempdir().unwrap();
        std::fs::write(
            home.path().join("config.json"),
            r#"{"agent": {"max_iteration": 4}}"#,
        )
        .unwrap();
        let err = load_from(Paths::at(home.path()), Some(home.path().into()))
            .unwrap_err()
            .to_string();
        assert!(err.contains("config.json"), "{err}");
        assert!(
            err.contains("agent.max_iteration") || err.contains("`agent`"),
            "{err}"
        );
        assert!(err.contains("unknown field `max_iteration`"), "{err}");
    }

    #[test]
    fn syntax_error_has_line() {
        let home = tempfile::tempdir().unwrap();
        std::fs::write(home.path().join("config.json"), "{\n  \"agent\": ,\n}").unwrap();
        let err = load_from(Paths::at(home.path()), Some(home.path().into()))
            .unwrap_err()
            .to_string();
        assert!(err.contains("line 2"), "{err}");
    }
}
