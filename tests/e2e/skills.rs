//! Skills from the user's side: layers and shadowing, checks, slash commands, the model's
//! catalogue, and hot reload in a running `weft agent`.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::Stdio;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use clawft_e2e::{TestEnv, run};
use clawft_testkit::Reply;

fn write_skill(root: &Path, dir: &str, frontmatter: &str, body: &str) {
    let folder = root.join(dir);
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(
        folder.join("SKILL.md"),
        format!("---\n{frontmatter}\n---\n{body}\n"),
    )
    .unwrap();
}

#[test]
fn workspace_beats_managed_beats_bundled_and_list_shows_it() {
    let env = TestEnv::new();
    write_skill(
        &env.home().join("skills"),
        "notes",
        "description: managed notes",
        "managed body",
    );
    write_skill(
        &env.workspace().join("skills"),
        "notes",
        "description: project notes",
        "workspace body",
    );
    let (code, stdout, stderr) = run(env.weft().args(["skill", "list", "--verbose"]));
    assert_eq!(code, 0, "{stderr}");
    let block: Vec<&str> = stdout
        .lines()
        .skip_while(|l| !l.starts_with("notes "))
        .take(4)
        .collect();
    assert!(
        block[0].contains("workspace") && block[0].contains("ready"),
        "{stdout}"
    );
    assert!(
        block[1].contains(&format!(
            "path: {}",
            env.workspace().join("skills/notes/SKILL.md").display()
        )),
        "{stdout}"
    );
    assert!(
        block
            .iter()
            .any(|l| l.contains("shadows:") && l.contains("(managed)")),
        "{stdout}"
    );
    assert!(
        block
            .iter()
            .any(|l| l.contains("shadows:") && l.contains("(bundled)")),
        "{stdout}"
    );

    let (_, stdout, _) = run(env.weft().args(["skill", "show", "notes"]));
    assert!(
        stdout.contains("workspace body") && stdout.contains("layer:       workspace"),
        "{stdout}"
    );
    let (code, _, stderr) = run(env.weft().args(["skill", "show", "noets"]));
    assert_eq!(code, 1);
    assert!(stderr.contains("did you mean `notes`?"), "{stderr}");
}

#[test]
fn check_reports_file_line_and_reason_and_keeps_the_rest() {
    let env = TestEnv::new();
    let skills = env.workspace().join("skills");
    write_skill(&skills, "good", "description: fine", "ok");
    write_skill(
        &skills,
        "nodesc",
        "name: nodesc\nlicense: MIT",
        "no description here",
    );
    std::fs::create_dir_all(skills.join("nofront")).unwrap();
    std::fs::write(skills.join("nofront/SKILL.md"), "# just a heading\n").unwrap();
    let (code, stdout, _) = run(env.weft().args(["skill", "check"]));
    assert_eq!(code, 1, "{stdout}");
    assert!(
        stdout.contains(&format!(
            "error: {}:",
            skills.join("nodesc/SKILL.md").display()
        )),
        "{stdout}"
    );
    assert!(stdout.contains("description"), "{stdout}");
    assert!(
        stdout.contains(&format!(
            "error: {}:1:",
            skills.join("nofront/SKILL.md").display()
        )),
        "{stdout}"
    );
    let (code, stdout, _) = run(env.weft().args(["skill", "list"]));
    assert_eq!(code, 0);
    assert!(
        stdout.lines().any(|l| l.starts_with("good ")),
        "the valid skill still loads: {stdout}"
    );
    assert!(stdout.contains("2 skill(s) failed to load"), "{stdout}");
}

#[test]
fn unmet_requirements_are_listed_with_the_reason() {
    let env = TestEnv::new();
    write_skill(
        &env.workspace().join("skills"),
        "needs-tool",
        r#"description: needs a binary
metadata: {"openclaw": {"requires": {"bins": ["surely-not-installed-xyz"]}}}"#,
        "body",
    );
    let (_, stdout, _) = run(env.weft().args(["skill", "list", "--verbose"]));
    assert!(
        stdout.contains("unavailable") && stdout.contains("surely-not-installed-xyz"),
        "{stdout}"
    );
}

#[test]
fn catalogue_reaches_the_model_and_skill_commands_prompt_it() {
    let env = TestEnv::with_llm(vec![Reply::text("noted"), Reply::text("ok")]);
    write_skill(
        &env.workspace().join("skills"),
        "shopping",
        "description: Keep the shopping list.\nargument-hint: \"<item>\"",
        "Append items to shopping.md in {baseDir}.",
    );
    write_skill(
        &env.workspace().join("skills"),
        "hidden",
        "description: secret\ndisable-model-invocation: true",
        "x",
    );
    let (code, stdout, stderr) = run(env.weft().args(["agent", "-m", "/shopping milk"]));
    assert_eq!((code, stdout.as_str()), (0, "noted\n"), "{stderr}");
    let request = &env.llm().requests()[0];
    let system = request["messages"][0]["content"].as_str().unwrap();
    assert!(
        system.contains("<available_skills>") && system.contains("<name>shopping</name>"),
        "{system}"
    );
    assert!(
        !system.contains("<name>hidden</name>"),
        "disable-model-invocation keeps it out"
    );
    let user = request["messages"].as_array().unwrap().last().unwrap()["content"]
        .as_str()
        .unwrap()
        .to_owned();
    let folder = env.workspace().join("skills/shopping");
    assert!(
        user.contains(&format!(
            "Append items to shopping.md in {}.",
            folder.display()
        )),
        "{{baseDir}} resolved: {user}"
    );
    assert!(user.contains("User input: milk"), "{user}");
    let tools: Vec<&str> = request["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["function"]["name"].as_str().unwrap())
        .collect();
    assert!(tools.contains(&"read_skill"));
}

#[test]
fn tool_dispatch_commands_bypass_the_model() {
    let env = TestEnv::with_llm(vec![]);
    write_skill(
        &env.workspace().join("skills"),
        "sh",
        "description: run a shell command\ncommand-dispatch: tool\ncommand-tool: exec\ncommand-arg-mode: raw",
        "",
    );
    let (code, stdout, stderr) = run(env.weft().args(["agent", "-m", "/sh echo dispatched"]));
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("dispatched"), "{stdout}");
    assert!(env.llm().requests().is_empty(), "the model is not called");
    let (_, stdout, _) = run(env.weft().args(["agent", "-m", "/stauts"]));
    assert!(stdout.contains("Did you mean /status?"), "{stdout}");
}

/// Reads the agent's stdout on a thread so the test can wait for lines with a deadline.
fn lines_of(child: &mut std::process::Child) -> mpsc::Receiver<String> {
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

fn wait_for(rx: &mpsc::Receiver<String>, needle: &str, deadline: Instant) -> bool {
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        match rx.recv_timeout(left) {
            Ok(line) if line.contains(needle) => return true,
            Ok(_) => {}
            Err(_) => return false,
        }
    }
    false
}

#[test]
fn a_skill_written_while_weft_runs_appears_in_help_and_the_catalogue() {
    let env = TestEnv::with_llm(vec![Reply::text("hello")]);
    let mut child = env
        .weft()
        .arg("agent")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let rx = lines_of(&mut child);
    let mut stdin = child.stdin.take().unwrap();
    writeln!(stdin, "/help").unwrap();
    assert!(
        wait_for(&rx, "/weft_guide", Instant::now() + Duration::from_secs(20)),
        "first /help never came"
    );

    // The workspace `skills/` folder does not exist yet: the watcher must notice it appear.
    let written = Instant::now();
    write_skill(
        &env.workspace().join("skills"),
        "fresh-skill",
        "description: Written while weft runs.",
        "Fresh body.",
    );
    let deadline = written + Duration::from_secs(10);
    let mut seen = false;
    while !seen && Instant::now() < deadline {
        writeln!(stdin, "/help").unwrap();
        seen = wait_for(
            &rx,
            "/fresh_skill",
            (Instant::now() + Duration::from_millis(300)).min(deadline),
        );
    }
    assert!(seen, "the new skill never reached /help");
    eprintln!(
        "hot reload: new skill visible in /help after {} ms (polling every 300 ms)",
        written.elapsed().as_millis()
    );

    writeln!(stdin, "hi").unwrap();
    assert!(wait_for(
        &rx,
        "hello",
        Instant::now() + Duration::from_secs(20)
    ));
    let system = env.llm().requests()[0]["messages"][0]["content"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(system.contains("<name>fresh-skill</name>"), "{system}");

    // A broken edit keeps the last good version.
    std::fs::write(
        env.workspace().join("skills/fresh-skill/SKILL.md"),
        "no frontmatter any more",
    )
    .unwrap();
    std::thread::sleep(Duration::from_millis(1200));
    writeln!(stdin, "/skills").unwrap();
    assert!(
        wait_for(
            &rx,
            "fresh-skill [workspace] ready",
            Instant::now() + Duration::from_secs(10)
        ),
        "last good version kept"
    );
    drop(stdin);
    let status = child.wait().unwrap();
    assert!(status.success());
}

/// `skills.install` (documented in the README) sits beside the loader's settings: a config
/// that sets it still loads skills.
#[test]
fn install_settings_in_config_do_not_break_skill_loading() {
    let env = TestEnv::new();
    std::fs::create_dir_all(env.home()).unwrap();
    std::fs::write(
        env.home().join("config.json"),
        r#"{"skills": {"install": {"max_files": 100, "trusted_keys": []}, "watch": false}}"#,
    )
    .unwrap();
    let (code, stdout, stderr) = run(env.weft().args(["skill", "list"]));
    assert_eq!(code, 0, "{stdout}\n{stderr}");
}
