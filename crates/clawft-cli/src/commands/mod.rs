//! The command registry: every subcommand, its help text and its `exec`.

mod agent;
mod channels;
mod config;
mod gateway;
#[cfg(feature = "mcp")]
mod mcp;
mod onboard;
#[cfg(feature = "wasm")]
pub(crate) mod plugin;
#[cfg(feature = "wasm")]
mod plugin_install;
mod progress;
mod skill;
mod skill_install;
mod status;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

/// Options every command accepts.
#[derive(Debug, Args, Clone)]
pub struct GlobalOpts {
    /// Workspace directory (default: `workspace` from config, else ~/.clawft/workspace).
    #[arg(long, global = true, env = "CLAWFT_WORKSPACE", value_name = "DIR")]
    pub workspace: Option<PathBuf>,
    /// More log output on stderr (-v info, -vv debug, -vvv trace). `CLAWFT_LOG` overrides.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Only errors on stderr.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
}

const AFTER_HELP: &str = "\
Environment:
  CLAWFT_HOME        state directory (default ~/.clawft)
  CLAWFT_WORKSPACE   workspace directory
  CLAWFT_MODEL       model name
  OPENAI_API_KEY / OPENAI_BASE_URL, ANTHROPIC_API_KEY / ANTHROPIC_BASE_URL, OLLAMA_HOST
                     used when the config names no provider
  CLAWFT_LOG         log filter, e.g. `debug` or `clawft_core=trace`

Exit status: 0 success, 1 failure, 2 usage error.

Examples:
  weft onboard                       create ~/.clawft with a commented config
  weft agent -m \"summarise notes.md\" one question, answer on stdout
  weft agent                         interactive chat
  weft gateway                       run every configured channel";

/// clawft: a personal AI assistant that lives behind your chat channels.
#[derive(Debug, Parser)]
#[command(name = "weft", version, about = "clawft: a personal AI assistant that lives behind your chat channels", after_help = AFTER_HELP, propagate_version = true)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalOpts,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    Agent(agent::AgentArgs),
    Gateway(gateway::GatewayArgs),
    Channels(channels::ChannelsArgs),
    #[cfg(feature = "mcp")]
    Mcp(mcp::McpArgs),
    Onboard(onboard::OnboardArgs),
    Config(config::ConfigArgs),
    Skill(skill::SkillArgs),
    #[cfg(feature = "wasm")]
    Plugin(plugin::PluginArgs),
    Status(status::StatusArgs),
}

/// Run the parsed command.
pub async fn exec(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Agent(args) => agent::exec(&cli.global, args).await,
        Command::Gateway(args) => gateway::exec(&cli.global, args).await,
        Command::Channels(args) => channels::exec(&cli.global, args).await,
        #[cfg(feature = "mcp")]
        Command::Mcp(args) => mcp::exec(&cli.global, args).await,
        Command::Onboard(args) => onboard::exec(&cli.global, args),
        Command::Config(args) => config::exec(&cli.global, args),
        Command::Skill(args) => skill::exec(&cli.global, args).await,
        #[cfg(feature = "wasm")]
        Command::Plugin(args) => plugin::exec(&cli.global, args).await,
        Command::Status(args) => status::exec(&cli.global, args).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn command_tree_is_consistent_and_documented() {
        Cli::command().debug_assert();
        for sub in Cli::command().get_subcommands() {
            assert!(
                sub.get_about().is_some(),
                "`weft {}` needs a one-line description",
                sub.get_name()
            );
        }
    }
}
