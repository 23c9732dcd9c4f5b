//! The slash-command registry: built-ins (`/help`, `/new`, `/status`, `/model`) plus commands
//! contributed by skills and plugins through [`CommandSource`]s. Every channel and the
//! interactive CLI dispatch through [`respond`], so `/help` is the same everywhere and always
//! lists what is loaded now.

use std::collections::HashSet;
use std::sync::Arc;

use clawft_plugin::{
    CommandContext, CommandOrigin, CommandOutcome, CommandSource, CommandSpec, InboundMessage,
    PluginError, PluginResult, SlashCommand, ToolContext, async_trait,
};

use crate::agent::{Agent, AgentError, TurnObserver, TurnOutcome};

/// Longest command name, in characters (as OpenClaw).
pub const MAX_COMMAND_NAME_CHARS: usize = 32;

/// All commands: fixed ones and changing sources.
#[derive(Default)]
pub struct CommandRegistry {
    fixed: Vec<Arc<dyn SlashCommand>>,
    sources: Vec<Arc<dyn CommandSource>>,
}

impl CommandRegistry {
    /// A registry with `/new`, `/status` and `/model` for `agent` (`/help` is always there).
    pub fn with_builtins(agent: Arc<Agent>) -> Self {
        let mut reg = Self::default();
        reg.add(Arc::new(NewCommand));
        reg.add(Arc::new(StatusCommand {
            agent: agent.clone(),
        }));
        reg.add(Arc::new(ModelCommand { agent }));
        reg
    }

    /// Add a fixed command.
    pub fn add(&mut self, command: Arc<dyn SlashCommand>) {
        self.fixed.push(command);
    }

    /// Add a source asked on every lookup (skills, plugins).
    pub fn add_source(&mut self, source: Arc<dyn CommandSource>) {
        self.sources.push(source);
    }

    /// Every command now, with unique names: `help` first, then fixed commands, then
    /// sources; a later duplicate is renamed `name_2`, `name_3`, ...
    pub fn commands(&self) -> Vec<(CommandSpec, Arc<dyn SlashCommand>)> {
        let mut taken: HashSet<String> = HashSet::from(["help".to_owned()]);
        let mut out = Vec::new();
        let all = self
            .fixed
            .iter()
            .cloned()
            .chain(self.sources.iter().flat_map(|s| s.commands()));
        for command in all {
            let mut spec = command.spec();
            if taken.contains(&spec.name) {
                let base = spec.name.clone();
                let mut n = 2;
                while taken.contains(&format!("{base}_{n}")) {
                    n += 1;
                }
                spec.name = format!("{base}_{n}");
            }
            taken.insert(spec.name.clone());
            out.push((spec, command));
        }
        out
    }

    /// Names for completion, with the slash.
    pub fn names(&self) -> Vec<String> {
        std::iter::once("/help".to_owned())
            .chain(
                self.commands()
                    .into_iter()
                    .map(|(s, _)| format!("/{}", s.name)),
            )
            .collect()
    }

    /// The `/help` text.
    pub fn help(&self) -> String {
        let mut lines = vec![
            "Commands:".to_owned(),
            "  /help  list the commands available now".to_owned(),
        ];
        for (spec, _) in self.commands() {
            let hint = spec
                .argument_hint
                .as_deref()
                .map(|h| format!(" {h}"))
                .unwrap_or_default();
            let origin = match &spec.origin {
                CommandOrigin::Builtin => String::new(),
                CommandOrigin::Skill(name) if *name == spec.name => " (skill)".to_owned(),
                CommandOrigin::Skill(name) => format!(" (skill `{name}`)"),
                CommandOrigin::Plugin(id) => format!(" (plugin `{id}`)"),
            };
            lines.push(format!(
                "  /{}{hint}  {}{origin}",
                spec.name, spec.description
            ));
        }
        lines.join("\n")
    }

    /// Run `/name args`. `None` when `input` is not a slash command.
    pub async fn dispatch(
        &self,
        input: &str,
        ctx: &CommandContext,
    ) -> Option<PluginResult<CommandOutcome>> {
        let (name, args) = parse(input)?;
        if name == "help" {
            return Some(Ok(CommandOutcome::Reply(self.help())));
        }
        let commands = self.commands();
        match commands.iter().find(|(spec, _)| spec.name == name) {
            Some((_, command)) => Some(command.run(args, ctx).await),
            None => {
                let names = commands
                    .iter()
                    .map(|(s, _)| s.name.as_str())
                    .chain(["help"]);
                let hint = crate::suggest::closest(&name, names)
                    .map(|n| format!(" Did you mean /{n}?"))
                    .unwrap_or_default();
                Some(Ok(CommandOutcome::Reply(format!(
                    "Unknown command /{name}.{hint} Type /help for the list."
                ))))
            }
        }
    }
}

/// Split `/name rest` into a lower-cased name and the trimmed rest. Text that does not
/// start with `/` followed by a name (e.g. a path like `/etc/hosts`) is not a command.
pub fn parse(input: &str) -> Option<(String, &str)> {
    let rest = input.trim_start().strip_prefix('/')?;
    let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
    let name = &rest[..end];
    let valid = !name.is_empty()
        && name.chars().count() <= MAX_COMMAND_NAME_CHARS
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    valid.then(|| {
        (
            name.to_ascii_lowercase().replace('-', "_"),
            rest[end..].trim(),
        )
    })
}

/// What happened to one piece of user input.
#[derive(Debug, Clone, PartialEq)]
pub enum Response {
    /// A command answered directly.
    Command(String),
    /// The agent ran a turn.
    Turn(TurnOutcome),
}

impl Response {
    /// The text to show the user.
    pub fn text(&self) -> &str {
        match self {
            Self::Command(text) => text,
            Self::Turn(outcome) => &outcome.reply,
        }
    }
}

/// Answer one inbound message: slash commands through `commands`, everything else (and
/// skill prompts) through the agent.
pub async fn respond(
    agent: &Agent,
    commands: &CommandRegistry,
    inbound: &InboundMessage,
    observer: Option<&dyn TurnObserver>,
) -> Result<Response, AgentError> {
    let ctx = CommandContext {
        channel: inbound.channel.clone(),
        chat_id: inbound.chat.id.clone(),
        session_key: inbound.session_key(),
    };
    let outcome = match commands.dispatch(&inbound.content.text, &ctx).await {
        None => return Ok(Response::Turn(agent.run_turn(inbound, observer).await?)),
        Some(Err(err)) => return Ok(Response::Command(format!("The command failed: {err}"))),
        Some(Ok(outcome)) => outcome,
    };
    match outcome {
        CommandOutcome::Reply(text) => Ok(Response::Command(text)),
        CommandOutcome::ClearSession => {
            agent.sessions().clear(&ctx.session_key).await?;
            Ok(Response::Command("Started a new conversation.".into()))
        }
        CommandOutcome::Prompt(prompt) => {
            let mut msg = inbound.clone();
            msg.content.text = prompt;
            Ok(Response::Turn(agent.run_turn(&msg, observer).await?))
        }
        CommandOutcome::CallTool { tool, arguments } => {
            let tools = agent.tools().snapshot();
            let Some(found) = tools.get(&tool) else {
                return Ok(Response::Command(format!(
                    "This command needs the tool `{tool}`, which is not loaded."
                )));
            };
            let tool_ctx = ToolContext::new(agent.workspace(), &ctx.channel, &ctx.chat_id);
            Ok(Response::Command(
                match found.call(arguments, &tool_ctx).await {
                    Ok(out) if out.is_error => format!("`{tool}` failed: {}", out.content),
                    Ok(out) => out.content,
                    Err(err) => format!("`{tool}` failed: {err}"),
                },
            ))
        }
    }
}

fn builtin(name: &str, description: &str, hint: Option<&str>) -> CommandSpec {
    CommandSpec {
        name: name.into(),
        description: description.into(),
        argument_hint: hint.map(Into::into),
        origin: CommandOrigin::Builtin,
    }
}

/// `/new`: forget this conversation.
struct NewCommand;

#[async_trait]
impl SlashCommand for NewCommand {
    fn spec(&self) -> CommandSpec {
        builtin(
            "new",
            "start a fresh conversation (forget this chat's history)",
            None,
        )
    }
    async fn run(&self, _args: &str, _ctx: &CommandContext) -> PluginResult<CommandOutcome> {
        Ok(CommandOutcome::ClearSession)
    }
}

/// `/status`: model, tools, history size.
struct StatusCommand {
    agent: Arc<Agent>,
}

#[async_trait]
impl SlashCommand for StatusCommand {
    fn spec(&self) -> CommandSpec {
        builtin("status", "model, tools and this conversation's size", None)
    }
    async fn run(&self, _args: &str, ctx: &CommandContext) -> PluginResult<CommandOutcome> {
        let history = self
            .agent
            .sessions()
            .load(&ctx.session_key)
            .await
            .map_err(PluginError::other)?;
        let tools = self.agent.tools().snapshot();
        Ok(CommandOutcome::Reply(format!(
            "model: {}\ntools: {} ({})\nconversation: {} ({} messages)",
            self.agent.model(),
            tools.len(),
            tools.names().collect::<Vec<_>>().join(", "),
            ctx.session_key,
            history.len()
        )))
    }
}

/// `/model [name]`: show or switch the model.
struct ModelCommand {
    agent: Arc<Agent>,
}

#[async_trait]
impl SlashCommand for ModelCommand {
    fn spec(&self) -> CommandSpec {
        builtin(
            "model",
            "show the model, or switch to another one",
            Some("[name]"),
        )
    }
    async fn run(&self, args: &str, _ctx: &CommandContext) -> PluginResult<CommandOutcome> {
        if args.is_empty() {
            return Ok(CommandOutcome::Reply(format!(
                "model: {}",
                self.agent.model()
            )));
        }
        let old = self.agent.set_model(args.to_owned());
        Ok(CommandOutcome::Reply(format!(
            "model: {old} → {args} (until restart; set `agent.model` to keep it)"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Fixed(&'static str, CommandOrigin);
    #[async_trait]
    impl SlashCommand for Fixed {
        fn spec(&self) -> CommandSpec {
            CommandSpec {
                name: self.0.into(),
                description: format!("does {}", self.0),
                argument_hint: None,
                origin: self.1.clone(),
            }
        }
        async fn run(&self, args: &str, _ctx: &CommandContext) -> PluginResult<CommandOutcome> {
            Ok(CommandOutcome::Reply(format!("{}:{args}", self.0)))
        }
    }

    struct Dynamic(std::sync::Mutex<Vec<&'static str>>);
    impl CommandSource for Dynamic {
        fn commands(&self) -> Vec<Arc<dyn SlashCommand>> {
            self.0
                .lock()
                .unwrap()
                .iter()
                .map(|n| {
                    Arc::new(Fixed(n, CommandOrigin::Skill((*n).into()))) as Arc<dyn SlashCommand>
                })
                .collect()
        }
    }

    fn ctx() -> CommandContext {
        CommandContext {
            channel: "cli".into(),
            chat_id: "c".into(),
            session_key: "cli:c".into(),
        }
    }

    #[test]
    fn parses_commands_but_not_paths() {
        assert_eq!(parse("/Help"), Some(("help".into(), "")));
        assert_eq!(
            parse("  /weather  Paris, FR "),
            Some(("weather".into(), "Paris, FR"))
        );
        assert_eq!(parse("/my-skill x"), Some(("my_skill".into(), "x")));
        assert_eq!(parse("/etc/hosts is broken"), None);
        assert_eq!(parse("hello /new"), None);
        assert_eq!(parse("/"), None);
    }

    #[tokio::test]
    async fn help_reflects_sources_now_and_duplicates_are_renamed() {
        let mut reg = CommandRegistry::default();
        reg.add(Arc::new(Fixed("new", CommandOrigin::Builtin)));
        let source = Arc::new(Dynamic(std::sync::Mutex::new(vec!["weather"])));
        reg.add_source(source.clone());
        assert!(reg.help().contains("/weather  does weather (skill)"));
        source.0.lock().unwrap().push("new");
        let names = reg.names();
        assert_eq!(names, ["/help", "/new", "/weather", "/new_2"]);
        assert_eq!(
            reg.dispatch("/new_2 x", &ctx()).await.unwrap().unwrap(),
            CommandOutcome::Reply("new:x".into())
        );
        source.0.lock().unwrap().clear();
        assert!(
            !reg.help().contains("weather"),
            "removed skills vanish from /help at once"
        );
    }

    #[tokio::test]
    async fn unknown_commands_suggest_and_plain_text_is_not_a_command() {
        let mut reg = CommandRegistry::default();
        reg.add(Arc::new(Fixed("status", CommandOrigin::Builtin)));
        let reply = reg.dispatch("/stauts", &ctx()).await.unwrap().unwrap();
        assert_eq!(
            reply,
            CommandOutcome::Reply(
                "Unknown command /stauts. Did you mean /status? Type /help for the list.".into()
            )
        );
        assert!(reg.dispatch("hello", &ctx()).await.is_none());
    }
}
