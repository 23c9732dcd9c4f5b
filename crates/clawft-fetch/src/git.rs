//! Fetching sources with the `git` command-line client: a shallow fetch of one ref, sparse
//! when a sub-path is given.

use std::path::Path;

use tokio::process::Command;

use crate::FetchError;

async fn git(dir: &Path, args: &[&str]) -> Result<String, FetchError> {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_TERMINAL_PROMPT", "0")
        .kill_on_drop(true)
        .output()
        .await
        .map_err(|e| FetchError::Git {
            message: format!("could not run `git`: {e}; is git installed?"),
        })?;
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr).trim().to_owned();
        return Err(FetchError::Git { message: stderr });
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// Fetch `reference` (default: the remote's HEAD) of `url` into `dest` (created, empty), with
/// only `subpath` checked out when given. Returns the commit id.
pub async fn fetch(
    url: &str,
    reference: Option<&str>,
    subpath: Option<&str>,
    dest: &Path,
) -> Result<String, FetchError> {
    std::fs::create_dir_all(dest).map_err(|e| FetchError::io(dest, e))?;
    git(dest, &["init", "-q"]).await?;
    git(dest, &["remote", "add", "origin", url]).await?;
    if let Some(sub) = subpath {
        git(
            dest,
            &[
                "sparse-checkout",
                "set",
                "--no-cone",
                &format!("/{}/", sub.trim_matches('/')),
            ],
        )
        .await?;
    }
    let want = reference.unwrap_or("HEAD");
    match git(dest, &["fetch", "-q", "--depth", "1", "origin", want]).await {
        Ok(_) => {}
        Err(FetchError::Git { message })
            if message.contains("couldn't find remote ref") || message.contains("not our ref") =>
        {
            return Err(FetchError::UnknownRef {
                url: url.to_owned(),
                reference: want.to_owned(),
            });
        }
        Err(FetchError::Git { message }) => {
            return Err(FetchError::Unreachable {
                what: url.to_owned(),
                reason: message,
            });
        }
        Err(other) => return Err(other),
    }
    git(dest, &["checkout", "-q", "FETCH_HEAD"]).await?;
    git(dest, &["rev-parse", "HEAD"]).await
}
