//! Property tests for the decision maths (the properties listed in issue 2).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "test code"
)]

use cloudfit_decide::{
    ahp, smaa2, topsis, wsm, Criterion, CriterionKind, DecisionMatrix, Normalization,
    PairwiseMatrix, SmaaInput, SmaaOptions, WeightInfo, Weights,
};
use proptest::prelude::*;

fn kinds(n: usize) -> impl Strategy<Value = Vec<CriterionKind>> {
    prop::collection::vec(
        prop_oneof![Just(CriterionKind::Benefit), Just(CriterionKind::Cost)],
        n,
    )
}

/// (values, kinds): 2..7 alternatives × 1..5 criteria of values in [1, 100].
fn problem() -> impl Strategy<Value = (Vec<Vec<f64>>, Vec<CriterionKind>)> {
    (2usize..7, 1usize..5).prop_flat_map(|(m, k)| {
        (
            prop::collection::vec(prop::collection::vec(1.0f64..100.0, k), m),
            kinds(k),
        )
    })
}

fn build(values: Vec<Vec<f64>>, kinds: &[CriterionKind]) -> DecisionMatrix {
    let names = (0..values.len()).map(|i| format!("a{i}")).collect();
    let criteria = kinds
        .iter()
        .enumerate()
        .map(|(j, &k)| Criterion::new(format!("c{j}"), k))
        .collect();
    DecisionMatrix::new(names, criteria, values).unwrap()
}

fn weight_info(k: usize) -> impl Strategy<Value = WeightInfo> {
    prop_oneof![
        Just(WeightInfo::Uniform),
        Just(WeightInfo::Ordinal((0..k).map(|c| vec![c]).collect())),
        Just(WeightInfo::Ordinal(vec![(0..k).collect()])),
        Just(WeightInfo::Intervals(vec![(0.0, 1.0); k])),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn rank_acceptabilities_sum_to_one_both_ways(
        (values, kinds, info) in problem().prop_flat_map(|(v, k)| {
            let n = k.len();
            (Just(v), Just(k), weight_info(n))
        }),
        seed in any::<u64>(),
    ) {
        let m = build(values, &kinds);
        let n = m.n_alternatives();
        let input = SmaaInput::from_matrix(&m, info).unwrap();
        let r = smaa2(&input, &SmaaOptions { samples: 3000, seed }).unwrap();
        for row in &r.rank_acceptability {
            prop_assert!((row.iter().sum::<f64>() - 1.0).abs() < 1e-9, "{:?}", row);
        }
        for rank in 0..n {
            let col: f64 = r.rank_acceptability.iter().map(|row| row[rank]).sum();
            prop_assert!((col - 1.0).abs() < 1e-9, "rank {} sums to {}", rank + 1, col);
        }
    }

    #[test]
    fn scaling_a_benefit_column_keeps_topsis_and_wsm_rankings(
        (values, kinds) in problem(),
        factor in 0.01f64..100.0,
        raw_weights in prop::collection::vec(0.01f64..1.0, 5),
    ) {
        let k = kinds.len();
        let Some(j) = kinds.iter().position(|&c| c == CriterionKind::Benefit) else {
            return Ok(());
        };
        let mut scaled = values.clone();
        for row in &mut scaled {
            row[j] *= factor;
        }
        let a = build(values, &kinds);
        let b = build(scaled, &kinds);
        let w = Weights::normalize(&raw_weights[..k]).unwrap();
        let n = Normalization::Vector;
        prop_assert_eq!(topsis(&a, &w, n).unwrap().ranks, topsis(&b, &w, n).unwrap().ranks);
        prop_assert_eq!(wsm(&a, &w, n).unwrap().ranks, wsm(&b, &w, n).unwrap().ranks);
    }

    #[test]
    fn a_dominated_alternative_is_never_first(
        (values, kinds, info) in problem().prop_flat_map(|(v, k)| {
            let n = k.len();
            (Just(v), Just(k), weight_info(n))
        }),
        which in any::<prop::sample::Index>(),
        gaps in prop::collection::vec(0.1f64..10.0, 5),
        seed in any::<u64>(),
    ) {
        let mut values = values;
        let dominator = which.index(values.len());
        // A new alternative strictly worse than `dominator` on every criterion.
        let worse: Vec<f64> = values[dominator]
            .iter()
            .zip(&kinds)
            .zip(&gaps)
            .map(|((&x, kind), gap)| match kind {
                CriterionKind::Benefit => x - gap,
                CriterionKind::Cost => x + gap,
            })
            .collect();
        values.push(worse);
        let last = values.len() - 1;
        let m = build(values, &kinds);
        let input = SmaaInput::from_matrix(&m, info).unwrap();
        let r = smaa2(&input, &SmaaOptions { samples: 2000, seed }).unwrap();
        prop_assert_eq!(r.rank_acceptability[last][0], 0.0);
        prop_assert!(r.central_weights[last].is_none());
    }

    #[test]
    fn ahp_of_a_consistent_matrix_returns_its_weights(
        raw in prop::collection::vec(0.05f64..10.0, 1..15),
    ) {
        let sum: f64 = raw.iter().sum();
        let w: Vec<f64> = raw.iter().map(|x| x / sum).collect();
        let a = w.iter().map(|wi| w.iter().map(|wj| wi / wj).collect()).collect();
        let r = ahp(&PairwiseMatrix::new(a).unwrap());
        for (got, want) in r.weights.iter().zip(&w) {
            prop_assert!((got - want).abs() < 1e-9, "{:?} vs {:?}", r.weights, w);
        }
        prop_assert!(r.cr.abs() < 1e-9, "cr {}", r.cr);
        prop_assert!((r.lambda_max - w.len() as f64).abs() < 1e-9);
        prop_assert!(r.consistent);
    }
}

#[test]
fn smaa_is_deterministic_for_a_seed_whatever_the_thread_count() {
    let values: Vec<Vec<f64>> = (0..8)
        .map(|i| (0..4).map(|j| ((i * 7 + j * 3) % 11) as f64).collect())
        .collect();
    let m = build(
        values,
        &[
            CriterionKind::Benefit,
            CriterionKind::Cost,
            CriterionKind::Benefit,
            CriterionKind::Benefit,
        ],
    );
    let input = SmaaInput::from_matrix(&m, WeightInfo::Uniform).unwrap();
    let options = SmaaOptions {
        samples: 50_000,
        seed: 5,
    };
    let run = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| smaa2(&input, &options).unwrap())
    };
    let one = run(1);
    assert_eq!(one, run(2));
    assert_eq!(one, run(5));
    let other_seed = smaa2(
        &input,
        &SmaaOptions {
            samples: 50_000,
            seed: 6,
        },
    )
    .unwrap();
    assert_ne!(one.rank_acceptability, other_seed.rank_acceptability);
}
