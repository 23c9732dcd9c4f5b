//! MCP → clawft at the boundary: a remote tool's listing becomes a [`ToolSpec`], its
//! annotations become [`ToolAnnotations`], and a `tools/call` result becomes the
//! [`ToolOutput`] the model reads.

use clawft_plugin::{ToolAnnotations, ToolOutput, ToolSpec};
use rmcp::model::{CallToolResult, ContentBlock, ResourceContents, Tool};
use serde_json::Value;

/// The spec of `remote` registered as `name`, or why it cannot be offered to the model.
///
/// The description and input schema are passed through; a schema without `"type"` gets
/// `"type": "object"` (MCP requires object schemas, some servers omit the key).
pub(crate) fn tool_spec(server: &str, name: String, remote: &Tool) -> Result<ToolSpec, String> {
    let mut schema = Value::Object(remote.input_schema.as_ref().clone());
    match schema.get("type") {
        None => {
            schema["type"] = Value::from("object");
        }
        Some(Value::String(t)) if t == "object" => {}
        Some(other) => {
            return Err(format!(
                "its input schema has type {other}; tools take an object of arguments"
            ));
        }
    }
    let description = remote
        .description
        .as_deref()
        .filter(|d| !d.trim().is_empty())
        .map(str::to_owned)
        .or_else(|| remote.title.clone())
        .unwrap_or_else(|| format!("Tool `{}` of the MCP server `{server}`.", remote.name));
    Ok(ToolSpec {
        name,
        description,
        parameters: schema,
        annotations: annotations(remote),
    })
}

/// MCP's hints with the spec's defaults for absent ones (`readOnlyHint` false,
/// `destructiveHint` true, `idempotentHint` false, `openWorldHint` true); a read-only
/// tool is never destructive.
pub(crate) fn annotations(remote: &Tool) -> ToolAnnotations {
    let hints = remote.annotations.as_ref();
    let read_only = hints.and_then(|h| h.read_only_hint).unwrap_or(false);
    ToolAnnotations {
        read_only,
        destructive: !read_only && hints.and_then(|h| h.destructive_hint).unwrap_or(true),
        idempotent: hints.and_then(|h| h.idempotent_hint).unwrap_or(false),
        open_world: hints.and_then(|h| h.open_world_hint).unwrap_or(true),
    }
}

/// The model's view of a `tools/call` result: text blocks joined by newlines, other
/// blocks summarised in brackets (`[image: image/png, 1.2 KB]`), `structuredContent`
/// when there is no content, at most `max_chars` characters. `isError: true` becomes
/// [`ToolOutput::error`].
pub(crate) fn tool_output(result: &CallToolResult, max_chars: usize) -> ToolOutput {
    let mut parts: Vec<String> = result.content.iter().map(block_text).collect();
    if parts.is_empty()
        && let Some(structured) = &result.structured_content
    {
        parts.push(structured.to_string());
    }
    let text = if parts.is_empty() {
        "(the tool returned no content)".to_owned()
    } else {
        parts.join("\n")
    };
    let text = truncate(text, max_chars);
    if result.is_error == Some(true) {
        ToolOutput::error(text)
    } else {
        ToolOutput::ok(text)
    }
}

fn block_text(block: &ContentBlock) -> String {
    match block {
        ContentBlock::Text(text) => text.text.clone(),
        ContentBlock::Image(image) => {
            format!(
                "[image: {}, {}]",
                image.mime_type,
                size_of_base64(&image.data)
            )
        }
        ContentBlock::Audio(audio) => {
            format!(
                "[audio: {}, {}]",
                audio.mime_type,
                size_of_base64(&audio.data)
            )
        }
        ContentBlock::Resource(embedded) => match &embedded.resource {
            ResourceContents::TextResourceContents { uri, text, .. } => {
                format!("[resource {uri}]\n{text}")
            }
            ResourceContents::BlobResourceContents {
                uri,
                mime_type,
                blob,
                ..
            } => format!(
                "[resource {uri}: {}, {}]",
                mime_type.as_deref().unwrap_or("binary"),
                size_of_base64(blob)
            ),
            other => format!("[resource: {}]", kind_of(other)),
        },
        ContentBlock::ResourceLink(link) => match &link.description {
            Some(description) => format!("[link {}: {} — {description}]", link.uri, link.name),
            None => format!("[link {}: {}]", link.uri, link.name),
        },
        other => format!("[content: {}]", kind_of(other)),
    }
}

/// The `type` of a content kind this version does not know, for the summary.
fn kind_of(value: &impl serde::Serialize) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.get("type").and_then(Value::as_str).map(str::to_owned))
        .unwrap_or_else(|| "unknown".to_owned())
}

/// The decoded size of base64 `data`, for people (`812 bytes`, `1.2 KB`, `3.4 MB`).
fn size_of_base64(data: &str) -> String {
    let trimmed = data.trim_end_matches('=');
    let bytes = trimmed.len() * 3 / 4;
    match bytes {
        b if b < 1_000 => format!("{b} bytes"),
        b if b < 1_000_000 => format!("{:.1} KB", b as f64 / 1_000.0),
        b => format!("{:.1} MB", b as f64 / 1_000_000.0),
    }
}

/// `text` cut to `max_chars` characters with a marker saying how much was dropped.
fn truncate(text: String, max_chars: usize) -> String {
    let total = text.chars().count();
    if total <= max_chars {
        return text;
    }
    let mut cut: String = text.chars().take(max_chars).collect();
    cut.push_str(&format!(
        "\n[… {} more characters cut: the result is longer than `max_output_chars` = {max_chars}]",
        total - max_chars
    ));
    cut
}

#[cfg(test)]
mod tests {
    use super::*;
    use rmcp::model::{JsonObject, Resource, ToolAnnotations as McpAnnotations};
    use serde_json::json;

    fn remote(schema: Value) -> Tool {
        let Value::Object(map) = schema else {
            panic!("object")
        };
        Tool::new("t", "does t", map)
    }

    #[test]
    fn spec_passes_description_and_schema_through() {
        let schema =
            json!({"type": "object", "properties": {"q": {"type": "string"}}, "required": ["q"]});
        let spec = tool_spec("s", "s__t".into(), &remote(schema.clone())).expect("ok");
        assert_eq!(spec.name, "s__t");
        assert_eq!(spec.description, "does t");
        assert_eq!(spec.parameters, schema);
    }

    #[test]
    fn schema_without_type_gets_object_and_others_are_refused() {
        let spec = tool_spec("s", "s__t".into(), &remote(json!({"properties": {}}))).expect("ok");
        assert_eq!(spec.parameters["type"], "object");
        let err = tool_spec("s", "s__t".into(), &remote(json!({"type": "string"})))
            .expect_err("not an object");
        assert!(err.contains("\"string\""), "{err}");
    }

    #[test]
    fn missing_description_falls_back_to_title_then_a_sentence() {
        let mut tool = Tool::new_with_raw("t", None, std::sync::Arc::new(JsonObject::new()));
        assert_eq!(
            tool_spec("s", "s__t".into(), &tool)
                .expect("ok")
                .description,
            "Tool `t` of the MCP server `s`."
        );
        tool.title = Some("The T".into());
        assert_eq!(
            tool_spec("s", "s__t".into(), &tool)
                .expect("ok")
                .description,
            "The T"
        );
    }

    #[test]
    fn annotations_follow_the_mcp_defaults() {
        let bare = remote(json!({"type": "object"}));
        assert_eq!(
            annotations(&bare),
            ToolAnnotations {
                read_only: false,
                destructive: true,
                idempotent: false,
                open_world: true
            }
        );
        let hinted = remote(json!({"type": "object"})).with_annotations(
            McpAnnotations::new()
                .read_only(true)
                .destructive(true)
                .idempotent(true)
                .open_world(false),
        );
        assert_eq!(
            annotations(&hinted),
            ToolAnnotations {
                read_only: true,
                destructive: false,
                idempotent: true,
                open_world: false
            }
        );
    }

    #[test]
    fn text_is_joined_and_other_content_summarised() {
        let result = CallToolResult::success(vec![
            ContentBlock::text("first"),
            ContentBlock::image("aGVsbG8gd29ybGQ=", "image/png"),
            ContentBlock::audio("A".repeat(4000), "audio/wav"),
            ContentBlock::embedded_text("file:///a.txt", "inside"),
            ContentBlock::ResourceLink(Resource::new("file:///b", "b")),
            ContentBlock::text("last"),
        ]);
        let out = tool_output(&result, 10_000);
        assert!(!out.is_error);
        assert_eq!(
            out.content,
            "first\n[image: image/png, 11 bytes]\n[audio: audio/wav, 3.0 KB]\n[resource file:///a.txt]\ninside\n[link file:///b: b]\nlast"
        );
    }

    #[test]
    fn is_error_becomes_a_failed_output() {
        let out = tool_output(
            &CallToolResult::error(vec![ContentBlock::text("nope")]),
            100,
        );
        assert_eq!(out, ToolOutput::error("nope"));
    }

    #[test]
    fn structured_content_and_empty_results() {
        let mut result = CallToolResult::success(Vec::new());
        assert_eq!(
            tool_output(&result, 100).content,
            "(the tool returned no content)"
        );
        result.structured_content = Some(json!({"sum": 3}));
        assert_eq!(tool_output(&result, 100).content, r#"{"sum":3}"#);
    }

    #[test]
    fn long_results_are_cut_with_a_marker() {
        let result = CallToolResult::success(vec![ContentBlock::text("é".repeat(30))]);
        let out = tool_output(&result, 10);
        assert!(out.content.starts_with(&"é".repeat(10)), "{}", out.content);
        assert!(
            out.content.contains("20 more characters cut"),
            "{}",
            out.content
        );
    }
}
