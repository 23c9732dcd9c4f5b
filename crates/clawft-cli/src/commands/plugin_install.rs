//! `weft plugin install|update|remove`: the CLI side of [`clawft_wasm::install`] — parse
//! the source, ask for permissions, print what changed.

use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;

use clap::Args;
use clawft_core::config::LoadedConfig;
use clawft_fetch::SourceSpec;
use clawft_wasm::WasmConfig;
use clawft_wasm::WasmHost;
use clawft_wasm::install::{
    ApprovalRequest, Decision, InstallRecord, PluginInstallOptions, PluginInstalled,
    PluginInstaller,
};

use super::plugin::{permission_lines, print_summary};
use super::progress::Progress;

const SOURCES_HELP: &str = "\
Sources:
  plugins/fs-notes                          a folder (or its manifest or .wasm)
  github.com/OWNER/REPO[/SUB/PATH][@REF]    a GitHub repository folder at a branch, tag or commit
  https://host/r.git, ssh://..., file://..., git@host:r.git
                                            any git URL (shallow; sparse with --path)
  https://host/plugin.zip, .tar.gz, .tgz    an archive URL
  [@OWNER/]SLUG[@VERSION]                   a ClawHub release (registry: `wasm.install.clawhub_url`)

The plugin is found in the fetched tree (a folder with clawft.plugin.json or .yaml and its
component), checked like `weft plugin validate`, hashed, its signature verified when the
source has one (ClawHub, or a clawft.plugin.sig file: base64 Ed25519 over the fingerprint)
against `wasm.install.trusted_keys`, then moved into ~/.clawft/plugins/<id>/ in one rename:
a failed, hostile or interrupted install leaves that folder as it was. A running gateway,
`weft mcp serve` or interactive `weft agent` picks the plugin up within a second.

Examples:
  weft plugin install plugins/fs-notes
  weft plugin install file:///srv/git/plugins.git --path fs-notes --ref v1.2.0
  weft plugin install github.com/acme/clawft-plugins/weather@main --yes
  weft plugin install https://example.org/weather-0.3.0.tar.gz";

/// `weft plugin install`.
#[derive(Debug, Args)]
#[command(
    about = "Install a plugin from a folder, git, an archive URL or ClawHub",
    after_help = SOURCES_HELP
)]
pub struct InstallArgs {
    /// Where to install from (see the sources below).
    source: String,
    /// Folder inside a repository or archive holding the plugin.
    #[arg(long, value_name = "SUB/PATH")]
    path: Option<String>,
    /// Branch, tag or commit of a git source.
    #[arg(long = "ref", value_name = "REF")]
    reference: Option<String>,
    /// Approve the permissions that need approval (network `*`, exec, environment
    /// variables; anything an update adds) without asking.
    #[arg(short, long)]
    yes: bool,
    /// Replace a plugin with the same id installed from a different source, or accept a
    /// `suspicious` ClawHub verdict (`malware` is always refused).
    #[arg(long)]
    force: bool,
    /// Install even if the source is unsigned while `wasm.install.require_signatures` is on.
    #[arg(long)]
    allow_unsigned: bool,
}

/// `weft plugin update`.
#[derive(Debug, Args)]
#[command(
    about = "Re-resolve installed plugins from their recorded sources and install what changed",
    after_help = "Shows the old and new version, commit (or ClawHub version) and sha256. Approved\npermissions carry over; a new version asking for more needs confirmation or --yes.\n\nExamples:\n  weft plugin update              every installed plugin\n  weft plugin update fs-notes     one plugin"
)]
pub struct UpdateArgs {
    /// Plugin to update (default: every installed plugin).
    id: Option<String>,
    /// Approve permissions a new version adds without asking.
    #[arg(short, long)]
    yes: bool,
    /// Accept a `suspicious` ClawHub verdict.
    #[arg(long)]
    force: bool,
}

/// `weft plugin remove`.
#[derive(Debug, Args)]
#[command(
    about = "Uninstall a plugin",
    after_help = "Example:\n  weft plugin remove fs-notes"
)]
pub struct RemoveArgs {
    /// Installed plugin id.
    id: String,
}

fn installer(
    loaded: &LoadedConfig,
    config: WasmConfig,
    host: WasmHost,
) -> anyhow::Result<PluginInstaller> {
    Ok(PluginInstaller::new(
        loaded.paths.plugins(),
        config.install,
        host,
    )?)
}

/// Ask on the terminal (with the spinner hidden), approve with `--yes`, or report that
/// nobody can be asked.
fn approver(yes: bool, progress: &Progress) -> impl Fn(&ApprovalRequest<'_>) -> Decision + Sync {
    move |request| {
        if yes {
            return Decision::Approve;
        }
        if !std::io::stdin().is_terminal() {
            return Decision::CannotAsk;
        }
        progress.suspend(|| {
            let what = if request.is_update {
                "a new version of plugin"
            } else {
                "plugin"
            };
            eprintln!("{what} `{}` asks for:", request.id);
            for line in permission_lines(request.permissions) {
                eprintln!("    {line}");
            }
            eprintln!("needing approval: {}", request.needed.join(", "));
            eprint!("Install and grant them? [y/N] ");
            std::io::stderr().flush().ok();
            let mut answer = String::new();
            let _ = std::io::stdin().lock().read_line(&mut answer);
            if matches!(answer.trim(), "y" | "Y" | "yes") {
                Decision::Approve
            } else {
                Decision::Decline
            }
        })
    }
}

/// A source given as a manifest or `.wasm` file means its folder.
fn source_text(raw: &str) -> String {
    let path = Path::new(raw);
    if path.is_file() {
        match path.parent().filter(|p| !p.as_os_str().is_empty()) {
            Some(parent) => parent.display().to_string(),
            None => ".".into(),
        }
    } else {
        raw.to_owned()
    }
}

pub async fn install(
    loaded: &LoadedConfig,
    config: WasmConfig,
    host: WasmHost,
    args: InstallArgs,
) -> anyhow::Result<ExitCode> {
    let installer = installer(loaded, config, host)?;
    let spec = SourceSpec::parse(
        &source_text(&args.source),
        args.path.as_deref(),
        args.reference.as_deref(),
    )?;
    let options = PluginInstallOptions {
        force: args.force,
        allow_unsigned: args.allow_unsigned,
    };
    let progress = Progress::new();
    let done = installer
        .install(&spec, options, &approver(args.yes, &progress), &|m| {
            progress.update(m)
        })
        .await;
    drop(progress);
    report(&done?, "installed");
    Ok(ExitCode::SUCCESS)
}

pub async fn update(
    loaded: &LoadedConfig,
    config: WasmConfig,
    host: WasmHost,
    args: UpdateArgs,
) -> anyhow::Result<ExitCode> {
    let installer = installer(loaded, config, host)?;
    let ids = match args.id {
        Some(id) => vec![id],
        None => installer.installed_ids(),
    };
    if ids.is_empty() {
        println!("no plugins installed in {}", installer.root().display());
    }
    let options = PluginInstallOptions {
        force: args.force,
        allow_unsigned: false,
    };
    let mut failed = 0;
    for id in &ids {
        let progress = Progress::new();
        let result = installer
            .update(id, options, &approver(args.yes, &progress), &|m| {
                progress.update(m)
            })
            .await;
        drop(progress);
        match result {
            Ok(done) => report(&done, "updated"),
            Err(err) => {
                failed += 1;
                eprintln!("error: `{id}`: {err}");
            }
        }
    }
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(crate::error_report::EXIT_ERROR)
    })
}

pub fn remove(
    loaded: &LoadedConfig,
    config: WasmConfig,
    host: WasmHost,
    args: &RemoveArgs,
) -> anyhow::Result<ExitCode> {
    let dir = installer(loaded, config, host)?.remove(&args.id)?;
    println!("removed `{}` ({})", args.id, dir.display());
    Ok(ExitCode::SUCCESS)
}

/// `0.2.0 git 0123456789ab, sha256 c6b297302b41`: version, kind, what the source resolved
/// to (a local folder resolves to itself) and the component hash, shortened.
fn state(record: &InstallRecord) -> String {
    let resolved = match record.short_resolved() {
        "local" => String::new(),
        short => format!(" {short}"),
    };
    format!(
        "{} {}{resolved}, sha256 {}",
        record.version,
        record.kind,
        &record.sha256[..record.sha256.len().min(12)]
    )
}

fn report(done: &PluginInstalled, verb: &str) {
    let id = &done.record.id;
    if done.unchanged {
        println!("`{id}` is up to date ({})", state(&done.record));
        return;
    }
    print_summary(&done.plugin);
    let signed = if done.record.signed {
        ", signature verified"
    } else {
        ""
    };
    match &done.previous {
        Some(old) => println!(
            "{verb} `{id}`: {} -> {}{signed}",
            state(old),
            state(&done.record)
        ),
        None => println!("{verb} `{id}` ({}){signed}", state(&done.record)),
    }
    println!("  into {}", done.dir.display());
}
