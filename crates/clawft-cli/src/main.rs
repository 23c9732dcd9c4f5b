//! `weft`, the clawft command-line binary. It parses arguments, builds the runtime from
//! config and hands each command to its module; the logic lives in the libraries.

mod admin;
mod channels;
mod commands;
mod error_report;
mod line_editor;
mod mcp_servers;
mod runtime;

use clap::Parser;

use commands::Cli;

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
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
fn init_tracing(verbose: u8, quiet: bool) {
    use tracing_subscriber::EnvFilter;
    let default = match (quiet, verbose) {
        (true, _) => "error",
        (false, 0) => "warn",
        (false, 1) => "info,clawft=info",
        (false, 2) => "debug",
        _ => "trace",
    };
    let filter = EnvFilter::try_from_env("CLAWFT_LOG")
        .or_else(|_| EnvFilter::try_new(default))
        .unwrap_or_else(|_| EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .try_init();
}
