//! Where a skill or plugin comes from: parsing what the user typed after
//! `weft skill install` or `weft plugin install`.

use std::fmt;
use std::path::PathBuf;

use crate::FetchError;

/// A parsed install source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceSpec {
    /// A git repository; `subpath` selects a folder, `reference` a branch, tag or commit.
    Git {
        /// Clone URL.
        url: String,
        /// Folder inside the repository.
        subpath: Option<String>,
        /// Branch, tag or commit.
        reference: Option<String>,
    },
    /// A ClawHub bundle: `[@owner/]slug[@version]`.
    ClawHub {
        /// Owner, for owner-qualified refs.
        owner: Option<String>,
        /// Slug.
        slug: String,
        /// Version; the latest when absent.
        version: Option<String>,
    },
    /// A `.zip` or `.tar.gz` archive at a URL.
    Archive {
        /// Download URL.
        url: String,
        /// Folder inside the archive.
        subpath: Option<String>,
    },
    /// A folder on this machine.
    Local {
        /// The folder.
        path: PathBuf,
    },
}

impl fmt::Display for SourceSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Git {
                url,
                subpath,
                reference,
            } => {
                write!(f, "{url}")?;
                if let Some(p) = subpath {
                    write!(f, " (path {p})")?;
                }
                if let Some(r) = reference {
                    write!(f, " @{r}")?;
                }
                Ok(())
            }
            Self::ClawHub {
                owner,
                slug,
                version,
            } => {
                if let Some(o) = owner {
                    write!(f, "@{o}/")?;
                }
                write!(f, "{slug}")?;
                if let Some(v) = version {
                    write!(f, "@{v}")?;
                }
                Ok(())
            }
            Self::Archive { url, subpath } => {
                f.write_str(url)?;
                if let Some(p) = subpath {
                    write!(f, " (path {p})")?;
                }
                Ok(())
            }
            Self::Local { path } => write!(f, "{}", path.display()),
        }
    }
}

fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

impl SourceSpec {
    /// Parse `raw`. `path` (from `--path`) picks a folder inside a repository, archive or
    /// local tree; `reference` (from `--ref`) a branch, tag or commit of a git source.
    pub fn parse(
        raw: &str,
        path: Option<&str>,
        reference: Option<&str>,
    ) -> Result<Self, FetchError> {
        let raw = raw.trim();
        let bad = |why: &str| FetchError::BadSource {
            source_text: raw.to_owned(),
            reason: why.to_owned(),
        };
        if raw.is_empty() {
            return Err(bad("empty source"));
        }
        let looks_local = raw.starts_with('/')
            || raw.starts_with("./")
            || raw.starts_with("../")
            || raw.starts_with('~')
            || raw == ".";
        if looks_local || (!raw.contains("://") && std::path::Path::new(raw).is_dir()) {
            let expanded = match raw.strip_prefix("~/") {
                Some(rest) => std::env::var_os("HOME")
                    .map(PathBuf::from)
                    .unwrap_or_default()
                    .join(rest),
                None => PathBuf::from(raw),
            };
            // `--path` picks a folder inside a local tree as it does inside a repository.
            let path = match path {
                Some(sub) => expanded.join(sub.trim_matches('/')),
                None => expanded,
            };
            return Ok(Self::Local { path });
        }
        let lower = raw.to_ascii_lowercase();
        let is_archive =
            lower.ends_with(".zip") || lower.ends_with(".tar.gz") || lower.ends_with(".tgz");
        if (lower.starts_with("https://") || lower.starts_with("http://")) && is_archive {
            return Ok(Self::Archive {
                url: raw.to_owned(),
                subpath: path.map(str::to_owned),
            });
        }
        if let Some(rest) = raw
            .strip_prefix("github.com/")
            .or_else(|| raw.strip_prefix("https://github.com/"))
        {
            let (rest, at_ref) = match rest.rsplit_once('@') {
                Some((r, v)) => (r, Some(v.to_owned())),
                None => (rest, None),
            };
            let parts: Vec<&str> = rest.trim_end_matches('/').split('/').collect();
            if parts.len() < 2 || parts[..2].iter().any(|p| p.is_empty()) {
                return Err(bad("expected github.com/<owner>/<repo>[/<path>][@<ref>]"));
            }
            let repo = parts[1].trim_end_matches(".git");
            let sub = (parts.len() > 2).then(|| parts[2..].join("/"));
            return Ok(Self::Git {
                url: format!("https://github.com/{}/{repo}.git", parts[0]),
                subpath: path.map(str::to_owned).or(sub),
                reference: reference.map(str::to_owned).or(at_ref),
            });
        }
        if ["https://", "http://", "ssh://", "file://", "git://"]
            .iter()
            .any(|p| lower.starts_with(p))
            || raw.starts_with("git@")
        {
            return Ok(Self::Git {
                url: raw.to_owned(),
                subpath: path.map(str::to_owned),
                reference: reference.map(str::to_owned),
            });
        }
        // ClawHub: [@owner/]slug[@version]
        let (owner, rest) = match raw.strip_prefix('@') {
            Some(r) => match r.split_once('/') {
                Some((o, s)) => (Some(o.to_owned()), s),
                None => return Err(bad("owner-qualified refs look like @owner/slug")),
            },
            None => (None, raw),
        };
        let (slug, version) = match rest.split_once('@') {
            Some((s, v)) => (s, Some(v.to_owned())),
            None => (rest, None),
        };
        if is_slug(slug) {
            return Ok(Self::ClawHub {
                owner,
                slug: slug.to_owned(),
                version,
            });
        }
        Err(bad(
            "not a local folder, git URL, github.com/owner/repo, archive URL (.zip/.tar.gz) or ClawHub slug",
        ))
    }

    /// The text recorded for `update` to re-resolve: the URL of a git or archive source
    /// (sub-path and ref are recorded apart), the absolute folder of a local one, otherwise
    /// what [`Display`](fmt::Display) shows.
    pub fn record_text(&self) -> String {
        match self {
            Self::Git { url, .. } | Self::Archive { url, .. } => url.clone(),
            Self::Local { path } => path
                .canonicalize()
                .unwrap_or_else(|_| path.clone())
                .display()
                .to_string(),
            other => other.to_string(),
        }
    }

    /// The folder inside a git repository or archive, if one was chosen (recorded apart
    /// from [`record_text`](Self::record_text)).
    pub fn subpath(&self) -> Option<&str> {
        match self {
            Self::Git { subpath, .. } | Self::Archive { subpath, .. } => subpath.as_deref(),
            _ => None,
        }
    }

    /// The branch, tag or commit of a git source, if one was chosen.
    pub fn reference(&self) -> Option<&str> {
        match self {
            Self::Git { reference, .. } => reference.as_deref(),
            _ => None,
        }
    }

    /// The same source without a pinned ClawHub version, so `update` gets the latest.
    pub fn unpinned(mut self) -> Self {
        if let Self::ClawHub { version, .. } = &mut self {
            *version = None;
        }
        self
    }

    /// A short kind name for the lockfile.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Git { .. } => "git",
            Self::ClawHub { .. } => "clawhub",
            Self::Archive { .. } => "archive",
            Self::Local { .. } => "local",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_source_form() {
        assert_eq!(
            SourceSpec::parse("github.com/openclaw/skills/coding-agent@v2", None, None).unwrap(),
            SourceSpec::Git {
                url: "https://github.com/openclaw/skills.git".into(),
                subpath: Some("coding-agent".into()),
                reference: Some("v2".into())
            }
        );
        assert!(
            matches!(SourceSpec::parse("file:///tmp/r.git", Some("a/b"), Some("main")).unwrap(),
            SourceSpec::Git { subpath: Some(p), reference: Some(r), .. } if p == "a/b" && r == "main")
        );
        assert_eq!(
            SourceSpec::parse("@steipete/weather@1.2.0", None, None).unwrap(),
            SourceSpec::ClawHub {
                owner: Some("steipete".into()),
                slug: "weather".into(),
                version: Some("1.2.0".into())
            }
        );
        assert!(matches!(
            SourceSpec::parse("weather", None, None).unwrap(),
            SourceSpec::ClawHub { .. }
        ));
        assert!(matches!(
            SourceSpec::parse("https://x.org/s.tar.gz", None, None).unwrap(),
            SourceSpec::Archive { .. }
        ));
        assert!(matches!(
            SourceSpec::parse("./my-skill", None, None).unwrap(),
            SourceSpec::Local { .. }
        ));
        assert_eq!(
            SourceSpec::parse("./tree", Some("a/b/"), None).unwrap(),
            SourceSpec::Local {
                path: PathBuf::from("./tree/a/b")
            }
        );
        let archive = SourceSpec::parse("https://x.org/s.zip", Some("p"), None).unwrap();
        assert_eq!(
            (archive.record_text().as_str(), archive.subpath()),
            ("https://x.org/s.zip", Some("p"))
        );
        assert!(SourceSpec::parse("Not A Slug!", None, None).is_err());
        let pinned = SourceSpec::parse("weather@1.2.0", None, None).unwrap();
        assert_eq!(pinned.unpinned().to_string(), "weather");
        let git = SourceSpec::parse("file:///r.git", Some("p"), Some("v1")).unwrap();
        assert_eq!(
            (git.record_text().as_str(), git.subpath(), git.reference()),
            ("file:///r.git", Some("p"), Some("v1"))
        );
        assert!(SourceSpec::parse("github.com/onlyowner", None, None).is_err());
    }
}
