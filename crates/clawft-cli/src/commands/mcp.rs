//! `weft mcp serve`: every tool and skill to MCP clients (IDEs, Claude Desktop, SDKs) over
//! stdio, or over streamable HTTP with `--http ADDR`. [`start_in_gateway`] serves the same
//! over HTTP inside `weft gateway` when `mcp.http.listen` is configured.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use clawft_core::ToolRegistry;
use clawft_core::config::LoadedConfig;
use clawft_mcp::{HttpAuth, HttpOptions, McpServer, McpSettings};

use super::GlobalOpts;
use crate::runtime;

/// Serve tools and skills over the Model Context Protocol.
#[derive(Debug, Args)]
#[command(
    after_help = "Tools keep their names; every available skill is a tool `skill__<name>`, a prompt\n`<name>` and resources `skill://<name>/...`. Clients are told (list_changed) when\nskills are hot-reloaded.\n\nExamples:\n  weft mcp serve                          stdio, for an IDE's `command` setting\n  weft mcp serve --http 127.0.0.1:8765    HTTP at http://127.0.0.1:8765/mcp, bearer token required\n  weft mcp serve --http 127.0.0.1:8765 --no-auth\n\nThe token is `mcp.http.token` in config (a secret reference such as {\"env\": \"NAME\"}),\nelse generated once into $CLAWFT_HOME/mcp-token (mode 0600)."
)]
pub struct McpArgs {
    #[command(subcommand)]
    action: McpAction,
}

#[derive(Debug, Subcommand)]
enum McpAction {
    /// Run the MCP server on stdio (default) or streamable HTTP (`--http`).
    Serve {
        /// Serve streamable HTTP on this address instead of stdio (default: `mcp.http.listen`
        /// from config when given without a value).
        #[arg(long, value_name = "ADDR", num_args = 0..=1, default_missing_value = "")]
        http: Option<String>,
        /// Serve HTTP without a bearer token; refused unless ADDR is loopback.
        #[arg(long, requires = "http")]
        no_auth: bool,
    },
}

pub async fn exec(global: &GlobalOpts, args: McpArgs) -> anyhow::Result<ExitCode> {
    let McpAction::Serve { http, no_auth } = args.action;
    let loaded = runtime::load_config(global)?;
    let settings = settings(&loaded)?;
    std::fs::create_dir_all(&loaded.workspace)
        .with_context(|| format!("creating the workspace `{}`", loaded.workspace.display()))?;
    let tools = runtime::tool_registry(&loaded)?;
    #[cfg(feature = "wasm")]
    let _plugins = crate::plugin_sync::start(&loaded, tools.clone(), true).await?;
    let skills = runtime::Skills::load(&loaded)?;
    let _watcher = runtime::watch_skills(&skills);
    let server = build_server(&loaded, &settings, tools, &skills);

    let Some(addr) = http else {
        clawft_mcp::serve_stdio(server).await?;
        return Ok(ExitCode::SUCCESS);
    };
    let addr = match (addr.as_str(), &settings.http.listen) {
        ("", Some(listen)) => listen.clone(),
        ("", None) => bail!(
            "`--http` needs an address\nhelp: `weft mcp serve --http 127.0.0.1:8765`, or set `mcp.http.listen` in config"
        ),
        (given, _) => given.to_owned(),
    };
    let options = http_options(&loaded, &settings, &addr, no_auth)?;
    let open = options.auth == HttpAuth::Open;
    clawft_mcp::serve_http(server, options, runtime::wait_for_shutdown(), |bound| {
        let auth_note = if open { " (no token)" } else { "" };
        eprintln!("weft mcp: serving http://{bound}/mcp{auth_note}; Ctrl-C to stop");
    })
    .await?;
    Ok(ExitCode::SUCCESS)
}

/// For `weft gateway`: when `mcp.http.listen` is set, serves MCP over HTTP on it in the
/// background (abort the handle to stop); `None` when it is not set.
pub(crate) fn start_in_gateway(
    loaded: &LoadedConfig,
    tools: Arc<ToolRegistry>,
    skills: &runtime::Skills,
) -> anyhow::Result<Option<tokio::task::JoinHandle<()>>> {
    let settings = settings(loaded)?;
    let Some(addr) = settings.http.listen.clone() else {
        return Ok(None);
    };
    let options = http_options(loaded, &settings, &addr, false)?;
    let server = build_server(loaded, &settings, tools, skills);
    Ok(Some(tokio::spawn(async move {
        let served = clawft_mcp::serve_http(server, options, std::future::pending(), |bound| {
            eprintln!("  mcp:       http://{bound}/mcp");
        });
        if let Err(err) = served.await {
            tracing::error!(%err, "the MCP HTTP endpoint stopped");
        }
    })))
}

fn settings(loaded: &LoadedConfig) -> anyhow::Result<McpSettings> {
    McpSettings::from_section(loaded.config.sections.get("mcp")).map_err(anyhow::Error::msg)
}

fn build_server(
    loaded: &LoadedConfig,
    settings: &McpSettings,
    tools: Arc<ToolRegistry>,
    skills: &runtime::Skills,
) -> McpServer {
    tracing::info!(
        tools = tools.snapshot().len(),
        skills = skills.registry.snapshot().len(),
        workspace = %loaded.workspace.display(),
        "MCP server ready"
    );
    McpServer::builder(tools, skills.registry.clone(), &loaded.workspace)
        .gate(skills.gate())
        .limits(settings.limits.clone())
        .server_info("clawft", env!("CARGO_PKG_VERSION"))
        .build()
}

/// The address, token and origin settings for HTTP. The token comes from
/// `mcp.http.token` (a secret reference), else from `$CLAWFT_HOME/mcp-token`, generated on
/// first use and printed to stderr.
fn http_options(
    loaded: &LoadedConfig,
    settings: &McpSettings,
    addr: &str,
    no_auth: bool,
) -> anyhow::Result<HttpOptions> {
    let addr: SocketAddr = addr
        .parse()
        .with_context(|| format!("`{addr}` is not an address like 127.0.0.1:8765"))?;
    let auth = if no_auth || settings.http.allow_unauthenticated {
        HttpAuth::Open
    } else if let Some(secret) = &settings.http.token {
        HttpAuth::Bearer(secret.resolve("mcp.http.token")?.expose().to_owned())
    } else {
        let (token, created) = clawft_mcp::load_or_create_token(&loaded.paths.home)?;
        let path = loaded.paths.home.join(clawft_mcp::TOKEN_FILE);
        if created {
            eprintln!("weft mcp: generated a bearer token in {}:", path.display());
            eprintln!("  {token}");
        } else {
            eprintln!("weft mcp: bearer token in {}", path.display());
        }
        HttpAuth::Bearer(token)
    };
    let options = HttpOptions {
        addr,
        auth,
        allowed_origins: settings.http.allowed_origins.clone(),
        allowed_hosts: settings.http.allowed_hosts.clone(),
    };
    options.validate()?;
    Ok(options)
}
