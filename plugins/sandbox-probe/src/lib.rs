//! Test fixture for the clawft-wasm security suite, not an example to copy: it tries
//! whatever it is told (any path, any variable, any URL) so the tests can show that the
//! host's sandbox, not the plugin, is what refuses.
//!
//! Tools: `read {path}`, `write {path, text}`, `list {path}`, `env {name}`, `env_all {}`,
//! `http {url, method?, headers?, body?}`, `spin {}`, `state {}`, `log {count, len}`.

use std::cell::Cell;

use clawft_plugin_sdk::{
    Level, Plugin, PluginInfo, ToolError, ToolInfo, export_plugin, http, parse_args,
};
use serde::Deserialize;

struct Probe;

#[derive(Deserialize)]
struct PathArg {
    path: String,
    #[serde(default)]
    text: String,
}

#[derive(Deserialize)]
struct NameArg {
    name: String,
}

#[derive(Deserialize)]
struct HttpArg {
    url: String,
    #[serde(default)]
    method: Option<String>,
    #[serde(default)]
    headers: Vec<(String, String)>,
    #[serde(default)]
    body: Option<String>,
}

#[derive(Deserialize)]
struct LogArg {
    count: usize,
    len: usize,
}

thread_local! {
    static CALLS: Cell<u32> = const { Cell::new(0) };
}

impl Plugin for Probe {
    fn describe() -> PluginInfo {
        let any = r#"{"type":"object"}"#;
        let mut info = PluginInfo::new("sandbox-probe", env!("CARGO_PKG_VERSION"));
        for name in [
            "read", "write", "list", "env", "env_all", "http", "spin", "state", "log",
        ] {
            info = info.tool(ToolInfo::new(name, "security-suite probe", any));
        }
        info
    }

    fn call(tool: &str, args: &str) -> Result<String, ToolError> {
        let failed = |e: std::io::Error| ToolError::Failed(e.to_string());
        match tool {
            "read" => {
                let a: PathArg = parse_args(args)?;
                std::fs::read_to_string(&a.path).map_err(failed)
            }
            "write" => {
                let a: PathArg = parse_args(args)?;
                std::fs::write(&a.path, a.text.as_bytes()).map_err(failed)?;
                Ok("written".into())
            }
            "list" => {
                let a: PathArg = parse_args(args)?;
                let mut names: Vec<String> = std::fs::read_dir(&a.path)
                    .map_err(failed)?
                    .filter_map(|e| e.ok()?.file_name().into_string().ok())
                    .collect();
                names.sort();
                Ok(names.join("\n"))
            }
            "env" => {
                let a: NameArg = parse_args(args)?;
                std::env::var(&a.name).map_err(|e| ToolError::Failed(e.to_string()))
            }
            "env_all" => {
                let mut vars: Vec<String> = std::env::vars().map(|(k, _)| k).collect();
                vars.sort();
                Ok(vars.join("\n"))
            }
            "http" => {
                let a: HttpArg = parse_args(args)?;
                let headers: Vec<(&str, &str)> = a
                    .headers
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.as_str()))
                    .collect();
                let method = a.method.as_deref().unwrap_or("GET");
                let r = http::request(
                    method,
                    &a.url,
                    &headers,
                    a.body.as_deref().map(str::as_bytes),
                )
                .map_err(|e| ToolError::Failed(e.to_string()))?;
                let headers: Vec<String> = r
                    .headers
                    .iter()
                    .map(|(k, v)| format!("{k}: {}", String::from_utf8_lossy(v)))
                    .collect();
                Ok(format!(
                    "HTTP {}\n{}\n\n{}",
                    r.status,
                    headers.join("\n"),
                    r.text()
                ))
            }
            "spin" => {
                let mut x: u64 = 0;
                loop {
                    x = std::hint::black_box(x.wrapping_add(1));
                }
            }
            "state" => {
                let n = CALLS.with(|c| {
                    c.set(c.get() + 1);
                    c.get()
                });
                Ok(n.to_string())
            }
            "log" => {
                let a: LogArg = parse_args(args)?;
                let line = "x".repeat(a.len);
                for _ in 0..a.count {
                    clawft_plugin_sdk::log(Level::Info, &line);
                }
                Ok("logged".into())
            }
            other => Err(ToolError::UnknownTool(other.to_owned())),
        }
    }
}

export_plugin!(Probe);
