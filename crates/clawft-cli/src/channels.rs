//! The channels compiled into this `weft` (Cargo features `channel-<name>`) and how their
//! settings are prepared: secret references resolved, gateway-only keys removed, state
//! folders filled in.

use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use clawft_core::config::resolve_secret_refs;
use clawft_plugin::ChannelAdapter;
use serde_json::Value;

/// Names of the channels compiled in.
pub const COMPILED: &[&str] = &[
    #[cfg(feature = "channel-telegram")]
    "telegram",
    #[cfg(feature = "channel-discord")]
    "discord",
    #[cfg(feature = "channel-slack")]
    "slack",
];

/// What to do with one configured channel.
pub enum Planned {
    /// Built and ready to start.
    Ready(Arc<dyn ChannelAdapter>),
    /// `enabled: false` in config.
    Disabled,
}

/// Build the channel `name` from its config section. `state_home` is `~/.clawft`.
pub fn build(name: &str, section: &Value, state_home: &Path) -> anyhow::Result<Planned> {
    let mut settings = resolve_secret_refs(section, &format!("channels.{name}"))?;
    if let Some(map) = settings.as_object_mut() {
        if map
            .remove("enabled")
            .is_some_and(|v| v == Value::Bool(false))
        {
            return Ok(Planned::Disabled);
        }
        if name == "telegram" && !map.contains_key("state_dir") {
            let dir = state_home.join("state/channels/telegram");
            map.insert("state_dir".into(), Value::String(dir.display().to_string()));
        }
    }
    let adapter =
        build_compiled(name, settings).with_context(|| format!("configuring channel `{name}`"))?;
    Ok(Planned::Ready(adapter))
}

fn build_compiled(name: &str, settings: Value) -> anyhow::Result<Arc<dyn ChannelAdapter>> {
    let _ = &settings;
    match name {
        #[cfg(feature = "channel-telegram")]
        "telegram" => Ok(clawft_channel_telegram::build(settings)?),
        #[cfg(feature = "channel-discord")]
        "discord" => Ok(clawft_channel_discord::build(settings)?),
        #[cfg(feature = "channel-slack")]
        "slack" => Ok(clawft_channel_slack::build(settings)?),
        other => {
            let hint = clawft_core::suggest::did_you_mean(other, COMPILED.iter().copied())
                .unwrap_or_default();
            let compiled = if COMPILED.is_empty() {
                "none".to_owned()
            } else {
                COMPILED.join(", ")
            };
            anyhow::bail!(
                "no channel named `{other}` is compiled into this weft{hint} (compiled: {compiled})\nhelp: rebuild with `--features channel-{other}` if it exists"
            )
        }
    }
}
