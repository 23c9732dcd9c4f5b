//! `read_skill`: the tool the model calls to activate a skill (progressive disclosure):
//! the catalogue lists names and descriptions; this returns the instructions, or another
//! file of the skill's folder.

use std::sync::Arc;

use clawft_plugin::{
    PluginError, PluginResult, Tool, ToolAnnotations, ToolContext, ToolOutput, ToolSpec,
    async_trait,
};
use serde_json::{Value, json};

use crate::file::read_confined;
use crate::gating::{Availability, GateContext};
use crate::registry::SkillRegistry;

/// The `read_skill` tool over a skill registry.
pub struct ReadSkillTool {
    registry: Arc<SkillRegistry>,
    gate: GateContext,
}

impl ReadSkillTool {
    /// Reads skills from `registry`; `gate` decides availability.
    pub fn new(registry: Arc<SkillRegistry>, gate: GateContext) -> Self {
        Self { registry, gate }
    }
}

#[async_trait]
impl Tool for ReadSkillTool {
    fn spec(&self) -> ToolSpec {
        ToolSpec {
            name: "read_skill".into(),
            description: "Read a skill's instructions (its SKILL.md) before using it, or another file in the skill's folder \
                          (e.g. references/guide.md). Call it when one skill in the catalogue clearly applies."
                .into(),
            parameters: json!({"type": "object", "properties": {
                "name": {"type": "string", "description": "Skill name from the catalogue"},
                "path": {"type": "string", "description": "Optional file inside the skill folder, relative to it"}
            }, "required": ["name"]}),
            annotations: ToolAnnotations { read_only: true, idempotent: true, ..Default::default() },
        }
    }

    async fn call(&self, args: Value, _ctx: &ToolContext) -> PluginResult<ToolOutput> {
        let name = args.get("name").and_then(Value::as_str).ok_or_else(|| {
            PluginError::InvalidArguments("missing string argument `name`".into())
        })?;
        let snapshot = self.registry.snapshot();
        let Some(skill) = snapshot.get(name) else {
            let hint = snapshot
                .closest_name(name)
                .map(|n| format!("; did you mean `{n}`?"))
                .unwrap_or_default();
            return Ok(ToolOutput::error(format!("no skill named `{name}`{hint}")));
        };
        if let Availability::Unavailable(reason) = skill.availability(&self.gate) {
            return Ok(ToolOutput::error(format!(
                "skill `{name}` is unavailable: {reason}"
            )));
        }
        if let Some(rel) = args
            .get("path")
            .and_then(Value::as_str)
            .filter(|p| !p.is_empty())
        {
            let path = skill.doc.resolve(rel);
            let limit = self.registry.limits().max_skill_file_bytes;
            return Ok(match read_confined(&path, &skill.doc.dir, limit) {
                Ok(text) => ToolOutput::ok(text),
                Err(err) => {
                    ToolOutput::error(format!("cannot read `{rel}` of skill `{name}`: {err}"))
                }
            });
        }
        Ok(ToolOutput::ok(format!(
            "Skill `{name}` (folder: {dir}). Relative paths below are relative to that folder.\n\n{body}",
            dir = skill.doc.dir.display(),
            body = skill.doc.instructions().trim()
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layer::{SkillLayer, SkillSource};
    use crate::limits::SkillLimits;

    fn registry(root: &std::path::Path) -> Arc<SkillRegistry> {
        let dir = root.join("pdf");
        std::fs::create_dir_all(dir.join("references")).unwrap();
        std::fs::write(
            dir.join("SKILL.md"),
            "---\ndescription: PDFs\n---\nSee references/guide.md in {baseDir}.\n",
        )
        .unwrap();
        std::fs::write(dir.join("references/guide.md"), "the guide").unwrap();
        std::fs::write(root.join("secret.txt"), "outside").unwrap();
        Arc::new(SkillRegistry::new(
            vec![SkillSource::new(SkillLayer::Workspace, root)],
            SkillLimits::default(),
        ))
    }

    #[tokio::test]
    async fn returns_instructions_files_and_helpful_errors() {
        let root = tempfile::tempdir().unwrap();
        let tool = ReadSkillTool::new(registry(root.path()), GateContext::current());
        let ctx = ToolContext::new(root.path(), "cli", "t");
        let out = tool.call(json!({"name": "pdf"}), &ctx).await.unwrap();
        let dir = root.path().join("pdf");
        assert!(!out.is_error);
        assert!(
            out.content
                .contains(&format!("See references/guide.md in {}.", dir.display())),
            "{}",
            out.content
        );
        let out = tool
            .call(json!({"name": "pdf", "path": "references/guide.md"}), &ctx)
            .await
            .unwrap();
        assert_eq!(out.content, "the guide");
        let out = tool
            .call(json!({"name": "pdf", "path": "../secret.txt"}), &ctx)
            .await
            .unwrap();
        assert!(
            out.is_error,
            "reading outside the skill folder is refused: {}",
            out.content
        );
        let out = tool.call(json!({"name": "pfd"}), &ctx).await.unwrap();
        assert!(
            out.is_error && out.content.contains("did you mean `pdf`"),
            "{}",
            out.content
        );
    }
}
