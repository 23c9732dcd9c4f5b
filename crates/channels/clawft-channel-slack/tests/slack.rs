//! End-to-end tests of the Slack channel against a loopback fake of Socket Mode and the
//! Web API: envelope acks, disconnect/reconnect, mentions, threads, splitting, rate limits.

mod support;

use std::sync::Arc;
use std::time::Duration;

use clawft_plugin::{
    Attachment, AttachmentData, ChannelAdapter, ChannelState, MessageRef, OutboundMessage,
    PluginError,
};
use serde_json::json;
use support::{BOT_USER, Conn, FakeSlack, RecordingSink};

async fn connected(fake: &FakeSlack) -> (Arc<dyn ChannelAdapter>, Arc<RecordingSink>, Conn) {
    let channel = clawft_channel_slack::build(fake.config()).unwrap();
    let sink = Arc::new(RecordingSink::default());
    channel.start(sink.clone()).await.unwrap();
    let conn = fake.next_conn().await;
    assert!(conn.path.starts_with("/link/?ticket="), "{}", conn.path);
    conn.hello();
    (channel, sink, conn)
}

#[tokio::test]
async fn envelopes_are_acked_messages_delivered_and_long_replies_split_in_thread() {
    let fake = FakeSlack::start().await;
    let (channel, sink, mut conn) = connected(&fake).await;
    conn.event(
        "env-1",
        json!({"type": "app_mention", "channel": "C1", "user": "U1", "text": format!("<@{BOT_USER}> summarise"), "ts": "1700000000.000100"}),
    );
    assert_eq!(conn.recv().await, json!({"envelope_id": "env-1"}));
    let got = sink.wait_for(1).await;
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].content.text, "summarise");
    assert!(got[0].mentioned);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while channel.health().state != ChannelState::Connected
        && tokio::time::Instant::now() < deadline
    {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(channel.health().state, ChannelState::Connected);

    let para = "This is **important** text, see [docs](https://docs.example). ".repeat(40);
    let reply = format!("{para}\n\n{para}\n\n{para}\n\n{para}\n\n{para}");
    let ts = channel
        .send(&OutboundMessage::reply_to(&got[0], reply))
        .await
        .unwrap();
    let posts = fake.calls("chat.postMessage");
    assert!(
        posts.len() >= 2,
        "expected a split reply, got {}",
        posts.len()
    );
    assert!(ts.ends_with(".000200"));
    for (i, p) in posts.iter().enumerate() {
        let text = p.body["text"].as_str().unwrap();
        assert!(text.chars().count() <= 8_000 + 500, "chunk {i} too long");
        assert_eq!(
            p.body["thread_ts"], "1700000000.000100",
            "replies go into the thread"
        );
        assert_eq!(p.body["channel"], "C1");
        assert!(text.contains("*important*") && !text.contains("**"));
        assert!(text.contains("<https://docs.example|docs>"));
    }
    channel.stop().await.unwrap();
}

#[tokio::test]
async fn disconnect_messages_reconnect_with_a_fresh_url() {
    let fake = FakeSlack::start().await;
    let (channel, sink, conn) = connected(&fake).await;
    conn.send(json!({"type": "disconnect", "reason": "refresh_requested", "debug_info": {"host": "fake"}}));
    let mut conn2 = fake.next_conn().await;
    conn2.hello();
    assert_eq!(fake.calls("apps.connections.open").len(), 2);
    assert_ne!(
        conn.path, conn2.path,
        "a new URL is requested for each connection"
    );
    conn2.event(
        "env-2",
        json!({"type": "message", "channel": "D1", "channel_type": "im", "user": "U1", "text": "after refresh", "ts": "2.0"}),
    );
    assert_eq!(conn2.recv().await["envelope_id"], "env-2");
    sink.wait_for(1).await;
    assert_eq!(sink.texts(), vec!["after refresh"]);

    // A dropped socket reconnects too.
    conn2.drop_socket();
    let conn3 = fake.next_conn().await;
    conn3.hello();
    assert_eq!(fake.calls("apps.connections.open").len(), 3);
    channel.stop().await.unwrap();
}

#[tokio::test]
async fn channel_messages_need_a_mention_and_redeliveries_are_dropped() {
    let fake = FakeSlack::start().await;
    let (channel, sink, mut conn) = connected(&fake).await;
    let chatter = json!({"type": "message", "channel": "C1", "channel_type": "channel", "user": "U1", "text": "chatter", "ts": "3.0"});
    conn.event("e1", chatter);
    let with_mention = json!({"type": "message", "channel": "C1", "channel_type": "channel", "user": "U1", "text": format!("<@{BOT_USER}> hi"), "ts": "4.0"});
    conn.event("e2", with_mention);
    let mention = json!({"type": "app_mention", "channel": "C1", "user": "U1", "text": format!("<@{BOT_USER}> hi"), "ts": "4.0"});
    conn.event("e3", mention.clone());
    conn.event("e3", mention); // Slack retry of an envelope
    for _ in 0..4 {
        conn.recv().await;
    }
    sink.wait_for(1).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(sink.texts(), vec!["hi"]);
    channel.stop().await.unwrap();
}

#[tokio::test]
async fn rate_limited_posts_honour_retry_after() {
    let fake = FakeSlack::start().await;
    fake.web.lock().unwrap().rate_limit_posts = 1;
    let channel = clawft_channel_slack::build(fake.config()).unwrap();
    channel
        .send(&OutboundMessage::new("slack", "C1", "hi"))
        .await
        .unwrap();
    let limited = fake.calls("429");
    let posts = fake.calls("chat.postMessage");
    assert_eq!((limited.len(), posts.len()), (1, 1));
    assert!(posts[0].at - limited[0].at >= Duration::from_millis(950));
}

#[tokio::test]
async fn reactions_and_file_uploads() {
    let fake = FakeSlack::start().await;
    let channel = clawft_channel_slack::build(fake.config()).unwrap();
    let target = MessageRef {
        id: "5.0".into(),
        from_bot: false,
    };
    channel.react("C1", &target, "👍").await.unwrap();
    assert_eq!(
        fake.calls("reactions.add")[0].body,
        json!({"channel": "C1", "timestamp": "5.0", "name": "+1"})
    );

    let mut out = OutboundMessage::new("slack", "C1", "");
    out.thread_id = Some("9.0".into());
    out.attachments.push(Attachment {
        name: "report.csv".into(),
        mime_type: "text/csv".into(),
        size: None,
        data: AttachmentData::Base64("YSxiCjEsMgo=".into()),
    });
    channel.send(&out).await.unwrap();
    let ticket = fake.calls("files.getUploadURLExternal");
    assert_eq!(ticket[0].body["filename"], "report.csv");
    assert_eq!(ticket[0].body["length"], "8");
    let uploads = fake.web.lock().unwrap().uploads.clone();
    assert_eq!(uploads.len(), 1);
    assert_eq!(uploads[0].1, b"a,b\n1,2\n");
    let complete = fake.calls("files.completeUploadExternal");
    assert_eq!(complete[0].body["channel_id"], "C1");
    assert_eq!(complete[0].body["thread_ts"], "9.0");
    assert_eq!(complete[0].body["files"][0]["id"], uploads[0].0);
}

#[tokio::test]
async fn a_rejected_bot_token_fails_start() {
    let fake = FakeSlack::start().await;
    let mut cfg = fake.config();
    cfg["bot_token"] = json!("xoxb-wrong");
    let channel = clawft_channel_slack::build(cfg).unwrap();
    let err = channel
        .start(Arc::new(RecordingSink::default()))
        .await
        .unwrap_err();
    assert!(matches!(err, PluginError::PermissionDenied(_)), "{err}");
    assert!(err.to_string().contains("bot_token"));
    assert_eq!(channel.health().state, ChannelState::Failed);
}

#[test]
fn capabilities_match_the_channel_matrix() {
    use clawft_plugin::{RichTextSupport, ThreadSupport};
    let channel =
        clawft_channel_slack::build(json!({"bot_token": "xoxb-1", "app_token": "xapp-1"})).unwrap();
    let caps = channel.capabilities();
    assert_eq!(channel.name(), "slack");
    assert!(
        caps.text
            && caps.images
            && caps.files
            && caps.reactions
            && caps.group_chat
            && caps.proactive_outbound
    );
    assert_eq!(caps.rich_text, RichTextSupport::Blocks);
    assert_eq!(caps.threads, ThreadSupport::Threads);
    assert_eq!(caps.max_message_chars, 8_000);
}
