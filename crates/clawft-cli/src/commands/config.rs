//! `weft config show|validate|path`.

use std::process::ExitCode;

use clap::{Args, Subcommand};
use clawft_core::config::find_config_file_in;

use super::GlobalOpts;
use crate::runtime;

/// Inspect and check the configuration.
#[derive(Debug, Args)]
pub struct ConfigArgs {
    #[command(subcommand)]
    action: ConfigAction,
}

#[derive(Debug, Subcommand)]
enum ConfigAction {
    /// Print the effective configuration (global + project + environment) as JSON.
    Show,
    /// Check the configuration and the LLM provider settings; exit 1 on a problem.
    Validate,
    /// Print the config file locations (global and project) and whether they exist.
    Path,
}

pub fn exec(global: &GlobalOpts, args: ConfigArgs) -> anyhow::Result<ExitCode> {
    match args.action {
        ConfigAction::Show => {
            let loaded = runtime::load_config(global)?;
            let mut shown = serde_json::to_value(&loaded.config)?;
            if let Some(map) = shown.as_object_mut() {
                map.insert("workspace".into(), serde_json::json!(loaded.workspace));
            }
            println!("{}", serde_json::to_string_pretty(&shown)?);
            let files: Vec<String> = loaded
                .files
                .iter()
                .map(|f| f.display().to_string())
                .collect();
            eprintln!(
                "(from: {})",
                if files.is_empty() {
                    "defaults only".into()
                } else {
                    files.join(", ")
                }
            );
            Ok(ExitCode::SUCCESS)
        }
        ConfigAction::Validate => {
            let loaded = runtime::load_config(global)?;
            for file in &loaded.files {
                println!("ok: {}", file.display());
            }
            if loaded.files.is_empty() {
                println!("ok: no config file; using defaults (run `weft onboard` to create one)");
            }
            clawft_tools::builtin_tools(&loaded.config.tools)?;
            let servers = crate::mcp_servers::describe(&loaded)?;
            if !servers.is_empty() {
                let names: Vec<&str> = servers.iter().map(|(name, _)| name.as_str()).collect();
                println!("ok: MCP servers {} (not contacted)", names.join(", "));
            }
            match runtime::provider(&loaded) {
                Ok(p) => println!(
                    "ok: provider `{}` ({:?}) at {} with model `{}`",
                    p.name, p.kind, p.base_url, p.model
                ),
                Err(err) => {
                    println!("problem: {err}");
                    return Ok(ExitCode::from(crate::error_report::EXIT_ERROR));
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        ConfigAction::Path => {
            let paths = clawft_core::Paths::from_env();
            let global_file = paths.global_config();
            println!(
                "global:  {} ({})",
                global_file.display(),
                exists(&global_file)
            );
            let workspace = global
                .workspace
                .clone()
                .unwrap_or_else(|| paths.default_workspace());
            let project_dir = workspace.join(".clawft");
            match find_config_file_in(&project_dir) {
                Some(p) => println!("project: {} (exists)", p.display()),
                None => println!(
                    "project: {} (missing)",
                    project_dir.join("config.json").display()
                ),
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn exists(path: &std::path::Path) -> &'static str {
    if path.exists() { "exists" } else { "missing" }
}
