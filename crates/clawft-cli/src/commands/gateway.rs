//! `weft gateway`: run the agent behind every configured channel until stopped.

use std::process::ExitCode;
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use clap::Args;
use clawft_core::bus::{BusLimits, InboundHandler, LocalBus, MessageBus};
use clawft_core::{Agent, CommandRegistry, PluginHost, PluginState, respond};
use clawft_plugin::{InboundMessage, MessageSink, OutboundMessage, async_trait};

use super::GlobalOpts;
use crate::mcp_servers::{McpServers, Report};
use crate::runtime;

/// Run every configured channel around one agent (stop with Ctrl-C or SIGTERM).
#[derive(Debug, Args)]
#[command(
    after_help = "Channels are configured under `channels` in ~/.clawft/config.json and must be\ncompiled in (Cargo features `channel-<name>`). With none configured the gateway\nstill starts, reports what it runs, and waits.\n\nExample:\n  weft gateway -v"
)]
pub struct GatewayArgs {}

/// Runs each inbound message through the agent and queues the reply. The agent and the bus
/// refer to each other (the agent's `message` tool sends through the bus), so both are set
/// once, right after construction.
#[derive(Default)]
struct AgentHandler {
    agent: OnceLock<Result<(Arc<Agent>, CommandRegistry), String>>,
    bus: OnceLock<LocalBus>,
}

#[async_trait]
impl InboundHandler for AgentHandler {
    async fn handle(&self, msg: InboundMessage) {
        let reply = match self.agent.get() {
            Some(Ok((agent, commands))) => match respond(agent, commands, &msg, None).await {
                Ok(response) => response.text().to_owned(),
                Err(err) => {
                    tracing::error!(session = %msg.session_key(), %err, "turn failed");
                    format!("Sorry, I could not answer: {err}")
                }
            },
            Some(Err(reason)) => format!("This assistant is not ready: {reason}"),
            None => "This assistant is still starting; try again in a moment.".to_owned(),
        };
        if let Some(bus) = self.bus.get()
            && let Err(err) = bus
                .publish_outbound(OutboundMessage::reply_to(&msg, reply))
                .await
        {
            tracing::error!(%err, "could not queue the reply");
        }
    }
}

pub async fn exec(global: &GlobalOpts, _args: GatewayArgs) -> anyhow::Result<ExitCode> {
    let began = Instant::now();
    let loaded = runtime::load_config(global)?;
    let tools = runtime::tool_registry(&loaded)?;
    #[cfg(feature = "wasm")]
    let _plugins = crate::plugin_sync::start(&loaded, tools.clone(), true).await?;
    let mut mcp_servers = McpServers::connect(&loaded, &tools, Report::Log).await?;
    mcp_servers.retry_failed();
    let skills = runtime::Skills::load(&loaded)?;
    let _watcher = runtime::watch_skills(&skills);
    #[cfg(feature = "mcp")]
    let mcp = super::mcp::start_in_gateway(&loaded, tools.clone(), &skills)?;
    let mut host = PluginHost::new(tools.clone(), loaded.config.plugins.clone());
    let mut disabled = Vec::new();
    let mut broken = Vec::new();
    for (name, section) in &loaded.config.channels {
        match crate::channels::build(name, section, &loaded.paths.home) {
            Ok(crate::channels::Planned::Ready(adapter)) => host.add_channel(adapter)?,
            Ok(crate::channels::Planned::Disabled) => disabled.push(name.clone()),
            Err(err) => {
                tracing::error!("{err:#}");
                broken.push(format!("{name} ({err:#})"));
            }
        }
    }
    let host = Arc::new(host);

    let handler = Arc::new(AgentHandler::default());
    let (bus, mut outbound) = LocalBus::new(handler.clone(), BusLimits::default());
    let _ = handler.bus.set(bus.clone());
    let sink: Arc<dyn MessageSink> = Arc::new(bus.clone());
    let provider_line = match runtime::provider(&loaded) {
        Ok(resolved) => {
            let agent =
                runtime::build_agent(&loaded, &resolved, tools.clone(), &skills, Some(sink))?;
            let commands = runtime::command_registry(agent.clone(), &skills);
            let _ = handler.agent.set(Ok((agent, commands)));
            format!("{} via {}", resolved.model, resolved.name)
        }
        Err(err) => {
            tracing::warn!("{err}");
            let _ = handler.agent.set(Err(err.to_string()));
            "none (messages will be answered with setup instructions)".to_owned()
        }
    };

    let started = host.start_all(Arc::new(bus.clone())).await;
    let _admin = crate::admin::start(&loaded.paths.home, host.clone()).await?;
    if let Some(Ok((_, commands))) = handler.agent.get() {
        let specs: Vec<_> = std::iter::once(clawft_plugin::CommandSpec {
            name: "help".into(),
            description: "list the commands available now".into(),
            argument_hint: None,
            origin: clawft_plugin::CommandOrigin::Builtin,
        })
        .chain(commands.commands().into_iter().map(|(spec, _)| spec))
        .collect();
        host.register_commands(&specs).await;
    }
    let router_host = host.clone();
    let router = tokio::spawn(async move {
        while let Some(msg) = outbound.recv().await {
            if let Err(err) = router_host.send(&msg).await {
                tracing::error!(channel = %msg.channel, chat = %msg.chat_id, %err, "could not deliver a message");
            }
        }
    });

    let running: Vec<&str> = started
        .iter()
        .filter(|(_, s)| *s == PluginState::Running)
        .map(|(n, _)| n.as_str())
        .collect();
    let mut failed: Vec<String> = started
        .iter()
        .filter_map(|(n, s)| match s {
            PluginState::Failed(e) => Some(format!("{n} ({e})")),
            _ => None,
        })
        .collect();
    eprintln!("weft gateway ready in {} ms", began.elapsed().as_millis());
    eprintln!("  model:     {provider_line}");
    eprintln!("  workspace: {}", loaded.workspace.display());
    eprintln!(
        "  tools:     {}",
        tools.snapshot().names().collect::<Vec<_>>().join(", ")
    );
    let watch_note = if skills.settings.watch {
        " (hot reload on)"
    } else {
        ""
    };
    eprintln!(
        "  skills:    {} loaded{watch_note}",
        skills.registry.snapshot().len()
    );
    if !mcp_servers.summary.is_empty() {
        eprintln!("  mcp tools: {}", mcp_servers.summary.join(", "));
    }
    eprintln!(
        "  channels:  {}",
        if running.is_empty() {
            "none running".to_owned()
        } else {
            running.join(", ")
        }
    );
    failed.extend(broken);
    if !failed.is_empty() {
        eprintln!("  failed:    {}", failed.join("; "));
    }
    if !disabled.is_empty() {
        eprintln!("  disabled:  {}", disabled.join(", "));
    }
    eprintln!("Press Ctrl-C to stop.");

    runtime::wait_for_shutdown().await;
    eprintln!("stopping…");
    host.stop_all().await;
    router.abort();
    #[cfg(feature = "mcp")]
    if let Some(mcp) = mcp {
        mcp.abort();
    }
    mcp_servers.shutdown().await;
    Ok(ExitCode::SUCCESS)
}
