//! End-to-end tests of the Telegram channel against a loopback fake of the Bot API.

mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use clawft_plugin::{
    Attachment, AttachmentData, ChannelState, CommandOrigin, CommandSpec, OutboundMessage,
    PluginError,
};
use serde_json::json;
use support::{BOT_ID, FakeTelegram, RecordingSink, private_text};

#[tokio::test]
async fn inbound_reaches_the_sink_and_a_long_reply_is_split() {
    let fake = FakeTelegram::start().await;
    fake.push_message(private_text(10, 42, "hello bot"));
    let channel = clawft_channel_telegram::build(fake.config(json!({}))).unwrap();
    let sink = Arc::new(RecordingSink::default());
    channel.start(sink.clone()).await.unwrap();

    let got = sink.wait_for(1).await;
    assert_eq!(got.len(), 1);
    let inbound = &got[0];
    assert_eq!(inbound.channel, "telegram");
    assert_eq!(inbound.chat.id, "42");
    assert_eq!(inbound.content.text, "hello bot");
    assert!(inbound.mentioned);

    let code: String = (0..500)
        .map(|i| format!("let value_{i} = {i} * 2;\n"))
        .collect();
    let reply = format!("**Here** is the code:\n\n```rust\n{code}```\n\nDone & dusted.");
    let out = OutboundMessage::reply_to(inbound, reply);
    let id = channel.send(&out).await.unwrap();

    let sent = fake.calls("sendMessage");
    assert!(
        sent.len() >= 3,
        "expected a split reply, got {} messages",
        sent.len()
    );
    assert_eq!(id, (1000 + sent.len() as i64 - 1).to_string());
    for (i, m) in sent.iter().enumerate() {
        let text = m["text"].as_str().unwrap();
        assert!(text.chars().count() <= 4096, "chunk {i} too long");
        assert_eq!(m["parse_mode"], "HTML");
        assert_eq!(m["chat_id"], 42);
        assert_eq!(
            text.matches("<pre>").count() + text.matches("<pre><code").count(),
            text.matches("</pre>").count() * if text.contains("<pre><code") { 2 } else { 1 },
            "chunk {i} has unbalanced code blocks"
        );
        assert_eq!(
            m.get("reply_parameters").is_some(),
            i == 0,
            "only the first chunk replies"
        );
    }
    assert_eq!(sent[0]["reply_parameters"]["message_id"], 10);
    assert!(sent[0]["text"].as_str().unwrap().starts_with("<b>Here</b>"));
    assert!(
        sent[1]["text"]
            .as_str()
            .unwrap()
            .starts_with("<pre><code class=\"language-rust\">")
    );
    assert!(
        sent.last().unwrap()["text"]
            .as_str()
            .unwrap()
            .ends_with("Done &amp; dusted.")
    );

    let health = channel.health();
    assert_eq!(health.state, ChannelState::Connected);
    assert_eq!(health.messages_in, 1);
    assert_eq!(health.messages_out, sent.len() as u64);
    channel.stop().await.unwrap();
    channel.stop().await.unwrap();
    assert_eq!(channel.health().state, ChannelState::Stopped);
}

#[tokio::test]
async fn offset_survives_a_restart_without_loss_or_duplicates() {
    let fake = FakeTelegram::start().await;
    let state = tempfile::tempdir().unwrap();
    let cfg = fake.config(json!({"state_dir": state.path()}));
    for i in 0..3 {
        fake.push_message(private_text(100 + i, 7, &format!("first {i}")));
    }

    let first = clawft_channel_telegram::build(cfg.clone()).unwrap();
    let sink = Arc::new(RecordingSink::default());
    first.start(sink.clone()).await.unwrap();
    assert_eq!(sink.wait_for(3).await.len(), 3);
    first.stop().await.unwrap();
    assert!(
        state
            .path()
            .join(clawft_channel_telegram::OFFSET_FILE)
            .exists()
    );

    // While the bot is down, two more messages arrive.
    fake.push_message(private_text(200, 7, "second 0"));
    let last = fake.push_message(private_text(201, 7, "second 1"));

    let second = clawft_channel_telegram::build(cfg).unwrap();
    let sink2 = Arc::new(RecordingSink::default());
    second.start(sink2.clone()).await.unwrap();
    let got = sink2.wait_for(2).await;
    // Give a duplicate the chance to show up.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let got_after = sink2.snapshot();
    second.stop().await.unwrap();

    let texts: Vec<_> = got_after.iter().map(|m| m.content.text.clone()).collect();
    assert_eq!(
        texts,
        vec!["second 0", "second 1"],
        "restart must neither lose nor repeat updates"
    );
    assert_eq!(got.len(), 2);
    // The restarted poller asked for exactly the first update it had not delivered.
    let offsets = fake.offsets();
    assert!(
        offsets.contains(&Some(last - 1)),
        "offsets seen: {offsets:?}"
    );
    let first_text: Vec<_> = sink
        .snapshot()
        .iter()
        .map(|m| m.content.text.clone())
        .collect();
    assert_eq!(first_text, vec!["first 0", "first 1", "first 2"]);
}

#[tokio::test]
async fn rate_limit_retry_after_is_honoured() {
    let fake = FakeTelegram::start().await;
    {
        let mut g = fake.inner.lock().unwrap();
        g.rate_limit_sends = 1;
        g.retry_after_secs = 1;
    }
    let channel = clawft_channel_telegram::build(fake.config(json!({}))).unwrap();
    let started = Instant::now();
    let id = channel
        .send(&OutboundMessage::new("telegram", "42", "hi"))
        .await
        .unwrap();
    assert!(!id.is_empty());
    let attempts = fake.inner.lock().unwrap().send_attempts.clone();
    assert_eq!(attempts.len(), 2);
    let gap = attempts[1] - attempts[0];
    assert!(
        gap >= Duration::from_millis(950),
        "retried after {gap:?}, before retry_after"
    );
    assert!(started.elapsed() < Duration::from_secs(30));
    assert_eq!(fake.calls("sendMessage").len(), 1);
}

#[tokio::test]
async fn groups_answer_only_when_mentioned_or_replied_to() {
    let fake = FakeTelegram::start().await;
    let group = |id: i64, text: &str| {
        json!({"message_id": id, "date": 0, "chat": {"id": -100, "type": "supergroup", "title": "Team"},
            "from": {"id": 5, "first_name": "Eve"}, "text": text})
    };
    fake.push_message(group(1, "just chatting"));
    fake.push_message(group(2, "@ClawBot what time is it?"));
    let mut reply = group(3, "and tomorrow?");
    reply["reply_to_message"] = json!({"message_id": 2000, "chat": {"id": -100, "type": "supergroup"},
        "from": {"id": BOT_ID, "is_bot": true, "first_name": "Claw"}});
    fake.push_message(reply);
    fake.push_message(group(4, "bye"));

    let channel = clawft_channel_telegram::build(fake.config(json!({}))).unwrap();
    let sink = Arc::new(RecordingSink::default());
    channel.start(sink.clone()).await.unwrap();
    sink.wait_for(2).await;
    // Let the poller get past the last update.
    let deadline = Instant::now() + Duration::from_secs(10);
    while !fake.offsets().contains(&Some(5)) && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    channel.stop().await.unwrap();
    let texts: Vec<_> = sink
        .snapshot()
        .iter()
        .map(|m| m.content.text.clone())
        .collect();
    assert_eq!(texts, vec!["what time is it?", "and tomorrow?"]);
}

#[tokio::test]
async fn attachments_go_out_as_uploads_or_references() {
    let fake = FakeTelegram::start().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("chart.png");
    std::fs::write(&path, b"\x89PNG fake image bytes").unwrap();
    let channel = clawft_channel_telegram::build(fake.config(json!({}))).unwrap();
    let mut out = OutboundMessage::new("telegram", "42", "");
    out.reply_to = Some("77".into());
    out.attachments = vec![
        Attachment {
            name: "chart.png".into(),
            mime_type: "image/png".into(),
            size: None,
            data: AttachmentData::Path(path.to_string_lossy().into_owned()),
        },
        Attachment {
            name: "report.pdf".into(),
            mime_type: "application/pdf".into(),
            size: None,
            data: AttachmentData::Url("https://files.example/report.pdf".into()),
        },
    ];
    channel.send(&out).await.unwrap();
    assert!(
        fake.calls("sendMessage").is_empty(),
        "blank text is not sent"
    );
    let photos = fake.calls("sendPhoto");
    assert_eq!(photos.len(), 1);
    let body = photos[0]["multipart"].as_str().unwrap();
    assert!(
        body.contains("name=\"photo\"; filename=\"chart.png\""),
        "{body}"
    );
    assert!(body.contains("fake image bytes"));
    assert!(body.contains("name=\"reply_parameters\""));
    let docs = fake.calls("sendDocument");
    assert_eq!(
        docs,
        vec![json!({"chat_id": 42, "document": "https://files.example/report.pdf"})]
    );
}

#[tokio::test]
async fn commands_are_published_with_set_my_commands() {
    let fake = FakeTelegram::start().await;
    let channel = clawft_channel_telegram::build(fake.config(json!({}))).unwrap();
    let cmds = [CommandSpec {
        name: "weather".into(),
        description: "Forecast for a city".into(),
        argument_hint: Some("<city>".into()),
        origin: CommandOrigin::Skill("weather".into()),
    }];
    channel.register_commands(&cmds).await.unwrap();
    assert_eq!(
        fake.calls("setMyCommands"),
        vec![json!({"commands": [{"command": "weather", "description": "Forecast for a city"}]})]
    );
}

#[tokio::test]
async fn a_rejected_token_fails_start_and_marks_the_channel_failed() {
    let fake = FakeTelegram::start().await;
    let cfg = fake.config(json!({"bot_token": "1:wrong"}));
    let channel = clawft_channel_telegram::build(cfg).unwrap();
    let err = channel
        .start(Arc::new(RecordingSink::default()))
        .await
        .unwrap_err();
    assert!(matches!(err, PluginError::PermissionDenied(_)), "{err}");
    assert!(
        !err.to_string().contains("wrong"),
        "the token must not leak into errors: {err}"
    );
    let health = channel.health();
    assert_eq!(health.state, ChannelState::Failed);
    assert!(health.last_error.unwrap().contains("bot_token"));
}

#[test]
fn capabilities_match_the_channel_matrix() {
    use clawft_plugin::{RichTextSupport, ThreadSupport};
    let channel = clawft_channel_telegram::build(json!({"bot_token": "1:x"})).unwrap();
    let caps = channel.capabilities();
    assert_eq!(channel.name(), "telegram");
    assert!(caps.text && caps.images && caps.files && caps.group_chat && caps.proactive_outbound);
    assert!(!caps.reactions);
    assert_eq!(caps.rich_text, RichTextSupport::Markdown);
    assert_eq!(caps.threads, ThreadSupport::ReplyTo);
    assert_eq!(caps.max_message_chars, 4_000);
}
