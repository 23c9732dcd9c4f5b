//! Sessions as JSON Lines files, one per session, appended and fsynced.
//!
//! A crash can at worst leave a partial last line; loading ignores it and truncates the file
//! back to the last complete line, so the next append starts clean.

use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use async_trait::async_trait;

use super::{SessionError, SessionRecord, SessionStore};

/// JSONL files under a directory (`~/.clawft/sessions`).
#[derive(Debug, Clone)]
pub struct JsonlSessionStore {
    dir: PathBuf,
}

impl JsonlSessionStore {
    /// Store files under `dir` (created on first write).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    /// The file for `key`: `telegram:42` → `telegram_42.jsonl`, other characters escaped.
    pub fn path_for(&self, key: &str) -> PathBuf {
        let mut name = String::with_capacity(key.len());
        for ch in key.chars() {
            match ch {
                'a'..='z' | 'A'..='Z' | '0'..='9' | '-' | '.' | '@' => name.push(ch),
                ':' => name.push('_'),
                other => name.push_str(&format!("%{:02X}", other as u32)),
            }
        }
        if name.starts_with('.') {
            name.insert(0, '%');
        }
        self.dir.join(format!("{name}.jsonl"))
    }

    /// Inverse of [`Self::path_for`] on a file stem (a literal `_` is always escaped).
    fn key_for(file_stem: &str) -> String {
        let mut out = String::new();
        let mut chars = file_stem.chars();
        while let Some(ch) = chars.next() {
            match ch {
                '%' => {
                    let hex: String = chars.by_ref().take(2).collect();
                    if let Some(c) = u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                        out.push(c);
                    }
                }
                '_' => out.push(':'),
                other => out.push(other),
            }
        }
        out
    }
}

fn io(key: &str) -> impl FnOnce(std::io::Error) -> SessionError + '_ {
    move |source| SessionError::Io {
        key: key.to_owned(),
        source,
    }
}

fn append_blocking(path: &Path, lines: &[u8]) -> std::io::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    file.write_all(lines)?;
    file.sync_data()
}

/// Read complete lines; cut a torn tail off the file.
fn load_blocking(path: &Path) -> std::io::Result<Vec<SessionRecord>> {
    let mut file = match std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(path)
    {
        Ok(f) => f,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(err) => return Err(err),
    };
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes)?;
    let complete_len = bytes.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
    let mut records = Vec::new();
    for (n, line) in bytes[..complete_len].split(|b| *b == b'\n').enumerate() {
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match serde_json::from_slice::<SessionRecord>(line) {
            Ok(rec) => records.push(rec),
            Err(err) => {
                tracing::warn!(file = %path.display(), line = n + 1, %err, "skipping unreadable session line")
            }
        }
    }
    if complete_len < bytes.len() {
        tracing::warn!(file = %path.display(), bytes = bytes.len() - complete_len, "dropping a torn last line (interrupted write)");
        file.set_len(complete_len as u64)?;
        file.seek(SeekFrom::End(0))?;
        file.sync_data()?;
    }
    Ok(records)
}

#[async_trait]
impl SessionStore for JsonlSessionStore {
    async fn append(&self, key: &str, records: &[SessionRecord]) -> Result<(), SessionError> {
        let mut buf = Vec::new();
        for rec in records {
            serde_json::to_writer(&mut buf, rec).map_err(|e| io(key)(e.into()))?;
            buf.push(b'\n');
        }
        let path = self.path_for(key);
        tokio::task::spawn_blocking(move || append_blocking(&path, &buf))
            .await
            .map_err(|e| io(key)(std::io::Error::other(e)))?
            .map_err(io(key))
    }

    async fn load(&self, key: &str) -> Result<Vec<SessionRecord>, SessionError> {
        let path = self.path_for(key);
        tokio::task::spawn_blocking(move || load_blocking(&path))
            .await
            .map_err(|e| io(key)(std::io::Error::other(e)))?
            .map_err(io(key))
    }

    async fn clear(&self, key: &str) -> Result<bool, SessionError> {
        match tokio::fs::remove_file(self.path_for(key)).await {
            Ok(()) => Ok(true),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(false),
            Err(err) => Err(io(key)(err)),
        }
    }

    async fn list(&self) -> Result<Vec<String>, SessionError> {
        let mut out = Vec::new();
        let mut dir = match tokio::fs::read_dir(&self.dir).await {
            Ok(d) => d,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(out),
            Err(err) => return Err(io("*")(err)),
        };
        while let Some(entry) = dir.next_entry().await.map_err(io("*"))? {
            let name = entry.file_name().to_string_lossy().into_owned();
            if let Some(stem) = name.strip_suffix(".jsonl") {
                out.push(Self::key_for(stem));
            }
        }
        out.sort();
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clawft_plugin::ChatMessage;

    fn rec(text: &str) -> SessionRecord {
        SessionRecord {
            ts_ms: 1,
            message: ChatMessage::user(text),
        }
    }

    #[tokio::test]
    async fn append_load_clear_list() {
        let dir = tempfile::tempdir().unwrap();
        let store = JsonlSessionStore::new(dir.path());
        store
            .append("telegram:42", &[rec("a"), rec("b")])
            .await
            .unwrap();
        store.append("telegram:42", &[rec("c")]).await.unwrap();
        let got: Vec<_> = store
            .load("telegram:42")
            .await
            .unwrap()
            .into_iter()
            .map(|r| r.message.content)
            .collect();
        assert_eq!(got, ["a", "b", "c"]);
        assert_eq!(store.list().await.unwrap(), ["telegram:42"]);
        assert!(store.clear("telegram:42").await.unwrap());
        assert!(store.load("telegram:42").await.unwrap().is_empty());
        assert!(!store.clear("telegram:42").await.unwrap());
    }

    #[tokio::test]
    async fn torn_last_line_is_dropped_and_file_repaired() {
        let dir = tempfile::tempdir().unwrap();
        let store = JsonlSessionStore::new(dir.path());
        store.append("cli:x", &[rec("whole")]).await.unwrap();
        let path = store.path_for("cli:x");
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap();
        f.write_all(br#"{"ts_ms":2,"role":"user","cont"#).unwrap();
        drop(f);
        let got = store.load("cli:x").await.unwrap();
        assert_eq!(got.len(), 1);
        store.append("cli:x", &[rec("after")]).await.unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.lines().count(), 2);
        assert!(
            text.lines()
                .all(|l| serde_json::from_str::<SessionRecord>(l).is_ok()),
            "{text}"
        );
    }

    #[test]
    fn keys_map_to_safe_file_names_and_back() {
        let store = JsonlSessionStore::new("/s");
        for key in [
            "telegram:42",
            "email:a@b.c",
            "slack:C1/thread:9",
            "cli:../../etc",
        ] {
            let path = store.path_for(key);
            assert_eq!(path.parent().unwrap(), Path::new("/s"), "{key}");
            let stem = path
                .file_name()
                .unwrap()
                .to_str()
                .unwrap()
                .strip_suffix(".jsonl")
                .unwrap();
            assert!(!stem.contains('/'));
            assert_eq!(JsonlSessionStore::key_for(stem), key);
        }
    }
}
