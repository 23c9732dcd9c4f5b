//! `weft skill install|update|remove|search`: the CLI side of `clawft_skills::install`.

use std::process::ExitCode;

use clap::Args;
use clawft_core::LoadedConfig;
use clawft_skills::install::{InstallOptions, Installed, Installer, SourceSpec};

use super::progress::Progress;
use crate::runtime;

/// `weft skill install`.
#[derive(Debug, Args)]
pub struct InstallArgs {
    /// Where to install from (see the sources below).
    source: String,
    /// Folder inside a repository or archive holding the skill.
    #[arg(long, value_name = "SUB/PATH")]
    path: Option<String>,
    /// Branch, tag or commit of a git source.
    #[arg(long = "ref", value_name = "REF")]
    reference: Option<String>,
    /// Replace a different skill of the same name, overwrite local edits, or accept a
    /// `suspicious` ClawHub verdict.
    #[arg(long)]
    force: bool,
    /// Install even if the source is unsigned while `skills.install.require_signatures` is on.
    #[arg(long)]
    allow_unsigned: bool,
    /// Install into the workspace's `skills/` (project layer) instead of ~/.clawft/skills.
    #[arg(long)]
    project: bool,
}

/// `weft skill update`.
#[derive(Debug, Args)]
pub struct UpdateArgs {
    /// Skill to update (default: every installed skill).
    name: Option<String>,
    /// Overwrite local edits.
    #[arg(long)]
    force: bool,
    /// Update skills installed with --project.
    #[arg(long)]
    project: bool,
}

/// `weft skill remove`.
#[derive(Debug, Args)]
pub struct RemoveArgs {
    /// Skill to remove.
    name: String,
    /// Remove from the workspace's `skills/` instead of ~/.clawft/skills.
    #[arg(long)]
    project: bool,
}

/// `weft skill search`.
#[derive(Debug, Args)]
pub struct SearchArgs {
    /// Words to search for.
    query: Vec<String>,
    /// Results to show.
    #[arg(long, default_value_t = 20)]
    limit: usize,
}

fn installer(loaded: &LoadedConfig, project: bool) -> anyhow::Result<Installer> {
    let settings = crate::runtime::SkillsSettings::from_config(loaded)?.install;
    let root = if project {
        loaded.workspace.join("skills")
    } else {
        loaded.paths.skills()
    };
    Ok(Installer::new(root, settings)?)
}

fn report(loaded: &LoadedConfig, done: &Installed, verb: &str) -> anyhow::Result<()> {
    let short = |r: &str| {
        if r.len() == 40 {
            r[..12].to_owned()
        } else {
            r.to_owned()
        }
    };
    if done.unchanged {
        println!(
            "`{}` is up to date ({} {})",
            done.name,
            done.entry.kind,
            short(&done.entry.resolved)
        );
    } else {
        let from = done
            .previous
            .as_ref()
            .map(|p| format!(" (was {})", short(&p.resolved)))
            .unwrap_or_default();
        let signed = if done.entry.signed {
            ", signature verified"
        } else {
            ""
        };
        println!(
            "{verb} `{}` {} {}{from}{signed}",
            done.name,
            done.entry.kind,
            short(&done.entry.resolved)
        );
        println!("  into {}", done.dir.display());
    }
    // Where it sits among the layers, now.
    let skills = runtime::Skills::load(loaded)?;
    if let Some(winner) = skills.registry.snapshot().get(&done.name) {
        if winner.path().starts_with(&done.dir) {
            println!("  layer: {}", winner.layer.as_str());
            for shadowed in &winner.shadows {
                println!(
                    "  shadows: {} ({})",
                    shadowed.path.display(),
                    shadowed.layer.as_str()
                );
            }
        } else {
            println!(
                "  note: it is shadowed by {} ({}), which wins",
                winner.path().display(),
                winner.layer.as_str()
            );
        }
    }
    Ok(())
}

pub async fn install(loaded: &LoadedConfig, args: InstallArgs) -> anyhow::Result<ExitCode> {
    let installer = installer(loaded, args.project)?;
    let spec = SourceSpec::parse(
        &args.source,
        args.path.as_deref(),
        args.reference.as_deref(),
    )?;
    let options = InstallOptions {
        force: args.force,
        allow_unsigned: args.allow_unsigned,
    };
    let progress = Progress::new();
    let done = installer
        .install(&spec, options, &|m| progress.update(m))
        .await?;
    drop(progress);
    report(loaded, &done, "installed")?;
    Ok(ExitCode::SUCCESS)
}

pub async fn update(loaded: &LoadedConfig, args: UpdateArgs) -> anyhow::Result<ExitCode> {
    let installer = installer(loaded, args.project)?;
    let names: Vec<String> = match args.name {
        Some(name) => vec![name],
        None => installer.lockfile()?.skills.into_keys().collect(),
    };
    if names.is_empty() {
        println!("Nothing installed in {}.", installer.root().display());
    }
    let mut failed = 0;
    for name in names {
        let progress = Progress::new();
        let result = installer
            .update(
                &name,
                InstallOptions {
                    force: args.force,
                    allow_unsigned: false,
                },
                &|m| progress.update(m),
            )
            .await;
        drop(progress);
        match result {
            Ok(done) => report(loaded, &done, "updated")?,
            Err(err) => {
                failed += 1;
                eprintln!("error: `{name}`: {err}");
            }
        }
    }
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(crate::error_report::EXIT_ERROR)
    })
}

pub fn remove(loaded: &LoadedConfig, args: RemoveArgs) -> anyhow::Result<ExitCode> {
    let dir = installer(loaded, args.project)?.remove(&args.name)?;
    println!("removed `{}` ({})", args.name, dir.display());
    Ok(ExitCode::SUCCESS)
}

pub async fn search(loaded: &LoadedConfig, args: SearchArgs) -> anyhow::Result<ExitCode> {
    let installer = installer(loaded, false)?;
    let hits = installer
        .clawhub()
        .search(&args.query.join(" "), args.limit)
        .await?;
    if hits.is_empty() {
        println!("No skills found on {}.", installer.clawhub().base());
    }
    for hit in hits {
        let version = hit.version.map(|v| format!(" {v}")).unwrap_or_default();
        println!("{}{version}  {}", hit.slug, hit.summary);
    }
    Ok(ExitCode::SUCCESS)
}
