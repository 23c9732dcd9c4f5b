//! Skill layers and sources: where skills come from and which wins on a name clash.
//!
//! Highest first: workspace (`<ws>/skills`, then `<ws>/.agents/skills`) > managed
//! (`$CLAWFT_HOME/skills`, then `~/.agents/skills`) > plugin-declared directories > bundled.
//! OpenClaw puts `~/.agents/skills` above its managed `~/.openclaw/skills`; clawft puts its
//! managed directory first because that is where `weft skill install` writes.

use std::fmt;
use std::path::PathBuf;

use serde::Serialize;

/// A precedence layer. The derived order is the precedence: `Workspace < Managed < ...`
/// means the workspace wins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SkillLayer {
    /// The project: `<ws>/skills`, `<ws>/.agents/skills`.
    Workspace,
    /// The user's: `$CLAWFT_HOME/skills` (installed by `weft skill install`), `~/.agents/skills`.
    Managed,
    /// Directories declared in plugin manifests.
    Plugin,
    /// Shipped with the binary.
    Bundled,
}

impl SkillLayer {
    /// Lower-case name, as shown by `weft skill list --verbose`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Workspace => "workspace",
            Self::Managed => "managed",
            Self::Plugin => "plugin",
            Self::Bundled => "bundled",
        }
    }
}

impl fmt::Display for SkillLayer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One directory scanned for skills. Within a layer, earlier sources win.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct SkillSource {
    /// Its layer.
    pub layer: SkillLayer,
    /// The directory (a skill folder itself, or a folder of skill folders).
    pub root: PathBuf,
}

impl SkillSource {
    /// A source.
    pub fn new(layer: SkillLayer, root: impl Into<PathBuf>) -> Self {
        Self {
            layer,
            root: root.into(),
        }
    }
}

/// The standard places skills are looked for. Build [`SkillSource`]s with
/// [`SourceDirs::sources`]; leave a field empty to skip it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SourceDirs {
    /// The workspace (project) directory.
    pub workspace: Option<PathBuf>,
    /// clawft's state directory (`$CLAWFT_HOME`, default `~/.clawft`).
    pub clawft_home: Option<PathBuf>,
    /// The user's home directory (for `~/.agents/skills`).
    pub home: Option<PathBuf>,
    /// Skill directories declared by plugin manifests, in plugin order.
    pub plugin_dirs: Vec<PathBuf>,
    /// Skills shipped with the binary.
    pub bundled: Option<PathBuf>,
}

impl SourceDirs {
    /// The sources in precedence order, highest first.
    pub fn sources(&self) -> Vec<SkillSource> {
        let join = |dir: &Option<PathBuf>, rel: &str| dir.as_ref().map(|d| d.join(rel));
        let candidates = [
            (SkillLayer::Workspace, join(&self.workspace, "skills")),
            (
                SkillLayer::Workspace,
                join(&self.workspace, ".agents/skills"),
            ),
            (SkillLayer::Managed, join(&self.clawft_home, "skills")),
            (SkillLayer::Managed, join(&self.home, ".agents/skills")),
        ];
        let plugins = self
            .plugin_dirs
            .iter()
            .map(|dir| (SkillLayer::Plugin, Some(dir.clone())));
        let bundled = [(SkillLayer::Bundled, self.bundled.clone())];
        candidates
            .into_iter()
            .chain(plugins)
            .chain(bundled)
            .filter_map(|(layer, root)| root.map(|root| SkillSource::new(layer, root)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layer_order_is_precedence() {
        assert!(SkillLayer::Workspace < SkillLayer::Managed);
        assert!(SkillLayer::Managed < SkillLayer::Plugin);
        assert!(SkillLayer::Plugin < SkillLayer::Bundled);
        assert_eq!(SkillLayer::Plugin.to_string(), "plugin");
    }

    #[test]
    fn standard_sources_in_order() {
        let dirs = SourceDirs {
            workspace: Some("/ws".into()),
            clawft_home: Some("/home/u/.clawft".into()),
            home: Some("/home/u".into()),
            plugin_dirs: vec!["/plugins/p/skills".into()],
            bundled: Some("/usr/share/clawft/skills".into()),
        };
        let got: Vec<(SkillLayer, PathBuf)> = dirs
            .sources()
            .into_iter()
            .map(|s| (s.layer, s.root))
            .collect();
        assert_eq!(
            got,
            vec![
                (SkillLayer::Workspace, "/ws/skills".into()),
                (SkillLayer::Workspace, "/ws/.agents/skills".into()),
                (SkillLayer::Managed, "/home/u/.clawft/skills".into()),
                (SkillLayer::Managed, "/home/u/.agents/skills".into()),
                (SkillLayer::Plugin, "/plugins/p/skills".into()),
                (SkillLayer::Bundled, "/usr/share/clawft/skills".into()),
            ]
        );
    }

    #[test]
    fn empty_dirs_give_no_sources() {
        assert!(SourceDirs::default().sources().is_empty());
    }
}
