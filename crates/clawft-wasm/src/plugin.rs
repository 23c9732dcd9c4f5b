//! Loading a plugin: manifest, size budget, grants, compile (cached), link once,
//! `describe`, and one [`WasmTool`] per described tool.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use clawft_plugin::manifest::Entry;
use clawft_plugin::{Manifest, Permissions, Tool, ToolOutput};
use serde_json::Value;

use crate::cache::{CacheOutcome, sha256_hex};
use crate::config::PluginGrants;
use crate::engine::WasmHost;
use crate::error::WasmError;
use crate::http::NetPolicy;
use crate::log::RateWindow;
use crate::runtime::PluginRuntime;
use crate::size::{MAX_PLUGIN_BYTES, MAX_PLUGIN_GZIP_BYTES, SizeReport, check_size};
use crate::tool::WasmTool;
use crate::{SUPPORTED_WIT_VERSIONS, v0_1};

/// What a plugin's `describe` returned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PluginInfo {
    /// Display name.
    pub name: String,
    /// Version the plugin reports.
    pub version: String,
    /// Its tools.
    pub tools: Vec<ToolInfo>,
}

/// One tool as the plugin describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolInfo {
    /// Tool name.
    pub name: String,
    /// Description for the model.
    pub description: String,
    /// JSON Schema of the arguments, as JSON text.
    pub parameters_schema: String,
}

/// A plugin ready to serve calls.
pub struct LoadedPlugin {
    /// Its manifest.
    pub manifest: Manifest,
    /// What it described.
    pub info: PluginInfo,
    /// One [`Tool`] per described tool, ready for the tool registry.
    pub tools: Vec<Arc<dyn Tool>>,
    /// The component file (or the label given to [`load_component`]).
    pub wasm_path: PathBuf,
    /// SHA-256 of the component bytes, lowercase hex.
    pub sha256: String,
    /// Its measured size.
    pub size: SizeReport,
    /// Whether it was compiled or loaded from the cache, and how long that took.
    pub compile: CacheOutcome,
    runtime: Arc<PluginRuntime>,
}

impl std::fmt::Debug for LoadedPlugin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoadedPlugin")
            .field("id", &self.manifest.id)
            .field("info", &self.info)
            .field("wasm_path", &self.wasm_path)
            .field("size", &self.size)
            .field("compile", &self.compile)
            .finish()
    }
}

impl LoadedPlugin {
    /// The plugin id from the manifest.
    pub fn id(&self) -> &str {
        &self.manifest.id
    }

    /// Run tool `tool` with `args_json` directly (for `weft plugin call` and benchmarks);
    /// `workspace` is what `$WORKSPACE` maps to.
    pub async fn call(&self, tool: &str, args_json: &str, workspace: &Path) -> ToolOutput {
        self.runtime.call(tool, args_json, workspace).await
    }

    /// Benchmark support: time `iterations` calls of `tool` on one reused instance
    /// (no instantiation). Not a way to run tools: real calls get a fresh store each.
    #[doc(hidden)]
    pub async fn bench_warm_calls(
        &self,
        tool: &str,
        args_json: &str,
        iterations: usize,
    ) -> Result<Vec<std::time::Duration>, String> {
        self.runtime.bench_warm(tool, args_json, iterations).await
    }
}

/// Load the plugin at `path` (a plugin directory, its manifest file, or the `.wasm` next
/// to a manifest) with exactly what its manifest asks and no secrets.
pub async fn load_plugin(path: &Path, host: &WasmHost) -> Result<LoadedPlugin, WasmError> {
    load_plugin_with(path, host, PluginGrants::default()).await
}

/// [`load_plugin`] with the caller's grants (approved permissions, secret headers).
pub async fn load_plugin_with(
    path: &Path,
    host: &WasmHost,
    grants: PluginGrants,
) -> Result<LoadedPlugin, WasmError> {
    let files = locate_plugin(path)?;
    let bytes = tokio::fs::read(&files.wasm)
        .await
        .map_err(|e| WasmError::io(&files.wasm, e))?;
    load_component(files.manifest, &files.dir, bytes, &files.wasm, host, grants).await
}

/// Where a plugin's files are.
#[derive(Debug, Clone)]
pub struct PluginFiles {
    /// The parsed, validated manifest.
    pub manifest: Manifest,
    /// The manifest file.
    pub manifest_path: PathBuf,
    /// The plugin directory (the manifest's directory).
    pub dir: PathBuf,
    /// The component (`entry.wasm`, relative to `dir`).
    pub wasm: PathBuf,
}

/// Find and validate the manifest for `path` (a plugin directory, a manifest file, or a
/// `.wasm` next to its manifest) and locate the component it names.
pub fn locate_plugin(path: &Path) -> Result<PluginFiles, WasmError> {
    let meta = std::fs::metadata(path).map_err(|e| WasmError::io(path, e))?;
    let (dir, manifest_path) = if meta.is_dir() {
        (path.to_owned(), Manifest::find_in(path)?)
    } else {
        let dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .to_owned();
        if path.extension().is_some_and(|e| e == "wasm") {
            let manifest = Manifest::find_in(&dir)?;
            (dir, manifest)
        } else {
            (dir, path.to_owned())
        }
    };
    let manifest = Manifest::from_file(&manifest_path)?;
    let Entry::Wasm(rel) = &manifest.entry else {
        return Err(WasmError::NotWasm { id: manifest.id });
    };
    let wasm = dir.join(rel);
    Ok(PluginFiles {
        manifest,
        manifest_path,
        dir,
        wasm,
    })
}

/// Load a component from memory with an already-parsed manifest. `plugin_dir` is where
/// relative manifest paths point; `label` names the bytes in messages.
pub async fn load_component(
    manifest: Manifest,
    plugin_dir: &Path,
    bytes: Vec<u8>,
    label: &Path,
    host: &WasmHost,
    grants: PluginGrants,
) -> Result<LoadedPlugin, WasmError> {
    let id: Arc<str> = manifest.id.as_str().into();
    let size = check_size(&bytes);
    if !size.within_budget() {
        return Err(WasmError::TooLarge {
            path: label.to_owned(),
            size: size.size,
            gzipped: size.gzipped,
            max_size: MAX_PLUGIN_BYTES,
            max_gzipped: MAX_PLUGIN_GZIP_BYTES,
        });
    }
    check_grants(&manifest, &grants)?;
    let sha256 = sha256_hex(&bytes);

    let (component, compile) = {
        let host = host.clone();
        let label = label.to_owned();
        tokio::task::spawn_blocking(move || host.compile(&bytes, &label))
            .await
            .map_err(|e| WasmError::Engine(format!("compile task failed: {e}")))??
    };
    let link_error = |e: wasmtime::Error| WasmError::Link {
        path: label.to_owned(),
        supported: SUPPORTED_WIT_VERSIONS.join(", "),
        message: format!("{e:#}"),
    };
    let pre = host
        .inner
        .linker
        .instantiate_pre(&component)
        .map_err(link_error)?;
    let pre = v0_1::Pre::new(pre).map_err(link_error)?;

    let limits = host.limits();
    let net = NetPolicy::new(
        Arc::clone(&id),
        manifest.permissions.network.clone(),
        grants.secrets,
        limits,
    )
    .map_err(WasmError::Engine)?;
    if manifest.permissions.exec {
        tracing::warn!(
            plugin = &*id,
            "`permissions.exec` has no effect on a WASM plugin: it cannot run processes"
        );
    }
    let runtime = Arc::new(PluginRuntime {
        id: Arc::clone(&id),
        host: host.clone(),
        pre,
        permissions: manifest.permissions.clone(),
        plugin_dir: plugin_dir.to_owned(),
        net: Arc::new(net),
        log_window: Arc::new(RateWindow::new(limits.log_lines_per_minute)),
    });
    let info = runtime
        .describe()
        .await
        .map_err(|message| WasmError::Describe {
            id: id.to_string(),
            message,
        })?;
    let tools = build_tools(&manifest, &info, &runtime)?;
    Ok(LoadedPlugin {
        manifest,
        info,
        tools,
        wasm_path: label.to_owned(),
        sha256,
        size,
        compile,
        runtime,
    })
}

/// Refuse permissions nobody approved and secrets for undeclared hosts.
fn check_grants(manifest: &Manifest, grants: &PluginGrants) -> Result<(), WasmError> {
    if let Some(approved) = &grants.approved {
        let extra = unapproved(&manifest.permissions, approved);
        if !extra.is_empty() {
            return Err(WasmError::NotApproved {
                id: manifest.id.clone(),
                what: extra.join(", "),
            });
        }
    }
    for secret in &grants.secrets {
        let declared = manifest
            .permissions
            .network
            .iter()
            .any(|p| p.is_exact() && p.matches(&secret.host, None));
        if !declared {
            return Err(WasmError::SecretForUndeclaredHost {
                id: manifest.id.clone(),
                host: secret.host.clone(),
            });
        }
    }
    Ok(())
}

/// What `asked` contains that `approved` does not, one description per item.
pub(crate) fn unapproved(asked: &Permissions, approved: &Permissions) -> Vec<String> {
    let mut extra = Vec::new();
    for fs in &asked.filesystem {
        let ok = approved
            .filesystem
            .iter()
            .any(|a| a.path == fs.path && (a.write || !fs.write));
        if !ok {
            let mode = if fs.write { "read-write" } else { "read-only" };
            extra.push(format!("filesystem `{}` ({mode})", fs.path.display()));
        }
    }
    for host in &asked.network {
        if !approved.network.contains(host) {
            extra.push(format!("network `{host}`"));
        }
    }
    for var in &asked.env {
        if !approved.env.contains(var) {
            extra.push(format!("env `{var}`"));
        }
    }
    if asked.exec && !approved.exec {
        extra.push("exec".into());
    }
    extra
}

fn build_tools(
    manifest: &Manifest,
    info: &PluginInfo,
    runtime: &Arc<PluginRuntime>,
) -> Result<Vec<Arc<dyn Tool>>, WasmError> {
    let bad = |tool: &str, message: String| WasmError::BadTool {
        id: manifest.id.clone(),
        tool: tool.to_owned(),
        message,
    };
    let declared: BTreeSet<&str> = manifest
        .capabilities
        .tools
        .iter()
        .map(String::as_str)
        .collect();
    let mut seen = BTreeSet::new();
    let perms = &manifest.permissions;
    let writes = perms.filesystem.iter().any(|f| f.write);
    let annotations = clawft_plugin::ToolAnnotations {
        read_only: !writes && perms.network.is_empty(),
        destructive: writes,
        idempotent: false,
        open_world: !perms.network.is_empty(),
    };
    let mut tools: Vec<Arc<dyn Tool>> = Vec::with_capacity(info.tools.len());
    for tool in &info.tools {
        let name = tool.name.as_str();
        let valid = !name.is_empty()
            && name.len() <= 64
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if !valid {
            return Err(bad(
                name,
                "not a valid tool name (letters, digits, `_`, `-`; 1-64 characters)".into(),
            ));
        }
        if !seen.insert(name) {
            return Err(bad(name, "described twice".into()));
        }
        if !declared.contains(name) {
            return Err(bad(
                name,
                "not declared in the manifest's `capabilities.tools`\nhelp: add it there so it is reviewed at install".into(),
            ));
        }
        let schema: Value = serde_json::from_str(&tool.parameters_schema)
            .map_err(|e| bad(name, format!("parameters schema is not JSON: {e}")))?;
        let object = schema
            .as_object()
            .ok_or_else(|| bad(name, "parameters schema must be a JSON object".into()))?;
        if object.get("type").is_some_and(|t| t != "object") {
            return Err(bad(
                name,
                "parameters schema must describe an object (`\"type\": \"object\"`)".into(),
            ));
        }
        tools.push(Arc::new(WasmTool::new(
            Arc::clone(runtime),
            clawft_plugin::ToolSpec {
                name: name.to_owned(),
                description: tool.description.clone(),
                parameters: schema,
                annotations,
            },
        )));
    }
    for name in &declared {
        if !seen.contains(name) {
            tracing::warn!(plugin = %manifest.id, "manifest declares tool `{name}` but the plugin does not describe it");
        }
    }
    Ok(tools)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clawft_plugin::manifest::{FsPermission, HostPattern};

    #[test]
    fn unapproved_lists_what_was_added() {
        let approved = Permissions {
            filesystem: vec![FsPermission {
                path: "$WORKSPACE/a".into(),
                write: false,
            }],
            network: vec![HostPattern::parse("api.x.com").unwrap()],
            ..Permissions::default()
        };
        assert!(unapproved(&approved, &approved).is_empty());
        let asked = Permissions {
            filesystem: vec![FsPermission {
                path: "$WORKSPACE/a".into(),
                write: true,
            }],
            network: vec![HostPattern::parse("*").unwrap()],
            env: vec!["OPENAI_API_KEY".into()],
            exec: true,
        };
        let extra = unapproved(&asked, &approved);
        assert_eq!(extra.len(), 4, "{extra:?}");
        assert!(extra[0].contains("read-write"));
    }
}
