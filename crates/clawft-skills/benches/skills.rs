//! Skills benchmarks: full load of 1,000 skills across 4 layers, and hot-reload latency
//! (file written → new snapshot visible through the watcher).
//!
//! Run with `cargo bench -p clawft-skills`. Prints min / median / p99 / max per figure.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use clawft_skills::{SkillLayer, SkillLimits, SkillRegistry, SkillSource, SkillWatcher, discover};

const SKILLS: usize = 1_000;
const LOAD_RUNS: usize = 20;
const RELOAD_RUNS: usize = 30;

fn write_skill(root: &Path, name: &str, extra: &str) {
    let dir = root.join(name);
    std::fs::create_dir_all(&dir).expect("mkdir");
    let text = format!(
        "---\nname: {name}\ndescription: Benchmark skill {name} that does one realistic thing with a realistic description length.\n\
         metadata: {{\"openclaw\": {{\"emoji\": \"🧪\", \"requires\": {{\"bins\": [\"sh\"]}}}}}}\n{extra}---\n\n# {name}\n\n{}\n",
        "Step one. Step two. Use the tools carefully.\n".repeat(20)
    );
    std::fs::write(dir.join("SKILL.md"), text).expect("write");
}

fn stats(label: &str, mut samples: Vec<Duration>) {
    samples.sort();
    let pick = |q: f64| samples[((samples.len() as f64 - 1.0) * q).round() as usize];
    println!(
        "{label:<44} min {:>9.3} ms  median {:>9.3} ms  p99 {:>9.3} ms  max {:>9.3} ms  (n={})",
        ms(samples[0]),
        ms(pick(0.5)),
        ms(pick(0.99)),
        ms(samples[samples.len() - 1]),
        samples.len()
    );
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    let root = tempfile::tempdir().expect("tempdir");
    let layers = [
        (SkillLayer::Workspace, "workspace"),
        (SkillLayer::Managed, "managed"),
        (SkillLayer::Plugin, "plugin"),
        (SkillLayer::Bundled, "bundled"),
    ];
    let mut sources = Vec::new();
    for (i, (layer, dir)) in layers.iter().enumerate() {
        let layer_root = root.path().join(dir);
        for n in 0..SKILLS / layers.len() {
            // Every tenth name repeats across layers, so shadowing is exercised too.
            let name = if n % 10 == 0 {
                format!("shared-{n}")
            } else {
                format!("skill-{i}-{n}")
            };
            write_skill(&layer_root, &name, "");
        }
        sources.push(SkillSource::new(*layer, layer_root));
    }
    let limits = SkillLimits {
        max_skills_per_source: 1_000,
        max_candidates_per_root: 1_000,
        ..SkillLimits::default()
    };

    let mut loads = Vec::new();
    let mut loaded = 0;
    for _ in 0..LOAD_RUNS {
        let began = Instant::now();
        let report = discover(&sources, &limits);
        loads.push(began.elapsed());
        loaded = report.skills.len();
        assert!(report.errors.is_empty(), "{:?}", report.errors.first());
    }
    println!(
        "clawft-skills benchmarks ({SKILLS} SKILL.md files in 4 layers, {loaded} distinct after shadowing)"
    );
    stats("full load (discover + parse 1,000 files)", loads);

    let registry = Arc::new(SkillRegistry::new(sources.clone(), limits.clone()));
    let _watcher = SkillWatcher::start(registry.clone()).expect("watcher");
    std::thread::sleep(Duration::from_millis(300));
    let mut reloads = Vec::new();
    let ws = root.path().join("workspace");
    for i in 0..RELOAD_RUNS {
        let before = registry.version();
        let began = Instant::now();
        write_skill(&ws, &format!("hot-{i}"), "");
        while registry.version() == before {
            assert!(
                began.elapsed() < Duration::from_secs(10),
                "reload never happened"
            );
            std::thread::sleep(Duration::from_millis(1));
        }
        reloads.push(began.elapsed());
    }
    stats(
        "hot reload: write → new snapshot (incl. 250 ms debounce)",
        reloads,
    );
    println!("targets: full load < 50 ms; reload p99 < 500 ms (requirement: < 2 s)");
}
