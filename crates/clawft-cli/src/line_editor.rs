//! Tab completion of slash commands in the interactive chat.

use std::sync::Arc;

use clawft_core::CommandRegistry;
use rustyline::completion::{Completer, Pair};
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::validate::Validator;
use rustyline::{Context, Helper};

/// Completes `/name` from the registry as it is now (skills come and go).
pub struct CommandCompleter {
    commands: Arc<CommandRegistry>,
}

impl CommandCompleter {
    /// Complete from `commands`.
    pub fn new(commands: Arc<CommandRegistry>) -> Self {
        Self { commands }
    }
}

impl Completer for CommandCompleter {
    type Candidate = Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _ctx: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        let typed = &line[..pos];
        if !typed.starts_with('/') || typed.contains(char::is_whitespace) {
            return Ok((pos, Vec::new()));
        }
        let matches = self
            .commands
            .names()
            .into_iter()
            .filter(|n| n.starts_with(typed))
            .map(|n| Pair {
                display: n.clone(),
                replacement: format!("{n} "),
            })
            .collect();
        Ok((0, matches))
    }
}

impl Hinter for CommandCompleter {
    type Hint = String;
}
impl Highlighter for CommandCompleter {}
impl Validator for CommandCompleter {}
impl Helper for CommandCompleter {}
