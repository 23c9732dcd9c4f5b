//! Errors of the skill loader: [`ParseError`] for what is wrong inside a `SKILL.md`
//! (with the line), [`SkillError`] for everything that names a file or directory.

use std::path::{Path, PathBuf};

use thiserror::Error;

/// Result alias of this crate.
pub type SkillResult<T> = Result<T, SkillError>;

/// Something wrong with the text of a `SKILL.md`. Every variant knows its line (1-based,
/// counted in the file as written, the frontmatter's opening `---` being line 1).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum ParseError {
    /// The file does not start with a `---` line.
    #[error(
        "no frontmatter: the file does not start with a `---` line\n\
         help: start SKILL.md with `---`, then `name: ...` and `description: ...`, then a closing `---` line"
    )]
    NoFrontmatter,
    /// The opening `---` has no closing `---` line.
    #[error(
        "frontmatter opened at line {line} is never closed\n\
         help: add a line containing only `---` after the last frontmatter key"
    )]
    UnterminatedFrontmatter {
        /// Line of the opening `---`.
        line: usize,
    },
    /// A frontmatter value nests deeper than `max_yaml_depth`.
    #[error(
        "frontmatter key `{key}` nests {depth} levels deep, over the limit of {limit}\n\
         help: flatten the value, or raise `max_yaml_depth` in the skill limits"
    )]
    TooDeep {
        /// Line of the offending top-level key.
        line: usize,
        /// The top-level key.
        key: String,
        /// Depth found (the frontmatter map itself is level 1).
        depth: usize,
        /// The configured limit.
        limit: usize,
    },
    /// No usable `description`.
    #[error(
        "missing required `description` in the frontmatter{detail}\n\
         help: add `description: <what the skill does and when to use it>` between the `---` lines"
    )]
    MissingDescription {
        /// Line of the frontmatter's opening `---` (or of the empty `description:` key).
        line: usize,
        /// Extra context, e.g. why YAML parsing failed; empty or starting with `; `.
        detail: String,
    },
    /// A known key has a value of the wrong kind and the skill cannot be used without it.
    #[error("invalid `{key}`: {reason}")]
    InvalidField {
        /// Line of the key.
        line: usize,
        /// The key.
        key: String,
        /// What is wrong and what to write instead.
        reason: String,
    },
}

impl ParseError {
    /// The 1-based line in the file the problem is at.
    pub fn line(&self) -> usize {
        match self {
            Self::NoFrontmatter => 1,
            Self::UnterminatedFrontmatter { line }
            | Self::TooDeep { line, .. }
            | Self::MissingDescription { line, .. }
            | Self::InvalidField { line, .. } => *line,
        }
    }
}

/// A failure that names a file or directory.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum SkillError {
    /// Reading a file or directory failed.
    #[error("could not read `{path}`: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The `SKILL.md` is over `max_skill_file_bytes`.
    #[error(
        "`{path}` is {size} bytes, over the SKILL.md size limit of {limit} bytes; refusing to load it\n\
         help: move long reference material into files next to SKILL.md (they are read on demand), \
         or raise `max_skill_file_bytes`"
    )]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// Its size (or at least `limit + 1` when it grew while being read).
        size: u64,
        /// The configured limit.
        limit: u64,
    },
    /// The path resolves (through a symlink) outside the skill root it was found in.
    #[error(
        "`{path}` resolves to `{target}`, outside its skill root `{root}`; refusing to follow the symlink\n\
         help: copy the skill into `{root}`, or add the directory it points to as a skill directory"
    )]
    OutsideRoot {
        /// The path as found.
        path: PathBuf,
        /// Where it resolves to.
        target: PathBuf,
        /// The skill root it was found under.
        root: PathBuf,
    },
    /// The file is not UTF-8.
    #[error(
        "`{path}` is not valid UTF-8 (first bad byte at offset {offset})\nhelp: save the file as UTF-8"
    )]
    NotUtf8 {
        /// The file.
        path: PathBuf,
        /// Byte offset of the first invalid sequence.
        offset: usize,
    },
    /// The text of the file is malformed.
    #[error("{}:{}: {source}", path.display(), source.line())]
    Parse {
        /// The file.
        path: PathBuf,
        /// What is wrong, with the line.
        #[source]
        source: ParseError,
    },
    /// The file watcher could not be set up.
    #[error("could not watch `{path}` for skill changes: {message}")]
    Watch {
        /// The directory.
        path: PathBuf,
        /// What the watcher reported.
        message: String,
    },
}

impl SkillError {
    /// An [`SkillError::Io`] for `path`.
    pub fn io(path: impl AsRef<Path>, source: std::io::Error) -> Self {
        Self::Io {
            path: path.as_ref().to_path_buf(),
            source,
        }
    }

    /// The line within the file, for errors about its text.
    pub fn line(&self) -> Option<usize> {
        match self {
            Self::Parse { source, .. } => Some(source.line()),
            _ => None,
        }
    }

    /// The message without the file name when the caller shows the file separately
    /// (parse errors); other errors keep their full message, which names the paths involved.
    pub fn reason(&self) -> String {
        match self {
            Self::Parse { source, .. } => source.to_string(),
            other => other.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_error_lines() {
        assert_eq!(ParseError::NoFrontmatter.line(), 1);
        assert_eq!(ParseError::UnterminatedFrontmatter { line: 1 }.line(), 1);
        let err = ParseError::InvalidField {
            line: 7,
            key: "description".into(),
            reason: "expected text".into(),
        };
        assert_eq!(err.line(), 7);
    }

    #[test]
    fn parse_error_in_file_names_file_and_line() {
        let err = SkillError::Parse {
            path: PathBuf::from("/s/x/SKILL.md"),
            source: ParseError::MissingDescription {
                line: 1,
                detail: String::new(),
            },
        };
        let text = err.to_string();
        assert!(text.starts_with("/s/x/SKILL.md:1: missing required `description`"));
        assert!(text.contains("help:"));
        assert_eq!(err.line(), Some(1));
        assert!(err.reason().starts_with("missing required"));
    }

    #[test]
    fn too_large_names_the_limit() {
        let err = SkillError::TooLarge {
            path: PathBuf::from("big/SKILL.md"),
            size: 300_000,
            limit: 256_000,
        };
        assert!(err.to_string().contains("256000 bytes"));
        assert_eq!(err.line(), None);
    }
}
