//! `weft onboard`: create `~/.clawft` with a commented config and the workspace files.
//! Idempotent: existing files are kept untouched.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use clawft_core::config::{Paths, find_config_file_in};

use super::GlobalOpts;

/// Create ~/.clawft with a commented config and starter workspace files (never overwrites).
#[derive(Debug, Args)]
#[command(
    after_help = "Creates (only what is missing):\n  ~/.clawft/config.yaml        commented configuration\n  ~/.clawft/{sessions,skills,plugins,cron}/\n  ~/.clawft/credentials/       0700, for OAuth tokens\n  <workspace>/AGENTS.md, SOUL.md, IDENTITY.md, USER.md, TOOLS.md, HEARTBEAT.md\n\nSet CLAWFT_HOME to put the state somewhere else."
)]
pub struct OnboardArgs {}

const CONFIG_TEMPLATE: &str = include_str!("../../templates/config.yaml");
const WORKSPACE_FILES: &[(&str, &str)] = &[
    ("AGENTS.md", include_str!("../../templates/AGENTS.md")),
    ("SOUL.md", include_str!("../../templates/SOUL.md")),
    ("IDENTITY.md", include_str!("../../templates/IDENTITY.md")),
    ("USER.md", include_str!("../../templates/USER.md")),
    ("TOOLS.md", include_str!("../../templates/TOOLS.md")),
    ("HEARTBEAT.md", include_str!("../../templates/HEARTBEAT.md")),
];

pub fn exec(global: &GlobalOpts, _args: OnboardArgs) -> anyhow::Result<ExitCode> {
    let paths = Paths::from_env();
    let mut created = Vec::new();
    let mut kept = Vec::new();

    for dir in [
        paths.home.clone(),
        paths.sessions(),
        paths.skills(),
        paths.plugins(),
        paths.cron(),
    ] {
        ensure_dir(&dir, &mut created)?;
    }
    ensure_dir(&paths.credentials(), &mut created)?;
    restrict(&paths.credentials(), 0o700)?;

    match find_config_file_in(&paths.home) {
        Some(existing) => kept.push(existing),
        None => write_new(
            &paths.home.join("config.yaml"),
            CONFIG_TEMPLATE,
            &mut created,
        )?,
    }

    let workspace = global
        .workspace
        .clone()
        .unwrap_or_else(|| paths.default_workspace());
    ensure_dir(&workspace, &mut created)?;
    for (name, text) in WORKSPACE_FILES {
        let path = workspace.join(name);
        if path.exists() {
            kept.push(path);
        } else {
            write_new(&path, text, &mut created)?;
        }
    }

    if created.is_empty() {
        println!(
            "Everything is already set up in {} (nothing changed).",
            paths.home.display()
        );
    } else {
        println!("Created:");
        for path in &created {
            println!("  {}", path.display());
        }
    }
    if !kept.is_empty() {
        println!("Kept as they were:");
        for path in &kept {
            println!("  {}", path.display());
        }
    }
    println!(
        "\nNext: export OPENAI_API_KEY (or ANTHROPIC_API_KEY, or OLLAMA_HOST), then run `weft agent`."
    );
    Ok(ExitCode::SUCCESS)
}

fn ensure_dir(dir: &Path, created: &mut Vec<PathBuf>) -> anyhow::Result<()> {
    if !dir.is_dir() {
        std::fs::create_dir_all(dir).with_context(|| format!("creating `{}`", dir.display()))?;
        created.push(dir.to_owned());
    }
    Ok(())
}

fn write_new(path: &Path, text: &str, created: &mut Vec<PathBuf>) -> anyhow::Result<()> {
    use std::io::Write;
    // `create_new` so a file that appeared meanwhile is never overwritten.
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .with_context(|| format!("creating `{}`", path.display()))?;
    file.write_all(text.as_bytes())
        .with_context(|| format!("writing `{}`", path.display()))?;
    created.push(path.to_owned());
    Ok(())
}

fn restrict(path: &Path, mode: u32) -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
            .with_context(|| format!("restricting permissions of `{}`", path.display()))?;
    }
    let _ = (path, mode);
    Ok(())
}
