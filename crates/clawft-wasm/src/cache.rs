//! The on-disk cache of compiled components, so a restart does not recompile.
//!
//! Key: SHA-256 over a format tag, wasmtime's engine compatibility hash (which covers the
//! exact wasmtime version and every codegen-relevant setting: fuel, epochs, target CPU)
//! and the component bytes. Entries are written atomically (temp file + rename) into a
//! directory only this host writes. A corrupt or incompatible entry is removed and the
//! component recompiled.
//!
//! Malicious-guest note: a cache entry is native code that wasmtime runs without
//! re-validation. Whoever can write the cache directory can run code in the host; keep it
//! in the user's own state directory (`$CLAWFT_HOME/cache/wasm`), never a shared one.

use std::hash::Hasher;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};
use wasmtime::Engine;
use wasmtime::component::Component;

/// Bumped when the key or entry layout changes.
const FORMAT: &str = "clawft-wasm-cache-v1/wasmtime-48";

/// How a component was obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CacheOutcome {
    /// Compiled now; no cache configured.
    Compiled(Duration),
    /// Compiled now and written to the cache.
    CompiledAndStored(Duration),
    /// Loaded from the cache.
    Loaded(Duration),
}

impl CacheOutcome {
    /// Time taken.
    pub fn elapsed(&self) -> Duration {
        match *self {
            Self::Compiled(d) | Self::CompiledAndStored(d) | Self::Loaded(d) => d,
        }
    }

    /// Whether the cache was hit.
    pub fn is_hit(&self) -> bool {
        matches!(self, Self::Loaded(_))
    }
}

/// SHA-256 of `bytes`, lowercase hex (what install records and [`crate::LoadedPlugin::sha256`] hold).
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Feeds `Hash` output into SHA-256 so the key is stable across runs and Rust versions.
struct ShaHasher(Sha256);

impl Hasher for ShaHasher {
    fn write(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }

    fn finish(&self) -> u64 {
        0
    }
}

fn cache_key(engine: &Engine, bytes: &[u8]) -> String {
    let mut hasher = ShaHasher(Sha256::new());
    hasher.write(FORMAT.as_bytes());
    std::hash::Hash::hash(&engine.precompile_compatibility_hash(), &mut hasher);
    hasher.0.update(Sha256::digest(bytes));
    hex(&hasher.0.finalize())
}

/// The component for `bytes`: from `cache_dir` when present and valid, else compiled (and
/// stored when a cache directory is given). Cache problems are logged, never fatal.
pub(crate) fn load_or_compile(
    engine: &Engine,
    cache_dir: Option<&Path>,
    bytes: &[u8],
) -> wasmtime::Result<(Component, CacheOutcome)> {
    let started = Instant::now();
    let Some(dir) = cache_dir else {
        let component = Component::new(engine, bytes)?;
        return Ok((component, CacheOutcome::Compiled(started.elapsed())));
    };
    let path = dir.join(format!("{}.cwasm", cache_key(engine, bytes)));
    if path.is_file() {
        match deserialize_cached(engine, &path) {
            Ok(component) => return Ok((component, CacheOutcome::Loaded(started.elapsed()))),
            Err(err) => {
                tracing::warn!(path = %path.display(), "discarding unusable compile cache entry: {err:#}");
                let _ = std::fs::remove_file(&path);
            }
        }
    }
    let component = Component::new(engine, bytes)?;
    let stored = component
        .serialize()
        .map_err(|e| e.to_string())
        .and_then(|data| write_atomic(dir, &path, &data).map_err(|e| e.to_string()));
    match stored {
        Ok(()) => Ok((
            component,
            CacheOutcome::CompiledAndStored(started.elapsed()),
        )),
        Err(err) => {
            tracing::warn!(path = %path.display(), "could not write the compile cache: {err}");
            Ok((component, CacheOutcome::Compiled(started.elapsed())))
        }
    }
}

/// Load a compiled component this module wrote.
///
/// The file is read into memory rather than mapped (`Component::deserialize_file`): a
/// mapped file that something truncates while the component is alive would crash the
/// host with SIGBUS; a copy cannot.
#[allow(unsafe_code)]
fn deserialize_cached(engine: &Engine, path: &Path) -> wasmtime::Result<Component> {
    let bytes = std::fs::read(path)?;
    // SAFETY: `Component::deserialize` runs the artifact's machine code without
    // validating it, so the bytes must come from `Component::serialize` of a trusted
    // compilation. They do: entries are only ever written by `load_or_compile` (unique
    // temp file + rename, so a reader never sees a half-written entry) into the host's
    // own cache directory, and the file name is the SHA-256 of the component bytes plus
    // this engine's compatibility hash (exact wasmtime version and codegen settings), so
    // an entry is only loaded by an engine that could have produced it. wasmtime also
    // checks the artifact header and refuses one from an incompatible engine.
    unsafe { Component::deserialize(engine, &bytes) }
}

fn write_atomic(dir: &Path, path: &PathBuf, data: &[u8]) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let tmp = dir.join(format!(
        ".{}.{}.{}.tmp",
        path.file_name().and_then(|n| n.to_str()).unwrap_or("entry"),
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::write(&tmp, data)?;
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_is_hex() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn key_depends_on_bytes_and_engine_settings() {
        let a = Engine::default();
        let mut cfg = wasmtime::Config::new();
        cfg.consume_fuel(true);
        let b = Engine::new(&cfg).unwrap();
        assert_eq!(cache_key(&a, b"x"), cache_key(&a, b"x"));
        assert_ne!(cache_key(&a, b"x"), cache_key(&a, b"y"));
        assert_ne!(cache_key(&a, b"x"), cache_key(&b, b"x"));
    }
}
