//! Every published case in `tests/data/mcda.json` (a copy of the project's shared test vectors,
//! see `tests/data/README.md`) through the library, at the case's tolerance.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "test code"
)]

use cloudfit_decide::{
    ahp, rank, smaa2, Criterion, CriterionKind, DecisionMatrix, Method, Normalization,
    PairwiseMatrix, Preference, SmaaInput, SmaaOptions, WeightInfo, WeightSampler, Weights,
};
use rand::SeedableRng;
use serde_json::Value;

fn cases() -> Vec<Value> {
    let text = include_str!("data/mcda.json");
    let doc: Value = serde_json::from_str(text).unwrap();
    doc["cases"].as_array().unwrap().clone()
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

fn check(id: &str, what: &str, got: &[f64], expect: &[f64], tol: f64) {
    assert_eq!(got.len(), expect.len(), "{id} {what}");
    for (g, e) in got.iter().zip(expect) {
        assert!(
            (g - e).abs() <= tol,
            "{id} {what}: got {got:?}, expected {expect:?} within {tol}"
        );
    }
}

fn matrix(case: &Value) -> DecisionMatrix {
    let rows: Vec<Vec<f64>> = case["matrix"]
        .as_array()
        .unwrap()
        .iter()
        .map(floats)
        .collect();
    let names = (0..rows.len()).map(|i| format!("a{i}")).collect();
    let criteria = case["types"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
        .map(|(j, t)| {
            let kind = match t.as_str().unwrap() {
                "max" => CriterionKind::Benefit,
                "min" => CriterionKind::Cost,
                other => panic!("type {other}"),
            };
            Criterion::new(format!("c{j}"), kind)
        })
        .collect();
    DecisionMatrix::new(names, criteria, rows).unwrap()
}

fn fraction(s: &str) -> f64 {
    match s.split_once('/') {
        Some((a, b)) => a.parse::<f64>().unwrap() / b.parse::<f64>().unwrap(),
        None => s.parse().unwrap(),
    }
}

fn run_deterministic(case: &Value, id: &str, tol: f64) {
    let m = matrix(case);
    let raw = floats(&case["weights"]);
    let w = Weights::for_matrix(&m, &raw).unwrap();
    let norm = |c: &Value| Normalization::from_name(c["normalization"].as_str().unwrap()).unwrap();
    let method = match case["method"].as_str().unwrap() {
        "topsis" => Method::Topsis(norm(case)),
        "wsm" => Method::Wsm(norm(case)),
        "vikor" => Method::Vikor {
            v: case["v"].as_f64().unwrap(),
        },
        "promethee2" => {
            assert_eq!(case["preference"], "usual");
            Method::Promethee2(vec![Preference::Usual; m.n_criteria()])
        }
        other => panic!("{id}: method {other}"),
    };
    let r = rank(&m, &w, &method).unwrap();
    let expected = &case["expected"];
    if let Some(score) = expected.get("score") {
        let mut scores = r.scores.clone();
        if id == "wsm-pymcdm-sum" {
            // The source's weights sum to 2 and are used as given; ours are normalised to 1
            // (the case's note): compare our scores times the source's weight sum.
            let sum: f64 = raw.iter().sum();
            assert!(w.rescaled());
            scores.iter_mut().for_each(|s| *s *= sum);
        }
        check(id, "score", &scores, &floats(score), tol);
    }
    if let Some(ranks) = expected.get("rank") {
        let want: Vec<usize> = floats(ranks).iter().map(|&x| x as usize).collect();
        assert_eq!(r.ranks, want, "{id} rank");
    }
    if let Some(net) = expected.get("net_flow") {
        check(id, "net_flow", &r.scores, &floats(net), tol);
    }
    if let cloudfit_decide::Detail::Vikor(d) = &r.detail {
        check(id, "s", &d.s, &floats(&expected["s"]), tol);
        check(id, "r", &d.r, &floats(&expected["r"]), tol);
        check(id, "q", &d.q, &floats(&expected["q"]), tol);
        assert_eq!(r.scores, d.q);
    }
}

fn run_ahp(case: &Value, id: &str, tol: f64) {
    let names: Vec<&str> = case["criteria"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    let n = names.len();
    let upper: Vec<Vec<f64>> = (0..n)
        .map(|i| {
            (i + 1..n)
                .map(|j| fraction(case["upper_triangle"][names[i]][names[j]].as_str().unwrap()))
                .collect()
        })
        .collect();
    let r = ahp(&PairwiseMatrix::from_upper(n, &upper).unwrap());
    let e = &case["expected"];
    check(id, "weights", &r.weights, &floats(&e["weights"]), tol);
    check(
        id,
        "lambda_max",
        &[r.lambda_max],
        &[e["lambda_max"].as_f64().unwrap()],
        tol,
    );
    check(
        id,
        "cr",
        &[r.cr],
        &[e["cr_saaty_ri"].as_f64().unwrap()],
        tol,
    );
    assert!(r.consistent, "{id}: CR below 0.1");
}

fn run_smaa(case: &Value, id: &str) {
    // "within 0.01 at 100000 samples"
    let m = matrix(case);
    let input = SmaaInput::from_matrix(&m, WeightInfo::Uniform).unwrap();
    let r = smaa2(
        &input,
        &SmaaOptions {
            samples: 100_000,
            seed: 2024,
        },
    )
    .unwrap();
    let e = &case["expected"];
    check(
        id,
        "b1",
        &r.first_rank(),
        &floats(&e["first_rank_acceptability"]),
        0.01,
    );
    let cw = r.central_weights[0].clone().unwrap();
    check(
        id,
        "central weights",
        &cw,
        &floats(&e["central_weights_of_first"]),
        0.01,
    );
    let conf: Vec<f64> = r.confidence.iter().map(|c| c.unwrap()).collect();
    check(id, "confidence", &conf, &floats(&e["confidence"]), 0.01);
}

fn run_sampler(case: &Value, id: &str) {
    // "within 0.005 at 100000 samples"
    for (key, n) in [("mean_n3", 3), ("mean_n4", 4), ("mean_n6", 6)] {
        let order = (0..n).map(|c| vec![c]).collect();
        let sampler = WeightSampler::new(&WeightInfo::Ordinal(order), n).unwrap();
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
        let mut mean = vec![0.0; n];
        let samples = 100_000;
        for _ in 0..samples {
            for (m, w) in mean.iter_mut().zip(sampler.sample(&mut rng).unwrap()) {
                *m += w / samples as f64;
            }
        }
        check(id, key, &mean, &floats(&case["expected"][key]), 0.005);
    }
}

#[test]
fn every_published_case_passes() {
    let cases = cases();
    assert_eq!(cases.len(), 9, "a new case needs a runner here");
    for case in &cases {
        let id = case["id"].as_str().unwrap();
        let tol = case["tolerance"].as_f64();
        match case["method"].as_str().unwrap() {
            "ahp" => run_ahp(case, id, tol.unwrap()),
            "smaa" => run_smaa(case, id),
            "weight-sampler" => run_sampler(case, id),
            _ => run_deterministic(case, id, tol.unwrap()),
        }
    }
}

#[test]
fn random_index_matches_the_published_table() {
    let doc: Value = serde_json::from_str(include_str!("data/mcda.json")).unwrap();
    let table = &doc["random_index_saaty"];
    for (n, ri) in floats(&table["n"]).iter().zip(floats(&table["ri"])) {
        assert_eq!(cloudfit_decide::random_index(*n as usize), Some(ri));
    }
}
