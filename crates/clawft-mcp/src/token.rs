//! The HTTP bearer token kept in `$CLAWFT_HOME/mcp-token`: generated once (256 random bits,
//! hex), written with mode 0600, reused on later starts.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::McpError;

/// The token file's name inside `$CLAWFT_HOME`.
pub const TOKEN_FILE: &str = "mcp-token";

/// Reads the token in `home/mcp-token`, or generates one and writes it there (mode 0600).
/// Returns the token and whether it was just created.
///
/// # Errors
/// [`McpError::Token`] when the file cannot be read or written.
pub fn load_or_create_token(home: &Path) -> Result<(String, bool), McpError> {
    let path = home.join(TOKEN_FILE);
    let err = |action, source| McpError::Token {
        action,
        path: path.clone(),
        source,
    };
    match std::fs::read_to_string(&path) {
        Ok(text) if !text.trim().is_empty() => return Ok((text.trim().to_owned(), false)),
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(err("read", e)),
    }
    std::fs::create_dir_all(home).map_err(|e| err("write", e))?;
    let token = generate();
    write_private(&path, &token).map_err(|e| err("write", e))?;
    Ok((token, true))
}

fn generate() -> String {
    let bytes: [u8; 32] = rand::random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn write_private(path: &PathBuf, token: &str) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        options.mode(0o600);
        let mut file = options.open(path)?;
        // An existing empty file keeps its mode on open: tighten it.
        file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
        file.write_all(format!("{token}\n").as_bytes())
    }
    #[cfg(not(unix))]
    {
        let mut file = options.open(path)?;
        file.write_all(format!("{token}\n").as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_is_created_private_then_reused() {
        let home = tempfile::tempdir().expect("tempdir");
        let dir = home.path().join("nested");
        let (first, created) = load_or_create_token(&dir).expect("create");
        assert!(created);
        assert_eq!(first.len(), 64);
        assert!(first.chars().all(|c| c.is_ascii_hexdigit()));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.join(TOKEN_FILE))
                .expect("stat")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let (second, created) = load_or_create_token(&dir).expect("reuse");
        assert!(!created);
        assert_eq!(first, second);
    }
}
