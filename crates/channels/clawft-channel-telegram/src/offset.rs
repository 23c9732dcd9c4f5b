//! The `getUpdates` offset, persisted so that a restart neither loses nor repeats updates.
//!
//! Telegram keeps an update until a `getUpdates` call passes an `offset` above its
//! `update_id`. The channel saves `update_id + 1` right after each update was handed to the
//! agent, so after a restart polling resumes exactly after the last delivered update. The
//! file is written atomically (temporary file, fsync, rename) and records the bot id, so a
//! different bot's offset is never reused.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// File name under `state_dir`.
pub const OFFSET_FILE: &str = "telegram-offset.json";

#[derive(Debug, Serialize, Deserialize)]
struct Saved {
    bot_id: String,
    offset: i64,
}

/// Where the offset of one bot is kept.
#[derive(Debug, Clone)]
pub(crate) struct OffsetStore {
    path: Option<PathBuf>,
    bot_id: String,
}

impl OffsetStore {
    pub(crate) fn new(state_dir: Option<&Path>, bot_id: &str) -> Self {
        Self {
            path: state_dir.map(|d| d.join(OFFSET_FILE)),
            bot_id: bot_id.to_owned(),
        }
    }

    /// The saved offset, if there is one for this bot. A corrupt file is reported and ignored.
    pub(crate) fn load(&self) -> Option<i64> {
        let path = self.path.as_ref()?;
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
            Err(e) => {
                tracing::warn!(path = %path.display(), error = %e, "cannot read the telegram offset file; starting without it");
                return None;
            }
        };
        match serde_json::from_str::<Saved>(&text) {
            Ok(saved) if saved.bot_id == self.bot_id => Some(saved.offset),
            Ok(_) => {
                tracing::info!(path = %path.display(), "telegram offset file belongs to another bot; ignoring it");
                None
            }
            Err(e) => {
                tracing::warn!(path = %path.display(), error = %e, "telegram offset file is corrupt; ignoring it");
                None
            }
        }
    }

    /// Save `offset` atomically. Without a `state_dir` this does nothing.
    pub(crate) fn save(&self, offset: i64) -> std::io::Result<()> {
        let Some(path) = &self.path else {
            return Ok(());
        };
        let dir = path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir)?;
        let tmp = dir.join(format!(".{OFFSET_FILE}.{}.tmp", std::process::id()));
        let body = serde_json::to_vec(&Saved {
            bot_id: self.bot_id.clone(),
            offset,
        })
        .map_err(std::io::Error::other)?;
        {
            let mut file = std::fs::File::create(&tmp)?;
            file.write_all(&body)?;
            file.sync_all()?;
        }
        std::fs::rename(&tmp, path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_ignores_other_bots_and_garbage() {
        let dir = tempfile::tempdir().unwrap();
        let store = OffsetStore::new(Some(dir.path()), "111");
        assert_eq!(store.load(), None);
        store.save(42).unwrap();
        assert_eq!(store.load(), Some(42));
        store.save(43).unwrap();
        assert_eq!(store.load(), Some(43));
        assert_eq!(OffsetStore::new(Some(dir.path()), "222").load(), None);
        std::fs::write(dir.path().join(OFFSET_FILE), "{nope").unwrap();
        assert_eq!(store.load(), None);
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
            .collect();
        assert!(leftovers.is_empty());
    }

    #[test]
    fn without_state_dir_nothing_is_written() {
        let store = OffsetStore::new(None, "1");
        store.save(5).unwrap();
        assert_eq!(store.load(), None);
    }
}
