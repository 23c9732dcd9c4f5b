//! MCP tools: every registered tool under its own name, and every available,
//! model-invocable skill as `skill__<name>`. Listing is cached per pair of registry
//! versions; calling runs the tool in its own task so a panic becomes a failed result.

use std::sync::{Arc, Mutex};

use clawft_plugin::{ToolContext, ToolOutput, ToolSpec};
use clawft_skills::LoadedSkill;
use rmcp::ErrorData;
use rmcp::model::{CallToolResult, ContentBlock, JsonObject, Tool, ToolAnnotations};
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

use crate::server::Shared;

/// Prefix of the tool names given to skills, so a skill never shadows a built-in tool.
pub const SKILL_TOOL_PREFIX: &str = "skill__";

/// The MCP tool name of the skill `skill`.
pub fn skill_tool_name(skill: &str) -> String {
    format!("{SKILL_TOOL_PREFIX}{skill}")
}

/// The tool list built for one (tool registry, skill registry) version pair.
#[derive(Default)]
pub(crate) struct ToolCache {
    key: Option<(u64, u64)>,
    tools: Arc<Vec<Tool>>,
}

/// The cache as held by [`Shared`].
pub(crate) type ToolCacheCell = Mutex<ToolCache>;

/// A clawft tool as an MCP tool: schema and all four behaviour hints.
pub(crate) fn tool_from_spec(spec: &ToolSpec) -> Tool {
    let schema = match &spec.parameters {
        Value::Object(map) => map.clone(),
        _ => object_schema(json!({"type": "object"})),
    };
    let a = spec.annotations;
    Tool::new(spec.name.clone(), spec.description.clone(), schema).with_annotations(
        ToolAnnotations::new()
            .read_only(a.read_only)
            .destructive(a.destructive)
            .idempotent(a.idempotent)
            .open_world(a.open_world),
    )
}

/// A skill as an MCP tool taking one optional `arguments` string.
pub(crate) fn skill_tool(skill: &LoadedSkill) -> Tool {
    let doc = &skill.doc;
    let hint = match &doc.argument_hint {
        Some(hint) => format!("Arguments for the skill, e.g. `{hint}`"),
        None => "Optional free-text arguments for the skill".to_owned(),
    };
    let schema = object_schema(json!({
        "type": "object",
        "properties": {"arguments": {"type": "string", "description": hint}},
    }));
    // Returning instructions changes nothing; a skill that dispatches to a tool does what
    // that tool does, so its hints are left unknown.
    let annotations = if doc.dispatch_tool().is_none() {
        ToolAnnotations::new()
            .read_only(true)
            .destructive(false)
            .idempotent(true)
            .open_world(false)
    } else {
        ToolAnnotations::new().read_only(false)
    };
    Tool::new(skill_tool_name(&doc.name), doc.description.clone(), schema)
        .with_title(format!("Skill: {}", doc.name))
        .with_annotations(annotations)
}

fn object_schema(value: Value) -> JsonObject {
    match value {
        Value::Object(map) => map,
        _ => JsonObject::new(),
    }
}

/// Whether `skill` is offered as a tool: its gates pass and the model may invoke it.
fn skill_is_tool(shared: &Shared, skill: &LoadedSkill) -> bool {
    !skill.doc.disable_model_invocation && skill.availability(&shared.gate).is_ready()
}

/// Every tool, built-ins first then skills, each group sorted by name.
pub(crate) fn list(shared: &Shared) -> Arc<Vec<Tool>> {
    let tools = shared.tools.snapshot();
    let skills = shared.skills.snapshot();
    let key = (tools.version(), skills.version);
    let mut cache = shared
        .tool_cache
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if cache.key == Some(key) {
        return Arc::clone(&cache.tools);
    }
    let mut out: Vec<Tool> = tools.specs().iter().map(tool_from_spec).collect();
    out.extend(
        skills
            .iter()
            .filter(|s| skill_is_tool(shared, s))
            .map(|s| skill_tool(s)),
    );
    let out = Arc::new(out);
    *cache = ToolCache {
        key: Some(key),
        tools: Arc::clone(&out),
    };
    out
}

/// Handles `tools/call`.
///
/// # Errors
/// `-32602` for a tool name that names neither a tool nor an available skill.
pub(crate) async fn call(
    shared: &Shared,
    name: &str,
    args: Option<JsonObject>,
    client: &str,
    cancel: CancellationToken,
) -> Result<CallToolResult, ErrorData> {
    let args = Value::Object(args.unwrap_or_default());
    if let Some(skill_name) = name.strip_prefix(SKILL_TOOL_PREFIX) {
        let snapshot = shared.skills.snapshot();
        if let Some(skill) = snapshot
            .get(skill_name)
            .filter(|s| skill_is_tool(shared, s))
        {
            let skill = Arc::clone(skill);
            return Ok(call_skill(shared, &skill, &args, client, cancel).await);
        }
    }
    let snapshot = shared.tools.snapshot();
    let Some(tool) = snapshot.get(name).cloned() else {
        return Err(unknown_tool(shared, name));
    };
    let ctx = ToolContext::new(shared.workspace.clone(), "mcp", client);
    Ok(run_tool(name, tool, args, ctx, cancel).await)
}

async fn call_skill(
    shared: &Shared,
    skill: &LoadedSkill,
    args: &Value,
    client: &str,
    cancel: CancellationToken,
) -> CallToolResult {
    let doc = &skill.doc;
    let input = match args.get("arguments") {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    };
    if let Some(target) = doc.dispatch_tool() {
        let Some(tool) = shared.tools.snapshot().get(target).cloned() else {
            return text_result(
                format!(
                    "skill `{}` dispatches to the tool `{target}`, which is not registered",
                    doc.name
                ),
                true,
            );
        };
        let args = json!({"command": input, "commandName": doc.name, "skillName": doc.name});
        let ctx = ToolContext::new(shared.workspace.clone(), "mcp", client);
        return run_tool(target, tool, args, ctx, cancel).await;
    }
    let input = if input.is_empty() {
        "(none)".to_owned()
    } else {
        input
    };
    text_result(
        format!(
            "Skill `{name}` (folder: {dir}). Follow its instructions below; relative paths in them are relative to that folder.\n\n\
             <skill name=\"{name}\">\n{body}\n</skill>\n\nArguments: {input}",
            name = doc.name,
            dir = doc.dir.display(),
            body = doc.instructions().trim(),
        ),
        false,
    )
}

/// Runs `tool` in its own task: a panic or a cancellation is a failed result, not a dead
/// server.
async fn run_tool(
    name: &str,
    tool: Arc<dyn clawft_plugin::Tool>,
    args: Value,
    ctx: ToolContext,
    cancel: CancellationToken,
) -> CallToolResult {
    let task = tokio::spawn(async move { tool.call(args, &ctx).await });
    let abort = task.abort_handle();
    let outcome = tokio::select! {
        joined = task => joined,
        () = cancel.cancelled() => {
            abort.abort();
            return text_result(format!("the call to `{name}` was cancelled"), true);
        }
    };
    match outcome {
        Ok(Ok(ToolOutput { content, is_error })) => text_result(content, is_error),
        Ok(Err(err)) => text_result(format!("tool `{name}` failed: {err}"), true),
        Err(join) => {
            tracing::error!(tool = name, error = %join, "tool task panicked");
            text_result(
                format!(
                    "tool `{name}` crashed; this is a bug in the tool (details in the server log)"
                ),
                true,
            )
        }
    }
}

fn text_result(text: String, is_error: bool) -> CallToolResult {
    let content = vec![ContentBlock::text(text)];
    if is_error {
        CallToolResult::error(content)
    } else {
        CallToolResult::success(content)
    }
}

fn unknown_tool(shared: &Shared, name: &str) -> ErrorData {
    let names = list(shared);
    let hint = clawft_plugin::suggest::did_you_mean(name, names.iter().map(|t| t.name.as_ref()))
        .unwrap_or_default();
    ErrorData::invalid_params(format!("unknown tool `{name}`{hint}"), None)
}
