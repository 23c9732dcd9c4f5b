use super::*;

const VALID_JSON: &str = r#"{
  "schema_version": 1,
  "id": "weather",
  "name": "Weather",
  "version": "0.2.0",
  "description": "Forecasts",
  "capabilities": {"tools": ["forecast", "alerts"]},
  "entry": {"wasm": "weather.wasm"},
  "dependencies": {"clawft": ">=0.1", "plugins": {"geo": "^1.2"}},
  "permissions": {
    "filesystem": [{"path": "$WORKSPACE/cache", "write": true}],
    "network": ["api.open-meteo.com", "*.weather.gov"],
    "env": ["WEATHER_UNITS"]
  },
  "skills": ["skills"],
  "config_schema": {"type": "object", "properties": {"units": {"type": "string"}}}
}"#;

const VALID_YAML: &str = r#"
schema_version: 1
id: weather
name: Weather
version: 0.2.0
description: Forecasts
capabilities:
  tools: [forecast, alerts]
entry:
  wasm: weather.wasm
dependencies:
  clawft: ">=0.1"
  plugins:
    geo: ^1.2
permissions:
  filesystem:
    - path: $WORKSPACE/cache
      write: true
  network: [api.open-meteo.com, "*.weather.gov"]
  env: [WEATHER_UNITS]
skills: [skills]
config_schema:
  type: object
  properties:
    units: {type: string}
"#;

fn problems(json: &str) -> Vec<String> {
    match Manifest::parse(json, ManifestFormat::Json) {
        Err(ManifestError::Invalid(p)) => p.iter().map(ToString::to_string).collect(),
        other => panic!("expected validation problems, got {other:?}"),
    }
}

#[test]
fn json_and_yaml_give_the_same_manifest() {
    let json = Manifest::parse(VALID_JSON, ManifestFormat::Json).unwrap();
    let yaml = Manifest::parse(VALID_YAML, ManifestFormat::Yaml).unwrap();
    assert_eq!(json, yaml);
    assert_eq!(json.entry, Entry::Wasm("weather.wasm".into()));
    assert_eq!(json.capabilities.tools, ["forecast", "alerts"]);
    assert!(json.permissions.allows_host("x.weather.gov"));
    assert!(json.permissions.filesystem[0].write);
    assert!(json.dependencies.plugins["geo"].matches(&semver::Version::new(1, 3, 0)));
    assert!(
        json.permissions.is_sensitive(),
        "env vars need confirmation"
    );
}

#[test]
fn every_problem_is_reported_with_its_path() {
    let doc = r#"{
      "schema_version": 1, "id": "Bad Id", "name": "", "version": "one",
      "entry": {"wasm": "/abs/plugin.wasm"},
      "permissions": {"network": ["ok.com", "fine.org", "*."], "env": ["1BAD"], "exec": "yes",
                      "filesystem": [{"path": "../up"}]},
      "capabilities": {"tools": ["has space"]},
      "skills": ["../escape"],
      "dependencies": {"plugins": {"geo": "not a range"}},
      "permisions": {}
    }"#;
    let got = problems(doc);
    let expect = [
        "id: `Bad Id` is not a valid plugin id",
        "name: must not be empty",
        "version: `one` is not a semantic version",
        "entry.wasm: `/abs/plugin.wasm` must be relative",
        "permissions.network[2]: \"*.\": not a host pattern",
        "permissions.env[0]: `1BAD` is not an environment variable name",
        "permissions.exec: expected true or false, found a string",
        "permissions.filesystem[0].path: `../up` must not contain `..`",
        "capabilities.tools[0]: `has space` is not a valid name",
        "skills[0]: `../escape` must stay inside the plugin directory",
        "dependencies.plugins.geo: `not a range` is not a version range",
        "permisions: unknown field; did you mean `permissions`?",
    ];
    for want in expect {
        assert!(
            got.iter().any(|p| p.starts_with(want)),
            "missing `{want}` in {got:#?}"
        );
    }
    assert_eq!(
        got.len(),
        expect.len(),
        "unexpected extra problems: {got:#?}"
    );
}

#[test]
fn unknown_schema_version_is_refused_with_an_explanation() {
    let got = problems(r#"{"schema_version": 7, "id": "x"}"#);
    assert_eq!(got.len(), 1);
    assert!(got[0].contains("unsupported schema version 7"), "{got:?}");
    assert!(got[0].contains("understands 1"), "{got:?}");
}

#[test]
fn missing_required_fields_are_listed() {
    let got = problems(r#"{"schema_version": 1}"#);
    for field in ["id", "name", "version", "entry"] {
        assert!(
            got.iter()
                .any(|p| p.starts_with(&format!("{field}: missing"))),
            "{field}: {got:?}"
        );
    }
}

#[test]
fn entry_needs_exactly_one_kind() {
    let got = problems(
        r#"{"schema_version":1,"id":"a","name":"A","version":"1.0.0","entry":{"wasm":"a.wasm","native":"x"}}"#,
    );
    assert_eq!(
        got,
        [
            "entry: give exactly one of `wasm` (path to a .wasm component) or `native` (a Cargo feature)"
        ]
    );
}

#[test]
fn syntax_errors_carry_the_line() {
    let err =
        Manifest::parse("schema_version: 1\nid: [unclosed\n", ManifestFormat::Yaml).unwrap_err();
    let text = err.to_string();
    assert!(text.contains("not valid YAML at line"), "{text}");
    let err = Manifest::parse("{\n\"id\": }", ManifestFormat::Json).unwrap_err();
    assert!(err.to_string().contains("line 2"), "{err}");
}

#[test]
fn native_entry_and_defaults() {
    let m = Manifest::parse(
        r#"{"schema_version":1,"id":"telegram","name":"Telegram","version":"1.0.0","entry":{"native":"channel-telegram"}}"#,
        ManifestFormat::Json,
    )
    .unwrap();
    assert_eq!(m.entry, Entry::Native("channel-telegram".into()));
    assert_eq!(m.permissions, Permissions::default());
    assert!(m.skills.is_empty());
}

#[test]
fn finds_manifest_file_in_directory() {
    let dir = std::env::temp_dir().join(format!("clawft-manifest-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    assert!(matches!(
        Manifest::find_in(&dir),
        Err(ManifestError::Missing(_))
    ));
    std::fs::write(dir.join("clawft.plugin.yaml"), VALID_YAML).unwrap();
    let path = Manifest::find_in(&dir).unwrap();
    assert_eq!(Manifest::from_file(&path).unwrap().id, "weather");
    std::fs::remove_dir_all(&dir).unwrap();
}
