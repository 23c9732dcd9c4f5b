//! The one registry of tools: an immutable snapshot swapped atomically, so the agent, slash
//! commands and the MCP server read the same set and a running turn keeps the set it began with.

use std::collections::BTreeMap;
use std::sync::Arc;

use arc_swap::ArcSwap;
use clawft_plugin::{Tool, ToolSpec};

/// An immutable set of tools.
#[derive(Default)]
pub struct ToolSet {
    tools: BTreeMap<String, Arc<dyn Tool>>,
    version: u64,
}

impl ToolSet {
    /// Look up a tool by name.
    pub fn get(&self, name: &str) -> Option<&Arc<dyn Tool>> {
        self.tools.get(name)
    }

    /// Specs of every tool, sorted by name.
    pub fn specs(&self) -> Vec<ToolSpec> {
        self.tools.values().map(|t| t.spec()).collect()
    }

    /// Tool names, sorted.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.tools.keys().map(String::as_str)
    }

    /// Number of tools.
    pub fn len(&self) -> usize {
        self.tools.len()
    }

    /// Whether there are no tools.
    pub fn is_empty(&self) -> bool {
        self.tools.is_empty()
    }

    /// The registry version this set was published as.
    pub fn version(&self) -> u64 {
        self.version
    }
}

/// Why a tool could not be registered.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum RegistryError {
    /// Another tool already has the name.
    #[error("a tool named `{0}` is already registered")]
    Duplicate(String),
    /// The name is not usable by LLM APIs.
    #[error("tool name `{0}` is invalid: use 1-64 characters from a-z, A-Z, 0-9, `_`, `-`")]
    InvalidName(String),
    /// The parameter schema is not a JSON object schema.
    #[error(
        "tool `{0}` has a parameter schema that is not an object schema (`{{\"type\": \"object\", ...}}`)"
    )]
    InvalidSchema(String),
}

/// The shared tool registry.
#[derive(Default)]
pub struct ToolRegistry {
    current: ArcSwap<ToolSet>,
    /// Serialises writers so concurrent registrations are not lost.
    write_lock: std::sync::Mutex<()>,
}

impl ToolRegistry {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// The current set. Hold the `Arc` for the duration of a turn.
    pub fn snapshot(&self) -> Arc<ToolSet> {
        self.current.load_full()
    }

    /// Add a tool, checking its name and schema.
    pub fn register(&self, tool: Arc<dyn Tool>) -> Result<(), RegistryError> {
        self.replace(&[], vec![tool])
    }

    /// Swap a group of tools in one new version (e.g. a remote MCP server's tools after
    /// its list changed): the tools named in `remove` go, `tools` come in. Nothing
    /// changes when a new tool is invalid or its name is taken by a tool that stays.
    pub fn replace(
        &self,
        remove: &[String],
        tools: Vec<Arc<dyn Tool>>,
    ) -> Result<(), RegistryError> {
        self.update(|current| {
            for name in remove {
                current.remove(name);
            }
            for tool in tools {
                let spec = tool.spec();
                validate(&spec)?;
                if current.contains_key(&spec.name) {
                    return Err(RegistryError::Duplicate(spec.name));
                }
                current.insert(spec.name, tool);
            }
            Ok(())
        })
    }

    /// Remove tools whose names satisfy `predicate` (e.g. all tools of an unloaded plugin).
    pub fn remove_where(&self, predicate: impl Fn(&str) -> bool) -> usize {
        let mut removed = 0;
        let _ = self.update(|tools| {
            let before = tools.len();
            tools.retain(|name, _| !predicate(name));
            removed = before - tools.len();
            Ok(())
        });
        removed
    }

    fn update(
        &self,
        change: impl FnOnce(&mut BTreeMap<String, Arc<dyn Tool>>) -> Result<(), RegistryError>,
    ) -> Result<(), RegistryError> {
        let _guard = self.write_lock.lock().unwrap_or_else(|p| p.into_inner());
        let current = self.current.load();
        let mut tools = current.tools.clone();
        change(&mut tools)?;
        // Writers are serialised by the lock, so the next version follows the current one.
        let version = current.version + 1;
        self.current.store(Arc::new(ToolSet { tools, version }));
        Ok(())
    }
}

fn validate(spec: &ToolSpec) -> Result<(), RegistryError> {
    let name_ok = !spec.name.is_empty()
        && spec.name.len() <= 64
        && spec
            .name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if !name_ok {
        return Err(RegistryError::InvalidName(spec.name.clone()));
    }
    if spec.parameters.get("type").and_then(|t| t.as_str()) != Some("object") {
        return Err(RegistryError::InvalidSchema(spec.name.clone()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clawft_plugin::{PluginResult, ToolContext, ToolOutput, async_trait};
    use serde_json::{Value, json};

    struct Named(&'static str, Value);
    #[async_trait]
    impl Tool for Named {
        fn spec(&self) -> ToolSpec {
            ToolSpec {
                name: self.0.into(),
                description: "d".into(),
                parameters: self.1.clone(),
                annotations: Default::default(),
            }
        }
        async fn call(&self, _: Value, _: &ToolContext) -> PluginResult<ToolOutput> {
            Ok(ToolOutput::ok(self.0))
        }
    }

    #[test]
    fn snapshots_are_stable_while_registry_changes() {
        let reg = ToolRegistry::new();
        reg.register(Arc::new(Named("a", json!({"type": "object"}))))
            .unwrap();
        let before = reg.snapshot();
        reg.register(Arc::new(Named("b", json!({"type": "object"}))))
            .unwrap();
        assert_eq!(before.len(), 1);
        let after = reg.snapshot();
        assert_eq!(after.names().collect::<Vec<_>>(), ["a", "b"]);
        assert!(after.version() > before.version());
        assert_eq!(reg.remove_where(|n| n == "a"), 1);
        assert_eq!(reg.snapshot().len(), 1);
    }

    #[test]
    fn replace_swaps_a_group_atomically_or_not_at_all() {
        let reg = ToolRegistry::new();
        let object = || json!({"type": "object"});
        reg.register(Arc::new(Named("keep", object()))).unwrap();
        reg.register(Arc::new(Named("old", object()))).unwrap();
        let before = reg.snapshot().version();
        reg.replace(
            &["old".to_owned()],
            vec![
                Arc::new(Named("new1", object())),
                Arc::new(Named("new2", object())),
            ],
        )
        .unwrap();
        let after = reg.snapshot();
        assert_eq!(after.names().collect::<Vec<_>>(), ["keep", "new1", "new2"]);
        assert_eq!(
            after.version(),
            before + 1,
            "one version for the whole swap"
        );
        assert_eq!(
            reg.replace(
                &["new1".to_owned()],
                vec![Arc::new(Named("keep", object()))]
            ),
            Err(RegistryError::Duplicate("keep".into()))
        );
        assert_eq!(
            reg.snapshot().version(),
            after.version(),
            "unchanged on error"
        );
        assert_eq!(reg.snapshot().len(), 3);
    }

    #[test]
    fn invariants_are_enforced() {
        let reg = ToolRegistry::new();
        reg.register(Arc::new(Named("a", json!({"type": "object"}))))
            .unwrap();
        assert_eq!(
            reg.register(Arc::new(Named("a", json!({"type": "object"})))),
            Err(RegistryError::Duplicate("a".into()))
        );
        assert!(matches!(
            reg.register(Arc::new(Named("bad name", json!({"type": "object"})))),
            Err(RegistryError::InvalidName(_))
        ));
        assert!(matches!(
            reg.register(Arc::new(Named("s", json!({"type": "string"})))),
            Err(RegistryError::InvalidSchema(_))
        ));
    }
}
