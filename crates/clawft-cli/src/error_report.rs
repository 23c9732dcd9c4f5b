//! How errors reach the user: `error: <what>`, each cause on a `Caused by:` line, and the
//! exit code. Exit codes: 0 success, 1 failure, 2 usage error (from clap).

use std::process::ExitCode;

/// Exit code for a failed command.
pub const EXIT_ERROR: u8 = 1;

/// Print `err` with its causes to stderr and return the exit code.
pub fn report(err: &anyhow::Error) -> ExitCode {
    let mut chain = err.chain();
    if let Some(top) = chain.next() {
        eprintln!("error: {top}");
    }
    let causes: Vec<String> = chain.map(ToString::to_string).collect();
    if !causes.is_empty() {
        eprintln!("\nCaused by:");
        for cause in causes {
            for line in cause.lines() {
                eprintln!("  {line}");
            }
        }
    }
    ExitCode::from(EXIT_ERROR)
}
