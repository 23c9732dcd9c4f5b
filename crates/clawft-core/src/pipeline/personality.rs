//! Personality injection: `AGENTS.md`, `SOUL.md`, `IDENTITY.md`, `USER.md`, `TOOLS.md` from
//! the workspace, each capped, re-read every turn so edits apply at once.

use async_trait::async_trait;
use clawft_plugin::{PipelineStage, PluginResult, TurnContext};

use crate::config::PersonalityConfig;

/// Reads the configured personality files from the workspace into the system prompt.
pub struct PersonalityFiles {
    config: PersonalityConfig,
}

impl PersonalityFiles {
    /// Use `config` (file list and per-file cap).
    pub fn new(config: PersonalityConfig) -> Self {
        Self { config }
    }
}

/// The first `max` characters of `text`, with a visible marker when cut.
pub fn cap_chars(text: &str, max: usize, name: &str) -> String {
    match text.char_indices().nth(max) {
        None => text.to_owned(),
        Some((cut, _)) => format!(
            "{}\n\n[… {name} truncated: {} of {} characters shown]",
            &text[..cut],
            max,
            text.chars().count()
        ),
    }
}

#[async_trait]
impl PipelineStage for PersonalityFiles {
    fn name(&self) -> &str {
        "personality"
    }

    async fn process(&self, ctx: &mut TurnContext) -> PluginResult<()> {
        for name in &self.config.files {
            let path = ctx.workspace.join(name);
            let text = match tokio::fs::read_to_string(&path).await {
                Ok(text) => text,
                Err(err) if err.kind() == std::io::ErrorKind::NotFound => continue,
                Err(err) => {
                    tracing::warn!(file = %path.display(), %err, "cannot read personality file; skipped");
                    continue;
                }
            };
            if text.trim().is_empty() {
                continue;
            }
            let body = cap_chars(&text, self.config.max_file_chars, name);
            let body = if name == "SOUL.md" {
                format!("Embody the persona and tone described here.\n\n{body}")
            } else {
                body
            };
            ctx.add_section(name.clone(), body);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clawft_plugin::InboundMessage;

    #[tokio::test]
    async fn injects_present_files_in_order_and_caps_them() {
        let ws = tempfile::tempdir().unwrap();
        std::fs::write(ws.path().join("SOUL.md"), "Arr, pirate").unwrap();
        std::fs::write(ws.path().join("AGENTS.md"), "x".repeat(50)).unwrap();
        std::fs::write(ws.path().join("USER.md"), "  \n").unwrap();
        let stage = PersonalityFiles::new(PersonalityConfig {
            max_file_chars: 10,
            ..Default::default()
        });
        let mut ctx = TurnContext::new(InboundMessage::text("cli", "c", "u", "hi"), ws.path());
        stage.process(&mut ctx).await.unwrap();
        let titles: Vec<&str> = ctx
            .system_sections
            .iter()
            .map(|(t, _)| t.as_str())
            .collect();
        assert_eq!(titles, ["AGENTS.md", "SOUL.md"]);
        assert!(
            ctx.system_sections[0]
                .1
                .starts_with("xxxxxxxxxx\n\n[… AGENTS.md truncated: 10 of 50")
        );
        assert!(ctx.system_sections[1].1.contains("Arr, pirat"));
    }

    #[test]
    fn cap_respects_utf8() {
        assert_eq!(cap_chars("héllo", 10, "f"), "héllo");
        assert!(cap_chars("ééé", 2, "f").starts_with("éé\n"));
    }
}
