//! `weft gateway` starts with nothing configured, says what it runs, and stops on SIGTERM.

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::time::{Duration, Instant};

use clawft_e2e::TestEnv;

#[test]
fn starts_empty_reports_and_stops_cleanly() {
    let env = TestEnv::with_llm(vec![]);
    let mut child = env
        .weft()
        .arg("gateway")
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let began = Instant::now();
    let mut seen = Vec::new();
    while !seen.iter().any(|l: &String| l.contains("Press Ctrl-C")) {
        let line = rx
            .recv_timeout(Duration::from_secs(20))
            .expect("gateway did not report ready");
        seen.push(line);
        assert!(began.elapsed() < Duration::from_secs(20));
    }
    let text = seen.join("\n");
    assert!(text.contains("weft gateway ready"), "{text}");
    assert!(text.contains("channels:  none running"), "{text}");
    assert!(
        text.contains("scripted") || text.contains("via openai"),
        "{text}"
    );
    // `weft channels status` reaches the running gateway through its admin endpoint.
    let (code, stdout, stderr) = clawft_e2e::run(env.weft().args(["channels", "status", "--json"]));
    assert_eq!(code, 0, "{stderr}");
    let status: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(status["running"], true, "{status}");
    assert_eq!(status["gateway"]["pid"], child.id());
    let token_file = env.home().join("admin-token");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&token_file).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    std::fs::write(&token_file, "wrong").unwrap();
    let (_, stdout, _) = clawft_e2e::run(env.weft().args(["channels", "status"]));
    assert!(
        stdout.contains("refused"),
        "a wrong token is refused: {stdout}"
    );
    #[cfg(unix)]
    {
        std::process::Command::new("kill")
            .arg("-TERM")
            .arg(child.id().to_string())
            .status()
            .unwrap();
        let status = child.wait().unwrap();
        assert!(status.success(), "SIGTERM is a clean stop: {status:?}");
        assert!(
            !env.home().join("gateway.json").exists(),
            "the gateway record is removed on exit"
        );
    }
    #[cfg(not(unix))]
    {
        child.kill().unwrap();
    }
}

#[test]
fn channels_status_without_a_gateway_lists_configured_channels_offline() {
    let env = TestEnv::new();
    std::fs::write(
        env.home().join("config.json"),
        r#"{"channels": {"telegram": {"bot_token": {"env": "TG_TOKEN"}}}}"#,
    )
    .unwrap();
    let (code, stdout, stderr) = clawft_e2e::run(env.weft().args(["channels", "status"]));
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("no gateway is running")
            && stdout.contains("telegram")
            && stdout.contains("offline"),
        "{stdout}"
    );
    let (_, stdout, _) = clawft_e2e::run(env.weft().args(["channels", "status", "--json"]));
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["running"], false);
    assert_eq!(v["channels"][0]["name"], "telegram");
}
