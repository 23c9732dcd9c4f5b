//! Architecture rules that must hold as the workspace grows (ARCHITECTURE.md, rule 1).

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

use serde_json::Value;

fn dependency_closure(krate: &str) -> BTreeSet<String> {
    let out = Command::new(env!("CARGO"))
        .args(["metadata", "--format-version", "1", "--manifest-path"])
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/../Cargo.toml"))
        .output()
        .expect("cargo metadata");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let meta: Value = serde_json::from_slice(&out.stdout).unwrap();
    let names: BTreeMap<&str, &str> = meta["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["id"].as_str().unwrap(), p["name"].as_str().unwrap()))
        .collect();
    let nodes: BTreeMap<&str, Vec<&str>> = meta["resolve"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            let deps = n["deps"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|d| {
                    d["dep_kinds"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .any(|k| k["kind"].is_null())
                })
                .map(|d| d["pkg"].as_str().unwrap())
                .collect();
            (n["id"].as_str().unwrap(), deps)
        })
        .collect();
    let start = names
        .iter()
        .find(|(_, n)| **n == krate)
        .map(|(id, _)| *id)
        .expect("crate in workspace");
    let mut seen = BTreeSet::new();
    let mut stack = vec![start];
    while let Some(id) = stack.pop() {
        for dep in nodes.get(id).into_iter().flatten() {
            if seen.insert(names[dep].to_owned()) {
                stack.push(dep);
            }
        }
    }
    seen
}

#[test]
fn core_never_depends_on_channels_tools_or_plugins() {
    let deps = dependency_closure("clawft-core");
    let forbidden: Vec<&String> = deps
        .iter()
        .filter(|d| {
            d.starts_with("clawft-channel-")
                || [
                    "clawft-tools",
                    "clawft-wasm",
                    "clawft-skills",
                    "clawft-mcp",
                    "clawft-cli",
                ]
                .contains(&d.as_str())
        })
        .collect();
    assert!(
        forbidden.is_empty(),
        "clawft-core must not depend on {forbidden:?}"
    );
    assert!(deps.contains("clawft-plugin"));
}

#[test]
fn plugin_contract_has_no_runtime_and_no_clawft_deps() {
    let deps = dependency_closure("clawft-plugin");
    assert!(
        !deps.contains("tokio"),
        "clawft-plugin must not pull an async runtime: {deps:?}"
    );
    assert!(deps.iter().all(|d| !d.starts_with("clawft-")), "{deps:?}");
}
