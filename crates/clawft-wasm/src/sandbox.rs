//! The WASI context of one call, built from the plugin's permissions.
//!
//! Nothing is inherited from the host: no stdio (output goes nowhere), no arguments,
//! no environment except declared names, no sockets, no name lookups, and only the
//! declared directories, each read-only unless `write` is granted. wasmtime-wasi resolves
//! paths inside a preopen with capability-based lookups, so `..` and symlinks cannot
//! leave it.
//!
//! Malicious-guest note: a write grant lets the plugin fill that directory (bounded only
//! by the call's fuel and deadline); grant write to a dedicated directory, never `~`.

use std::path::{Component, Path, PathBuf};

use clawft_plugin::Permissions;
use clawft_plugin::manifest::FsPermission;
use wasmtime_wasi::{FsPerms, WasiCtx, WasiCtxBuilder};

use crate::state::Notes;

/// Where one declared directory lives on the host and in the sandbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Mount {
    pub(crate) host: PathBuf,
    pub(crate) guest: String,
    pub(crate) write: bool,
}

/// Map a manifest directory to host and guest paths:
/// `$WORKSPACE[/x]` → workspace, `/workspace[/x]`; `~[/x]` → home, `/home[/x]`;
/// `/abs` → `/abs`, `/abs`; relative `x` → plugin directory, `/plugin/x`.
pub(crate) fn mount_for(
    perm: &FsPermission,
    plugin_dir: &Path,
    workspace: &Path,
    home: Option<&Path>,
) -> Result<Mount, String> {
    let raw = perm.path.to_string_lossy();
    let raw = raw.trim_end_matches('/');
    let (host_base, guest_base, rest): (PathBuf, &str, &str) = if let Some(rest) =
        strip_var(raw, "$WORKSPACE").or_else(|| strip_var(raw, "${WORKSPACE}"))
    {
        (workspace.to_owned(), "/workspace", rest)
    } else if let Some(rest) = strip_var(raw, "~") {
        let home = home.ok_or("`~` used but the home directory is unknown")?;
        (home.to_owned(), "/home", rest)
    } else if raw.starts_with('/') {
        (PathBuf::from("/"), "", raw)
    } else {
        (plugin_dir.to_owned(), "/plugin", raw)
    };
    let rest = rest.trim_start_matches('/');
    let rel = Path::new(rest);
    if rel
        .components()
        .any(|c| !matches!(c, Component::Normal(_) | Component::CurDir))
    {
        return Err(format!("`{raw}` must not contain `..`"));
    }
    let guest = if rest.is_empty() {
        if guest_base.is_empty() {
            "/".to_owned()
        } else {
            guest_base.to_owned()
        }
    } else {
        format!("{guest_base}/{rest}")
    };
    Ok(Mount {
        host: host_base.join(rel),
        guest,
        write: perm.write,
    })
}

fn strip_var<'a>(raw: &'a str, var: &str) -> Option<&'a str> {
    let rest = raw.strip_prefix(var)?;
    (rest.is_empty() || rest.starts_with('/')).then_some(rest)
}

/// Build the WASI context for one call. Problems (a missing read-only directory, an
/// unset variable) become notes, not failures: the plugin sees less, never more.
pub(crate) fn build_wasi(
    perms: &Permissions,
    plugin_dir: &Path,
    workspace: &Path,
    notes: &Notes,
) -> WasiCtx {
    let mut builder = WasiCtxBuilder::new();
    builder
        .allow_tcp(false)
        .allow_udp(false)
        .allow_ip_name_lookup(false);
    let home = std::env::var_os("HOME").map(PathBuf::from);
    for perm in &perms.filesystem {
        let mount = match mount_for(perm, plugin_dir, workspace, home.as_deref()) {
            Ok(m) => m,
            Err(why) => {
                notes.push(format!("directory not mounted: {why}"));
                continue;
            }
        };
        if mount.write
            && !mount.host.exists()
            && let Err(err) = std::fs::create_dir_all(&mount.host)
        {
            notes.push(format!(
                "could not create `{}` for the plugin: {err}",
                mount.host.display()
            ));
            continue;
        }
        let perms = if mount.write {
            FsPerms::ReadWrite
        } else {
            FsPerms::ReadOnly
        };
        if let Err(err) = builder.preopened_dir(&mount.host, &mount.guest, perms) {
            notes.push(format!(
                "directory `{}` not mounted at `{}`: {err}",
                mount.host.display(),
                mount.guest
            ));
        }
    }
    for name in &perms.env {
        if let Ok(value) = std::env::var(name) {
            builder.env(name, value);
        }
    }
    builder.build()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn perm(path: &str, write: bool) -> FsPermission {
        FsPermission {
            path: path.into(),
            write,
        }
    }

    #[test]
    fn paths_map_to_stable_guest_locations() {
        let (p, w, h) = (Path::new("/p"), Path::new("/ws"), Some(Path::new("/h")));
        let m = mount_for(&perm("$WORKSPACE/notes", true), p, w, h).unwrap();
        assert_eq!(
            (m.host, m.guest.as_str(), m.write),
            ("/ws/notes".into(), "/workspace/notes", true)
        );
        let m = mount_for(&perm("$WORKSPACE", false), p, w, h).unwrap();
        assert_eq!((m.host, m.guest.as_str()), ("/ws".into(), "/workspace"));
        let m = mount_for(&perm("~/x/", false), p, w, h).unwrap();
        assert_eq!((m.host, m.guest.as_str()), ("/h/x".into(), "/home/x"));
        let m = mount_for(&perm("/srv/data", false), p, w, h).unwrap();
        assert_eq!(
            (m.host, m.guest.as_str()),
            ("/srv/data".into(), "/srv/data")
        );
        let m = mount_for(&perm("assets", false), p, w, h).unwrap();
        assert_eq!(
            (m.host, m.guest.as_str()),
            ("/p/assets".into(), "/plugin/assets")
        );
        assert!(mount_for(&perm("$WORKSPACE/../etc", false), p, w, h).is_err());
        assert!(
            mount_for(&perm("$WORKSPACEX", false), p, w, h)
                .unwrap()
                .host
                .starts_with("/p")
        );
    }
}
