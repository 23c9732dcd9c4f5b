//! Where clawft keeps its state: `~/.clawft` or `$CLAWFT_HOME`.

use std::path::{Path, PathBuf};

/// The state directories.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paths {
    /// `$CLAWFT_HOME`, else `~/.clawft`.
    pub home: PathBuf,
}

impl Paths {
    /// From `CLAWFT_HOME`, else the user's home directory.
    pub fn from_env() -> Self {
        if let Some(home) = std::env::var_os("CLAWFT_HOME").filter(|v| !v.is_empty()) {
            return Self {
                home: PathBuf::from(home),
            };
        }
        let base = directories::BaseDirs::new()
            .map(|b| b.home_dir().to_owned())
            .unwrap_or_else(|| PathBuf::from("."));
        Self {
            home: base.join(".clawft"),
        }
    }

    /// State rooted at `home`.
    pub fn at(home: impl Into<PathBuf>) -> Self {
        Self { home: home.into() }
    }

    /// The global config file: `config.json`, or `config.yaml`/`config.yml` if that exists instead.
    pub fn global_config(&self) -> PathBuf {
        find_config_file(&self.home).unwrap_or_else(|| self.home.join("config.json"))
    }

    /// Session logs.
    pub fn sessions(&self) -> PathBuf {
        self.home.join("sessions")
    }

    /// Managed skills.
    pub fn skills(&self) -> PathBuf {
        self.home.join("skills")
    }

    /// Installed plugins.
    pub fn plugins(&self) -> PathBuf {
        self.home.join("plugins")
    }

    /// OAuth tokens and other credentials (0600).
    pub fn credentials(&self) -> PathBuf {
        self.home.join("credentials")
    }

    /// Persisted cron jobs.
    pub fn cron(&self) -> PathBuf {
        self.home.join("cron")
    }

    /// Default workspace when none is configured.
    pub fn default_workspace(&self) -> PathBuf {
        self.home.join("workspace")
    }

    /// Interactive history file of `weft agent`.
    pub fn history_file(&self) -> PathBuf {
        self.home.join("history.txt")
    }
}

/// The config file in `dir` (`config.json`, `config.yaml` or `config.yml`), if any.
pub fn find_config_file(dir: &Path) -> Option<PathBuf> {
    ["config.json", "config.yaml", "config.yml"]
        .iter()
        .map(|name| dir.join(name))
        .find(|p| p.is_file())
}
