//! `weft skill list|show|check`: what skills are loaded, from which layer, and what is wrong.

use std::process::ExitCode;

use clap::{Args, Subcommand};
use clawft_skills::{Availability, GateContext, LoadedSkill, SkillSnapshot};
use serde_json::json;

use super::GlobalOpts;
use super::skill_install as install;
use crate::runtime;

/// List, inspect and check skills (SKILL.md) across every layer.
#[derive(Debug, Args)]
#[command(
    after_help = "Layers, highest first (a skill shadows same-named skills below it):\n  workspace  <workspace>/skills, <workspace>/.agents/skills\n  managed    ~/.clawft/skills, ~/.agents/skills\n  plugin     skill directories declared by plugin manifests\n  bundled    skills shipped with weft\n\nExamples:\n  weft skill list --verbose     winners, their layer and path, and what they shadow\n  weft skill show github        one skill's metadata and instructions\n  weft skill check              every problem as file:line: reason (exit 1 if any)"
)]
pub struct SkillArgs {
    #[command(subcommand)]
    action: SkillAction,
}

#[derive(Debug, Subcommand)]
enum SkillAction {
    /// List loaded skills with their status and layer (`--verbose`: paths, shadowed skills,
    /// warnings).
    List {
        /// Print as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Show one skill: where it comes from, its gates, command and instructions.
    Show {
        /// Skill name.
        name: String,
    },
    /// Validate every skill in every layer; exit 1 when any fails to load.
    Check,
    /// Install a skill from git, ClawHub, an archive URL or a folder.
    #[command(after_help = INSTALL_HELP)]
    Install(install::InstallArgs),
    /// Re-resolve installed skills from their recorded sources and install what changed.
    Update(install::UpdateArgs),
    /// Delete an installed skill and its lockfile entry.
    Remove(install::RemoveArgs),
    /// Search ClawHub.
    Search(install::SearchArgs),
}

const INSTALL_HELP: &str = "\
Sources:
  github.com/owner/repo[/sub/path][@ref]   git, shallow; sparse when a path is given
  https://…/repo.git, ssh://…, file://…    any git URL (--path, --ref)
  [@owner/]slug[@version]                  ClawHub (registry: skills.install.clawhub_url or CLAWHUB_URL)
  https://…/skill.zip | .tar.gz            an archive
  ./folder                                 a local folder

Nothing is written until the skill validates; archives with absolute paths, `..`,
links, or over the size/file caps are refused; install steps a skill declares are
never run. Each install is recorded in <skills>/.lock.json with its source, resolved
commit/version and sha256. A running `weft agent`/`weft gateway` picks the skill up
without a restart.

Signatures: when the source publishes an Ed25519 signature over the skill's sha256
fingerprint, it must verify against `skills.install.trusted_keys` (a bad signature is
always refused). With `skills.install.require_signatures: true`, unsigned sources are
refused unless --allow-unsigned is given. ClawHub `malware` verdicts are always
refused; `suspicious` needs --force.

Examples:
  weft skill install github.com/openclaw/skills/coding-agent
  weft skill install weather@1.2.0
  weft skill install file:///srv/skills.git --path tools/pdf --ref v2";

pub async fn exec(global: &GlobalOpts, args: SkillArgs) -> anyhow::Result<ExitCode> {
    let loaded = runtime::load_config(global)?;
    // `--verbose` is the global flag (it also raises the log level).
    let verbose = global.verbose > 0;
    match args.action {
        SkillAction::Install(a) => install::install(&loaded, a).await,
        SkillAction::Update(a) => install::update(&loaded, a).await,
        SkillAction::Remove(a) => install::remove(&loaded, a),
        SkillAction::Search(a) => install::search(&loaded, a).await,
        SkillAction::List { json } => {
            let skills = runtime::Skills::load(&loaded)?;
            let (snapshot, gate) = (skills.registry.snapshot(), skills.gate());
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&list_json(&snapshot, &gate, verbose))?
                );
            } else {
                print_list(&snapshot, &gate, verbose);
            }
            Ok(ExitCode::SUCCESS)
        }
        SkillAction::Show { name } => {
            let skills = runtime::Skills::load(&loaded)?;
            show(&skills.registry.snapshot(), &skills.gate(), &name)
        }
        SkillAction::Check => {
            let skills = runtime::Skills::load(&loaded)?;
            Ok(check(
                &skills.registry.snapshot(),
                &skills.registry.sources(),
            ))
        }
    }
}

fn list_json(snapshot: &SkillSnapshot, gate: &GateContext, verbose: bool) -> serde_json::Value {
    let list: Vec<_> = snapshot.iter().map(|s| skill_json(s, gate)).collect();
    let mut out = json!({"version": snapshot.version, "skills": list, "errors": snapshot.errors});
    if verbose {
        out["warnings"] = json!(snapshot.warnings);
    }
    out
}

fn status(skill: &LoadedSkill, gate: &GateContext) -> String {
    match skill.availability(gate) {
        Availability::Ready => "ready".into(),
        Availability::Unavailable(reason) => format!("unavailable: {reason}"),
    }
}

fn skill_json(skill: &LoadedSkill, gate: &GateContext) -> serde_json::Value {
    let shadows: Vec<_> = skill
        .shadows
        .iter()
        .map(|s| json!({"layer": s.layer.as_str(), "path": s.path}))
        .collect();
    json!({
        "name": skill.name(),
        "description": skill.doc.description,
        "layer": skill.layer.as_str(),
        "path": skill.path(),
        "status": status(skill, gate),
        "user_invocable": skill.doc.user_invocable,
        "model_invocable": !skill.doc.disable_model_invocation,
        "shadows": shadows,
    })
}

fn print_list(snapshot: &SkillSnapshot, gate: &GateContext, verbose: bool) {
    if snapshot.is_empty() {
        println!(
            "No skills loaded. Put a skill folder with a SKILL.md in <workspace>/skills or ~/.clawft/skills."
        );
    }
    let width = snapshot.iter().map(|s| s.name().len()).max().unwrap_or(0);
    for skill in snapshot.iter() {
        let status = status(skill, gate);
        if verbose {
            println!(
                "{:width$}  {:9}  {status}",
                skill.name(),
                skill.layer.as_str()
            );
            println!("{:width$}  path: {}", "", skill.path().display());
            for shadowed in &skill.shadows {
                println!(
                    "{:width$}  shadows: {} ({})",
                    "",
                    shadowed.path.display(),
                    shadowed.layer.as_str()
                );
            }
        } else {
            let desc: String = skill.doc.description.chars().take(70).collect();
            println!(
                "{:width$}  {:9}  {:12}  {desc}",
                skill.name(),
                skill.layer.as_str(),
                short_status(&status)
            );
        }
    }
    if !snapshot.errors.is_empty() {
        println!(
            "\n{} skill(s) failed to load (see `weft skill check`):",
            snapshot.errors.len()
        );
        for err in &snapshot.errors {
            println!("  error: {err}");
        }
    }
    if verbose && !snapshot.warnings.is_empty() {
        println!("\nwarnings:");
        for w in &snapshot.warnings {
            println!("  {w}");
        }
    }
}

fn short_status(status: &str) -> &str {
    if status == "ready" {
        "ready"
    } else {
        "unavailable"
    }
}

fn show(snapshot: &SkillSnapshot, gate: &GateContext, name: &str) -> anyhow::Result<ExitCode> {
    let Some(skill) = snapshot.get(name) else {
        let hint = snapshot
            .closest_name(name)
            .map(|n| format!("\nhelp: did you mean `{n}`?"))
            .unwrap_or_else(|| "\nhelp: `weft skill list` shows the loaded skills".into());
        anyhow::bail!("no skill named `{name}`{hint}");
    };
    let doc = &skill.doc;
    println!("name:        {}", doc.name);
    println!("description: {}", doc.description);
    println!("layer:       {}", skill.layer.as_str());
    println!("path:        {}", skill.path().display());
    println!("status:      {}", status(skill, gate));
    println!(
        "command:     {}",
        if doc.user_invocable {
            format!("/{}", clawft_skills::command_name(&doc.name))
        } else {
            "none (user-invocable: false)".into()
        }
    );
    println!(
        "catalogue:   {}",
        if doc.disable_model_invocation {
            "hidden (disable-model-invocation)"
        } else {
            "listed"
        }
    );
    if let Some(tool) = doc.dispatch_tool() {
        println!("dispatch:    calls tool `{tool}` directly");
    }
    for shadowed in &skill.shadows {
        println!(
            "shadows:     {} ({})",
            shadowed.path.display(),
            shadowed.layer.as_str()
        );
    }
    println!("\n{}", doc.instructions().trim());
    Ok(ExitCode::SUCCESS)
}

fn check(snapshot: &SkillSnapshot, sources: &[clawft_skills::SkillSource]) -> ExitCode {
    for source in sources {
        let state = if source.root.is_dir() {
            "scanned"
        } else {
            "absent"
        };
        println!(
            "{:9}  {}  ({state})",
            source.layer.as_str(),
            source.root.display()
        );
    }
    for w in &snapshot.warnings {
        println!("warning: {w}");
    }
    for err in &snapshot.errors {
        println!("error: {err}");
    }
    println!(
        "\n{} skills ok, {} errors, {} warnings",
        snapshot.len(),
        snapshot.errors.len(),
        snapshot.warnings.len()
    );
    if snapshot.errors.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(crate::error_report::EXIT_ERROR)
    }
}
