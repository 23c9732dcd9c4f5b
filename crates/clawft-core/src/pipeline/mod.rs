//! The turn pipeline: ordered [`PipelineStage`]s that assemble what the model sees.
//!
//! Built-in stages, in their default order: [`BaseInstructions`] (who the agent is, where it
//! works) and [`PersonalityFiles`] (`AGENTS.md`, `SOUL.md`, ...). Plugins add stages after them.

mod base;
mod personality;

use std::sync::Arc;

use clawft_plugin::{PipelineStage, PluginError, TurnContext};

pub use base::BaseInstructions;
pub use personality::PersonalityFiles;

/// Stages run in order for every turn.
#[derive(Clone, Default)]
pub struct Pipeline {
    stages: Vec<Arc<dyn PipelineStage>>,
}

impl Pipeline {
    /// An empty pipeline.
    pub fn new() -> Self {
        Self::default()
    }

    /// Add a stage at the end.
    pub fn push(&mut self, stage: Arc<dyn PipelineStage>) -> &mut Self {
        self.stages.push(stage);
        self
    }

    /// Stage names in order.
    pub fn names(&self) -> Vec<&str> {
        self.stages.iter().map(|s| s.name()).collect()
    }

    /// Run every stage; stops early when one sets a direct reply.
    pub async fn run(&self, ctx: &mut TurnContext) -> Result<(), (String, PluginError)> {
        for stage in &self.stages {
            stage
                .process(ctx)
                .await
                .map_err(|e| (stage.name().to_owned(), e))?;
            if ctx.direct_reply.is_some() {
                break;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clawft_plugin::{InboundMessage, PluginResult, async_trait};

    struct Router;
    #[async_trait]
    impl PipelineStage for Router {
        fn name(&self) -> &str {
            "router"
        }
        async fn process(&self, ctx: &mut TurnContext) -> PluginResult<()> {
            if ctx.inbound.content.text == "ping" {
                ctx.direct_reply = Some("pong".into());
            }
            Ok(())
        }
    }

    struct Marker;
    #[async_trait]
    impl PipelineStage for Marker {
        fn name(&self) -> &str {
            "marker"
        }
        async fn process(&self, ctx: &mut TurnContext) -> PluginResult<()> {
            ctx.add_section("marker", "seen");
            Ok(())
        }
    }

    #[tokio::test]
    async fn stages_run_in_order_and_direct_reply_stops() {
        let mut p = Pipeline::new();
        p.push(Arc::new(Router)).push(Arc::new(Marker));
        assert_eq!(p.names(), ["router", "marker"]);
        let mut ctx = TurnContext::new(InboundMessage::text("cli", "c", "u", "ping"), "/tmp");
        p.run(&mut ctx).await.unwrap();
        assert_eq!(ctx.direct_reply.as_deref(), Some("pong"));
        assert!(ctx.system_sections.is_empty());
        let mut ctx = TurnContext::new(InboundMessage::text("cli", "c", "u", "hi"), "/tmp");
        p.run(&mut ctx).await.unwrap();
        assert_eq!(ctx.system_sections.len(), 1);
    }
}
