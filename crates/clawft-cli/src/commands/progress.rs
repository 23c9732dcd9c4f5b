//! Progress for network work: a spinner on a terminal, silence otherwise.

use std::io::IsTerminal;
use std::time::Duration;

/// A spinner on stderr when it is a terminal; nothing otherwise. Cleared when dropped.
pub struct Progress(Option<indicatif::ProgressBar>);

impl Progress {
    /// Start a spinner if stderr is a terminal.
    pub fn new() -> Self {
        Self(std::io::stderr().is_terminal().then(|| {
            let bar = indicatif::ProgressBar::new_spinner();
            bar.enable_steady_tick(Duration::from_millis(100));
            bar
        }))
    }

    /// Show `msg` as the current step.
    pub fn update(&self, msg: &str) {
        if let Some(bar) = &self.0 {
            bar.set_message(msg.to_owned());
        }
    }

    /// Run `f` (a prompt) with the spinner hidden. Only plugin installs prompt.
    #[cfg(feature = "wasm")]
    pub fn suspend<R>(&self, f: impl FnOnce() -> R) -> R {
        match &self.0 {
            Some(bar) => bar.suspend(f),
            None => f(),
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}
