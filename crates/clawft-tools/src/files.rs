//! Workspace file tools: `read_file`, `write_file`, `edit_file`, `list_dir`.

use std::io::Write;

use async_trait::async_trait;
use clawft_plugin::{
    PluginError, PluginResult, Tool, ToolAnnotations, ToolContext, ToolOutput, ToolSpec,
};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::confine::resolve;

/// Default largest file `read_file` returns, in bytes.
pub const DEFAULT_MAX_READ_BYTES: u64 = 256 * 1024;
/// Default largest content `write_file` accepts, in bytes.
pub const DEFAULT_MAX_WRITE_BYTES: usize = 4 * 1024 * 1024;
/// Default most entries `list_dir` returns.
pub const DEFAULT_MAX_LIST_ENTRIES: usize = 500;

/// Settings under `tools.files`.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FilesConfig {
    /// Whether the file tools are offered. Default true.
    pub enabled: bool,
    /// Bytes `read_file` returns at most; longer files are cut with a note. Default [`DEFAULT_MAX_READ_BYTES`].
    pub max_read_bytes: u64,
    /// Bytes `write_file`/`edit_file` accept at most; larger writes are refused. Default [`DEFAULT_MAX_WRITE_BYTES`].
    pub max_write_bytes: usize,
    /// Entries `list_dir` returns at most; the rest are counted. Default [`DEFAULT_MAX_LIST_ENTRIES`].
    pub max_list_entries: usize,
}

impl Default for FilesConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            max_read_bytes: DEFAULT_MAX_READ_BYTES,
            max_write_bytes: DEFAULT_MAX_WRITE_BYTES,
            max_list_entries: DEFAULT_MAX_LIST_ENTRIES,
        }
    }
}

fn arg<'a>(args: &'a Value, name: &str) -> PluginResult<&'a str> {
    args.get(name)
        .and_then(Value::as_str)
        .ok_or_else(|| PluginError::InvalidArguments(format!("missing string argument `{name}`")))
}

fn spec(
    name: &str,
    description: &str,
    parameters: Value,
    annotations: ToolAnnotations,
) -> ToolSpec {
    ToolSpec {
        name: name.into(),
        description: description.into(),
        parameters,
        annotations,
    }
}

/// Write `bytes` to `path` atomically (temp file in the same directory, fsync, rename).
pub fn write_atomic(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path
        .parent()
        .ok_or_else(|| std::io::Error::other("path has no parent directory"))?;
    std::fs::create_dir_all(dir)?;
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let tmp = dir.join(format!(".{name}.clawft-tmp-{}", std::process::id()));
    let result = (|| {
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// `read_file(path)`: a text file from the workspace.
pub struct ReadFile {
    config: FilesConfig,
}

impl ReadFile {
    /// With these limits.
    pub fn new(config: FilesConfig) -> Self {
        Self { config }
    }
}

#[async_trait]
impl Tool for ReadFile {
    fn spec(&self) -> ToolSpec {
        spec(
            "read_file",
            "Read a text file from the workspace. Paths are relative to the workspace root.",
            json!({"type": "object", "properties": {"path": {"type": "string", "description": "File path relative to the workspace"}}, "required": ["path"]}),
            ToolAnnotations {
                read_only: true,
                idempotent: true,
                ..Default::default()
            },
        )
    }

    async fn call(&self, args: Value, ctx: &ToolContext) -> PluginResult<ToolOutput> {
        let requested = arg(&args, "path")?;
        let path = match resolve(&ctx.workspace, requested) {
            Ok(p) => p,
            Err(why) => return Ok(ToolOutput::error(why)),
        };
        let meta = match tokio::fs::metadata(&path).await {
            Ok(m) => m,
            Err(err) => {
                return Ok(ToolOutput::error(format!(
                    "cannot read `{requested}`: {err}"
                )));
            }
        };
        if meta.is_dir() {
            return Ok(ToolOutput::error(format!(
                "`{requested}` is a directory; use list_dir"
            )));
        }
        let limit = self.config.max_read_bytes;
        let bytes = {
            use tokio::io::AsyncReadExt;
            let file = tokio::fs::File::open(&path).await?;
            let mut buf = Vec::new();
            file.take(limit).read_to_end(&mut buf).await?;
            buf
        };
        let mut text = String::from_utf8_lossy(&bytes).into_owned();
        if meta.len() > limit {
            text.push_str(&format!(
                "\n\n[… truncated: showed {limit} of {} bytes]",
                meta.len()
            ));
        }
        Ok(ToolOutput::ok(text))
    }
}

/// `write_file(path, content)`: create or replace a file, atomically.
pub struct WriteFile {
    config: FilesConfig,
}

impl WriteFile {
    /// With these limits.
    pub fn new(config: FilesConfig) -> Self {
        Self { config }
    }
}

#[async_trait]
impl Tool for WriteFile {
    fn spec(&self) -> ToolSpec {
        spec(
            "write_file",
            "Create or overwrite a file in the workspace with the given content. Parent directories are created.",
            json!({"type": "object", "properties": {
                "path": {"type": "string", "description": "File path relative to the workspace"},
                "content": {"type": "string", "description": "The complete new content"}
            }, "required": ["path", "content"]}),
            ToolAnnotations {
                destructive: true,
                idempotent: true,
                ..Default::default()
            },
        )
    }

    async fn call(&self, args: Value, ctx: &ToolContext) -> PluginResult<ToolOutput> {
        let requested = arg(&args, "path")?;
        let content = arg(&args, "content")?;
        if content.len() > self.config.max_write_bytes {
            return Ok(ToolOutput::error(format!(
                "content is {} bytes; the limit is {} (`tools.files.max_write_bytes`)",
                content.len(),
                self.config.max_write_bytes
            )));
        }
        let path = match resolve(&ctx.workspace, requested) {
            Ok(p) => p,
            Err(why) => return Ok(ToolOutput::error(why)),
        };
        let bytes = content.as_bytes().to_vec();
        let target = path.clone();
        match tokio::task::spawn_blocking(move || write_atomic(&target, &bytes)).await {
            Ok(Ok(())) => Ok(ToolOutput::ok(format!(
                "wrote {} bytes to {requested}",
                content.len()
            ))),
            Ok(Err(err)) => Ok(ToolOutput::error(format!(
                "cannot write `{requested}`: {err}"
            ))),
            Err(err) => Err(PluginError::other(err)),
        }
    }
}

/// `edit_file(path, old, new)`: replace one exact occurrence of a string.
pub struct EditFile {
    config: FilesConfig,
}

impl EditFile {
    /// With these limits.
    pub fn new(config: FilesConfig) -> Self {
        Self { config }
    }
}

#[async_trait]
impl Tool for EditFile {
    fn spec(&self) -> ToolSpec {
        spec(
            "edit_file",
            "Replace an exact piece of text in a workspace file. `old` must occur exactly once unless `replace_all` is true.",
            json!({"type": "object", "properties": {
                "path": {"type": "string", "description": "File path relative to the workspace"},
                "old": {"type": "string", "description": "Exact text to find"},
                "new": {"type": "string", "description": "Replacement text"},
                "replace_all": {"type": "boolean", "description": "Replace every occurrence", "default": false}
            }, "required": ["path", "old", "new"]}),
            ToolAnnotations {
                destructive: true,
                ..Default::default()
            },
        )
    }

    async fn call(&self, args: Value, ctx: &ToolContext) -> PluginResult<ToolOutput> {
        let requested = arg(&args, "path")?;
        let old = arg(&args, "old")?;
        let new = arg(&args, "new")?;
        let all = args
            .get("replace_all")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        if old.is_empty() {
            return Ok(ToolOutput::error("`old` must not be empty"));
        }
        let path = match resolve(&ctx.workspace, requested) {
            Ok(p) => p,
            Err(why) => return Ok(ToolOutput::error(why)),
        };
        let text = match tokio::fs::read_to_string(&path).await {
            Ok(t) => t,
            Err(err) => {
                return Ok(ToolOutput::error(format!(
                    "cannot read `{requested}`: {err}"
                )));
            }
        };
        let count = text.matches(old).count();
        let updated = match (count, all) {
            (0, _) => {
                return Ok(ToolOutput::error(format!(
                    "`old` text not found in `{requested}`; read the file and copy the exact text"
                )));
            }
            (1, _) | (_, true) => text.replace(old, new),
            (n, false) => {
                return Ok(ToolOutput::error(format!(
                    "`old` occurs {n} times in `{requested}`; include more context to make it unique, or set replace_all"
                )));
            }
        };
        if updated.len() > self.config.max_write_bytes {
            return Ok(ToolOutput::error(
                "the edited file would exceed `tools.files.max_write_bytes`",
            ));
        }
        let target = path.clone();
        tokio::task::spawn_blocking(move || write_atomic(&target, updated.as_bytes()))
            .await
            .map_err(PluginError::other)??;
        Ok(ToolOutput::ok(format!(
            "replaced {count} occurrence(s) in {requested}"
        )))
    }
}

/// `list_dir(path)`: directory entries, directories marked with `/`.
pub struct ListDir {
    config: FilesConfig,
}

impl ListDir {
    /// With these limits.
    pub fn new(config: FilesConfig) -> Self {
        Self { config }
    }
}

#[async_trait]
impl Tool for ListDir {
    fn spec(&self) -> ToolSpec {
        spec(
            "list_dir",
            "List a workspace directory. Directories end with `/`; files show their size in bytes.",
            json!({"type": "object", "properties": {"path": {"type": "string", "description": "Directory relative to the workspace (default: the root)", "default": "."}}}),
            ToolAnnotations {
                read_only: true,
                idempotent: true,
                ..Default::default()
            },
        )
    }

    async fn call(&self, args: Value, ctx: &ToolContext) -> PluginResult<ToolOutput> {
        let requested = args.get("path").and_then(Value::as_str).unwrap_or(".");
        let path = match resolve(&ctx.workspace, requested) {
            Ok(p) => p,
            Err(why) => return Ok(ToolOutput::error(why)),
        };
        let mut dir = match tokio::fs::read_dir(&path).await {
            Ok(d) => d,
            Err(err) => {
                return Ok(ToolOutput::error(format!(
                    "cannot list `{requested}`: {err}"
                )));
            }
        };
        let mut entries = Vec::new();
        while let Some(entry) = dir.next_entry().await? {
            let name = entry.file_name().to_string_lossy().into_owned();
            let meta = entry.metadata().await.ok();
            entries.push(match meta {
                Some(m) if m.is_dir() => format!("{name}/"),
                Some(m) => format!("{name}  ({} bytes)", m.len()),
                None => name,
            });
        }
        entries.sort();
        let total = entries.len();
        entries.truncate(self.config.max_list_entries);
        let mut out = entries.join("\n");
        if total > self.config.max_list_entries {
            out.push_str(&format!(
                "\n[… {} more entries not shown]",
                total - self.config.max_list_entries
            ));
        }
        if total == 0 {
            out = "(empty directory)".into();
        }
        Ok(ToolOutput::ok(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(dir: &std::path::Path) -> ToolContext {
        ToolContext::new(dir, "cli", "t")
    }

    #[tokio::test]
    async fn write_read_edit_list_round_trip() {
        let ws = tempfile::tempdir().unwrap();
        let c = ctx(ws.path());
        let cfg = FilesConfig::default();
        let out = WriteFile::new(cfg.clone())
            .call(json!({"path": "notes/a.txt", "content": "hello world"}), &c)
            .await
            .unwrap();
        assert!(!out.is_error, "{}", out.content);
        let out = EditFile::new(cfg.clone())
            .call(
                json!({"path": "notes/a.txt", "old": "world", "new": "there"}),
                &c,
            )
            .await
            .unwrap();
        assert!(!out.is_error, "{}", out.content);
        let out = ReadFile::new(cfg.clone())
            .call(json!({"path": "notes/a.txt"}), &c)
            .await
            .unwrap();
        assert_eq!(out.content, "hello there");
        let out = ListDir::new(cfg.clone())
            .call(json!({"path": "notes"}), &c)
            .await
            .unwrap();
        assert_eq!(out.content, "a.txt  (11 bytes)");
        let out = ListDir::new(cfg).call(json!({}), &c).await.unwrap();
        assert_eq!(out.content, "notes/");
    }

    #[tokio::test]
    async fn errors_are_results_the_model_can_read() {
        let ws = tempfile::tempdir().unwrap();
        let c = ctx(ws.path());
        let cfg = FilesConfig {
            max_read_bytes: 4,
            max_write_bytes: 8,
            ..Default::default()
        };
        let out = ReadFile::new(cfg.clone())
            .call(json!({"path": "../etc/passwd"}), &c)
            .await
            .unwrap();
        assert!(
            out.is_error && out.content.contains("outside the workspace"),
            "{}",
            out.content
        );
        let out = ReadFile::new(cfg.clone())
            .call(json!({"path": "missing"}), &c)
            .await
            .unwrap();
        assert!(out.is_error);
        let out = WriteFile::new(cfg.clone())
            .call(json!({"path": "x", "content": "123456789"}), &c)
            .await
            .unwrap();
        assert!(out.is_error && out.content.contains("max_write_bytes"));
        WriteFile::new(FilesConfig::default())
            .call(json!({"path": "x", "content": "aa aa bbbbb"}), &c)
            .await
            .unwrap();
        let out = EditFile::new(FilesConfig::default())
            .call(json!({"path": "x", "old": "aa", "new": "c"}), &c)
            .await
            .unwrap();
        assert!(out.is_error && out.content.contains("occurs 2 times"));
        let out = ReadFile::new(cfg)
            .call(json!({"path": "x"}), &c)
            .await
            .unwrap();
        assert!(
            out.content
                .starts_with("aa a\n\n[… truncated: showed 4 of 11 bytes]"),
            "{}",
            out.content
        );
        assert!(
            ReadFile::new(FilesConfig::default())
                .call(json!({}), &c)
                .await
                .is_err(),
            "missing argument is a call error"
        );
    }

    #[test]
    fn atomic_write_leaves_no_temp_files() {
        let dir = tempfile::tempdir().unwrap();
        write_atomic(&dir.path().join("f"), b"one").unwrap();
        write_atomic(&dir.path().join("f"), b"two").unwrap();
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["f"]);
        assert_eq!(std::fs::read(dir.path().join("f")).unwrap(), b"two");
    }
}
