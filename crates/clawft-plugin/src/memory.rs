//! The [`MemoryBackend`] trait: durable memory the agent can write and search.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::PluginResult;

/// One stored memory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MemoryEntry {
    /// Namespace (e.g. a user or a project).
    pub namespace: String,
    /// Key inside the namespace.
    pub key: String,
    /// Stored value.
    pub value: Value,
    /// Relevance for a search, higher is better (0 for exact lookups).
    #[serde(default)]
    pub score: f32,
}

/// A store of memories, keyed by namespace and key, with search.
#[async_trait]
pub trait MemoryBackend: Send + Sync {
    /// Backend name, for config and logs.
    fn name(&self) -> &str;

    /// Insert or replace a value.
    async fn put(&self, namespace: &str, key: &str, value: Value) -> PluginResult<()>;

    /// Read a value.
    async fn get(&self, namespace: &str, key: &str) -> PluginResult<Option<Value>>;

    /// Entries relevant to `query`, best first, at most `limit`.
    async fn search(
        &self,
        namespace: &str,
        query: &str,
        limit: usize,
    ) -> PluginResult<Vec<MemoryEntry>>;

    /// Remove a value; returns whether it existed.
    async fn delete(&self, namespace: &str, key: &str) -> PluginResult<bool>;
}
