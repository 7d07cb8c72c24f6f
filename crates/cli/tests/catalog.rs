#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "test code"
)]
//! `cloudfit catalog ...` through the built binary: exit codes, messages, files.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn cloudfit(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cloudfit"))
        .args(args)
        .env("CLOUDFIT_LOG", "error")
        .output()
        .expect("run cloudfit")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../catalog/tests/fixtures")
}

fn litellm_snapshot() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/litellm-model-prices-2026-07-24.json")
}

#[test]
fn builtin_catalog_validates() {
    let o = cloudfit(&["catalog", "validate"]);
    assert_eq!(o.status.code(), Some(0), "stderr: {}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.trim_end().ends_with("claims, all facts sourced"),
        "{out}"
    );
    assert!(
        out.contains(" providers, ") && out.contains(" models, ") && out.contains(" prices, "),
        "{out}"
    );
}

#[test]
fn malformed_catalog_exits_2_naming_file_line_and_key() {
    let bad = fixtures().join("bad.toml");
    let o = cloudfit(&["catalog", "validate", "--catalog", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("catalog is invalid (14 problems)"), "{err}");
    assert!(err.contains("bad.toml:24: sla.monthly_uptime_percent: expected a percentage above 0 and at most 100, found 100.5"), "{err}");
    assert!(
        err.contains("bad.toml:63: model[1].colour: unknown field `colour`"),
        "{err}"
    );
    assert!(err.contains("bad.toml:51: model[0].price[0].tier[0].input_per_mtok: expected a price of zero or more"), "{err}");
    assert!(stdout(&o).is_empty());
}

#[test]
fn overlay_fixture_lists_with_unknowns_shown() {
    let good = fixtures().join("good");
    let g = good.to_str().unwrap();
    let o = cloudfit(&["catalog", "validate", "--no-builtin", "--catalog", g]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        stdout(&o).trim(),
        "1 providers, 2 models, 2 prices, 1 claims, all facts sourced"
    );

    let o = cloudfit(&[
        "catalog",
        "list",
        "models",
        "--no-builtin",
        "--catalog",
        g,
        "--provider",
        "acme",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("acme-embed") && out.contains("unknown"),
        "{out}"
    );
    assert!(out.contains("2 (≤32000)"), "{out}");
    assert!(
        out.contains("42.5 tok/s") && out.contains("TTFT 850 ms"),
        "{out}"
    );

    let o = cloudfit(&[
        "catalog",
        "list",
        "models",
        "--no-builtin",
        "--catalog",
        g,
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let embed = v
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == "acme-embed")
        .unwrap();
    assert!(
        embed["context_window"].is_null(),
        "unknown is null, never a number"
    );
    let large = v
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == "acme-large")
        .unwrap();
    assert_eq!(large["prices"][0]["tiers"][1]["input_per_mtok"], "4");
    assert_eq!(
        large["performance"]["median_output_tokens_per_second"],
        42.5
    );
    assert_eq!(large["performance"]["median_time_to_first_token_ms"], 850.0);
    assert_eq!(large["performance"]["measured_from"], "us-east");
    assert_eq!(large["performance"]["source"]["reliability"], "third-party");
    assert!(
        embed["performance"].is_null(),
        "no published speed is null, never a number"
    );

    let o = cloudfit(&[
        "catalog",
        "list",
        "providers",
        "--no-builtin",
        "--catalog",
        g,
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v[0]["sla"]["monthly_uptime_percent"], 99.9);

    let o = cloudfit(&["catalog", "list", "claims", "--no-builtin", "--catalog", g]);
    assert!(stdout(&o).contains("42%"), "{}", stdout(&o));

    let o = cloudfit(&[
        "catalog",
        "list",
        "models",
        "--no-builtin",
        "--catalog",
        g,
        "--provider",
        "nope",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("--provider nope: unknown provider, expected one of: acme"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn raising_a_price_in_an_overlay_changes_the_listed_price() {
    let good = fixtures().join("good");
    let overlay = fixtures().join("overlay-price.toml");
    let list = |extra: &[&str]| {
        let mut args = vec![
            "catalog",
            "list",
            "models",
            "--no-builtin",
            "--format",
            "json",
            "--catalog",
            good.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        let o = cloudfit(&args);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        v.as_array()
            .unwrap()
            .iter()
            .find(|m| m["id"] == "acme-large")
            .unwrap()["prices"][0]["tiers"][0]["input_per_mtok"]
            .clone()
    };
    assert_eq!(list(&[]), "2");
    assert_eq!(list(&["--catalog", overlay.to_str().unwrap()]), "3");
}

#[test]
fn litellm_import_round_trips_through_catalog() {
    let snapshot = litellm_snapshot();
    if !snapshot.exists() {
        panic!("LiteLLM snapshot missing at {}", snapshot.display());
    }
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("litellm");
    let o = cloudfit(&[
        "catalog",
        "import",
        "litellm",
        snapshot.to_str().unwrap(),
        "--providers",
        "alibaba-cloud,deepseek,google-cloud,openai",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let files: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert!(
        files
            .iter()
            .any(|f| f.ends_with("litellm-google-cloud.toml")),
        "{files:?}"
    );
    assert!(
        files.iter().any(|f| f.ends_with("litellm-openai.toml")),
        "{files:?}"
    );
    let google = std::fs::read_to_string(out.join("litellm-google-cloud.toml")).unwrap();
    assert!(google.contains("as_of = \"2026-07-24\""));
    assert!(google.contains("source = \"LiteLLM model_prices_and_context_window.json (litellm-model-prices-2026-07-24.json)\""));

    let o = cloudfit(&["catalog", "validate", "--catalog", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));

    // the imported price is the JSON figure times a million, exactly
    let o = cloudfit(&[
        "catalog",
        "list",
        "models",
        "--format",
        "json",
        "--catalog",
        out.to_str().unwrap(),
        "--provider",
        "openai",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&snapshot).unwrap()).unwrap();
    let gpt = v
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == "gpt-4o")
        .expect("gpt-4o imported");
    let per_token = json["gpt-4o"]["input_cost_per_token"].as_f64().unwrap();
    let listed: f64 = gpt["prices"][0]["tiers"][0]["input_per_mtok"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        (listed - per_token * 1e6).abs() < 1e-9,
        "{listed} vs {per_token}"
    );
}

#[test]
fn malformed_litellm_json_exits_2_with_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("prices-2026-01-01.json");
    std::fs::write(&file, "{\n  \"x\": {\n    \"mode\": chat\n  }\n}\n").unwrap();
    let o = cloudfit(&[
        "catalog",
        "import",
        "litellm",
        file.to_str().unwrap(),
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("prices-2026-01-01.json:3:13: invalid JSON"),
        "{err}"
    );
    assert!(!Path::new(&dir.path().join("litellm-openai.toml")).exists());
}
