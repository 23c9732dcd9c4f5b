//! Exit codes, help and version.

use clawft_e2e::{TestEnv, run};

#[test]
fn version_and_help_succeed() {
    let env = TestEnv::new();
    let (code, stdout, _) = run(env.weft().arg("--version"));
    assert_eq!(code, 0);
    assert!(stdout.starts_with("weft "), "{stdout}");
    let (code, stdout, _) = run(env.weft().arg("--help"));
    assert_eq!(code, 0);
    for cmd in ["agent", "gateway", "onboard", "config", "status"] {
        assert!(stdout.contains(cmd), "--help lists `{cmd}`");
    }
    assert!(stdout.contains("Exit status"), "exit codes are documented");
    let (code, stdout, _) = run(env.weft().args(["agent", "--help"]));
    assert_eq!(code, 0);
    assert!(
        stdout.contains("Examples:") && stdout.contains("-m"),
        "{stdout}"
    );
}

#[test]
fn usage_errors_exit_2_with_a_suggestion() {
    let env = TestEnv::new();
    let (code, _, stderr) = run(env.weft().arg("agnet"));
    assert_eq!(code, 2);
    assert!(
        stderr.contains("agent"),
        "suggests the closest command: {stderr}"
    );
}

#[test]
fn status_reports_state_and_provider() {
    let env = TestEnv::with_llm(vec![]);
    let (code, stdout, stderr) = run(env.weft().args(["status", "--json"]));
    assert_eq!(code, 0, "{stderr}");
    let status: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(status["home"], env.home().display().to_string());
    assert_eq!(status["provider"]["name"], "openai");
    assert_eq!(status["provider"]["base_url"], env.llm().base_url());
    assert_eq!(status["tools"].as_array().unwrap().len(), 7);
}
