//! The build's stages, timed one by one with criterion: load, resolve, verify, render (without
//! the search index, which `scripts/bench.sh` times as part of whole builds).
//!
//! By default they run on the repository's own brief. Point `CASEFILE_BENCH_BRIEF` at a
//! generated corpus to time a large one:
//!
//! ```sh
//! cargo run --release --example gen_corpus -- --notes 1000 --sources 100 --out /dev/shm/corpus1k
//! CASEFILE_BENCH_BRIEF=/dev/shm/corpus1k cargo bench --bench stages
//! ```

use std::path::PathBuf;

use casefile::config::Config;
use casefile::diagnostic::Diagnostics;
use casefile::render::templates::Engine;
use casefile::render::{Selection, render_selected};
use criterion::{Criterion, criterion_group, criterion_main};

fn brief_root() -> PathBuf {
    std::env::var_os("CASEFILE_BENCH_BRIEF")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")))
}

fn config(root: &std::path::Path) -> Config {
    let text = std::fs::read_to_string(root.join("casefile.yaml")).ok();
    Config::load(root, text.as_deref()).unwrap_or_default()
}

fn stages(c: &mut Criterion) {
    let root = brief_root();
    let mut group = c.benchmark_group("stages");
    group.sample_size(10);

    group.bench_function("load", |b| {
        b.iter(|| casefile::load::load(&root, false, &mut Diagnostics::new()))
    });
    let loaded = casefile::load::load(&root, false, &mut Diagnostics::new());
    group.bench_function("resolve", |b| {
        b.iter(|| casefile::resolve::resolve(config(&root), &loaded, &mut Diagnostics::new()))
    });
    let brief = casefile::resolve::resolve(config(&root), &loaded, &mut Diagnostics::new());
    group.bench_function("verify", |b| {
        b.iter(|| casefile::verify::verify(&brief, &mut Diagnostics::new()))
    });
    let evidence = casefile::verify::verify(&brief, &mut Diagnostics::new());
    let engine = Engine::load(&root, &brief.config.theme).expect("the theme loads");
    let selection = Selection {
        only_notes: None,
        skip_search: true,
    };
    group.bench_function("render (no search index)", |b| {
        b.iter(|| render_selected(&brief, &evidence, &engine, selection).expect("the site renders"))
    });
    group.finish();
}

criterion_group!(benches, stages);
criterion_main!(benches);
