//! Installed WASM plugins kept in step with `$CLAWFT_HOME/plugins/` while a long-running
//! command (`weft gateway`, `weft mcp serve`, interactive `weft agent`) runs.
//!
//! `weft plugin install|update|remove` end with one rename of the plugin folder, so a
//! changed `install.json` stamp is a complete, committed change. The
//! sync polls those stamps: a plugin installed, updated or removed shows up in the tool
//! registry within one interval, and MCP clients then get `tools/list_changed`.
//! Polling a handful of `stat` calls a second costs nothing measurable and needs no
//! inotify watch that a busy machine may have run out of.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use clawft_core::ToolRegistry;
use clawft_core::config::LoadedConfig;
use clawft_wasm::install::INSTALL_RECORD;
use clawft_wasm::{LoadedPlugin, WasmConfig, WasmHost};

use crate::commands::plugin::{load_installed, register_tools, wasm_config};

/// How often the plugins folder is checked for installs, updates and removals.
pub const POLL_INTERVAL: Duration = Duration::from_secs(1);

/// What identifies one committed state of an installed plugin: its record's mtime and size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    modified: Option<SystemTime>,
    len: u64,
}

impl Stamp {
    fn of(dir: &std::path::Path) -> Option<Self> {
        let meta = std::fs::metadata(dir.join(INSTALL_RECORD)).ok()?;
        Some(Self {
            modified: meta.modified().ok(),
            len: meta.len(),
        })
    }
}

/// A loaded plugin and the tool names it put in the registry.
struct Active {
    stamp: Stamp,
    tools: Vec<String>,
    plugin: LoadedPlugin,
}

/// The installed plugins, loaded, with their tools in one registry.
pub struct PluginSync {
    root: PathBuf,
    config: WasmConfig,
    /// Built on the first plugin to load: with none installed, start-up pays nothing for
    /// the engine, its linker and its epoch thread.
    host: Option<WasmHost>,
    registry: Arc<ToolRegistry>,
    active: BTreeMap<PathBuf, Active>,
    /// Stamps that failed to load, so a broken plugin is reported once, not every poll.
    failed: BTreeMap<PathBuf, Stamp>,
}

impl PluginSync {
    /// Load every installed plugin into `registry`. Returns the sync and one message per
    /// plugin that could not load (the others still do).
    pub async fn load(
        loaded: &LoadedConfig,
        registry: Arc<ToolRegistry>,
    ) -> anyhow::Result<(Self, Vec<String>)> {
        let mut sync = Self {
            root: loaded.paths.plugins(),
            config: wasm_config(loaded)?,
            host: None,
            registry,
            active: BTreeMap::new(),
            failed: BTreeMap::new(),
        };
        let problems = sync.refresh().await;
        Ok((sync, problems))
    }

    /// The loaded plugins, in folder order.
    pub fn plugins(&self) -> impl Iterator<Item = &LoadedPlugin> {
        self.active.values().map(|a| &a.plugin)
    }

    /// Bring the registry in line with the folder; returns one message per problem.
    pub async fn refresh(&mut self) -> Vec<String> {
        let mut problems = Vec::new();
        // One `stat` per plugin folder: a folder without an install record has no stamp.
        let current: BTreeMap<PathBuf, Stamp> = std::fs::read_dir(&self.root)
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|entry| {
                let dir = entry.path();
                Stamp::of(&dir).map(|stamp| (dir, stamp))
            })
            .collect();

        let gone: Vec<PathBuf> = self
            .active
            .keys()
            .filter(|dir| !current.contains_key(*dir))
            .cloned()
            .collect();
        for dir in gone {
            if let Some(old) = self.active.remove(&dir) {
                self.unregister(&old.tools);
                tracing::info!(
                    plugin = old.plugin.id(),
                    "plugin removed; its tools are gone"
                );
            }
        }
        self.failed.retain(|dir, _| current.contains_key(dir));

        for (dir, stamp) in current {
            let unchanged = self.active.get(&dir).is_some_and(|a| a.stamp == stamp)
                || self.failed.get(&dir) == Some(&stamp);
            if unchanged {
                continue;
            }
            let host = match &self.host {
                Some(host) => host,
                None => match WasmHost::new(&self.config) {
                    Ok(host) => self.host.insert(host),
                    Err(err) => {
                        problems.push(format!("cannot start the WASM host: {err:#}"));
                        return problems;
                    }
                },
            };
            match load_installed(&self.config, host, &dir).await {
                Ok(plugin) => {
                    self.failed.remove(&dir);
                    let replaced = self.active.remove(&dir);
                    if let Some(old) = &replaced {
                        self.unregister(&old.tools);
                    }
                    let (tools, clashes) = register_tools(&self.registry, &plugin);
                    problems.extend(clashes);
                    tracing::info!(
                        plugin = plugin.id(),
                        version = %plugin.manifest.version,
                        tools = ?tools,
                        "{}",
                        if replaced.is_some() { "plugin updated" } else { "plugin loaded" }
                    );
                    self.active.insert(
                        dir,
                        Active {
                            stamp,
                            tools,
                            plugin,
                        },
                    );
                }
                Err(err) => {
                    // A plugin that loaded before keeps serving its previous version.
                    problems.push(format!("{err:#}"));
                    self.failed.insert(dir, stamp);
                }
            }
        }
        problems
    }

    fn unregister(&self, tools: &[String]) {
        self.registry
            .remove_where(|name| tools.iter().any(|t| t == name));
    }

    /// Keep refreshing every `every` in the background, logging problems, until the
    /// handle is aborted or the runtime ends.
    pub fn watch(mut self, every: Duration) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval(every);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            ticks.tick().await;
            loop {
                ticks.tick().await;
                for problem in self.refresh().await {
                    tracing::warn!("{problem}");
                }
            }
        })
    }
}

/// Installed plugins held for the life of a command; dropping it stops the watching.
pub enum InstalledPlugins {
    /// Loaded once (one-shot commands); the plugins live as long as this value.
    Loaded {
        /// Held, not read: dropping it would unload the plugins.
        _plugins: Box<PluginSync>,
    },
    /// Loaded and kept in step by a background task.
    Watching(tokio::task::JoinHandle<()>),
}

impl Drop for InstalledPlugins {
    fn drop(&mut self) {
        if let Self::Watching(watcher) = self {
            watcher.abort();
        }
    }
}

/// Load the installed plugins into `registry`, logging each one that cannot load; with
/// `watch`, keep the registry in step with later installs, updates and removals.
pub async fn start(
    loaded: &LoadedConfig,
    registry: Arc<ToolRegistry>,
    watch: bool,
) -> anyhow::Result<InstalledPlugins> {
    let (sync, problems) = PluginSync::load(loaded, registry).await?;
    for problem in problems {
        tracing::warn!("{problem}");
    }
    Ok(if watch {
        InstalledPlugins::Watching(sync.watch(POLL_INTERVAL))
    } else {
        InstalledPlugins::Loaded {
            _plugins: Box::new(sync),
        }
    })
}
