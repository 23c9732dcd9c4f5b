//! `weft plugin`: list, validate, call and install WASM plugins.
//!
//! Installed plugins live in `$CLAWFT_HOME/plugins/<id>/`: the manifest, the component
//! and `install.json` (source, sha256, approved permissions, install time). A plugin
//! loads with exactly the permissions recorded there, and only while its component still
//! has the recorded sha256.

use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use clawft_core::ToolRegistry;
use clawft_core::config::{LoadedConfig, SecretRef};
use clawft_plugin::{Permissions, ToolContext};
use clawft_wasm::{LoadedPlugin, PluginGrants, SecretHeader, SecretValue, WasmConfig, WasmHost};
use serde_json::{Value, json};

use super::GlobalOpts;
use crate::runtime;

/// Name of the install record inside an installed plugin's directory.
const INSTALL_RECORD: &str = "install.json";

/// Manage WASM plugins (list, validate, call, install).
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  weft plugin validate plugins/http-fetch      check manifest, size budget, contract, tools\n  weft plugin install plugins/fs-notes          install into ~/.clawft/plugins/fs-notes/\n  weft plugin call fs-notes list_notes '{}'     run one tool directly\n  weft plugin list                              installed plugins and their tools"
)]
pub struct PluginArgs {
    #[command(subcommand)]
    command: PluginCommand,
}

#[derive(Debug, Subcommand)]
enum PluginCommand {
    /// List installed plugins, their tools and permissions.
    List {
        /// Print as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Check a plugin directory, manifest or .wasm: manifest, size budget, contract, tools.
    Validate {
        /// Plugin directory, `clawft.plugin.json`, or the `.wasm` next to it.
        path: PathBuf,
    },
    /// Run one tool of a plugin directly (for plugin authors).
    Call {
        /// Installed plugin id, or a plugin directory / manifest / .wasm path.
        plugin: String,
        /// Tool name.
        tool: String,
        /// Arguments as a JSON object.
        #[arg(default_value = "{}")]
        args: String,
    },
    /// Install a plugin into $CLAWFT_HOME/plugins/<id>/.
    Install {
        /// Plugin directory, manifest or .wasm.
        path: PathBuf,
        /// Approve sensitive permissions (network `*`, exec, env vars) without asking.
        #[arg(short, long)]
        yes: bool,
    },
}

pub async fn exec(global: &GlobalOpts, args: PluginArgs) -> anyhow::Result<ExitCode> {
    let loaded = runtime::load_config(global)?;
    let config = wasm_config(&loaded)?;
    let host = WasmHost::new(&config)?;
    match args.command {
        PluginCommand::List { json } => list(&loaded, json).await,
        PluginCommand::Validate { path } => validate(&config, &host, &path).await,
        PluginCommand::Call { plugin, tool, args } => {
            call(&loaded, &config, &host, &plugin, &tool, &args).await
        }
        PluginCommand::Install { path, yes } => install(&loaded, &config, &host, &path, yes).await,
    }
}

/// The `wasm` config section, with the cache in `$CLAWFT_HOME/cache/wasm` by default.
fn wasm_config(loaded: &LoadedConfig) -> anyhow::Result<WasmConfig> {
    let mut config: WasmConfig = match loaded.config.sections.get("wasm") {
        Some(section) => {
            serde_json::from_value(section.clone()).context("invalid `wasm` section in config")?
        }
        None => WasmConfig::default(),
    };
    config.cache_dir = Some(match config.cache_dir.take() {
        Some(dir) => match (dir.strip_prefix("~"), std::env::var_os("HOME")) {
            (Ok(rest), Some(home)) => PathBuf::from(home).join(rest),
            _ => dir,
        },
        None => loaded.paths.home.join("cache").join("wasm"),
    });
    Ok(config)
}

/// Secrets for plugin `id` from `wasm.plugins.<id>.secrets`, resolved now.
fn grants(
    config: &WasmConfig,
    id: &str,
    approved: Option<Permissions>,
) -> anyhow::Result<PluginGrants> {
    let mut secrets = Vec::new();
    if let Some(settings) = config.plugins.get(id) {
        for (host, headers) in &settings.secrets {
            for (header, reference) in headers {
                let key = format!("wasm.plugins.{id}.secrets.{host}.{header}");
                let reference: SecretRef = serde_json::from_value(reference.clone()).with_context(|| {
                    format!("`{key}` must be a secret reference such as {{\"env\": \"NAME\"}} or {{\"file\": \"/path\"}}")
                })?;
                let secret = reference.resolve(&key)?;
                secrets.push(SecretHeader {
                    host: host.clone(),
                    header: header.clone(),
                    value: SecretValue::new(secret.expose()),
                });
            }
        }
    }
    Ok(PluginGrants { approved, secrets })
}

/// Directories of installed plugins, sorted.
fn installed_dirs(loaded: &LoadedConfig) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(loaded.paths.plugins())
        .map(|entries| {
            entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.join(INSTALL_RECORD).is_file())
                .collect()
        })
        .unwrap_or_default();
    dirs.sort();
    dirs
}

/// Load an installed plugin with the permissions recorded at install, refusing a
/// component that changed since.
async fn load_installed(
    config: &WasmConfig,
    host: &WasmHost,
    dir: &Path,
) -> anyhow::Result<LoadedPlugin> {
    let record_path = dir.join(INSTALL_RECORD);
    let record: Value = serde_json::from_str(
        &std::fs::read_to_string(&record_path)
            .with_context(|| format!("reading `{}`", record_path.display()))?,
    )
    .with_context(|| format!("`{}` is not valid JSON", record_path.display()))?;
    let approved: Permissions = serde_json::from_value(record["approved_permissions"].clone())
        .with_context(|| {
            format!(
                "`{}` has no valid `approved_permissions`",
                record_path.display()
            )
        })?;
    let files = clawft_wasm::locate_plugin(dir)?;
    let bytes = std::fs::read(&files.wasm)
        .with_context(|| format!("reading `{}`", files.wasm.display()))?;
    let id = files.manifest.id.clone();
    let sha = clawft_wasm::sha256_hex(&bytes);
    if record["sha256"].as_str() != Some(sha.as_str()) {
        bail!(
            "plugin `{id}`: `{}` changed since it was installed (sha256 {sha})\nhelp: reinstall it with `weft plugin install <source>`",
            files.wasm.display()
        );
    }
    let grants = grants(config, &id, Some(approved))?;
    Ok(
        clawft_wasm::load_component(files.manifest, &files.dir, bytes, &files.wasm, host, grants)
            .await?,
    )
}

/// Load every installed plugin and register its tools in `registry`. A plugin that fails
/// to load or whose tool names collide is skipped; the rest still load. Returns the
/// loaded plugins and one message per problem, for the caller to show or log.
pub async fn register_installed(
    loaded: &LoadedConfig,
    registry: &ToolRegistry,
) -> anyhow::Result<(Vec<LoadedPlugin>, Vec<String>)> {
    let dirs = installed_dirs(loaded);
    if dirs.is_empty() {
        return Ok((Vec::new(), Vec::new()));
    }
    let config = wasm_config(loaded)?;
    let host = WasmHost::new(&config)?;
    let mut plugins = Vec::new();
    let mut problems = Vec::new();
    for dir in dirs {
        match load_installed(&config, &host, &dir).await {
            Ok(plugin) => {
                for tool in &plugin.tools {
                    if let Err(err) = registry.register(tool.clone()) {
                        problems.push(format!("plugin `{}`: {err}", plugin.id()));
                    }
                }
                plugins.push(plugin);
            }
            Err(err) => problems.push(format!("{err:#}")),
        }
    }
    Ok((plugins, problems))
}

async fn list(loaded: &LoadedConfig, json: bool) -> anyhow::Result<ExitCode> {
    let registry = runtime::tool_registry(loaded)?;
    let (plugins, problems) = register_installed(loaded, &registry).await?;
    if json {
        let out: Vec<Value> = plugins
            .iter()
            .map(|p| {
                json!({
                    "id": p.id(), "version": p.manifest.version.to_string(), "name": p.info.name,
                    "tools": p.tools.iter().map(|t| t.spec().name).collect::<Vec<_>>(),
                    "permissions": p.manifest.permissions, "sha256": p.sha256,
                    "size": {"bytes": p.size.size, "gzipped": p.size.gzipped},
                })
            })
            .collect();
        println!(
            "{}",
            serde_json::to_string_pretty(&json!({"plugins": out, "problems": problems}))?
        );
        return Ok(ExitCode::SUCCESS);
    }
    if plugins.is_empty() && problems.is_empty() {
        println!(
            "no plugins installed in {} (try `weft plugin install <dir>`)",
            loaded.paths.plugins().display()
        );
    }
    for p in &plugins {
        let tools: Vec<String> = p.tools.iter().map(|t| t.spec().name).collect();
        println!(
            "{} {} — {}",
            p.id(),
            p.manifest.version,
            p.manifest.description
        );
        println!("    tools: {}", tools.join(", "));
        for line in permission_lines(&p.manifest.permissions) {
            println!("    {line}");
        }
    }
    for problem in &problems {
        eprintln!("warning: {problem}");
    }
    Ok(ExitCode::SUCCESS)
}

async fn validate(config: &WasmConfig, host: &WasmHost, path: &Path) -> anyhow::Result<ExitCode> {
    let files = clawft_wasm::locate_plugin(path)?;
    let id = files.manifest.id.clone();
    let plugin = clawft_wasm::load_plugin_with(path, host, grants(config, &id, None)?)
        .await
        .with_context(|| format!("plugin at `{}` is not valid", path.display()))?;
    print_summary(&plugin);
    println!("ok: `{id}` is a valid clawft plugin");
    Ok(ExitCode::SUCCESS)
}

fn print_summary(p: &LoadedPlugin) {
    println!(
        "plugin:   {} {} ({})",
        p.id(),
        p.manifest.version,
        p.info.name
    );
    println!(
        "size:     {} bytes, {} gzipped (limits {} / {})",
        p.size.size,
        p.size.gzipped,
        clawft_wasm::MAX_PLUGIN_BYTES,
        clawft_wasm::MAX_PLUGIN_GZIP_BYTES
    );
    println!("sha256:   {}", p.sha256);
    for tool in &p.tools {
        let spec = tool.spec();
        println!("tool:     {} — {}", spec.name, spec.description);
    }
    for line in permission_lines(&p.manifest.permissions) {
        println!("{line}");
    }
}

fn permission_lines(perms: &Permissions) -> Vec<String> {
    let mut lines = Vec::new();
    for fs in &perms.filesystem {
        let mode = if fs.write { "read-write" } else { "read-only" };
        lines.push(format!("filesystem: {} ({mode})", fs.path.display()));
    }
    for host in &perms.network {
        let note = if host.is_any() {
            " (any public host)"
        } else {
            ""
        };
        lines.push(format!("network:    {host}{note}"));
    }
    for var in &perms.env {
        lines.push(format!("env:        {var}"));
    }
    if perms.exec {
        lines.push("exec:       requested (WASM plugins cannot run processes)".into());
    }
    if lines.is_empty() {
        lines.push("permissions: none".into());
    }
    lines
}

async fn call(
    loaded: &LoadedConfig,
    config: &WasmConfig,
    host: &WasmHost,
    plugin: &str,
    tool: &str,
    args: &str,
) -> anyhow::Result<ExitCode> {
    let args: Value =
        serde_json::from_str(args).context("the tool arguments are not valid JSON")?;
    let as_path = Path::new(plugin);
    let loaded_plugin = if as_path.exists() {
        let id = clawft_wasm::locate_plugin(as_path)?.manifest.id;
        clawft_wasm::load_plugin_with(as_path, host, grants(config, &id, None)?).await?
    } else {
        let dir = loaded.paths.plugins().join(plugin);
        if !dir.join(INSTALL_RECORD).is_file() {
            let ids: Vec<String> = installed_dirs(loaded)
                .iter()
                .filter_map(|d| d.file_name()?.to_str().map(str::to_owned))
                .collect();
            let hint = closest(plugin, &ids)
                .map(|c| format!("\nhelp: did you mean `{c}`?"))
                .unwrap_or_default();
            bail!("no installed plugin `{plugin}` (and no such path){hint}");
        }
        load_installed(config, host, &dir).await?
    };
    let Some(found) = loaded_plugin.tools.iter().find(|t| t.spec().name == tool) else {
        let names: Vec<String> = loaded_plugin.tools.iter().map(|t| t.spec().name).collect();
        let hint = closest(tool, &names)
            .map(|c| format!("; did you mean `{c}`?"))
            .unwrap_or_default();
        bail!(
            "plugin `{}` has no tool `{tool}`{hint} (tools: {})",
            loaded_plugin.id(),
            names.join(", ")
        );
    };
    std::fs::create_dir_all(&loaded.workspace).ok();
    let ctx = ToolContext::new(&loaded.workspace, "cli", "plugin-call");
    let out = found.call(args, &ctx).await?;
    println!("{}", out.content);
    Ok(if out.is_error {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

async fn install(
    loaded: &LoadedConfig,
    config: &WasmConfig,
    host: &WasmHost,
    path: &Path,
    yes: bool,
) -> anyhow::Result<ExitCode> {
    let files = clawft_wasm::locate_plugin(path)?;
    let id = files.manifest.id.clone();
    let plugin = clawft_wasm::load_plugin_with(path, host, grants(config, &id, None)?)
        .await
        .with_context(|| format!("refusing to install `{}`", path.display()))?;
    print_summary(&plugin);
    let perms = &plugin.manifest.permissions;
    if perms.is_sensitive() && !yes {
        let question = format!(
            "plugin `{id}` asks for sensitive permissions (any host, exec or environment variables). Install and grant them? [y/N] "
        );
        if !std::io::stdin().is_terminal() {
            bail!(
                "plugin `{id}` asks for sensitive permissions (any host, exec or environment variables) and there is no terminal to confirm\nhelp: re-run with `--yes` to approve them"
            );
        }
        eprint!("{question}");
        std::io::stderr().flush().ok();
        let mut answer = String::new();
        std::io::stdin().lock().read_line(&mut answer)?;
        if !matches!(answer.trim(), "y" | "Y" | "yes") {
            eprintln!("not installed");
            return Ok(ExitCode::from(1));
        }
    }
    let dest = loaded.paths.plugins().join(&id);
    let staging = loaded.paths.plugins().join(format!(".{id}.installing"));
    let _ = std::fs::remove_dir_all(&staging);
    let rel_wasm = files
        .wasm
        .strip_prefix(&files.dir)
        .unwrap_or(Path::new("plugin.wasm"))
        .to_owned();
    let manifest_name = files
        .manifest_path
        .file_name()
        .context("manifest has no file name")?;
    std::fs::create_dir_all(staging.join(&rel_wasm).parent().unwrap_or(&staging))
        .with_context(|| format!("creating `{}`", staging.display()))?;
    std::fs::copy(&files.manifest_path, staging.join(manifest_name))
        .context("copying the manifest")?;
    std::fs::copy(&files.wasm, staging.join(&rel_wasm)).context("copying the component")?;
    let source = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_owned());
    let record = json!({
        "id": id,
        "version": plugin.manifest.version.to_string(),
        "source": source,
        "sha256": plugin.sha256,
        "size": {"bytes": plugin.size.size, "gzipped": plugin.size.gzipped},
        "approved_permissions": perms,
        "installed_at": rfc3339_now(),
        "clawft_version": env!("CARGO_PKG_VERSION"),
    });
    std::fs::write(
        staging.join(INSTALL_RECORD),
        serde_json::to_string_pretty(&record)?,
    )
    .context("writing the install record")?;
    let replaced = dest.exists();
    if replaced {
        std::fs::remove_dir_all(&dest)
            .with_context(|| format!("removing the old `{}`", dest.display()))?;
    }
    std::fs::rename(&staging, &dest)
        .with_context(|| format!("moving the plugin into `{}`", dest.display()))?;
    let verb = if replaced { "updated" } else { "installed" };
    println!("{verb} `{id}` in {}", dest.display());
    Ok(ExitCode::SUCCESS)
}

/// Now as RFC 3339 UTC (`2025-01-31T12:00:00Z`).
fn rfc3339_now() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// The candidate closest to `typed`, if close enough to be a typo.
fn closest<'a>(typed: &str, candidates: &'a [String]) -> Option<&'a str> {
    let distance = |a: &str, b: &str| {
        let b: Vec<char> = b.chars().collect();
        let mut prev: Vec<usize> = (0..=b.len()).collect();
        for (i, ca) in a.chars().enumerate() {
            let mut cur = vec![i + 1; b.len() + 1];
            for (j, cb) in b.iter().enumerate() {
                cur[j + 1] = (prev[j] + usize::from(ca != *cb))
                    .min(prev[j + 1] + 1)
                    .min(cur[j] + 1);
            }
            prev = cur;
        }
        prev[b.len()]
    };
    candidates
        .iter()
        .map(|c| (distance(typed, c), c.as_str()))
        .filter(|(d, c)| *d <= 2.max(c.len() / 3))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}
