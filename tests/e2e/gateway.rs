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
    #[cfg(unix)]
    {
        std::process::Command::new("kill")
            .arg("-TERM")
            .arg(child.id().to_string())
            .status()
            .unwrap();
        let status = child.wait().unwrap();
        assert!(status.success(), "SIGTERM is a clean stop: {status:?}");
    }
    #[cfg(not(unix))]
    {
        child.kill().unwrap();
    }
}
