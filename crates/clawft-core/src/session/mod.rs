//! Conversation history per `channel:chat_id`, behind [`SessionStore`] so a database-backed
//! store can replace the JSONL files without touching the agent loop.

mod jsonl;

use async_trait::async_trait;
use clawft_plugin::{ChatMessage, Role};
use serde::{Deserialize, Serialize};

pub use jsonl::JsonlSessionStore;

/// One persisted message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionRecord {
    /// Unix time in milliseconds.
    pub ts_ms: u64,
    /// The message.
    #[serde(flatten)]
    pub message: ChatMessage,
}

/// Why a session could not be read or written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SessionError {
    /// File system failure.
    #[error("session `{key}`: {source}")]
    Io {
        /// Session key.
        key: String,
        /// The cause.
        source: std::io::Error,
    },
}

/// Where conversations are kept.
#[async_trait]
pub trait SessionStore: Send + Sync {
    /// Append messages durably (they survive a crash once this returns).
    async fn append(&self, key: &str, records: &[SessionRecord]) -> Result<(), SessionError>;

    /// All messages of a session, oldest first (empty for a new session).
    async fn load(&self, key: &str) -> Result<Vec<SessionRecord>, SessionError>;

    /// Forget a session (`/new`). Returns whether it existed.
    async fn clear(&self, key: &str) -> Result<bool, SessionError>;

    /// Keys of all stored sessions.
    async fn list(&self) -> Result<Vec<String>, SessionError>;
}

/// The last `max` messages of `history`, starting at a user message so that no tool
/// result is sent without the call it answers.
pub fn trim_history(history: &[ChatMessage], max: usize) -> &[ChatMessage] {
    if history.len() <= max {
        return history;
    }
    let start = history.len() - max;
    let aligned = history[start..]
        .iter()
        .position(|m| m.role == Role::User)
        .map(|offset| start + offset)
        .unwrap_or(history.len());
    &history[aligned..]
}

#[cfg(test)]
mod tests {
    use super::*;
    use clawft_plugin::ToolCall;

    #[test]
    fn trimming_never_starts_with_an_orphan_tool_result() {
        let call = ToolCall {
            id: "1".into(),
            name: "t".into(),
            arguments: serde_json::json!({}),
        };
        let mut with_call = ChatMessage::assistant("");
        with_call.tool_calls.push(call.clone());
        let history = vec![
            ChatMessage::user("q1"),
            with_call,
            ChatMessage::tool_result(&call, "r"),
            ChatMessage::assistant("a1"),
            ChatMessage::user("q2"),
            ChatMessage::assistant("a2"),
        ];
        assert_eq!(trim_history(&history, 10).len(), 6);
        let trimmed = trim_history(&history, 4);
        assert_eq!(trimmed[0].content, "q2");
        assert_eq!(trimmed.len(), 2);
    }
}
