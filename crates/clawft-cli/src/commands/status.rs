//! `weft status`: where state lives, which provider and model, what is loaded.

use std::process::ExitCode;

use clap::Args;

use super::GlobalOpts;
use crate::runtime;

/// Show state directories, provider, model, tools and sessions.
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Print as JSON.
    #[arg(long)]
    json: bool,
}

pub async fn exec(global: &GlobalOpts, args: StatusArgs) -> anyhow::Result<ExitCode> {
    let loaded = runtime::load_config(global)?;
    let tools = runtime::tool_registry(&loaded)?;
    let tool_names: Vec<String> = tools.snapshot().names().map(str::to_owned).collect();
    let sessions = clawft_core::JsonlSessionStore::new(loaded.paths.sessions());
    let session_count = clawft_core::SessionStore::list(&sessions)
        .await
        .map(|l| l.len())
        .unwrap_or(0);
    let provider = runtime::provider(&loaded);
    let mcp_servers = crate::mcp_servers::describe(&loaded)?;
    if args.json {
        let provider_json = match &provider {
            Ok(p) => {
                serde_json::json!({"name": p.name, "kind": format!("{:?}", p.kind).to_lowercase(), "base_url": p.base_url, "model": p.model})
            }
            Err(err) => serde_json::json!({"error": err.to_string()}),
        };
        let out = serde_json::json!({
            "version": env!("CARGO_PKG_VERSION"),
            "home": loaded.paths.home,
            "config_files": loaded.files,
            "workspace": loaded.workspace,
            "provider": provider_json,
            "tools": tool_names,
            "mcp_servers": mcp_servers
                .iter()
                .map(|(name, how)| (name.clone(), serde_json::Value::from(how.as_str())))
                .collect::<serde_json::Map<_, _>>(),
            "sessions": session_count,
        });
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!("weft {}", env!("CARGO_PKG_VERSION"));
    println!("home:      {}", loaded.paths.home.display());
    let files: Vec<String> = loaded
        .files
        .iter()
        .map(|f| f.display().to_string())
        .collect();
    println!(
        "config:    {}",
        if files.is_empty() {
            "none (defaults; run `weft onboard`)".into()
        } else {
            files.join(", ")
        }
    );
    println!("workspace: {}", loaded.workspace.display());
    match &provider {
        Ok(p) => println!(
            "provider:  {} ({:?}) {} · model {}",
            p.name, p.kind, p.base_url, p.model
        ),
        Err(_) => println!(
            "provider:  none configured (set OPENAI_API_KEY, ANTHROPIC_API_KEY or OLLAMA_HOST)"
        ),
    }
    println!("tools:     {}", tool_names.join(", "));
    if !mcp_servers.is_empty() {
        let servers: Vec<String> = mcp_servers
            .iter()
            .map(|(name, how)| format!("{name} ({how})"))
            .collect();
        println!(
            "mcp:       {} (tools load in `weft agent` and `weft gateway`)",
            servers.join(", ")
        );
    }
    println!("sessions:  {session_count}");
    Ok(ExitCode::SUCCESS)
}
