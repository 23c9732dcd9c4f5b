//! `weft onboard` creates state once and never overwrites.

use clawft_e2e::{TestEnv, run};

#[test]
fn onboard_is_idempotent_and_never_overwrites() {
    let env = TestEnv::new();
    std::fs::write(env.workspace().join("SOUL.md"), "mine").unwrap();
    let (code, stdout, _) = run(env.weft().arg("onboard"));
    assert_eq!(code, 0);
    assert!(stdout.contains("config.yaml"), "{stdout}");
    assert_eq!(
        std::fs::read_to_string(env.workspace().join("SOUL.md")).unwrap(),
        "mine"
    );
    for file in [
        "AGENTS.md",
        "IDENTITY.md",
        "USER.md",
        "TOOLS.md",
        "HEARTBEAT.md",
    ] {
        assert!(env.workspace().join(file).exists(), "{file}");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(env.home().join("credentials"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o700);
    }
    // The generated config is valid as it is.
    let (code, _, stderr) = run(env.weft().args(["config", "show"]));
    assert_eq!(code, 0, "{stderr}");
    std::fs::write(env.home().join("config.yaml"), "# edited\n").unwrap();
    let (code, stdout, _) = run(env.weft().arg("onboard"));
    assert_eq!(code, 0);
    assert!(stdout.contains("nothing changed"), "{stdout}");
    assert_eq!(
        std::fs::read_to_string(env.home().join("config.yaml")).unwrap(),
        "# edited\n"
    );
}
