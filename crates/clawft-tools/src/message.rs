//! `message`: send a message to a chat through the host's message sink (proactive sends,
//! or a reply to another channel).

use async_trait::async_trait;
use clawft_plugin::{
    OutboundMessage, PluginError, PluginResult, Tool, ToolAnnotations, ToolContext, ToolOutput,
    ToolSpec,
};
use serde_json::{Value, json};

/// The `message` tool.
pub struct Message;

#[async_trait]
impl Tool for Message {
    fn spec(&self) -> ToolSpec {
        ToolSpec {
            name: "message".into(),
            description: "Send a message to a chat. Without `channel`/`chat_id` it goes to the current conversation; \
                          use it for progress updates or to reach another configured channel."
                .into(),
            parameters: json!({"type": "object", "properties": {
                "content": {"type": "string", "description": "Message text (markdown)"},
                "channel": {"type": "string", "description": "Channel name, e.g. telegram (default: current)"},
                "chat_id": {"type": "string", "description": "Chat id on that channel (default: current)"}
            }, "required": ["content"]}),
            annotations: ToolAnnotations { open_world: true, ..Default::default() },
        }
    }

    async fn call(&self, args: Value, ctx: &ToolContext) -> PluginResult<ToolOutput> {
        let content = args.get("content").and_then(Value::as_str).ok_or_else(|| {
            PluginError::InvalidArguments("missing string argument `content`".into())
        })?;
        let channel = args
            .get("channel")
            .and_then(Value::as_str)
            .unwrap_or(&ctx.channel);
        let chat_id = args
            .get("chat_id")
            .and_then(Value::as_str)
            .unwrap_or(&ctx.chat_id);
        let Some(sink) = &ctx.messages else {
            return Ok(ToolOutput::error(
                "messaging is not available in this session (no gateway running)",
            ));
        };
        match sink
            .send(OutboundMessage::new(channel, chat_id, content))
            .await
        {
            Ok(()) => Ok(ToolOutput::ok(format!(
                "message queued for {channel}:{chat_id}"
            ))),
            Err(err) => Ok(ToolOutput::error(format!("could not send: {err}"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clawft_plugin::MessageSink;
    use std::sync::{Arc, Mutex};

    struct Capture(Mutex<Vec<OutboundMessage>>);
    #[async_trait]
    impl MessageSink for Capture {
        async fn send(&self, msg: OutboundMessage) -> PluginResult<()> {
            self.0.lock().unwrap().push(msg);
            Ok(())
        }
    }

    #[tokio::test]
    async fn defaults_to_the_current_chat_and_can_target_another() {
        let sink = Arc::new(Capture(Mutex::new(vec![])));
        let mut ctx = ToolContext::new("/tmp", "telegram", "42");
        ctx.messages = Some(sink.clone());
        Message.call(json!({"content": "hi"}), &ctx).await.unwrap();
        Message
            .call(
                json!({"content": "yo", "channel": "slack", "chat_id": "C1"}),
                &ctx,
            )
            .await
            .unwrap();
        let sent = sink.0.lock().unwrap().clone();
        assert_eq!(
            (sent[0].channel.as_str(), sent[0].chat_id.as_str()),
            ("telegram", "42")
        );
        assert_eq!(
            (
                sent[1].channel.as_str(),
                sent[1].chat_id.as_str(),
                sent[1].content.text.as_str()
            ),
            ("slack", "C1", "yo")
        );
        let out = Message
            .call(
                json!({"content": "x"}),
                &ToolContext::new("/tmp", "cli", "c"),
            )
            .await
            .unwrap();
        assert!(out.is_error);
    }
}
