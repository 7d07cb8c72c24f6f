//! Test data shared by the report tests: hand-made values and the example profiles, ranked.

use std::path::PathBuf;

use cloudfit_advise::{
    assess, catalog_as_of, rank, Advice, Criterion, CriterionValue, Evidence, Measurements,
    Profile, RankOptions,
};
use cloudfit_catalog::Catalog;

pub fn value(criterion: Criterion, x: f64, unknown: bool, evidence: bool) -> CriterionValue {
    CriterionValue {
        criterion,
        value: x,
        unknown,
        range: unknown.then_some((x / 2.0, x)),
        unit: "USD/month".to_owned(),
        evidence: if evidence {
            vec![Evidence::derived("a fact", "a source")]
        } else {
            Vec::new()
        },
        note: String::new(),
        unknowns: Vec::new(),
    }
}

/// Every example profile, assessed and ranked against the built-in catalog.
pub fn examples() -> Vec<(String, Profile, Advice)> {
    let catalog = Catalog::builtin().unwrap();
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/profiles");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    paths.sort();
    assert_eq!(paths.len(), 5);
    paths
        .into_iter()
        .map(|path| {
            let profile = Profile::load(&path).unwrap();
            let as_of = profile.as_of.or_else(|| catalog_as_of(&catalog)).unwrap();
            let a = assess(&catalog, &profile, &Measurements::default(), as_of).unwrap();
            let options = RankOptions {
                samples: 300,
                ..RankOptions::default()
            };
            let advice = rank(a, &profile, options).unwrap();
            (path.display().to_string(), profile, advice)
        })
        .collect()
}
