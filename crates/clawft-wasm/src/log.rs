//! The `log` host function: rate-limited per plugin, lines truncated.
//!
//! Malicious-guest note: without these caps a plugin could fill the host's disk or drown
//! real log lines. Dropped lines are counted and reported once per call.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Length of the sliding window for per-minute limits.
const WINDOW: Duration = Duration::from_secs(60);

/// Log levels a plugin can use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Level {
    Trace,
    Debug,
    Info,
    Warn,
    Error,
}

/// A sliding one-minute window counting events (HTTP requests, log lines) of one plugin.
#[derive(Debug)]
pub(crate) struct RateWindow {
    per_minute: u32,
    events: Mutex<VecDeque<Instant>>,
}

impl RateWindow {
    pub(crate) fn new(per_minute: u32) -> Self {
        Self {
            per_minute,
            events: Mutex::new(VecDeque::new()),
        }
    }

    /// Record one event if the window has room; `false` when over the limit.
    pub(crate) fn try_acquire(&self) -> bool {
        let now = Instant::now();
        let Ok(mut events) = self.events.lock() else {
            return false;
        };
        while events
            .front()
            .is_some_and(|t| now.duration_since(*t) >= WINDOW)
        {
            events.pop_front();
        }
        if events.len() >= self.per_minute as usize {
            return false;
        }
        events.push_back(now);
        true
    }

    pub(crate) fn per_minute(&self) -> u32 {
        self.per_minute
    }
}

/// Logging state of one call of one plugin.
pub(crate) struct CallLog {
    plugin: Arc<str>,
    window: Arc<RateWindow>,
    max_line: usize,
    dropped: u64,
}

impl CallLog {
    pub(crate) fn new(plugin: Arc<str>, window: Arc<RateWindow>, max_line: usize) -> Self {
        Self {
            plugin,
            window,
            max_line,
            dropped: 0,
        }
    }

    /// Log `message` for the plugin, unless over the rate limit.
    pub(crate) fn line(&mut self, level: Level, message: &str) {
        if !self.window.try_acquire() {
            self.dropped += 1;
            return;
        }
        let line = truncate(message, self.max_line);
        let plugin = &*self.plugin;
        match level {
            Level::Trace => tracing::trace!(target: "clawft_wasm::plugin", plugin, "{line}"),
            Level::Debug => tracing::debug!(target: "clawft_wasm::plugin", plugin, "{line}"),
            Level::Info => tracing::info!(target: "clawft_wasm::plugin", plugin, "{line}"),
            Level::Warn => tracing::warn!(target: "clawft_wasm::plugin", plugin, "{line}"),
            Level::Error => tracing::error!(target: "clawft_wasm::plugin", plugin, "{line}"),
        }
    }

    /// Lines dropped in this call; logs one summary line when any were.
    pub(crate) fn finish(&self) -> u64 {
        if self.dropped > 0 {
            tracing::warn!(
                target: "clawft_wasm::plugin",
                plugin = &*self.plugin,
                "{} log lines dropped (limit {} per minute)",
                self.dropped,
                self.window.per_minute()
            );
        }
        self.dropped
    }
}

/// `text` cut to at most `max` bytes on a character boundary, marked when cut.
pub(crate) fn truncate(text: &str, max: usize) -> std::borrow::Cow<'_, str> {
    if text.len() <= max {
        return text.into();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… [truncated {} bytes]", &text[..end], text.len() - end).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_caps_events() {
        let w = RateWindow::new(3);
        assert!(w.try_acquire() && w.try_acquire() && w.try_acquire());
        assert!(!w.try_acquire());
        assert_eq!(w.per_minute(), 3);
    }

    #[test]
    fn flood_is_counted_and_long_lines_cut() {
        let mut log = CallLog::new("p".into(), Arc::new(RateWindow::new(2)), 8);
        for _ in 0..10 {
            log.line(Level::Info, "hello");
        }
        assert_eq!(log.finish(), 8);
        assert_eq!(truncate("short", 8), "short");
        let cut = truncate("ééééé", 3);
        assert!(
            cut.starts_with('é') && cut.contains("[truncated 8 bytes]"),
            "{cut}"
        );
    }
}
