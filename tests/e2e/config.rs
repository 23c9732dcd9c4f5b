//! Config loading from the user's side: merging, secrets, clear errors.

use clawft_e2e::{TestEnv, run};

#[test]
fn project_config_overrides_global_and_env_overrides_both() {
    let env = TestEnv::new();
    std::fs::write(
        env.home().join("config.json"),
        r#"{"agent": {"model": "global-model", "max_iterations": 7}}"#,
    )
    .unwrap();
    std::fs::create_dir_all(env.workspace().join(".clawft")).unwrap();
    std::fs::write(
        env.workspace().join(".clawft/config.yaml"),
        "agent:\n  model: project-model\n",
    )
    .unwrap();
    let (code, stdout, stderr) = run(env.weft().args(["config", "show"]));
    assert_eq!(code, 0, "{stderr}");
    let shown: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(shown["agent"]["model"], "project-model");
    assert_eq!(shown["agent"]["max_iterations"], 7);
    let (_, stdout, _) = run(env
        .weft()
        .args(["config", "show"])
        .env("CLAWFT_MODEL", "env-model"));
    let shown: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(shown["agent"]["model"], "env-model");
}

#[test]
fn literal_secret_is_refused_with_the_fix_and_never_echoed() {
    let env = TestEnv::new();
    std::fs::write(
        env.home().join("config.json"),
        r#"{"providers": {"openai": {"api_key": "sk-live-123"}}}"#,
    )
    .unwrap();
    let (code, _, stderr) = run(env.weft().args(["agent", "-m", "hi"]));
    assert_eq!(code, 1);
    assert!(
        stderr.contains("`providers.openai.api_key`") && stderr.contains("config.json"),
        "{stderr}"
    );
    assert!(stderr.contains(r#"{"env": "#), "shows the fix: {stderr}");
    assert!(
        !stderr.contains("sk-live-123"),
        "the secret must not be printed"
    );
}

#[test]
fn secret_references_resolve_from_env_and_file() {
    let env = TestEnv::with_llm(vec![
        clawft_testkit::Reply::text("ok"),
        clawft_testkit::Reply::text("ok"),
    ]);
    let secret = env.root.path().join("key.txt");
    std::fs::write(&secret, "file-key\n").unwrap();
    let base = env.llm().base_url();
    std::fs::write(
        env.home().join("config.json"),
        format!(
            r#"{{"providers": {{"p": {{"base_url": "{base}", "api_key": {{"file": "{}"}}}}}}}}"#,
            secret.display()
        ),
    )
    .unwrap();
    let (code, stdout, stderr) = run(env.weft().args(["agent", "-m", "hi"]));
    assert_eq!((code, stdout.as_str()), (0, "ok\n"), "{stderr}");
    std::fs::write(
        env.home().join("config.json"),
        format!(r#"{{"providers": {{"p": {{"base_url": "{base}", "api_key": {{"env": "MY_TEST_KEY"}}}}}}}}"#),
    )
    .unwrap();
    let (code, _, stderr) = run(env.weft().args(["agent", "-m", "hi"]));
    assert_eq!(code, 1);
    assert!(
        stderr.contains("MY_TEST_KEY") && stderr.contains("providers.p.api_key"),
        "{stderr}"
    );
    let (code, _, stderr) = run(env
        .weft()
        .args(["agent", "-m", "hi"])
        .env("MY_TEST_KEY", "k"));
    assert_eq!(code, 0, "{stderr}");
}

#[test]
fn mistakes_name_the_file_the_key_and_the_fix() {
    let env = TestEnv::new();
    std::fs::write(
        env.home().join("config.json"),
        r#"{"agent": {"max_iteratons": 3}}"#,
    )
    .unwrap();
    let (code, _, stderr) = run(env.weft().args(["config", "validate"]));
    assert_eq!(code, 1);
    assert!(
        stderr.contains("config.json") && stderr.contains("max_iteratons"),
        "{stderr}"
    );
    std::fs::write(env.home().join("config.json"), r#"{"agnet": {}}"#).unwrap();
    let (_, _, stderr) = run(env.weft().args(["config", "validate"]));
    assert!(stderr.contains("did you mean `agent`"), "{stderr}");
    std::fs::write(env.home().join("config.json"), "{\n  \"agent\": {,\n}").unwrap();
    let (_, _, stderr) = run(env.weft().args(["config", "validate"]));
    assert!(stderr.contains("line 2"), "{stderr}");
}
