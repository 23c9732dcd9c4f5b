//! End-to-end tests of the Discord channel against a loopback fake gateway and REST API:
//! gateway resume (E1), re-identify, zombie detection, replay, splitting, rate limits.

mod support;

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use clawft_plugin::{
    Attachment, AttachmentData, ChannelAdapter, ChannelState, MessageRef, OutboundMessage,
};
use serde_json::{Value, json};
use support::{BOT_ID, Conn, FakeDiscord, RecordingSink, SESSION, TOKEN, dm};

/// Start a channel against `fake` and complete the first IDENTIFY/READY.
async fn connected(fake: &FakeDiscord) -> (Arc<dyn ChannelAdapter>, Arc<RecordingSink>, Conn) {
    let channel = clawft_channel_discord::build(fake.config(json!({}))).unwrap();
    let sink = Arc::new(RecordingSink::default());
    channel.start(sink.clone()).await.unwrap();
    let mut conn = fake.next_conn().await;
    assert!(
        conn.path.starts_with("/main/?v=10&encoding=json"),
        "path {}",
        conn.path
    );
    let identify = conn.identify_and_ready(&fake.resume_url).await;
    assert_eq!(identify["d"]["token"], TOKEN);
    assert_eq!(identify["d"]["intents"], 38_401);
    (channel, sink, conn)
}

/// Expect a RESUME on a new connection to the resume URL, carrying `seq`.
async fn expect_resume(fake: &FakeDiscord, seq: u64) -> Conn {
    let mut conn = fake.next_conn().await;
    assert!(
        conn.path.starts_with("/resume/?v=10&encoding=json"),
        "resume must go to resume_gateway_url with the query, got {}",
        conn.path
    );
    conn.hello(45_000);
    let resume = conn.recv().await;
    assert_eq!(resume["op"], 6, "expected RESUME, got {resume}");
    assert_eq!(resume["d"]["token"], TOKEN);
    assert_eq!(resume["d"]["session_id"], SESSION);
    assert_eq!(resume["d"]["seq"], seq);
    conn
}

#[tokio::test]
async fn a_message_reaches_the_sink_and_a_long_reply_is_split() {
    let fake = FakeDiscord::start().await;
    let (channel, sink, conn) = connected(&fake).await;
    conn.dispatch("MESSAGE_CREATE", 2, dm(1001, "hello"));
    let got = sink.wait_for(1).await;
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].chat.id, "dm-chan");
    assert!(got[0].mentioned);
    assert_eq!(channel.health().state, ChannelState::Connected);

    let code: String = (0..60).map(|i| format!("println!(\"{i}\");\n")).collect();
    let reply = format!("Sure:\n```rust\n{code}```\n{}", "word ".repeat(500));
    let id = channel
        .send(&OutboundMessage::reply_to(&got[0], reply))
        .await
        .unwrap();
    let posts = fake.calls("POST", "/channels/dm-chan/messages");
    assert!(
        posts.len() >= 5,
        "expected a split reply, got {}",
        posts.len()
    );
    assert_eq!(id, (5000 + posts.len()).to_string());
    for (i, p) in posts.iter().enumerate() {
        let content = p.body["content"].as_str().unwrap();
        assert!(content.chars().count() <= 2000, "chunk {i} too long");
        assert!(
            content.trim_end().lines().count() <= 17,
            "chunk {i} has too many lines"
        );
        assert_eq!(
            content.matches("```").count() % 2,
            0,
            "chunk {i} has an unbalanced fence"
        );
        assert_eq!(p.body.get("message_reference").is_some(), i == 0);
    }
    assert_eq!(posts[0].body["message_reference"]["message_id"], "1001");
    assert!(
        posts[1].body["content"]
            .as_str()
            .unwrap()
            .starts_with("```rust\n")
    );
    assert_eq!(channel.health().messages_out, posts.len() as u64);
    channel.stop().await.unwrap();
}

#[tokio::test]
async fn resumes_after_a_dropped_socket_and_replays_missed_events() {
    let fake = FakeDiscord::start().await;
    let (channel, sink, conn) = connected(&fake).await;
    conn.dispatch("MESSAGE_CREATE", 2, dm(1, "before"));
    sink.wait_for(1).await;
    conn.drop_socket();

    // The bot reconnects to resume_gateway_url and resumes with the last seq (2);
    // the gateway replays what happened while it was away, then RESUMED.
    let conn2 = expect_resume(&fake, 2).await;
    conn2.dispatch("MESSAGE_CREATE", 3, dm(2, "while away 1"));
    conn2.dispatch("MESSAGE_CREATE", 4, dm(3, "while away 2"));
    conn2.dispatch("RESUMED", 5, json!(null));
    sink.wait_for(3).await;
    assert_eq!(sink.texts(), vec!["before", "while away 1", "while away 2"]);

    // The stored seq moved on: another drop resumes from 5.
    conn2.drop_socket();
    let _conn3 = expect_resume(&fake, 5).await;
    channel.stop().await.unwrap();
}

#[tokio::test]
async fn resumes_after_op7_reconnect() {
    let fake = FakeDiscord::start().await;
    let (channel, sink, conn) = connected(&fake).await;
    conn.dispatch("MESSAGE_CREATE", 2, dm(1, "one"));
    sink.wait_for(1).await;
    conn.send(json!({"op": 7, "d": null, "s": null, "t": null}));
    let conn2 = expect_resume(&fake, 2).await;
    conn2.dispatch("RESUMED", 3, json!(null));
    conn2.dispatch("MESSAGE_CREATE", 4, dm(2, "two"));
    sink.wait_for(2).await;
    assert_eq!(sink.texts(), vec!["one", "two"]);
    channel.stop().await.unwrap();
}

#[tokio::test]
async fn reidentifies_after_op9_false() {
    let fake = FakeDiscord::start().await;
    let (channel, sink, conn) = connected(&fake).await;
    conn.dispatch("MESSAGE_CREATE", 2, dm(1, "one"));
    sink.wait_for(1).await;
    conn.drop_socket();

    // The resume is refused: INVALID_SESSION d=false.
    let conn2 = expect_resume(&fake, 2).await;
    conn2.send(json!({"op": 9, "d": false, "s": null, "t": null}));

    // A fresh IDENTIFY on the normal gateway URL, not a resume.
    let mut conn3 = fake.next_conn().await;
    assert!(
        conn3.path.starts_with("/main/"),
        "re-identify uses the gateway URL, got {}",
        conn3.path
    );
    conn3.hello(45_000);
    let frame = conn3.recv().await;
    assert_eq!(
        frame["op"], 2,
        "expected IDENTIFY after op 9 d=false, got {frame}"
    );
    channel.stop().await.unwrap();
}

#[tokio::test]
async fn resumes_after_op9_true() {
    let fake = FakeDiscord::start().await;
    let (channel, sink, conn) = connected(&fake).await;
    conn.dispatch("MESSAGE_CREATE", 2, dm(1, "one"));
    conn.dispatch("MESSAGE_CREATE", 3, dm(2, "two"));
    sink.wait_for(2).await;
    conn.send(json!({"op": 9, "d": true, "s": null, "t": null}));
    let _conn2 = expect_resume(&fake, 3).await;
    channel.stop().await.unwrap();
}

#[tokio::test]
async fn a_missing_heartbeat_ack_is_a_zombie_and_is_resumed() {
    let fake = FakeDiscord::start().await;
    let channel = clawft_channel_discord::build(fake.config(json!({}))).unwrap();
    let sink = Arc::new(RecordingSink::default());
    channel.start(sink.clone()).await.unwrap();
    let mut conn = fake.next_conn().await;
    conn.auto_ack.store(false, Ordering::SeqCst);
    conn.hello(100);
    assert_eq!(conn.recv().await["op"], 2);
    conn.dispatch(
        "READY",
        1,
        json!({"session_id": SESSION, "resume_gateway_url": fake.resume_url, "user": {"id": BOT_ID}}),
    );
    conn.dispatch("MESSAGE_CREATE", 2, dm(1, "hi"));
    sink.wait_for(1).await;

    // No ACK ever comes: the next heartbeat tick closes the connection and resumes.
    let conn2 = expect_resume(&fake, 2).await;
    assert!(conn.heartbeats.load(Ordering::SeqCst) >= 1);
    // The client closed the zombie with a non-1000 code (or dropped it).
    let mut conn = conn;
    let closed = tokio::time::timeout(Duration::from_secs(5), conn.recv_or_closed()).await;
    assert!(closed.is_ok(), "the zombie connection was not closed");
    conn2.dispatch("RESUMED", 3, json!(null));
    channel.stop().await.unwrap();
}

#[tokio::test]
async fn rate_limited_posts_wait_for_the_longest_hint() {
    let fake = FakeDiscord::start().await;
    fake.rest.lock().unwrap().rate_limit_posts = 1;
    let channel = clawft_channel_discord::build(fake.config(json!({}))).unwrap();
    channel
        .send(&OutboundMessage::new("discord", "c9", "hi"))
        .await
        .unwrap();
    let limited = fake.calls("429", "/channels/c9/messages");
    let posts = fake.calls("POST", "/channels/c9/messages");
    assert_eq!((limited.len(), posts.len()), (1, 1));
    let gap = posts[0].at - limited[0].at;
    assert!(
        gap >= Duration::from_millis(950),
        "retried after {gap:?}; Retry-After said 1 s"
    );
}

#[tokio::test]
async fn reactions_and_attachments_use_rest() {
    let fake = FakeDiscord::start().await;
    let channel = clawft_channel_discord::build(fake.config(json!({}))).unwrap();
    let target = MessageRef {
        id: "777".into(),
        from_bot: false,
    };
    channel.react("c1", &target, "👍").await.unwrap();
    let puts = fake.calls("PUT", "/channels/c1/messages/777/reactions/");
    assert_eq!(puts.len(), 1);
    assert_eq!(
        puts[0].path,
        "/channels/c1/messages/777/reactions/%F0%9F%91%8D/@me"
    );

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.txt");
    std::fs::write(&path, "file body").unwrap();
    let mut out = OutboundMessage::new("discord", "c1", "see attached");
    out.attachments.push(Attachment {
        name: "notes.txt".into(),
        mime_type: "text/plain".into(),
        size: None,
        data: AttachmentData::Path(path.to_string_lossy().into_owned()),
    });
    channel.send(&out).await.unwrap();
    let posts = fake.calls("POST", "/channels/c1/messages");
    let body = posts[0].body["multipart"].as_str().unwrap();
    assert!(body.contains("name=\"payload_json\""), "{body}");
    assert!(body.contains("name=\"files[0]\"; filename=\"notes.txt\""));
    assert!(body.contains("file body") && body.contains("see attached"));
}

#[tokio::test]
async fn a_rejected_token_close_code_fails_the_channel() {
    let fake = FakeDiscord::start().await;
    let channel = clawft_channel_discord::build(fake.config(json!({}))).unwrap();
    channel
        .start(Arc::new(RecordingSink::default()))
        .await
        .unwrap();
    let mut conn = fake.next_conn().await;
    conn.hello(45_000);
    assert_eq!(conn.recv().await["op"], 2);
    conn.close(4004);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while channel.health().state != ChannelState::Failed && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let health = channel.health();
    assert_eq!(health.state, ChannelState::Failed);
    assert!(health.last_error.unwrap().contains("bot_token"));
    channel.stop().await.unwrap();
    assert_eq!(channel.health().state, ChannelState::Failed);
}

#[tokio::test]
async fn guild_messages_without_a_mention_are_ignored() {
    let fake = FakeDiscord::start().await;
    let (channel, sink, conn) = connected(&fake).await;
    let guild = |id: u64, text: &str, mentions: Value| {
        json!({"id": id.to_string(), "channel_id": "g-chan", "guild_id": "g1",
            "author": {"id": "42", "username": "ann"}, "content": text, "mentions": mentions})
    };
    conn.dispatch("MESSAGE_CREATE", 2, guild(1, "chatter", json!([])));
    conn.dispatch(
        "MESSAGE_CREATE",
        3,
        guild(2, &format!("<@{BOT_ID}> ping"), json!([{"id": BOT_ID}])),
    );
    sink.wait_for(1).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(sink.texts(), vec!["ping"]);
    channel.stop().await.unwrap();
}

#[test]
fn capabilities_match_the_channel_matrix() {
    use clawft_plugin::{RichTextSupport, ThreadSupport};
    let channel = clawft_channel_discord::build(json!({"bot_token": "x"})).unwrap();
    let caps = channel.capabilities();
    assert_eq!(channel.name(), "discord");
    assert!(
        caps.text
            && caps.images
            && caps.files
            && caps.reactions
            && caps.group_chat
            && caps.proactive_outbound
    );
    assert_eq!(caps.rich_text, RichTextSupport::Markdown);
    assert_eq!(caps.threads, ThreadSupport::Threads);
    assert_eq!(caps.max_message_chars, 2_000);
}
