//! The decision commands (`mcda`, `ahp`, `smaa`) through the built binary: every published test
//! vector via `--format json`, the input errors (exit 2 with file, line and column), and the
//! README's first command.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "test code"
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

/// The published vectors, shared with the library's tests (see crates/decide/tests/data/README.md).
const VECTORS: &str = include_str!("../../decide/tests/data/mcda.json");

fn cloudfit(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cloudfit"))
        .args(args)
        .output()
        .unwrap()
}

/// Runs and parses stdout as JSON; fails with stderr if the command failed.
fn json(args: &[&str]) -> Value {
    let out = cloudfit(args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{args:?} failed: {stderr}");
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Runs expecting exit 2; returns stderr.
fn bad_input(args: &[&str]) -> String {
    let out = cloudfit(args);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
    assert!(out.stdout.is_empty());
    stderr
}

struct Files {
    dir: tempfile::TempDir,
}

impl Files {
    fn new() -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path
    }
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
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

fn joined(v: &Value) -> String {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| match x {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// A decision matrix CSV with criteria c0.. and alternatives a0.., as the vectors number them.
fn matrix_csv(matrix: &Value) -> String {
    let rows = matrix.as_array().unwrap();
    let k = rows[0].as_array().unwrap().len();
    let mut text = String::from("name");
    for j in 0..k {
        text.push_str(&format!(",c{j}"));
    }
    text.push('\n');
    for (i, row) in rows.iter().enumerate() {
        text.push_str(&format!("a{i},{}\n", joined(row)));
    }
    text
}

fn alternatives_field(out: &Value, field: &str) -> Vec<f64> {
    out["alternatives"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a[field].as_f64().unwrap())
        .collect()
}

fn deterministic_case(files: &Files, case: &Value, id: &str, tol: f64) {
    let path = files.write(&format!("{id}.csv"), &matrix_csv(&case["matrix"]));
    let types = joined(&case["types"]);
    let weights = joined(&case["weights"]);
    let method = case["method"].as_str().unwrap();
    let mut args = vec![
        "mcda",
        "--matrix",
        s(&path),
        "--types",
        &types,
        "--weights",
        &weights,
        "--method",
        method,
        "--format",
        "json",
    ];
    let v;
    if let Some(n) = case["normalization"].as_str() {
        args.extend(["--normalization", n]);
    }
    if let Some(x) = case["v"].as_f64() {
        v = x.to_string();
        args.extend(["--v", &v]);
    }
    if let Some(p) = case["preference"].as_str() {
        args.extend(["--preference", p]);
    }
    let out = json(&args);
    assert_eq!(out["method"], method, "{id}");
    let names: Vec<&str> = out["alternatives"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    let expected_names: Vec<String> = (0..names.len()).map(|i| format!("a{i}")).collect();
    assert_eq!(names, expected_names, "{id}: alternatives in input order");
    let e = &case["expected"];
    if let Some(score) = e.get("score") {
        let mut got = alternatives_field(&out, "score");
        if id == "wsm-pymcdm-sum" {
            // Source weights sum to 2 and are not normalised there; ours are (see the note).
            assert_eq!(out["weights_normalized"], true);
            let sum: f64 = floats(&case["weights"]).iter().sum();
            got.iter_mut().for_each(|x| *x *= sum);
        }
        check(id, "score", &got, &floats(score), tol);
    }
    if let Some(rank) = e.get("rank") {
        check(
            id,
            "rank",
            &alternatives_field(&out, "rank"),
            &floats(rank),
            0.0,
        );
    }
    for key in ["s", "r", "q", "net_flow"] {
        if let Some(want) = e.get(key) {
            check(id, key, &alternatives_field(&out, key), &floats(want), tol);
        }
    }
    if method == "vikor" {
        assert_eq!(
            alternatives_field(&out, "score"),
            alternatives_field(&out, "q")
        );
        assert_eq!(out["alternatives"][2]["rank"], 1, "rank 1 is the lowest q");
    }
    if method == "promethee2" {
        assert_eq!(
            alternatives_field(&out, "score"),
            alternatives_field(&out, "net_flow")
        );
    }
    assert!(
        out["sensitivity"]["criteria"].as_array().unwrap().len()
            == case["types"].as_array().unwrap().len()
    );
}

fn reciprocal(judgement: &str) -> String {
    match judgement.split_once('/') {
        Some(("1", b)) => b.to_owned(),
        Some((a, b)) => format!("{b}/{a}"),
        None if judgement == "1" => "1".to_owned(),
        None => format!("1/{judgement}"),
    }
}

fn ahp_case(files: &Files, case: &Value, id: &str, tol: f64) {
    let names: Vec<&str> = case["criteria"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    let upper = &case["upper_triangle"];
    let mut text = format!("criterion,{}\n", names.join(","));
    for (i, a) in names.iter().enumerate() {
        let cells: Vec<String> = names
            .iter()
            .enumerate()
            .map(|(j, b)| match i.cmp(&j) {
                std::cmp::Ordering::Equal => "1".to_owned(),
                std::cmp::Ordering::Less => upper[a][b].as_str().unwrap().to_owned(),
                std::cmp::Ordering::Greater => reciprocal(upper[b][a].as_str().unwrap()),
            })
            .collect();
        text.push_str(&format!("{a},{}\n", cells.join(",")));
    }
    let path = files.write(&format!("{id}.csv"), &text);
    let out = json(&["ahp", "--matrix", s(&path), "--format", "json"]);
    let e = &case["expected"];
    check(
        id,
        "weights",
        &floats(&out["weights"]),
        &floats(&e["weights"]),
        tol,
    );
    let lambda = out["lambda_max"].as_f64().unwrap();
    check(
        id,
        "lambda_max",
        &[lambda],
        &[e["lambda_max"].as_f64().unwrap()],
        tol,
    );
    let cr = out["cr"].as_f64().unwrap();
    check(id, "cr", &[cr], &[e["cr_saaty_ri"].as_f64().unwrap()], tol);
    assert_eq!(out["consistent"], true);
    assert_eq!(joined(&out["criteria"]), names.join(","));
}

fn smaa_case(files: &Files, case: &Value, id: &str) {
    let path = files.write(&format!("{id}.csv"), &matrix_csv(&case["matrix"]));
    let types = joined(&case["types"]);
    let out = json(&[
        "smaa",
        "--matrix",
        s(&path),
        "--types",
        &types,
        "--samples",
        "100000",
        "--format",
        "json",
    ]);
    assert_eq!(out["samples"], 100_000);
    assert_eq!(out["seed"], 42);
    let alts = out["alternatives"].as_array().unwrap();
    let b1: Vec<f64> = alts
        .iter()
        .map(|a| a["rank_acceptability"][0].as_f64().unwrap())
        .collect();
    let e = &case["expected"];
    check(id, "b1", &b1, &floats(&e["first_rank_acceptability"]), 0.01);
    let cw = floats(&alts[0]["central_weights"]);
    check(
        id,
        "central weights",
        &cw,
        &floats(&e["central_weights_of_first"]),
        0.01,
    );
    let conf: Vec<f64> = alts
        .iter()
        .map(|a| a["confidence"].as_f64().unwrap())
        .collect();
    check(id, "confidence", &conf, &floats(&e["confidence"]), 0.01);
}

/// The mean weight vector of a run is Σ_i b_i¹ · central_weights_i, so the ordinal sampler's
/// mean can be read off the binary's output.
fn sampler_case(files: &Files, case: &Value, id: &str) {
    for (key, n) in [("mean_n3", 3usize), ("mean_n4", 4), ("mean_n6", 6)] {
        let identity: Vec<Vec<u8>> = (0..n)
            .map(|i| (0..n).map(|j| u8::from(i == j)).collect())
            .collect();
        let path = files.write(
            &format!("{id}-{n}.csv"),
            &matrix_csv(&serde_json::to_value(&identity).unwrap()),
        );
        let types = vec!["max"; n].join(",");
        let order = (0..n)
            .map(|j| format!("c{j}"))
            .collect::<Vec<_>>()
            .join(">");
        let out = json(&[
            "smaa",
            "--matrix",
            s(&path),
            "--types",
            &types,
            "--order",
            &order,
            "--samples",
            "100000",
            "--format",
            "json",
        ]);
        let mut mean = vec![0.0; n];
        for a in out["alternatives"].as_array().unwrap() {
            let b1 = a["rank_acceptability"][0].as_f64().unwrap();
            if b1 > 0.0 {
                for (m, w) in mean.iter_mut().zip(floats(&a["central_weights"])) {
                    *m += b1 * w;
                }
            }
        }
        check(id, key, &mean, &floats(&case["expected"][key]), 0.005);
    }
}

#[test]
fn every_published_vector_passes_through_the_binary() {
    let doc: Value = serde_json::from_str(VECTORS).unwrap();
    let files = Files::new();
    let cases = doc["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 9, "a new case needs a runner here");
    for case in cases {
        let id = case["id"].as_str().unwrap();
        let tol = case["tolerance"].as_f64();
        match case["method"].as_str().unwrap() {
            "ahp" => ahp_case(&files, case, id, tol.unwrap()),
            "smaa" => smaa_case(&files, case, id),
            "weight-sampler" => sampler_case(&files, case, id),
            _ => deterministic_case(&files, case, id, tol.unwrap()),
        }
    }
}

fn example(name: &str) -> String {
    format!("{}/../../examples/{name}", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn readme_first_command_prints_first_rank_shares() {
    let matrix = example("clouds.csv");
    let out = cloudfit(&[
        "smaa",
        "--matrix",
        &matrix,
        "--types",
        "min,max,max,max,max,min",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    for needle in [
        "first",
        "alpha",
        "bravo",
        "holistic",
        "central weights",
        "seed 42",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in\n{text}");
    }
}

#[test]
fn smaa_json_is_reproducible_and_sums_to_one() {
    let matrix = example("clouds.csv");
    let args = [
        "smaa",
        "--matrix",
        &matrix,
        "--types",
        "min,max,max,max,max,min",
        "--order",
        "cost>performance=ai_capability>stability>compliance>migration",
        "--samples",
        "20000",
        "--seed",
        "7",
        "--format",
        "json",
    ];
    let a = json(&args);
    assert_eq!(a, json(&args));
    let alts = a["alternatives"].as_array().unwrap();
    assert_eq!(alts[0]["name"], "alpha", "input order");
    for alt in alts {
        let sum: f64 = floats(&alt["rank_acceptability"]).iter().sum();
        assert!((sum - 1.0).abs() < 1e-9);
        if let Some(w) = alt["central_weights"].as_array() {
            // cost > performance = ai_capability > ...
            assert!(w[0].as_f64().unwrap() >= w[1].as_f64().unwrap());
            assert_eq!(w[1], w[4]);
        }
    }
    let other = json(&[
        "smaa",
        "--matrix",
        &matrix,
        "--types",
        "min,max,max,max,max,min",
        "--samples",
        "20000",
        "--seed",
        "8",
        "--format",
        "json",
    ]);
    assert_ne!(a["alternatives"], other["alternatives"]);
}

#[test]
fn smaa_with_uncertain_values_and_weight_bounds() {
    let files = Files::new();
    let m = files.write("m.csv", "name,price,speed\nx,10,5\ny,12,6\n");
    let sd = files.write("sd.csv", "name,price,speed\nx,1,0.5\ny,1,0\n");
    let lo = files.write("lo.csv", "name,price,speed\nx,9,4\ny,11,6\n");
    let hi = files.write("hi.csv", "name,price,speed\nx,11,6\ny,13,6\n");
    let base = [
        "smaa",
        "--matrix",
        s(&m),
        "--types",
        "min,max",
        "--format",
        "json",
    ];
    let normal = json(&[&base[..], &["--sd", s(&sd)]].concat());
    assert!(normal["values"].as_str().unwrap().starts_with("normal"));
    let uniform = json(&[&base[..], &["--lower", s(&lo), "--upper", s(&hi)]].concat());
    assert!(uniform["values"].as_str().unwrap().starts_with("uniform"));
    let conf = uniform["alternatives"][0]["confidence"].as_f64().unwrap();
    assert!(
        conf > 0.0 && conf < 1.0,
        "uncertain values: confidence {conf}"
    );
    let bounded = json(
        &[
            &base[..],
            &["--weights-min", "0.9,0", "--weights-max", "1,0.1"],
        ]
        .concat(),
    );
    // price nearly alone decides: x (cheaper) is first almost always.
    let b1 = bounded["alternatives"][0]["rank_acceptability"][0]
        .as_f64()
        .unwrap();
    assert!(b1 > 0.99, "{b1}");
    let exact = json(&[&base[..], &["--weights", "0,1"]].concat());
    assert_eq!(exact["alternatives"][1]["rank_acceptability"][0], 1.0);

    let err = bad_input(&[&base[..], &["--lower", s(&hi), "--upper", s(&lo)]].concat());
    assert!(
        err.contains("line 2, column 2 (price)") && err.contains("lower <= value <= upper"),
        "{err}"
    );
    let wrong = files.write("w.csv", "name,price,speed\nx,1,0\nz,1,0\n");
    let err = bad_input(&[&base[..], &["--sd", s(&wrong)]].concat());
    assert!(
        err.contains("line 3, column 1") && err.contains("\"y\""),
        "{err}"
    );
    let err = bad_input(&[&base[..], &["--order", "price>speed", "--weights", "1,1"]].concat());
    assert!(err.contains("at most one of"), "{err}");
    let err = bad_input(&[&base[..], &["--order", "price>sped"]].concat());
    assert!(err.contains("--order") && err.contains("\"sped\""), "{err}");
    let err = bad_input(&[&base[..], &["--weights-min", "0.6,0.6"]].concat());
    assert!(err.contains("sum to at most 1"), "{err}");
}

#[test]
fn mcda_reports_vikor_promethee_sensitivity_and_normalised_weights() {
    let matrix = example("clouds.csv");
    let types = "min,max,max,max,max,min";
    let out = json(&[
        "mcda",
        "--matrix",
        &matrix,
        "--types",
        types,
        "--weights",
        "3,2,2,1,2,1",
        "--format",
        "json",
    ]);
    assert_eq!(out["method"], "topsis");
    assert_eq!(out["normalization"], "vector");
    assert_eq!(out["weights_normalized"], true);
    let w = floats(&out["weights"]);
    assert!((w.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    let sens = &out["sensitivity"];
    let winner = sens["winner"].as_str().unwrap();
    let first = out["alternatives"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["rank"] == 1)
        .unwrap();
    assert_eq!(first["name"], winner);
    for r in sens["criteria"].as_array().unwrap() {
        let (lo, x, hi) = (
            r["min_weight"].as_f64().unwrap(),
            r["weight"].as_f64().unwrap(),
            r["max_weight"].as_f64().unwrap(),
        );
        assert!(lo <= x && x <= hi, "{r}");
    }

    let vikor = json(&[
        "mcda", "--matrix", &matrix, "--types", types, "--method", "vikor", "--v", "0.7",
        "--format", "json",
    ]);
    assert_eq!(vikor["vikor"]["v"], 0.7);
    assert!(vikor["alternatives"][0]["s"].is_number());
    let prom = json(&[
        "mcda",
        "--matrix",
        &matrix,
        "--types",
        types,
        "--method",
        "promethee2",
        "--preference",
        "linear",
        "--q",
        "1",
        "--p",
        "5",
        "--format",
        "json",
    ]);
    let net: f64 = alternatives_field(&prom, "net_flow").iter().sum();
    assert!(net.abs() < 1e-9, "net flows sum to 0");
    let vshape = json(&[
        "mcda",
        "--matrix",
        &matrix,
        "--types",
        types,
        "--method",
        "promethee2",
        "--preference",
        "vshape",
        "--p",
        "10,10,5,3,10,4",
        "--format",
        "json",
    ]);
    assert_ne!(
        alternatives_field(&vshape, "net_flow"),
        alternatives_field(&prom, "net_flow")
    );
    // Brans' other three: U-shape with q = 0 is the usual criterion; level and Gaussian flows
    // still sum to 0 and differ from linear's
    let promethee = |extra: &[&str]| {
        json(
            &[
                &[
                    "mcda",
                    "--matrix",
                    &matrix,
                    "--types",
                    types,
                    "--method",
                    "promethee2",
                    "--format",
                    "json",
                ],
                extra,
            ]
            .concat(),
        )
    };
    assert_eq!(
        alternatives_field(
            &promethee(&["--preference", "ushape", "--q", "0"]),
            "net_flow"
        ),
        alternatives_field(&promethee(&[]), "net_flow")
    );
    for extra in [
        &["--preference", "level", "--q", "1", "--p", "5"][..],
        &["--preference", "gaussian", "--s", "3,3,1,2,3,1"][..],
        &["--preference", "ushape", "--q", "2"][..],
    ] {
        let flows = alternatives_field(&promethee(extra), "net_flow");
        assert!(flows.iter().sum::<f64>().abs() < 1e-9, "{extra:?}");
        assert_ne!(flows, alternatives_field(&prom, "net_flow"), "{extra:?}");
    }

    let table = cloudfit(&[
        "mcda", "--matrix", &matrix, "--types", types, "--method", "wsm",
    ]);
    let text = String::from_utf8(table.stdout).unwrap();
    assert!(
        text.contains("wsm with minmax normalisation") && text.contains("sensitivity"),
        "{text}"
    );
}

#[test]
fn mcda_input_errors_name_file_line_and_column() {
    let files = Files::new();
    // `mcda --matrix <matrix> --types max,max` and `extra`, expecting exit 2
    let mcda = |matrix: &Path, extra: &[&str]| {
        bad_input(
            &[
                &["mcda", "--matrix", s(matrix), "--types", "max,max"],
                extra,
            ]
            .concat(),
        )
    };
    let header_only = files.write("header.csv", "name,a,b\n");
    let err = mcda(&header_only, &[]);
    assert!(
        err.contains("header.csv: line 2") && err.contains("at least 2 alternative rows"),
        "{err}"
    );

    let ragged = files.write("ragged.csv", "name,a,b\nx,1,2\n\ny,3\n");
    let err = mcda(&ragged, &[]);
    assert!(
        err.contains("ragged.csv: line 4") && err.contains("expected 3 columns"),
        "{err}"
    );

    let text = files.write("text.csv", "# comment\nname,a,b\nx,1,2\ny,3,lots\n");
    let err = mcda(&text, &[]);
    assert!(
        err.contains("text.csv: line 4, column 3 (b): expected a number, found \"lots\""),
        "{err}"
    );

    let flat = files.write("flat.csv", "name,a,b\nx,1,2\ny,3,2\n");
    let err = mcda(&flat, &["--normalization", "minmax"]);
    assert!(
        err.contains("flat.csv: column 3 (b): minmax normalisation needs"),
        "{err}"
    );

    let ok = files.write("ok.csv", "name,a,b\nx,1,2\ny,3,1\n");
    let err = bad_input(&["mcda", "--matrix", s(&ok), "--types", "max"]);
    assert!(err.contains("--types: expected 2 entries"), "{err}");
    let err = bad_input(&["mcda", "--matrix", s(&ok), "--types", "max,most"]);
    assert!(err.contains("entry 2 (b)"), "{err}");
    let err = mcda(&ok, &["--weights", "0,0"]);
    assert!(err.contains("--weights"), "{err}");
    let err = mcda(&ok, &["--weights", "1,-1"]);
    assert!(err.contains("--weights"), "{err}");
    let err = mcda(&ok, &["--method", "vikor", "--normalization", "sum"]);
    assert!(err.contains("does not apply to vikor"), "{err}");
    let err = mcda(
        &ok,
        &[
            "--method",
            "promethee2",
            "--preference",
            "linear",
            "--p",
            "1",
        ],
    );
    assert!(err.contains("--q"), "{err}");
    let promethee = |extra: &[&str]| {
        mcda(
            &ok,
            &[&["--method", "promethee2", "--preference"][..], extra].concat(),
        )
    };
    let err = promethee(&["gaussian"]);
    assert!(err.contains("--preference gaussian: expected --s"), "{err}");
    let err = promethee(&["gaussian", "--s", "0"]);
    assert!(err.contains("expected a finite s > 0, found s=0"), "{err}");
    let err = promethee(&["ushape", "--q", "1", "--p", "2"]);
    assert!(
        err.contains("--p: the ushape preference function takes --q"),
        "{err}"
    );
    let err = promethee(&["level", "--q", "3", "--p", "1"]);
    assert!(
        err.contains("expected finite thresholds 0 <= q < p, found q=3, p=1"),
        "{err}"
    );
    let missing = files.dir.path().join("missing.csv");
    let err = mcda(&missing, &[]);
    assert!(err.contains("missing.csv: cannot read"), "{err}");
    // --help lists only what mcda writes, and anything else is refused by the parser
    let err = mcda(&ok, &["--format", "html"]);
    assert!(
        err.contains("'html'") && err.contains("[possible values: table, json]"),
        "{err}"
    );
}

#[test]
fn ahp_reads_fractions_and_rejects_bad_matrices() {
    let out = json(&[
        "ahp",
        "--matrix",
        &example("drinks-ahp.csv"),
        "--format",
        "json",
    ]);
    assert_eq!(out["criteria"][6], "water");
    assert!(out["ri_source"].as_str().unwrap().contains("Saaty"));

    let files = Files::new();
    let inconsistent = files.write(
        "inc.csv",
        "criterion,a,b,c,d\na,1,2,4,1/8\nb,1/2,1,2,4\nc,1/4,1/2,1,2\nd,8,1/4,1/2,1\n",
    );
    let out = json(&["ahp", "--matrix", s(&inconsistent), "--format", "json"]);
    assert_eq!(out["consistent"], false);
    assert!(out["cr"].as_f64().unwrap() > 0.1);
    assert_eq!(out["inconsistencies"][0]["row"], "a");
    assert_eq!(out["inconsistencies"][0]["column"], "d");
    assert!(out["verdict"].as_str().unwrap().contains("a vs d"));
    let table = cloudfit(&["ahp", "--matrix", s(&inconsistent)]);
    let text = String::from_utf8(table.stdout).unwrap();
    assert!(
        text.contains("inconsistent") && text.contains("revisit first: a vs d (given 1/8"),
        "{text}"
    );

    let not_square = files.write("ns.csv", "criterion,a,b\na,1,2\nb,1/2,1,3\n");
    let err = bad_input(&["ahp", "--matrix", s(&not_square)]);
    assert!(
        err.contains("ns.csv: line 3") && err.contains("square"),
        "{err}"
    );
    let short = files.write("short.csv", "criterion,a,b,c\na,1,2,3\nb,1/2,1,1\n");
    let err = bad_input(&["ahp", "--matrix", s(&short)]);
    assert!(err.contains("square matrix with 3 rows"), "{err}");
    let negative = files.write("neg.csv", "criterion,a,b\na,1,-2\nb,1/2,1\n");
    let err = bad_input(&["ahp", "--matrix", s(&negative)]);
    assert!(
        err.contains("neg.csv: line 2, column 3 (a vs b): expected a positive number"),
        "{err}"
    );
    let not_reciprocal = files.write("nr.csv", "criterion,a,b\na,1,3\nb,3,1\n");
    let err = bad_input(&["ahp", "--matrix", s(&not_reciprocal)]);
    assert!(err.contains("nr.csv: line 2, column 3 (a vs b) is 3 but line 3, column 2 (b vs a) is 3: expected reciprocals"), "{err}");
    let diagonal = files.write("diag.csv", "criterion,a,b\na,2,1\nb,1,1\n");
    let err = bad_input(&["ahp", "--matrix", s(&diagonal)]);
    assert!(
        err.contains("line 2, column 2 (a vs itself): expected 1"),
        "{err}"
    );
    let names = files.write("names.csv", "criterion,a,b\nb,1,1\na,1,1\n");
    let err = bad_input(&["ahp", "--matrix", s(&names)]);
    assert!(
        err.contains("line 2, column 1: expected criterion \"a\""),
        "{err}"
    );
}
