//! Who may talk to the bot.
//!
//! Every channel config has an `access` object deserialised into [`AccessPolicy`]:
//!
//! | field | default | meaning |
//! |---|---|---|
//! | `allow_from` | `[]` | sender ids (or platform usernames) that may talk to the bot; `"*"` allows everyone |
//! | `dm_policy` | `allowlist` | direct messages: `open` (anyone), `allowlist` (others ignored silently), `refuse` (others get a short refusal naming their id) |
//! | `group_policy` | `allowlist` | groups: `open` (any member), `allowlist` (senders in `allow_from`), `disabled` (ignore groups) |
//! | `require_mention` | `true` | in groups, answer only when the bot is mentioned or replied to |
//!
//! With the defaults and an empty `allow_from` nobody can talk to the bot: adapters log a
//! warning at start naming the field to set.

use clawft_plugin::{ChatKind, InboundMessage};
use serde::{Deserialize, Serialize};

/// Policy for direct messages from senders not in `allow_from`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum DmPolicy {
    /// Answer anyone.
    Open,
    /// Answer only `allow_from`; ignore others silently.
    #[default]
    Allowlist,
    /// Answer only `allow_from`; tell others they are not allowed (and their id).
    Refuse,
}

/// Policy for group chats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum GroupPolicy {
    /// Any member may talk to the bot (still subject to `require_mention`).
    Open,
    /// Only senders in `allow_from`.
    #[default]
    Allowlist,
    /// Ignore group messages entirely.
    Disabled,
}

/// The access rules of one channel. See the module docs for the fields and defaults.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AccessPolicy {
    /// Sender ids or usernames allowed to talk to the bot; `"*"` allows everyone.
    pub allow_from: Vec<String>,
    /// Direct-message policy.
    pub dm_policy: DmPolicy,
    /// Group policy.
    pub group_policy: GroupPolicy,
    /// In groups, answer only when mentioned or replied to.
    pub require_mention: bool,
}

impl Default for AccessPolicy {
    fn default() -> Self {
        Self {
            allow_from: Vec::new(),
            dm_policy: DmPolicy::default(),
            group_policy: GroupPolicy::default(),
            require_mention: Self::DEFAULT_REQUIRE_MENTION,
        }
    }
}

/// What to do with an inbound message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccessDecision {
    /// Hand it to the agent.
    Accept,
    /// Drop it silently; the reason is for debug logs.
    Ignore(&'static str),
    /// Drop it and send this text back to the sender.
    Refuse(String),
}

impl AccessPolicy {
    /// Default of `require_mention`: true.
    pub const DEFAULT_REQUIRE_MENTION: bool = true;

    /// Whether `id` (or one of its `aliases`, e.g. a username) is in `allow_from`.
    pub fn is_allowed(&self, id: &str, aliases: &[&str]) -> bool {
        self.allow_from.iter().any(|allowed| {
            let allowed = allowed.trim_start_matches('@');
            allowed == "*"
                || allowed == id
                || aliases.iter().any(|a| {
                    !a.is_empty() && a.trim_start_matches('@').eq_ignore_ascii_case(allowed)
                })
        })
    }

    /// Whether nobody at all could reach the bot (worth a warning at start).
    pub fn locks_everyone_out(&self) -> bool {
        self.allow_from.is_empty()
            && self.dm_policy != DmPolicy::Open
            && self.group_policy != GroupPolicy::Open
    }

    /// Log a warning at start when [`Self::locks_everyone_out`], naming `channel`.
    pub fn warn_if_locked_out(&self, channel: &str) {
        if self.locks_everyone_out() {
            tracing::warn!(
                "{channel}: `access.allow_from` is empty, so nobody can talk to the bot; add user ids or set `access.dm_policy: open`"
            );
        }
    }

    /// Decide about `msg`. `aliases` are other names of the sender (usernames) that
    /// `allow_from` may list. Bots are always ignored.
    pub fn decide(&self, msg: &InboundMessage, aliases: &[&str]) -> AccessDecision {
        if msg.sender.is_bot {
            return AccessDecision::Ignore("sender is a bot");
        }
        let allowed = self.is_allowed(&msg.sender.id, aliases);
        match msg.chat.kind {
            ChatKind::Direct => match self.dm_policy {
                DmPolicy::Open => AccessDecision::Accept,
                _ if allowed => AccessDecision::Accept,
                DmPolicy::Allowlist => AccessDecision::Ignore("sender not in allow_from"),
                DmPolicy::Refuse => AccessDecision::Refuse(format!(
                    "Sorry, I only talk to approved users. Your id on {} is `{}`: ask the owner to add it to `access.allow_from`.",
                    msg.channel, msg.sender.id
                )),
            },
            ChatKind::Group | ChatKind::Thread => {
                match self.group_policy {
                    GroupPolicy::Disabled => return AccessDecision::Ignore("groups are disabled"),
                    GroupPolicy::Allowlist if !allowed => {
                        return AccessDecision::Ignore("sender not in allow_from");
                    }
                    _ => {}
                }
                if self.require_mention && !msg.mentioned {
                    AccessDecision::Ignore("group message without a mention")
                } else {
                    AccessDecision::Accept
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(kind: ChatKind, sender: &str, mentioned: bool) -> InboundMessage {
        let mut m = InboundMessage::text("telegram", "c1", sender, "hi");
        m.chat.kind = kind;
        m.mentioned = mentioned;
        m
    }

    #[test]
    fn defaults_are_pinned() {
        let p = AccessPolicy::default();
        assert!(p.allow_from.is_empty());
        assert_eq!(p.dm_policy, DmPolicy::Allowlist);
        assert_eq!(p.group_policy, GroupPolicy::Allowlist);
        assert!(p.require_mention);
        assert!(p.locks_everyone_out());
        let parsed: AccessPolicy = serde_json::from_str("{}").unwrap();
        assert_eq!(parsed, p);
    }

    #[test]
    fn dm_policies() {
        let mut p = AccessPolicy {
            allow_from: vec!["42".into(), "@alice".into()],
            ..AccessPolicy::default()
        };
        assert_eq!(
            p.decide(&msg(ChatKind::Direct, "42", true), &[]),
            AccessDecision::Accept
        );
        assert_eq!(
            p.decide(&msg(ChatKind::Direct, "7", true), &["Alice"]),
            AccessDecision::Accept
        );
        assert!(matches!(
            p.decide(&msg(ChatKind::Direct, "7", true), &[]),
            AccessDecision::Ignore(_)
        ));
        p.dm_policy = DmPolicy::Refuse;
        match p.decide(&msg(ChatKind::Direct, "7", true), &[]) {
            AccessDecision::Refuse(text) => {
                assert!(text.contains("`7`") && text.contains("allow_from"))
            }
            other => panic!("expected refusal, got {other:?}"),
        }
        p.dm_policy = DmPolicy::Open;
        assert_eq!(
            p.decide(&msg(ChatKind::Direct, "7", true), &[]),
            AccessDecision::Accept
        );
    }

    #[test]
    fn groups_need_a_mention_unless_configured() {
        let mut p = AccessPolicy {
            allow_from: vec!["*".into()],
            ..AccessPolicy::default()
        };
        assert!(matches!(
            p.decide(&msg(ChatKind::Group, "1", false), &[]),
            AccessDecision::Ignore(_)
        ));
        assert_eq!(
            p.decide(&msg(ChatKind::Group, "1", true), &[]),
            AccessDecision::Accept
        );
        p.require_mention = false;
        assert_eq!(
            p.decide(&msg(ChatKind::Thread, "1", false), &[]),
            AccessDecision::Accept
        );
        p.group_policy = GroupPolicy::Disabled;
        assert!(matches!(
            p.decide(&msg(ChatKind::Group, "1", true), &[]),
            AccessDecision::Ignore(_)
        ));
    }

    #[test]
    fn group_allowlist_and_bots() {
        let mut p = AccessPolicy {
            allow_from: vec!["9".into()],
            ..AccessPolicy::default()
        };
        assert!(matches!(
            p.decide(&msg(ChatKind::Group, "1", true), &[]),
            AccessDecision::Ignore(_)
        ));
        p.group_policy = GroupPolicy::Open;
        assert_eq!(
            p.decide(&msg(ChatKind::Group, "1", true), &[]),
            AccessDecision::Accept
        );
        let mut bot = msg(ChatKind::Direct, "9", true);
        bot.sender.is_bot = true;
        assert!(matches!(p.decide(&bot, &[]), AccessDecision::Ignore(_)));
    }

    #[test]
    fn unknown_fields_are_rejected() {
        let err = serde_json::from_str::<AccessPolicy>(r#"{"allowFrom": []}"#).unwrap_err();
        assert!(err.to_string().contains("allowFrom"));
    }
}
