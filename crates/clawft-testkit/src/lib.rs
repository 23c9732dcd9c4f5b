//! Test-only helpers for clawft.
//!
//! [`ScriptedLlm`] is an OpenAI-compatible chat-completions server on a random loopback port
//! that answers from a script (text, tool calls, error statuses, garbage, delays), streams
//! when asked, and records every request it receives. It runs on its own thread, so it
//! serves both async tests and tests that drive the `weft` binary as a subprocess.

mod scripted_llm;

pub use scripted_llm::{Reply, ScriptedLlm};
