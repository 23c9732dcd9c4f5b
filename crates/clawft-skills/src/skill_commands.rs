//! Skills as slash commands: `/skills`, `/reload`, and one `/<name>` per user-invocable
//! skill (or a direct tool call for `command-dispatch: tool`).

use std::collections::HashSet;
use std::sync::Arc;

use clawft_plugin::{
    CommandContext, CommandOrigin, CommandOutcome, CommandSource, CommandSpec, PluginResult,
    SlashCommand, async_trait,
};
use serde_json::json;

use crate::command::{command_description, command_name, unique_command_name};
use crate::gating::{Availability, GateContext};
use crate::loaded::LoadedSkill;
use crate::registry::SkillRegistry;

/// The command source of a skill registry.
pub struct SkillCommands {
    registry: Arc<SkillRegistry>,
    gate: Arc<GateContext>,
}

impl SkillCommands {
    /// Commands for `registry`; unavailable skills get no command.
    pub fn new(registry: Arc<SkillRegistry>, gate: GateContext) -> Self {
        Self {
            registry,
            gate: Arc::new(gate),
        }
    }
}

impl CommandSource for SkillCommands {
    fn commands(&self) -> Vec<Arc<dyn SlashCommand>> {
        let mut out: Vec<Arc<dyn SlashCommand>> = vec![
            Arc::new(ListSkills {
                registry: self.registry.clone(),
                gate: self.gate.clone(),
            }),
            Arc::new(Reload {
                registry: self.registry.clone(),
            }),
        ];
        let mut taken: HashSet<String> = ["help", "new", "status", "model", "skills", "reload"]
            .map(String::from)
            .into();
        for skill in self.registry.snapshot().iter() {
            if skill.doc.user_invocable && skill.availability(&self.gate).is_ready() {
                let name = unique_command_name(&command_name(skill.name()), &mut taken);
                out.push(Arc::new(SkillCommand {
                    name,
                    skill: skill.clone(),
                }));
            }
        }
        out
    }
}

struct SkillCommand {
    name: String,
    skill: Arc<LoadedSkill>,
}

#[async_trait]
impl SlashCommand for SkillCommand {
    fn spec(&self) -> CommandSpec {
        CommandSpec {
            name: self.name.clone(),
            description: command_description(&self.skill.doc.description),
            argument_hint: self.skill.doc.argument_hint.clone(),
            origin: CommandOrigin::Skill(self.skill.name().to_owned()),
        }
    }

    async fn run(&self, args: &str, _ctx: &CommandContext) -> PluginResult<CommandOutcome> {
        let doc = &self.skill.doc;
        if let Some(tool) = doc.dispatch_tool() {
            return Ok(CommandOutcome::CallTool {
                tool: tool.to_owned(),
                arguments: json!({"command": args, "commandName": self.name, "skillName": doc.name}),
            });
        }
        let input = if args.is_empty() {
            "(no arguments)".to_owned()
        } else {
            args.to_owned()
        };
        Ok(CommandOutcome::Prompt(format!(
            "The user ran /{cmd}, which invokes the skill `{name}` (folder: {dir}). Follow its instructions below.\n\n\
             <skill name=\"{name}\">\n{body}\n</skill>\n\nUser input: {input}",
            cmd = self.name,
            name = doc.name,
            dir = doc.dir.display(),
            body = doc.instructions().trim(),
        )))
    }
}

struct ListSkills {
    registry: Arc<SkillRegistry>,
    gate: Arc<GateContext>,
}

#[async_trait]
impl SlashCommand for ListSkills {
    fn spec(&self) -> CommandSpec {
        CommandSpec {
            name: "skills".into(),
            description: "list loaded skills and whether each is ready".into(),
            argument_hint: None,
            origin: CommandOrigin::Builtin,
        }
    }

    async fn run(&self, _args: &str, _ctx: &CommandContext) -> PluginResult<CommandOutcome> {
        let snapshot = self.registry.snapshot();
        if snapshot.is_empty() && snapshot.errors.is_empty() {
            return Ok(CommandOutcome::Reply("No skills are loaded.".into()));
        }
        let mut lines = vec![format!(
            "{} skills (snapshot {}):",
            snapshot.len(),
            snapshot.version
        )];
        for skill in snapshot.iter() {
            let status = match skill.availability(&self.gate) {
                Availability::Ready => "ready".to_owned(),
                Availability::Unavailable(reason) => format!("unavailable: {reason}"),
            };
            lines.push(format!("  {} [{}] {status}", skill.name(), skill.layer));
        }
        for err in &snapshot.errors {
            lines.push(format!(
                "  error: {}{}: {}",
                err.path.display(),
                err.line.map(|l| format!(":{l}")).unwrap_or_default(),
                err.reason
            ));
        }
        Ok(CommandOutcome::Reply(lines.join("\n")))
    }
}

struct Reload {
    registry: Arc<SkillRegistry>,
}

#[async_trait]
impl SlashCommand for Reload {
    fn spec(&self) -> CommandSpec {
        CommandSpec {
            name: "reload".into(),
            description: "rescan skill directories now".into(),
            argument_hint: None,
            origin: CommandOrigin::Builtin,
        }
    }

    async fn run(&self, _args: &str, _ctx: &CommandContext) -> PluginResult<CommandOutcome> {
        let outcome = self.registry.reload();
        let snap = outcome.snapshot;
        Ok(CommandOutcome::Reply(format!(
            "Skills {}: {} loaded, {} errors (snapshot {}).",
            if outcome.changed {
                "reloaded"
            } else {
                "unchanged"
            },
            snap.len(),
            snap.errors.len(),
            snap.version
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layer::{SkillLayer, SkillSource};
    use crate::limits::SkillLimits;

    fn ctx() -> CommandContext {
        CommandContext {
            channel: "cli".into(),
            chat_id: "c".into(),
            session_key: "cli:c".into(),
        }
    }

    fn write(root: &std::path::Path, dir: &str, front: &str, body: &str) {
        std::fs::create_dir_all(root.join(dir)).unwrap();
        std::fs::write(
            root.join(dir).join("SKILL.md"),
            format!("---\n{front}\n---\n{body}\n"),
        )
        .unwrap();
    }

    #[tokio::test]
    async fn user_invocable_skills_become_commands() {
        let root = tempfile::tempdir().unwrap();
        write(
            root.path(),
            "Weather Now",
            "name: Weather Now\ndescription: Forecasts",
            "Use wttr.in.",
        );
        write(
            root.path(),
            "quiet",
            "description: q\nuser-invocable: false",
            "x",
        );
        write(
            root.path(),
            "sh",
            "description: shell\ncommand-dispatch: tool\ncommand-tool: exec",
            "",
        );
        let registry = Arc::new(SkillRegistry::new(
            vec![SkillSource::new(SkillLayer::Workspace, root.path())],
            SkillLimits::default(),
        ));
        let source = SkillCommands::new(registry, GateContext::current());
        let commands = source.commands();
        let names: Vec<String> = commands.iter().map(|c| c.spec().name).collect();
        assert_eq!(names, ["skills", "reload", "weather_now", "sh"]);

        let weather = &commands[2];
        match weather.run("Paris", &ctx()).await.unwrap() {
            CommandOutcome::Prompt(p) => assert!(
                p.contains("Use wttr.in.") && p.contains("User input: Paris"),
                "{p}"
            ),
            other => panic!("expected a prompt, got {other:?}"),
        }
        match commands[3].run("ls -la", &ctx()).await.unwrap() {
            CommandOutcome::CallTool { tool, arguments } => {
                assert_eq!(tool, "exec");
                assert_eq!(
                    arguments,
                    json!({"command": "ls -la", "commandName": "sh", "skillName": "sh"})
                );
            }
            other => panic!("expected a tool call, got {other:?}"),
        }
        match commands[0].run("", &ctx()).await.unwrap() {
            CommandOutcome::Reply(text) => {
                assert!(text.contains("Weather Now [workspace] ready"), "{text}")
            }
            other => panic!("{other:?}"),
        }
    }
}
