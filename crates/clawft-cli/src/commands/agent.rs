//! `weft agent`: chat in the terminal, or answer one message with `-m`.

use std::io::{IsTerminal, Read, Write};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use clap::Args;
use clawft_core::{Agent, CommandRegistry, Response, TurnEvent, TurnObserver, respond};
use clawft_plugin::InboundMessage;
use rustyline::error::ReadlineError;

use super::GlobalOpts;
use crate::line_editor::CommandCompleter;
use crate::mcp_servers::{McpServers, Report};
use crate::runtime;

/// Chat with the agent (interactive, or one message with -m).
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  weft agent                          interactive chat (history in ~/.clawft/history.txt)\n  weft agent -m \"what's in notes.md?\"  one answer on stdout\n  echo \"hello\" | weft agent -m -       read the message from stdin\n  weft agent -s work                  use the conversation named `work`\n  weft agent -m /skills               slash commands work with -m too\n\nIn the interactive chat: /help lists commands (Tab completes them), /new starts a\nfresh conversation, Ctrl-C cancels the current answer, Ctrl-D exits. Skill files\nthat change on disk apply to the next message without restarting.\n\nTools of the MCP servers under `mcp_servers` in config join as `<server>__<tool>`;\na server that cannot start is named on stderr and skipped (the interactive chat keeps\nretrying it in the background: after 5 s, doubling up to every 5 min)."
)]
pub struct AgentArgs {
    /// Send one message, print the answer and exit (`-` reads the message from stdin).
    #[arg(short, long, value_name = "TEXT")]
    message: Option<String>,
    /// Conversation name; history is kept per name.
    #[arg(short, long, default_value = "default", value_name = "NAME")]
    session: String,
    /// Print the answer when complete instead of streaming it.
    #[arg(long)]
    no_stream: bool,
}

/// Prints streamed text to stdout and tool activity to stderr.
struct Printer;

impl TurnObserver for Printer {
    fn on_event(&self, event: TurnEvent<'_>) {
        match event {
            TurnEvent::TextDelta(text) => {
                let mut out = std::io::stdout().lock();
                let _ = out.write_all(text.as_bytes());
                let _ = out.flush();
            }
            TurnEvent::ToolStarted { name } => eprintln!("  · {name}…"),
            TurnEvent::ToolFinished {
                name,
                is_error: true,
            } => eprintln!("  · {name} failed"),
            TurnEvent::ToolFinished { .. } => {}
        }
    }
}

pub async fn exec(global: &GlobalOpts, args: AgentArgs) -> anyhow::Result<ExitCode> {
    let loaded = runtime::load_config(global)?;
    let resolved = runtime::provider(&loaded)?;
    let tools = runtime::tool_registry(&loaded)?;
    #[cfg(feature = "wasm")]
    let _plugins =
        crate::plugin_sync::start(&loaded, tools.clone(), args.message.is_none()).await?;
    let mut mcp = McpServers::connect(
        &loaded,
        &tools,
        Report::Stderr {
            quiet: global.quiet,
        },
    )
    .await?;
    let skills = runtime::Skills::load(&loaded)?;
    let agent = runtime::build_agent(&loaded, &resolved, tools, &skills, None)?;
    let commands = Arc::new(runtime::command_registry(agent.clone(), &skills));
    tracing::info!(provider = %resolved.name, model = %resolved.model, base_url = %resolved.base_url, skills = skills.registry.snapshot().len(), "agent ready");

    let outcome = match args.message {
        Some(text) => {
            let text = if text == "-" {
                let mut buf = String::new();
                std::io::stdin()
                    .read_to_string(&mut buf)
                    .context("reading the message from stdin")?;
                buf
            } else {
                text
            };
            let stream = !args.no_stream && std::io::stdout().is_terminal();
            one_shot(&agent, &commands, &args.session, &text, stream).await
        }
        None => {
            mcp.retry_failed();
            let _watcher = runtime::watch_skills(&skills);
            let banner = format!(
                "weft agent · {} via {} · /help for commands, Ctrl-D to exit",
                resolved.model, resolved.name
            );
            let chat = Chat {
                agent: &agent,
                commands,
                session: &args.session,
                stream: !args.no_stream,
            };
            chat.run(&loaded.paths.history_file(), &banner).await
        }
    };
    mcp.shutdown().await;
    outcome
}

fn inbound(session: &str, text: &str) -> InboundMessage {
    InboundMessage::text("cli", session, "local-user", text)
}

async fn one_shot(
    agent: &Agent,
    commands: &CommandRegistry,
    session: &str,
    text: &str,
    stream: bool,
) -> anyhow::Result<ExitCode> {
    let msg = inbound(session, text);
    let observer: Option<&dyn TurnObserver> = if stream { Some(&Printer) } else { None };
    match respond(agent, commands, &msg, observer).await? {
        Response::Turn(outcome) => {
            if stream {
                println!();
            } else {
                println!("{}", outcome.reply);
            }
            Ok(if outcome.hit_limit {
                ExitCode::from(crate::error_report::EXIT_ERROR)
            } else {
                ExitCode::SUCCESS
            })
        }
        Response::Command(text) => {
            println!("{text}");
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// The interactive loop.
struct Chat<'a> {
    agent: &'a Agent,
    commands: Arc<CommandRegistry>,
    session: &'a str,
    stream: bool,
}

impl Chat<'_> {
    async fn run(&self, history: &std::path::Path, banner: &str) -> anyhow::Result<ExitCode> {
        let mut editor: rustyline::Editor<CommandCompleter, rustyline::history::DefaultHistory> =
            rustyline::Editor::new().context("starting the line editor")?;
        editor.set_helper(Some(CommandCompleter::new(self.commands.clone())));
        let _ = editor.load_history(history);
        eprintln!("{banner}");
        loop {
            let line = match tokio::task::block_in_place(|| editor.readline("› ")) {
                Ok(line) => line,
                Err(ReadlineError::Interrupted) => continue,
                Err(ReadlineError::Eof) => break,
                Err(err) => return Err(err).context("reading input"),
            };
            let text = line.trim();
            if text.is_empty() {
                continue;
            }
            let _ = editor.add_history_entry(text);
            if matches!(text, "/exit" | "/quit") {
                break;
            }
            self.answer(text).await;
        }
        if let Some(dir) = history.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        let _ = editor.save_history(history);
        Ok(ExitCode::SUCCESS)
    }

    async fn answer(&self, text: &str) {
        let msg = inbound(self.session, text);
        let observer: Option<&dyn TurnObserver> = if self.stream { Some(&Printer) } else { None };
        tokio::select! {
            result = respond(self.agent, &self.commands, &msg, observer) => match result {
                Ok(Response::Turn(_)) if self.stream => println!("\n"),
                Ok(response) => println!("{}\n", response.text()),
                Err(err) => eprintln!("error: {err}\n"),
            },
            _ = tokio::signal::ctrl_c() => eprintln!("\n(cancelled)\n"),
        }
        let _ = std::io::stdout().flush();
    }
}
