//! `weft`, the clawft command-line binary. It parses arguments, builds the runtime from
//! config and hands each command to its module; the logic lives in the libraries.

mod admin;
mod channels;
mod commands;
mod error_report;
mod line_editor;
mod mcp_servers;
#[cfg(feature = "wasm")]
mod plugin_sync;
mod runtime;

use clap::Parser;

use commands::Cli;

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    clawft_http::install_crypto_provider();
    init_tracing(cli.global.verbose, cli.global.quiet);
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(err) => {
            eprintln!("error: could not start the async runtime: {err}");
            return error_report::EXIT_ERROR.into();
        }
    };
    let result = rt.block_on(commands::exec(cli));
    // Do not wait for lingering blocking tasks (e.g. a pending stdin read).
    rt.shutdown_timeout(std::time::Duration::from_millis(100));
    match result {
        Ok(code) => code,
        Err(err) => error_report::report(&err),
    }
}

/// Logs go to stderr so stdout carries only answers and machine-readable output.
///
/// `CLAWFT_LOG` takes `level` or `target=level` directives separated by commas
/// (`debug`, `warn,clawft_core=trace`); an unreadable value falls back to the `-v` level
/// with a warning rather than silencing logs.
fn init_tracing(verbose: u8, quiet: bool) {
    use tracing_subscriber::filter::Targets;
    use tracing_subscriber::prelude::*;
    let default = match (quiet, verbose) {
        (true, _) => "error",
        (false, 0) => "warn",
        (false, 1) => "info",
        (false, 2) => "debug",
        _ => "trace",
    };
    let mut bad_env = None;
    let filter: Targets = match std::env::var("CLAWFT_LOG") {
        Ok(value) if !value.trim().is_empty() => value.parse().unwrap_or_else(|err| {
            bad_env = Some(format!("ignoring CLAWFT_LOG={value:?}: {err}"));
            default.parse().unwrap_or_default()
        }),
        _ => default.parse().unwrap_or_default(),
    };
    let _ = tracing_subscriber::registry()
        .with(
            tracing_subscriber::fmt::layer()
                .with_writer(std::io::stderr)
                .with_target(false),
        )
        .with(filter)
        .try_init();
    if let Some(warning) = bad_env {
        tracing::warn!("{warning}");
    }
}
