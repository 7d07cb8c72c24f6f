//! Criterion benchmarks: SMAA-2 with 1,000,000 weight samples on 20 alternatives × 6 criteria,
//! and TOPSIS on 10,000 alternatives × 50 criteria. Run: `cargo bench -p cloudfit-decide`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "bench code"
)]

use std::hint::black_box;

use cloudfit_decide::{
    smaa2, topsis, Criterion, CriterionKind, DecisionMatrix, Normalization, SmaaInput, SmaaOptions,
    Value, WeightInfo, Weights,
};
use criterion::{criterion_group, criterion_main, Criterion as Bench};

/// A deterministic pseudo-random matrix (a simple LCG; no RNG dependency needed here).
fn matrix(m: usize, k: usize) -> DecisionMatrix {
    let mut state: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        1.0 + (state >> 11) as f64 / (1u64 << 53) as f64 * 99.0
    };
    let values = (0..m).map(|_| (0..k).map(|_| next()).collect()).collect();
    let names = (0..m).map(|i| format!("a{i}")).collect();
    let criteria = (0..k)
        .map(|j| {
            let kind = if j % 3 == 0 {
                CriterionKind::Cost
            } else {
                CriterionKind::Benefit
            };
            Criterion::new(format!("c{j}"), kind)
        })
        .collect();
    DecisionMatrix::new(names, criteria, values).unwrap()
}

fn smaa(c: &mut Bench) {
    let m = matrix(20, 6);
    let options = SmaaOptions {
        samples: 1_000_000,
        seed: 42,
    };
    let mut group = c.benchmark_group("smaa2");
    group.sample_size(10);
    let exact = SmaaInput::from_matrix(&m, WeightInfo::Uniform).unwrap();
    group.bench_function("1M samples, 20x6, uniform weights, exact values", |b| {
        b.iter(|| black_box(smaa2(black_box(&exact), &options).unwrap()))
    });
    let ordinal = SmaaInput::from_matrix(
        &m,
        WeightInfo::Ordinal(vec![vec![0], vec![1, 2], vec![3], vec![4], vec![5]]),
    )
    .unwrap();
    group.bench_function("1M samples, 20x6, ordinal weights, exact values", |b| {
        b.iter(|| black_box(smaa2(black_box(&ordinal), &options).unwrap()))
    });
    let values = m
        .values()
        .iter()
        .map(|row| row.iter().map(|&x| Value::Normal(x, x * 0.1)).collect())
        .collect();
    let uncertain = SmaaInput::new(
        m.alternatives().to_vec(),
        m.criteria().to_vec(),
        values,
        WeightInfo::Uniform,
    )
    .unwrap();
    let options_100k = SmaaOptions {
        samples: 100_000,
        seed: 42,
    };
    group.bench_function("100k samples, 20x6, uniform weights, normal values", |b| {
        b.iter(|| black_box(smaa2(black_box(&uncertain), &options_100k).unwrap()))
    });
    group.finish();
}

fn topsis_large(c: &mut Bench) {
    let m = matrix(10_000, 50);
    let w = Weights::equal(50).unwrap();
    let mut group = c.benchmark_group("topsis");
    group.sample_size(20);
    group.bench_function("10000x50, vector normalisation", |b| {
        b.iter(|| black_box(topsis(black_box(&m), &w, Normalization::Vector).unwrap()))
    });
    group.finish();
}

criterion_group!(benches, smaa, topsis_large);
criterion_main!(benches);
