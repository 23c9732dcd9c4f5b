//! `weft channels status`: each configured channel of the running gateway.

use std::process::ExitCode;

use clap::{Args, Subcommand};
use serde_json::{Value, json};

use super::GlobalOpts;
use crate::admin::{GatewayProbe, probe};
use crate::runtime;

/// Show the channels of the running gateway.
#[derive(Debug, Args)]
pub struct ChannelsArgs {
    #[command(subcommand)]
    action: ChannelsAction,
}

#[derive(Debug, Subcommand)]
enum ChannelsAction {
    /// State (connected / reconnecting / failed / disabled), last error, last message times and
    /// counts of every channel; configured channels show as offline when no gateway runs.
    Status {
        /// Print as JSON.
        #[arg(long)]
        json: bool,
    },
}

fn ago(ms: &Value, now: u64) -> String {
    match ms.as_u64() {
        Some(t) if t <= now => format!("{}s ago", (now - t) / 1000),
        Some(_) => "just now".into(),
        None => "never".into(),
    }
}

pub async fn exec(global: &GlobalOpts, args: ChannelsArgs) -> anyhow::Result<ExitCode> {
    let ChannelsAction::Status { json: as_json } = args.action;
    let loaded = runtime::load_config(global)?;
    let configured: Vec<String> = loaded.config.channels.keys().cloned().collect();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0);
    match probe(&loaded.paths.home).await {
        GatewayProbe::Running(status) => {
            if as_json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&json!({"running": true, "gateway": status}))?
                );
                return Ok(ExitCode::SUCCESS);
            }
            println!(
                "gateway pid {} · up since {}",
                status["pid"],
                ago(&status["started_ms"], now)
            );
            let channels = status["channels"].as_array().cloned().unwrap_or_default();
            if channels.is_empty() {
                println!(
                    "no channels running{}",
                    if configured.is_empty() {
                        ""
                    } else {
                        " (configured ones failed to build; see the gateway log)"
                    }
                );
            }
            for ch in channels {
                let health = &ch["health"];
                let state = match ch["lifecycle"]["state"].as_str() {
                    Some("failed") => "failed".to_owned(),
                    _ => health["state"].as_str().unwrap_or("unknown").to_owned(),
                };
                let error = ch["lifecycle"]["error"]
                    .as_str()
                    .or_else(|| health["last_error"].as_str())
                    .unwrap_or("-");
                println!(
                    "{:<12} {:<12} in {:>5} (last {})  out {:>5} (last {})  error: {error}",
                    ch["name"].as_str().unwrap_or("?"),
                    state,
                    health["messages_in"],
                    ago(&health["last_inbound_ms"], now),
                    health["messages_out"],
                    ago(&health["last_outbound_ms"], now),
                );
            }
        }
        GatewayProbe::NotRunning(why) => {
            if as_json {
                let offline: Vec<Value> = configured
                    .iter()
                    .map(|c| json!({"name": c, "state": "offline"}))
                    .collect();
                println!(
                    "{}",
                    serde_json::to_string_pretty(
                        &json!({"running": false, "reason": why, "channels": offline})
                    )?
                );
                return Ok(ExitCode::SUCCESS);
            }
            println!("{why}");
            for name in &configured {
                println!("{name:<12} offline");
            }
            if configured.is_empty() {
                println!(
                    "no channels configured (add them under `channels` in {})",
                    loaded.paths.global_config().display()
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
