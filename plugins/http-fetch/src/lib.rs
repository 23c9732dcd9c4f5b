//! Example clawft plugin: fetch a URL from a host the manifest declares.
//!
//! Tool `fetch {url, max_chars?}` returns `HTTP <status>` and the body (cut at
//! `max_chars`, default 4000). The host refuses hosts the manifest does not declare.

use clawft_plugin_sdk::{Level, Plugin, PluginInfo, ToolError, ToolInfo, export_plugin, http};
use serde::Deserialize;

/// Default cap on returned body characters.
const DEFAULT_MAX_CHARS: usize = 4000;

struct HttpFetch;

#[derive(Deserialize)]
struct FetchArgs {
    url: String,
    #[serde(default)]
    max_chars: Option<usize>,
}

impl Plugin for HttpFetch {
    fn describe() -> PluginInfo {
        PluginInfo::new("http-fetch", env!("CARGO_PKG_VERSION")).tool(ToolInfo::new(
            "fetch",
            "Fetch a URL with HTTP GET and return the status and the body text. Only hosts this plugin declares are reachable.",
            r#"{"type":"object","properties":{"url":{"type":"string","description":"http(s) URL to fetch"},"max_chars":{"type":"integer","minimum":1,"description":"cut the body after this many characters (default 4000)"}},"required":["url"],"additionalProperties":false}"#,
        ))
    }

    fn call(tool: &str, args: &str) -> Result<String, ToolError> {
        match tool {
            "fetch" => fetch(clawft_plugin_sdk::parse_args(args)?),
            other => Err(ToolError::UnknownTool(other.to_owned())),
        }
    }
}

fn fetch(args: FetchArgs) -> Result<String, ToolError> {
    clawft_plugin_sdk::log(Level::Info, &format!("GET {}", args.url));
    let response = http::get(&args.url).map_err(|e| ToolError::Failed(e.to_string()))?;
    let max = args.max_chars.unwrap_or(DEFAULT_MAX_CHARS);
    let text = response.text();
    let body: String = text.chars().take(max).collect();
    let cut = if body.len() < text.len() {
        "\n[cut]"
    } else {
        ""
    };
    Ok(format!("HTTP {}\n{body}{cut}", response.status))
}

export_plugin!(HttpFetch);
