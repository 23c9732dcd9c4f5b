//! `weft plugin`: list, validate, call, install, update and remove WASM plugins.
//!
//! Installed plugins live in `$CLAWFT_HOME/plugins/<id>/`: the manifest, the component
//! and `install.json` (source, resolved ref, sha256, approved permissions, install time;
//! see [`clawft_wasm::install`]). A plugin loads with exactly the permissions recorded
//! there, and only while its component still has the recorded sha256. Installing,
//! updating and removing are in `plugin_install`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use clawft_core::ToolRegistry;
use clawft_core::config::{LoadedConfig, SecretRef};
use clawft_plugin::suggest::{closest, did_you_mean};
use clawft_plugin::{Permissions, ToolContext};
use clawft_wasm::install::{INSTALL_RECORD, InstallRecord, installed_dirs};
use clawft_wasm::{LoadedPlugin, PluginGrants, SecretHeader, SecretValue, WasmConfig, WasmHost};
use serde_json::{Value, json};

use super::GlobalOpts;
use super::plugin_install;
use crate::runtime;

/// Manage WASM plugins (list, validate, call, install, update, remove).
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  weft plugin validate plugins/http-fetch      check manifest, size budget, contract, tools
  weft plugin install plugins/fs-notes          install a local folder into ~/.clawft/plugins/fs-notes/
  weft plugin install github.com/o/r/plugins/fs-notes@v1   from a repository folder at a tag
  weft plugin install https://example.org/notes.tar.gz     from an archive
  weft plugin update                            re-resolve every installed plugin from its source
  weft plugin remove fs-notes                   uninstall
  weft plugin call fs-notes list_notes '{}'     run one tool directly
  weft plugin list                              installed plugins and their tools")]
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
    Install(plugin_install::InstallArgs),
    Update(plugin_install::UpdateArgs),
    Remove(plugin_install::RemoveArgs),
}

pub async fn exec(global: &GlobalOpts, args: PluginArgs) -> anyhow::Result<ExitCode> {
    let loaded = runtime::load_config(global)?;
    // `list` loads through `PluginSync`, which builds its own host only if a plugin needs it.
    let host = || -> anyhow::Result<(WasmConfig, WasmHost)> {
        let config = wasm_config(&loaded)?;
        let host = WasmHost::new(&config)?;
        Ok((config, host))
    };
    match args.command {
        PluginCommand::List { json } => list(&loaded, json).await,
        PluginCommand::Validate { path } => {
            let (config, host) = host()?;
            validate(&config, &host, &path).await
        }
        PluginCommand::Call { plugin, tool, args } => {
            let (config, host) = host()?;
            call(&loaded, &config, &host, &plugin, &tool, &args).await
        }
        PluginCommand::Install(args) => {
            let (config, host) = host()?;
            plugin_install::install(&loaded, config, host, args).await
        }
        PluginCommand::Update(args) => {
            let (config, host) = host()?;
            plugin_install::update(&loaded, config, host, args).await
        }
        PluginCommand::Remove(args) => {
            let (config, host) = host()?;
            plugin_install::remove(&loaded, config, host, &args)
        }
    }
}

/// The `wasm` config section, with the cache in `$CLAWFT_HOME/cache/wasm` by default.
pub(crate) fn wasm_config(loaded: &LoadedConfig) -> anyhow::Result<WasmConfig> {
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

/// Load an installed plugin with the permissions recorded at install, refusing a
/// component that changed since.
pub(crate) async fn load_installed(
    config: &WasmConfig,
    host: &WasmHost,
    dir: &Path,
) -> anyhow::Result<LoadedPlugin> {
    let record = InstallRecord::read(dir)?;
    let files = clawft_wasm::locate_plugin(dir)?;
    let bytes = std::fs::read(&files.wasm)
        .with_context(|| format!("reading `{}`", files.wasm.display()))?;
    let id = files.manifest.id.clone();
    let sha = clawft_wasm::sha256_hex(&bytes);
    if record.sha256 != sha {
        bail!(
            "plugin `{id}`: `{}` changed since it was installed (sha256 {sha})\nhelp: reinstall it with `weft plugin install <source>`",
            files.wasm.display()
        );
    }
    let grants = grants(config, &id, Some(record.approved_permissions))?;
    Ok(
        clawft_wasm::load_component(files.manifest, &files.dir, bytes, &files.wasm, host, grants)
            .await?,
    )
}

/// Register `plugin`'s tools; returns the names registered and a message per tool refused
/// (its name is taken).
pub(crate) fn register_tools(
    registry: &ToolRegistry,
    plugin: &LoadedPlugin,
) -> (Vec<String>, Vec<String>) {
    let mut names = Vec::new();
    let mut problems = Vec::new();
    for tool in &plugin.tools {
        match registry.register(tool.clone()) {
            Ok(()) => names.push(tool.spec().name),
            Err(err) => problems.push(format!("plugin `{}`: {err}", plugin.id())),
        }
    }
    (names, problems)
}

async fn list(loaded: &LoadedConfig, json: bool) -> anyhow::Result<ExitCode> {
    let (sync, problems) =
        crate::plugin_sync::PluginSync::load(loaded, runtime::tool_registry(loaded)?).await?;
    let plugins: Vec<&LoadedPlugin> = sync.plugins().collect();
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
            "no plugins installed in {} (try `weft plugin install <source>`)",
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

pub(super) fn print_summary(p: &LoadedPlugin) {
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

pub(super) fn permission_lines(perms: &Permissions) -> Vec<String> {
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
            let ids: Vec<String> = installed_dirs(&loaded.paths.plugins())
                .iter()
                .filter_map(|d| d.file_name()?.to_str().map(str::to_owned))
                .collect();
            let hint = closest(plugin, ids.iter().map(String::as_str))
                .map(|c| format!("\nhelp: did you mean `{c}`?"))
                .unwrap_or_default();
            bail!("no installed plugin `{plugin}` (and no such path){hint}");
        }
        load_installed(config, host, &dir).await?
    };
    let Some(found) = loaded_plugin.tools.iter().find(|t| t.spec().name == tool) else {
        let names: Vec<String> = loaded_plugin.tools.iter().map(|t| t.spec().name).collect();
        let hint = did_you_mean(tool, names.iter().map(String::as_str)).unwrap_or_default();
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
