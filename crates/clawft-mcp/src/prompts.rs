//! MCP prompts: every available, user-invocable skill, named after it, with one optional
//! argument `arguments` described by the skill's `argument-hint`. Getting one returns a user
//! message holding the skill's instructions (paths resolved) and the arguments.

use std::sync::{Arc, Mutex};

use clawft_skills::LoadedSkill;
use rmcp::ErrorData;
use rmcp::model::{GetPromptResult, JsonObject, Prompt, PromptArgument, PromptMessage, Role};
use serde_json::Value;

use crate::server::Shared;

/// The name of the one prompt argument.
pub const ARGUMENTS: &str = "arguments";

/// Prompts built for one skill registry version.
pub(crate) type PromptCacheCell = Mutex<Option<(u64, Arc<Vec<Prompt>>)>>;

fn is_prompt(shared: &Shared, skill: &LoadedSkill) -> bool {
    skill.doc.user_invocable && skill.availability(&shared.gate).is_ready()
}

fn prompt(skill: &LoadedSkill) -> Prompt {
    let doc = &skill.doc;
    let description = match &doc.argument_hint {
        Some(hint) => format!("Arguments for the skill: {hint}"),
        None => "Optional free-text arguments for the skill".to_owned(),
    };
    let argument = PromptArgument::new(ARGUMENTS)
        .with_description(description)
        .with_required(false);
    Prompt::new(&doc.name, Some(&doc.description), Some(vec![argument]))
        .with_title(format!("Skill: {}", doc.name))
}

/// Every prompt, sorted by name.
pub(crate) fn list(shared: &Shared) -> Arc<Vec<Prompt>> {
    let snapshot = shared.skills.snapshot();
    let mut cache = shared
        .prompt_cache
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some((version, prompts)) = cache.as_ref()
        && *version == snapshot.version
    {
        return Arc::clone(prompts);
    }
    let prompts: Arc<Vec<Prompt>> = Arc::new(
        snapshot
            .iter()
            .filter(|s| is_prompt(shared, s))
            .map(|s| prompt(s))
            .collect(),
    );
    *cache = Some((snapshot.version, Arc::clone(&prompts)));
    prompts
}

/// Handles `prompts/get`.
///
/// # Errors
/// `-32602` for a name that is not an available, user-invocable skill.
pub(crate) fn get(
    shared: &Shared,
    name: &str,
    arguments: Option<&JsonObject>,
) -> Result<GetPromptResult, ErrorData> {
    let snapshot = shared.skills.snapshot();
    let Some(skill) = snapshot.get(name).filter(|s| is_prompt(shared, s)) else {
        let prompts = list(shared);
        let hint =
            clawft_plugin::suggest::did_you_mean(name, prompts.iter().map(|p| p.name.as_str()))
                .unwrap_or_default();
        return Err(ErrorData::invalid_params(
            format!("unknown prompt `{name}`{hint}"),
            None,
        ));
    };
    let doc = &skill.doc;
    let input = match arguments.and_then(|a| a.get(ARGUMENTS)) {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    };
    let input = if input.trim().is_empty() {
        "(no arguments)".to_owned()
    } else {
        input
    };
    let text = format!(
        "Use the skill `{name}` (folder: {dir}). Follow its instructions below; relative paths in them are relative to that folder.\n\n\
         <skill name=\"{name}\">\n{body}\n</skill>\n\nUser input: {input}",
        name = doc.name,
        dir = doc.dir.display(),
        body = doc.instructions().trim(),
    );
    Ok(
        GetPromptResult::new(vec![PromptMessage::new_text(Role::User, text)])
            .with_description(doc.description.clone()),
    )
}
