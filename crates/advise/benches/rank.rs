//! `rank` end to end on the example profiles and the built-in catalog: assessment, TOPSIS,
//! SMAA-2 first-rank shares and the questions (one SMAA pair per unknown fact).

use std::path::PathBuf;

use cloudfit_advise::{assess, catalog_as_of, rank, Measurements, Profile, RankOptions};
use cloudfit_catalog::Catalog;
use criterion::{criterion_group, criterion_main, Criterion};

fn bench(c: &mut Criterion) {
    let Ok(catalog) = Catalog::builtin() else {
        return;
    };
    let Some(as_of) = catalog_as_of(&catalog) else {
        return;
    };
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/profiles");
    let mut group = c.benchmark_group("rank");
    group.sample_size(10);
    for name in ["sme-retailer", "bank", "ai-native-startup"] {
        let Ok(profile) = Profile::load(&dir.join(format!("{name}.toml"))) else {
            continue;
        };
        group.bench_function(name, |b| {
            b.iter(|| {
                let a = assess(&catalog, &profile, &Measurements::default(), as_of).ok();
                a.and_then(|a| rank(a, &profile, RankOptions::default()).ok())
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
