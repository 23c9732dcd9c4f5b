//! clawft-wasm integration tests: one binary, a module per topic.
//!
//! The example plugins must be built first (`scripts/build-plugins`); tests that need
//! them print a `skipping:` line and pass when they are absent. Hostile guests are WAT,
//! componentised at test time.

mod support;

mod bench;
mod examples;
mod hostile;
mod http;
mod isolation;
mod sandbox;
