//! `weft agent`: chat in the terminal, or answer one message with `-m`.

use std::io::{IsTerminal, Read, Write};
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use clawft_core::{Agent, TurnEvent, TurnObserver};
use clawft_plugin::InboundMessage;
use rustyline::error::ReadlineError;

use super::GlobalOpts;
use crate::runtime;

/// Chat with the agent (interactive, or one message with -m).
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  weft agent                          interactive chat (history in ~/.clawft/history.txt)\n  weft agent -m \"what's in notes.md?\"  one answer on stdout\n  echo \"hello\" | weft agent -m -       read the message from stdin\n  weft agent -s work                  use the conversation named `work`\n\nIn the interactive chat: /new starts a fresh conversation, /help lists commands,\nCtrl-C cancels the current answer, Ctrl-D exits."
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
    let agent = runtime::build_agent(&loaded, &resolved, tools, None)?;
    tracing::info!(provider = %resolved.name, model = %resolved.model, base_url = %resolved.base_url, "agent ready");

    match args.message {
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
            one_shot(&agent, &args.session, &text, stream).await
        }
        None => {
            let banner = format!(
                "weft agent · {} via {} · /help for commands, Ctrl-D to exit",
                resolved.model, resolved.name
            );
            interactive(
                &agent,
                &args.session,
                &loaded.paths.history_file(),
                &banner,
                !args.no_stream,
            )
            .await
        }
    }
}

fn inbound(session: &str, text: &str) -> InboundMessage {
    InboundMessage::text("cli", session, "local-user", text)
}

async fn one_shot(
    agent: &Agent,
    session: &str,
    text: &str,
    stream: bool,
) -> anyhow::Result<ExitCode> {
    let msg = inbound(session, text);
    let outcome = if stream {
        agent.run_turn(&msg, Some(&Printer)).await?
    } else {
        agent.run_turn(&msg, None).await?
    };
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

const INTERACTIVE_HELP: &str = "\
/new     start a fresh conversation (forget this session's history)
/help    this list
/exit    leave (or Ctrl-D)";

async fn interactive(
    agent: &Agent,
    session: &str,
    history: &std::path::Path,
    banner: &str,
    stream: bool,
) -> anyhow::Result<ExitCode> {
    let mut editor = rustyline::DefaultEditor::new().context("starting the line editor")?;
    let _ = editor.load_history(history);
    eprintln!("{banner}");
    loop {
        let line = tokio::task::block_in_place(|| editor.readline("› "));
        let line = match line {
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
        match text {
            "/exit" | "/quit" => break,
            "/help" => {
                println!("{INTERACTIVE_HELP}");
                continue;
            }
            "/new" => {
                agent
                    .sessions()
                    .clear(&inbound(session, "").session_key())
                    .await?;
                println!("Started a new conversation.");
                continue;
            }
            _ => {}
        }
        let msg = inbound(session, text);
        let observer: Option<&dyn TurnObserver> = if stream { Some(&Printer) } else { None };
        tokio::select! {
            result = agent.run_turn(&msg, observer) => match result {
                Ok(outcome) if stream => { let _ = outcome; println!("\n"); }
                Ok(outcome) => println!("{}\n", outcome.reply),
                Err(err) => eprintln!("error: {err}\n"),
            },
            _ = tokio::signal::ctrl_c() => eprintln!("\n(cancelled)\n"),
        }
    }
    if let Some(dir) = history.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    let _ = editor.save_history(history);
    Ok(ExitCode::SUCCESS)
}
