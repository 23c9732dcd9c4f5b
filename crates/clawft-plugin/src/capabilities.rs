//! What a channel can do, mirroring the channel capability matrix of the requirements.

use serde::{Deserialize, Serialize};

/// Which rich-text dialect a channel renders.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum RichTextSupport {
    /// Plain text only (Signal, iMessage, IRC).
    #[default]
    None,
    /// Markdown (CLI, Telegram, Discord).
    Markdown,
    /// HTML (email, Matrix also accepts markdown).
    Html,
    /// Slack blocks / mrkdwn.
    Blocks,
    /// Google Chat cards.
    Cards,
    /// Teams adaptive cards.
    AdaptiveCards,
    /// A restricted subset (WhatsApp).
    Limited,
}

/// How a channel threads conversations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ThreadSupport {
    /// No threads.
    #[default]
    None,
    /// Replies reference an earlier message (Telegram reply-to, email In-Reply-To).
    ReplyTo,
    /// Real threads (Slack `thread_ts`, Matrix, Teams, Discord forum threads).
    Threads,
}

/// The capabilities of one channel; the agent and the formatting helpers consult it
/// before sending images, reactions or threaded replies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ChannelCapabilities {
    /// Plain text messages.
    pub text: bool,
    /// Rich text dialect.
    pub rich_text: RichTextSupport,
    /// Inline images.
    pub images: bool,
    /// File attachments.
    pub files: bool,
    /// Emoji reactions.
    pub reactions: bool,
    /// Threading model.
    pub threads: ThreadSupport,
    /// Group chats (rooms, channels, spaces).
    pub group_chat: bool,
    /// The bot may start a conversation (cron check-ins, `message` tool).
    pub proactive_outbound: bool,
    /// Longest message the platform accepts, in characters (0: unlimited).
    pub max_message_chars: usize,
}

impl ChannelCapabilities {
    /// The interactive terminal: markdown text, nothing else.
    pub fn cli() -> Self {
        Self {
            text: true,
            rich_text: RichTextSupport::Markdown,
            ..Self::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cli_matches_the_capability_matrix() {
        let cli = ChannelCapabilities::cli();
        assert!(cli.text);
        assert_eq!(cli.rich_text, RichTextSupport::Markdown);
        assert!(!cli.images && !cli.files && !cli.reactions && !cli.group_chat);
        assert!(!cli.proactive_outbound);
        assert_eq!(cli.threads, ThreadSupport::None);
    }
}
