//! Example clawft plugin: keep plain-text notes in the directory the manifest grants
//! (`$WORKSPACE/notes`, seen by the plugin as `/workspace/notes`).
//!
//! Tools: `save_note {title, text}`, `read_note {title}`, `list_notes {}`.

use std::path::PathBuf;

use clawft_plugin_sdk::{Plugin, PluginInfo, ToolError, ToolInfo, export_plugin, parse_args};
use serde::Deserialize;

/// Where the granted directory appears inside the sandbox.
const NOTES_DIR: &str = "/workspace/notes";
/// Longest note title.
const MAX_TITLE: usize = 64;

struct FsNotes;

#[derive(Deserialize)]
struct Save {
    title: String,
    text: String,
}

#[derive(Deserialize)]
struct Read {
    title: String,
}

impl Plugin for FsNotes {
    fn describe() -> PluginInfo {
        const TITLE: &str = r#""title":{"type":"string","description":"note title: letters, digits, '-', '_' (max 64)"}"#;
        PluginInfo::new("fs-notes", env!("CARGO_PKG_VERSION"))
            .tool(ToolInfo::new(
                "save_note",
                "Save a note (overwrites a note with the same title).",
                &format!(r#"{{"type":"object","properties":{{{TITLE},"text":{{"type":"string"}}}},"required":["title","text"]}}"#),
            ))
            .tool(ToolInfo::new(
                "read_note",
                "Read a note by title.",
                &format!(r#"{{"type":"object","properties":{{{TITLE}}},"required":["title"]}}"#),
            ))
            .tool(ToolInfo::new(
                "list_notes",
                "List the titles of all notes.",
                r#"{"type":"object","properties":{}}"#,
            ))
    }

    fn call(tool: &str, args: &str) -> Result<String, ToolError> {
        match tool {
            "save_note" => {
                let Save { title, text } = parse_args(args)?;
                std::fs::write(note_path(&title)?, text.as_bytes()).map_err(io("save", &title))?;
                Ok(format!("saved `{title}` ({} bytes)", text.len()))
            }
            "read_note" => {
                let Read { title } = parse_args(args)?;
                std::fs::read_to_string(note_path(&title)?).map_err(io("read", &title))
            }
            "list_notes" => {
                let mut titles: Vec<String> = std::fs::read_dir(NOTES_DIR)
                    .map_err(io("list", NOTES_DIR))?
                    .filter_map(|entry| entry.ok())
                    .filter_map(|entry| {
                        let name = entry.file_name().into_string().ok()?;
                        name.strip_suffix(".txt").map(str::to_owned)
                    })
                    .collect();
                titles.sort();
                Ok(titles.join("\n"))
            }
            other => Err(ToolError::UnknownTool(other.to_owned())),
        }
    }
}

fn note_path(title: &str) -> Result<PathBuf, ToolError> {
    let ok = !title.is_empty()
        && title.len() <= MAX_TITLE
        && title
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !ok {
        return Err(ToolError::InvalidArguments(format!(
            "`{title}` is not a note title (letters, digits, '-', '_'; at most {MAX_TITLE})"
        )));
    }
    Ok(PathBuf::from(NOTES_DIR).join(format!("{title}.txt")))
}

fn io<'a>(what: &'a str, title: &'a str) -> impl Fn(std::io::Error) -> ToolError + 'a {
    move |err| ToolError::Failed(format!("could not {what} `{title}`: {err}"))
}

export_plugin!(FsNotes);
