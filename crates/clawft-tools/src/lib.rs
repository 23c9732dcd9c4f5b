//! clawft's built-in tools, each an ordinary [`clawft_plugin::Tool`]:
//!
//! | tool | what it does | limits |
//! |---|---|---|
//! | `read_file`, `write_file`, `edit_file`, `list_dir` | workspace files | confined to the workspace; symlink escapes refused; size caps |
//! | `exec` | run a shell command in the workspace | timeout, output cap, deny-list |
//! | `web_fetch` | fetch a URL as text | http(s) only; loopback/private/link-local targets refused after DNS resolution; size cap |
//! | `message` | send a message to a channel | through the host's message sink |
//!
//! Settings come from the `tools` section of the config, one key per tool
//! (`tools.exec.timeout_secs`, ...); see each tool's config type for fields and defaults.

pub mod confine;
pub mod exec;
pub mod files;
pub mod message;
pub mod net_guard;
pub mod web_fetch;

use std::collections::BTreeMap;
use std::sync::Arc;

use clawft_plugin::Tool;
use serde_json::Value;

/// Why the `tools` config could not be used.
#[derive(Debug, thiserror::Error)]
#[error("invalid config at `tools.{tool}`: {message}")]
pub struct ToolConfigError {
    /// Tool name.
    pub tool: String,
    /// What is wrong.
    pub message: String,
}

fn section<T: serde::de::DeserializeOwned + Default>(
    config: &BTreeMap<String, Value>,
    tool: &str,
) -> Result<T, ToolConfigError> {
    match config.get(tool) {
        None => Ok(T::default()),
        Some(value) => serde_json::from_value(value.clone()).map_err(|err| ToolConfigError {
            tool: tool.to_owned(),
            message: err.to_string(),
        }),
    }
}

/// Every built-in tool that is enabled in `config` (the `tools` section).
pub fn builtin_tools(
    config: &BTreeMap<String, Value>,
) -> Result<Vec<Arc<dyn Tool>>, ToolConfigError> {
    for key in config.keys() {
        if !["files", "exec", "web_fetch", "message"].contains(&key.as_str()) {
            return Err(ToolConfigError {
                tool: key.clone(),
                message: "unknown tool section; known: files, exec, web_fetch, message".into(),
            });
        }
    }
    let files: files::FilesConfig = section(config, "files")?;
    let exec: exec::ExecConfig = section(config, "exec")?;
    let web: web_fetch::WebFetchConfig = section(config, "web_fetch")?;
    let mut tools: Vec<Arc<dyn Tool>> = Vec::new();
    if files.enabled {
        tools.push(Arc::new(files::ReadFile::new(files.clone())));
        tools.push(Arc::new(files::WriteFile::new(files.clone())));
        tools.push(Arc::new(files::EditFile::new(files.clone())));
        tools.push(Arc::new(files::ListDir::new(files)));
    }
    if exec.enabled {
        tools.push(Arc::new(exec::Exec::new(exec)));
    }
    if web.enabled {
        tools.push(Arc::new(web_fetch::WebFetch::new(web)));
    }
    tools.push(Arc::new(message::Message));
    Ok(tools)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn all_tools_by_default_with_unique_valid_names_and_object_schemas() {
        let tools = builtin_tools(&BTreeMap::new()).unwrap();
        let mut names: Vec<String> = tools.iter().map(|t| t.spec().name).collect();
        names.sort();
        assert_eq!(
            names,
            [
                "edit_file",
                "exec",
                "list_dir",
                "message",
                "read_file",
                "web_fetch",
                "write_file"
            ]
        );
        for tool in &tools {
            let spec = tool.spec();
            assert_eq!(spec.parameters["type"], "object", "{}", spec.name);
            assert!(spec.parameters["properties"].is_object(), "{}", spec.name);
            assert!(
                spec.description.len() > 20,
                "{} needs a real description",
                spec.name
            );
        }
    }

    #[test]
    fn sections_disable_tools_and_typos_are_caught() {
        let config = BTreeMap::from([("exec".to_owned(), json!({"enabled": false}))]);
        let names: Vec<String> = builtin_tools(&config)
            .unwrap()
            .iter()
            .map(|t| t.spec().name)
            .collect();
        assert!(!names.contains(&"exec".to_owned()));
        let bad = BTreeMap::from([("exec".to_owned(), json!({"timeout": 5}))]);
        let err = builtin_tools(&bad)
            .err()
            .expect("unknown field")
            .to_string();
        assert!(
            err.contains("tools.exec") && err.contains("timeout"),
            "{err}"
        );
        let bad = BTreeMap::from([("exce".to_owned(), json!({}))]);
        assert!(builtin_tools(&bad).is_err());
    }
}
