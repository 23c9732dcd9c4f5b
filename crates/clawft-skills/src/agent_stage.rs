//! The skills catalogue as a pipeline stage: each turn's system prompt lists the available
//! skills (name, description, location) so the model can pick one and read it.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use clawft_plugin::{PipelineStage, PluginResult, TurnContext, async_trait};

use crate::catalogue::build_catalogue;
use crate::gating::GateContext;
use crate::registry::SkillRegistry;

/// Adds the `<available_skills>` catalogue of the current snapshot to the system prompt.
pub struct SkillCatalogueStage {
    registry: Arc<SkillRegistry>,
    gate: GateContext,
    home: Option<PathBuf>,
    /// (snapshot version, rendered text): gating probes the file system, so render once
    /// per snapshot rather than once per turn.
    cache: Mutex<Option<(u64, String)>>,
}

impl SkillCatalogueStage {
    /// Catalogue of `registry`, gated by `gate`; `home` is shortened to `~/` in locations.
    pub fn new(registry: Arc<SkillRegistry>, gate: GateContext, home: Option<PathBuf>) -> Self {
        Self {
            registry,
            gate,
            home,
            cache: Mutex::new(None),
        }
    }

    fn render(&self) -> (u64, String) {
        let snapshot = self.registry.snapshot();
        let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((version, text)) = cache.as_ref()
            && *version == snapshot.version
        {
            return (*version, text.clone());
        }
        let catalogue = build_catalogue(
            snapshot.iter().map(|s| s.as_ref()),
            &self.gate,
            self.registry.limits(),
            self.home.as_deref(),
        );
        if catalogue.truncated() || catalogue.descriptions_dropped {
            tracing::warn!(
                included = catalogue.included.len(),
                omitted = catalogue.omitted.len(),
                descriptions_dropped = catalogue.descriptions_dropped,
                "the skills catalogue was cut to fit its budget (`skills.limits.max_catalogue_chars`)"
            );
        }
        *cache = Some((snapshot.version, catalogue.text.clone()));
        (snapshot.version, catalogue.text)
    }
}

#[async_trait]
impl PipelineStage for SkillCatalogueStage {
    fn name(&self) -> &str {
        "skills-catalogue"
    }

    async fn process(&self, ctx: &mut TurnContext) -> PluginResult<()> {
        let (version, text) = self.render();
        ctx.extras.insert("skills_version".into(), version.into());
        if !text.is_empty() {
            ctx.add_section("Skills", text);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layer::{SkillLayer, SkillSource};
    use crate::limits::SkillLimits;
    use clawft_plugin::InboundMessage;

    #[tokio::test]
    async fn adds_the_catalogue_and_follows_reloads() {
        let root = tempfile::tempdir().unwrap();
        let write = |name: &str| {
            std::fs::create_dir_all(root.path().join(name)).unwrap();
            std::fs::write(
                root.path().join(name).join("SKILL.md"),
                format!("---\ndescription: does {name}\n---\nbody"),
            )
            .unwrap();
        };
        write("alpha");
        let registry = Arc::new(SkillRegistry::new(
            vec![SkillSource::new(SkillLayer::Workspace, root.path())],
            SkillLimits::default(),
        ));
        let stage = SkillCatalogueStage::new(registry.clone(), GateContext::current(), None);
        let mut ctx = TurnContext::new(InboundMessage::text("cli", "c", "u", "hi"), root.path());
        stage.process(&mut ctx).await.unwrap();
        let (title, text) = &ctx.system_sections[0];
        assert_eq!(title, "Skills");
        assert!(
            text.contains("<name>alpha</name>")
                && text.contains("<description>does alpha</description>"),
            "{text}"
        );

        write("beta");
        registry.reload();
        let mut ctx = TurnContext::new(InboundMessage::text("cli", "c", "u", "hi"), root.path());
        stage.process(&mut ctx).await.unwrap();
        assert!(ctx.system_sections[0].1.contains("<name>beta</name>"));
        assert_eq!(ctx.extras["skills_version"], registry.version());
    }
}
