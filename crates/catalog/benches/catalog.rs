#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "bench code"
)]
//! Time to load the built-in catalog (every command that reads the catalog pays it) and to
//! import LiteLLM's full price map.

use std::collections::BTreeMap;
use std::hint::black_box;
use std::path::PathBuf;

use cloudfit_catalog::import::litellm::{self, ImportOptions};
use cloudfit_catalog::{Catalog, CatalogLoader};
use criterion::{criterion_group, criterion_main, Criterion};

fn snapshot() -> Option<String> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/litellm-model-prices-2026-07-24.json");
    std::fs::read_to_string(path).ok()
}

fn options() -> ImportOptions {
    ImportOptions {
        file_name: "litellm-model-prices-2026-07-24.json".into(),
        as_of: "2026-07-24".into(),
        providers: None,
        existing: BTreeMap::new(),
        replace_existing: true,
    }
}

fn bench(c: &mut Criterion) {
    c.bench_function("load built-in catalog", |b| {
        b.iter(|| black_box(Catalog::builtin().unwrap()))
    });
    let Some(json) = snapshot() else {
        println!("LiteLLM snapshot not found beside the repository; import benches skipped");
        return;
    };
    c.bench_function("import LiteLLM price map (1.5 MB)", |b| {
        b.iter(|| black_box(litellm::import(&json, &options()).unwrap()))
    });
    let report = litellm::import(&json, &options()).unwrap();
    c.bench_function("load built-in catalog + LiteLLM overlays", |b| {
        b.iter(|| {
            let mut loader = CatalogLoader::new();
            for p in &report.providers {
                loader = loader.overlay_text(p.file_name.clone(), p.toml.clone());
            }
            black_box(loader.load().unwrap())
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = bench
}
criterion_main!(benches);
