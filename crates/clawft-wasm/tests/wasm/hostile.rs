//! Hostile guests written in WAT and componentised at test time: runaway loops, memory
//! bombs, oversized and malformed components. The host must stop each with a clear
//! message and keep serving.

use std::path::Path;
use std::time::{Duration, Instant};

use clawft_plugin::{Manifest, ManifestFormat};
use clawft_wasm::{LoadedPlugin, PluginGrants, WasmError, WasmHost, WasmLimits};
use serde_json::json;

use crate::support::{call, host_with};

/// The tools of the hostile guest; `execute-tool` dispatches on the first letter.
const TOOLS: &[&str] = &["spin", "grow", "ok"];

/// A component implementing `clawft:plugin/plugin` whose `execute-tool` spins (`s...`),
/// grows memory forever (`g...`) or returns `fine`; `describe` spins too when
/// `describe_spins`. `padding` bytes of incompressible data bloat the binary.
pub fn hostile_component(describe_spins: bool, padding: usize) -> Vec<u8> {
    let mut data = String::new();
    let mut table = Vec::new();
    let mut offset = 64u32;
    let mut put = |text: &str, data: &mut String| {
        let at = offset;
        data.push_str(&format!(
            "(data (i32.const {at}) \"{}\")\n",
            text.replace('"', "\\\"")
        ));
        offset += text.len() as u32 + 8;
        (at, text.len() as u32)
    };
    let name = put("hostile", &mut data);
    let version = put("0.1.0", &mut data);
    let fine = put("fine", &mut data);
    for tool in TOOLS {
        let n = put(tool, &mut data);
        let d = put("hostile test tool", &mut data);
        let s = put(r#"{"type":"object"}"#, &mut data);
        table.extend([n.0, n.1, d.0, d.1, s.0, s.1]);
    }
    let table_at = 2048u32;
    let table_bytes: String = table
        .iter()
        .flat_map(|v| v.to_le_bytes())
        .map(|b| format!("\\{b:02x}"))
        .collect();
    data.push_str(&format!(
        "(data (i32.const {table_at}) \"{table_bytes}\")\n"
    ));
    if padding > 0 {
        let mut x: u32 = 0x9e37_79b9;
        let noise: String = (0..padding)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                format!("\\{:02x}", x as u8)
            })
            .collect();
        data.push_str(&format!("(data (i32.const 65536) \"{noise}\")\n"));
    }
    let pages = 2 + padding / 65536;
    let spin_describe = if describe_spins {
        "(loop $l (br $l))"
    } else {
        ""
    };
    let wat = format!(
        r#"(module
  (memory (export "memory") {pages})
  (global $heap (mut i32) (i32.const {heap}))
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32)
    (local $p i32)
    (local.set $p (i32.and (i32.add (global.get $heap) (i32.sub (local.get 2) (i32.const 1)))
                           (i32.xor (i32.sub (local.get 2) (i32.const 1)) (i32.const -1))))
    (global.set $heap (i32.add (local.get $p) (local.get 3)))
    (if (i32.gt_u (global.get $heap) (i32.mul (memory.size) (i32.const 65536)))
      (then (drop (memory.grow (i32.const 1)))))
    (local.get $p))
  (func (export "describe") (result i32)
    {spin_describe}
    (i32.store (i32.const 1024) (i32.const {name_at}))
    (i32.store (i32.const 1028) (i32.const {name_len}))
    (i32.store (i32.const 1032) (i32.const {ver_at}))
    (i32.store (i32.const 1036) (i32.const {ver_len}))
    (i32.store (i32.const 1040) (i32.const {table_at}))
    (i32.store (i32.const 1044) (i32.const {tools}))
    (i32.const 1024))
  (func (export "execute-tool") (param i32 i32 i32 i32) (result i32)
    (if (i32.eq (i32.load8_u (local.get 0)) (i32.const 115))
      (then (loop $l (br $l))))
    (if (i32.eq (i32.load8_u (local.get 0)) (i32.const 103))
      (then (loop $l (drop (memory.grow (i32.const 16))) (br $l))))
    (i32.store8 (i32.const 1100) (i32.const 0))
    (i32.store (i32.const 1104) (i32.const {fine_at}))
    (i32.store (i32.const 1108) (i32.const {fine_len}))
    (i32.const 1100))
  {data}
)"#,
        heap = 65536 * pages,
        name_at = name.0,
        name_len = name.1,
        ver_at = version.0,
        ver_len = version.1,
        fine_at = fine.0,
        fine_len = fine.1,
        tools = TOOLS.len(),
    );
    componentize(&wat)
}

/// Embed the `clawft:plugin/plugin` world into a core module and make it a component.
pub fn componentize(wat: &str) -> Vec<u8> {
    let mut module = wat::parse_str(wat).expect("valid WAT");
    let mut resolve = wit_parser::Resolve::default();
    let wit = Path::new(env!("CARGO_MANIFEST_DIR")).join("wit/since_v0.1.0");
    let (pkg, _) = resolve.push_dir(&wit).expect("parse WIT");
    let world = resolve.select_world(&[pkg], Some("plugin")).expect("world");
    wit_component::embed_component_metadata(
        &mut module,
        &resolve,
        world,
        wit_component::StringEncoding::UTF8,
    )
    .expect("embed");
    wit_component::ComponentEncoder::default()
        .module(&module)
        .expect("module")
        .validate(true)
        .encode()
        .expect("encode component")
}

pub fn hostile_manifest(tools: &[&str]) -> Manifest {
    let doc = json!({
        "schema_version": 1, "id": "hostile", "name": "hostile", "version": "0.1.0",
        "capabilities": {"tools": tools},
        "entry": {"wasm": "hostile.wasm"}
    });
    Manifest::parse(&doc.to_string(), ManifestFormat::Json).expect("manifest")
}

pub async fn load_hostile(host: &WasmHost, bytes: Vec<u8>) -> Result<LoadedPlugin, WasmError> {
    clawft_wasm::load_component(
        hostile_manifest(TOOLS),
        Path::new("."),
        bytes,
        Path::new("hostile.wasm"),
        host,
        PluginGrants::default(),
    )
    .await
}

fn limits(fuel: u64, deadline_ms: u64) -> WasmLimits {
    WasmLimits {
        fuel_per_call: fuel,
        deadline_ms,
        ..WasmLimits::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn infinite_loop_is_stopped_by_fuel_and_the_host_keeps_serving() {
    let host = host_with(limits(5_000_000, 60_000));
    let plugin = load_hostile(&host, hostile_component(false, 0))
        .await
        .expect("load");
    let ws = Path::new(".");
    let out = call(&plugin, "spin", json!({}), ws).await;
    assert!(out.is_error);
    assert!(
        out.content
            .contains("plugin `hostile` ran out of fuel (limit 5000000"),
        "{}",
        out.content
    );
    let out = call(&plugin, "ok", json!({}), ws).await;
    assert_eq!((out.is_error, out.content.as_str()), (false, "fine"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn infinite_loop_is_stopped_by_the_wall_clock() {
    let host = host_with(limits(u64::MAX / 4, 300));
    let plugin = load_hostile(&host, hostile_component(false, 0))
        .await
        .expect("load");
    let started = Instant::now();
    let out = call(&plugin, "spin", json!({}), Path::new(".")).await;
    let took = started.elapsed();
    assert!(out.is_error);
    assert!(
        out.content.contains("exceeded its deadline of 300 ms"),
        "{}",
        out.content
    );
    assert!(
        took >= Duration::from_millis(300) && took < Duration::from_secs(3),
        "{took:?}"
    );
    let out = call(&plugin, "ok", json!({}), Path::new(".")).await;
    assert_eq!(
        out.content, "fine",
        "limits reset per call: the next call gets a fresh deadline"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memory_bomb_is_refused_by_the_limiter() {
    let host = host_with(WasmLimits {
        memory_bytes: 4 * 1024 * 1024,
        ..WasmLimits::default()
    });
    let plugin = load_hostile(&host, hostile_component(false, 0))
        .await
        .expect("load");
    let out = call(&plugin, "grow", json!({}), Path::new(".")).await;
    assert!(out.is_error);
    assert!(
        out.content
            .contains("exceeded its memory limit of 4194304 bytes"),
        "{}",
        out.content
    );
    assert_eq!(
        call(&plugin, "ok", json!({}), Path::new(".")).await.content,
        "fine"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_describe_that_never_returns_fails_the_load_with_the_limit() {
    let host = host_with(limits(2_000_000, 60_000));
    let err = load_hostile(&host, hostile_component(true, 0))
        .await
        .unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, WasmError::Describe { .. }), "{msg}");
    assert!(
        msg.contains("`describe` failed") && msg.contains("ran out of fuel"),
        "{msg}"
    );
}

#[tokio::test]
async fn oversized_components_are_refused_with_both_numbers() {
    let host = host_with(WasmLimits::default());
    // Over the raw limit.
    let big = hostile_component(false, 310_000);
    let err = load_hostile(&host, big.clone()).await.unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, WasmError::TooLarge { .. }), "{msg}");
    assert!(msg.contains(&format!("{} bytes", big.len())), "{msg}");
    assert!(
        msg.contains("300000 bytes and 120000 bytes gzipped"),
        "{msg}"
    );
    assert!(msg.contains("bytes gzipped"), "{msg}");
    // Under the raw limit, over the gzip limit.
    let dense = hostile_component(false, 200_000);
    assert!(dense.len() < 300_000);
    let err = load_hostile(&host, dense).await.unwrap_err();
    assert!(
        matches!(err, WasmError::TooLarge { gzipped, .. } if gzipped > 120_000),
        "{err}"
    );
}

#[tokio::test]
async fn non_components_and_wrong_worlds_are_refused_clearly() {
    let host = host_with(WasmLimits::default());
    let core = wat::parse_str("(module)").unwrap();
    let err = load_hostile(&host, core).await.unwrap_err();
    assert!(matches!(err, WasmError::Compile { .. }), "{err}");
    assert!(err.to_string().contains("wasm32-wasip2"), "{err}");

    let empty_component = wat::parse_str("(component)").unwrap();
    let err = load_hostile(&host, empty_component).await.unwrap_err();
    assert!(matches!(err, WasmError::Link { .. }), "{err}");
    assert!(err.to_string().contains("0.1.0"), "{err}");
}

#[tokio::test]
async fn undeclared_tools_are_refused() {
    let host = host_with(WasmLimits::default());
    let err = clawft_wasm::load_component(
        hostile_manifest(&["spin", "ok"]),
        Path::new("."),
        hostile_component(false, 0),
        Path::new("hostile.wasm"),
        &host,
        PluginGrants::default(),
    )
    .await
    .unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("tool `grow`") && msg.contains("capabilities.tools"),
        "{msg}"
    );
}
