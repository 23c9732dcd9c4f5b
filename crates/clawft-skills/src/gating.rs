//! Whether a skill can be used here: its `os` list and its `requires` gates (binaries on
//! `PATH`, environment variables, truthy config paths). A skill that fails a gate is
//! listed as unavailable with the reason, never dropped silently. `always: true` skips
//! the `requires` gates but not the `os` gate.

use std::ffi::OsString;
use std::path::Path;

use crate::format::SkillDoc;
use crate::metadata::Os;

/// The result of gating a skill.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Availability {
    /// Every gate passes.
    Ready,
    /// At least one gate fails; the text names each missing thing, `; `-separated.
    Unavailable(String),
}

impl Availability {
    /// Whether the skill can be used.
    pub fn is_ready(&self) -> bool {
        matches!(self, Self::Ready)
    }
}

type EnvProbe = Box<dyn Fn(&str) -> bool + Send + Sync>;
type ProvidedEnv = Box<dyn Fn(&str, &str) -> bool + Send + Sync>;

/// What the gates are checked against. [`GateContext::current`] reads this process's OS,
/// `PATH` and environment and knows no config; the `with_*` methods replace each part.
pub struct GateContext {
    os: Os,
    path: Option<OsString>,
    env_present: EnvProbe,
    provided_env: ProvidedEnv,
    config_truthy: EnvProbe,
}

impl std::fmt::Debug for GateContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GateContext")
            .field("os", &self.os)
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl GateContext {
    /// This process: its OS, its `PATH`, its environment (a variable counts when set and
    /// non-empty); no configured keys; every config path falsy.
    pub fn current() -> Self {
        Self {
            os: Os::current(),
            path: std::env::var_os("PATH"),
            env_present: Box::new(|name| std::env::var_os(name).is_some_and(|v| !v.is_empty())),
            provided_env: Box::new(|_, _| false),
            config_truthy: Box::new(|_| false),
        }
    }

    /// Gate as if running on `os`.
    pub fn with_os(mut self, os: Os) -> Self {
        self.os = os;
        self
    }

    /// Look binaries up in this `PATH`-style list instead.
    pub fn with_path(mut self, path: impl Into<OsString>) -> Self {
        self.path = Some(path.into());
        self
    }

    /// Decide whether an environment variable is present.
    pub fn with_env(mut self, present: impl Fn(&str) -> bool + Send + Sync + 'static) -> Self {
        self.env_present = Box::new(present);
        self
    }

    /// Decide whether config supplies env var `name` for the skill with config key
    /// `skill_key` (an `env` entry, or the API key for the skill's `primaryEnv`):
    /// `provided(skill_key, name)`.
    pub fn with_provided_env(
        mut self,
        provided: impl Fn(&str, &str) -> bool + Send + Sync + 'static,
    ) -> Self {
        self.provided_env = Box::new(provided);
        self
    }

    /// Decide whether a config path (e.g. `channels.discord.token`) is truthy.
    pub fn with_config(mut self, truthy: impl Fn(&str) -> bool + Send + Sync + 'static) -> Self {
        self.config_truthy = Box::new(truthy);
        self
    }

    /// The OS gated against.
    pub fn os(&self) -> &Os {
        &self.os
    }

    /// Whether `bin` is an executable file in one of the `PATH` directories.
    pub fn has_binary(&self, bin: &str) -> bool {
        let Some(path) = &self.path else {
            return false;
        };
        if bin.is_empty() || bin.contains(['/', '\\']) {
            return false;
        }
        std::env::split_paths(path).any(|dir| {
            candidates(bin)
                .iter()
                .any(|name| is_executable(&dir.join(name)))
        })
    }

    /// Gates `skill`.
    pub fn check(&self, skill: &SkillDoc) -> Availability {
        let meta = &skill.metadata;
        let mut missing = Vec::new();
        if !meta.os.is_empty() && !meta.os.contains(&self.os) {
            let wanted: Vec<&str> = meta.os.iter().map(Os::as_str).collect();
            missing.push(format!(
                "runs only on {} (this is {})",
                wanted.join(", "),
                self.os.as_str()
            ));
        }
        if !meta.always {
            let req = &meta.requires;
            for bin in &req.bins {
                if !self.has_binary(bin) {
                    missing.push(format!("missing binary `{bin}` on PATH"));
                }
            }
            if !req.any_bins.is_empty() && !req.any_bins.iter().any(|b| self.has_binary(b)) {
                let names: Vec<String> = req.any_bins.iter().map(|b| format!("`{b}`")).collect();
                missing.push(format!("none of the binaries {} on PATH", names.join(", ")));
            }
            for name in &req.env {
                if !(self.env_present)(name) && !(self.provided_env)(skill.skill_key(), name) {
                    missing.push(format!(
                        "missing environment variable `{name}` (set it, or configure it for \
                         skill `{}`)",
                        skill.skill_key()
                    ));
                }
            }
            for path in &req.config {
                if !(self.config_truthy)(path) {
                    missing.push(format!("config `{path}` is not set"));
                }
            }
        }
        if missing.is_empty() {
            Availability::Ready
        } else {
            Availability::Unavailable(missing.join("; "))
        }
    }
}

fn candidates(bin: &str) -> Vec<String> {
    if cfg!(windows) {
        ["", ".exe", ".cmd", ".bat", ".com"]
            .iter()
            .map(|ext| format!("{bin}{ext}"))
            .collect()
    } else {
        vec![bin.to_owned()]
    }
}

#[cfg(unix)]
fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(path: &Path) -> bool {
    path.is_file()
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::limits::SkillLimits;
    use crate::parse::parse_skill_md;

    fn skill(metadata: &str) -> SkillDoc {
        let text = format!("---\ndescription: d\nmetadata: {metadata}\n---\n");
        parse_skill_md(&text, Path::new("/s/gh/SKILL.md"), &SkillLimits::default())
            .expect("valid")
            .doc
    }

    fn ctx_with_bins(bins: &[&str]) -> (tempfile::TempDir, GateContext) {
        let tmp = tempfile::tempdir().expect("tempdir");
        for bin in bins {
            let path: PathBuf = tmp.path().join(bin);
            std::fs::write(&path, "#!/bin/sh\n").expect("write");
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))
                    .expect("chmod");
            }
        }
        let ctx = GateContext::current()
            .with_os(Os::Linux)
            .with_path(tmp.path().as_os_str())
            .with_env(|name| name == "SET")
            .with_config(|path| path == "channels.on");
        (tmp, ctx)
    }

    #[test]
    fn no_requirements_is_ready() {
        let (_tmp, ctx) = ctx_with_bins(&[]);
        assert_eq!(ctx.check(&skill("{}")), Availability::Ready);
    }

    #[test]
    fn bins_env_config_are_named_when_missing() {
        let (_tmp, ctx) = ctx_with_bins(&["curl"]);
        let s = skill(
            r#"{"openclaw":{"requires":{"bins":["curl","gh"],"env":["SET","GH_TOKEN"],"config":["channels.off","channels.on"]}}}"#,
        );
        let Availability::Unavailable(reason) = ctx.check(&s) else {
            panic!("should be unavailable");
        };
        assert_eq!(
            reason,
            "missing binary `gh` on PATH; missing environment variable `GH_TOKEN` (set it, or \
             configure it for skill `gh`); config `channels.off` is not set"
        );
    }

    #[test]
    fn any_bins_needs_one() {
        let (_tmp, ctx) = ctx_with_bins(&["b"]);
        assert!(
            ctx.check(&skill(r#"{"openclaw":{"requires":{"anyBins":["a","b"]}}}"#))
                .is_ready()
        );
        let Availability::Unavailable(reason) =
            ctx.check(&skill(r#"{"openclaw":{"requires":{"anyBins":["x","y"]}}}"#))
        else {
            panic!("should be unavailable");
        };
        assert_eq!(reason, "none of the binaries `x`, `y` on PATH");
    }

    #[test]
    fn provided_env_satisfies_env_gate() {
        let (_tmp, ctx) = ctx_with_bins(&[]);
        let ctx = ctx.with_provided_env(|key, name| key == "gh-key" && name == "GH_TOKEN");
        let s = skill(r#"{"openclaw":{"skillKey":"gh-key","requires":{"env":["GH_TOKEN"]}}}"#);
        assert!(ctx.check(&s).is_ready());
    }

    #[test]
    fn always_skips_requires_but_not_os() {
        let (_tmp, ctx) = ctx_with_bins(&[]);
        let s = skill(r#"{"openclaw":{"always":true,"requires":{"bins":["nope"]}}}"#);
        assert!(ctx.check(&s).is_ready());
        let s =
            skill(r#"{"openclaw":{"always":true,"os":["macos"],"requires":{"bins":["nope"]}}}"#);
        assert_eq!(
            ctx.check(&s),
            Availability::Unavailable("runs only on darwin (this is linux)".into())
        );
    }

    #[cfg(unix)]
    #[test]
    fn non_executable_file_is_not_a_binary() {
        let (tmp, ctx) = ctx_with_bins(&[]);
        std::fs::write(tmp.path().join("plain"), "x").expect("write");
        assert!(!ctx.has_binary("plain"));
        assert!(!ctx.has_binary("../plain"));
    }
}
