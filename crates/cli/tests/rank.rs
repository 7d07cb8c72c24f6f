#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "test code"
)]
//! `cloudfit rank|tco|claims` through the built binary: the behaviour a user relies on, and
//! golden snapshots of every example profile's JSON.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use cloudfit_advise::profile::capability_key;
use cloudfit_catalog::{Catalog, Jurisdiction};
use serde_json::Value;

fn cloudfit(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cloudfit"))
        .args(args)
        .env("CLOUDFIT_LOG", "error")
        .env("LANG", "en_US.UTF-8")
        .env_remove("LC_ALL")
        .output()
        .expect("run cloudfit")
}

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/profiles")
}

fn json_of(args: &[&str]) -> Value {
    let out = cloudfit(args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn rank_json(profile: &Path, extra: &[&str]) -> Value {
    let p = profile.to_str().unwrap();
    let mut args = vec![
        "rank",
        "--profile",
        p,
        "--format",
        "json",
        "--samples",
        "2000",
    ];
    args.extend_from_slice(extra);
    json_of(&args)
}

fn ranked(v: &Value) -> Vec<String> {
    v["ranking"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["provider"].as_str().unwrap().to_owned())
        .collect()
}

const CN_COST_ONLY: &str = r#"
name = "cost only, mainland data"
[constraints]
data_jurisdictions = ["cn"]
[weights]
type = "exact"
cost = 1
[workload]
currency = "CNY"
[[workload.task]]
name = "chat"
monthly_input_tokens = 500000000
monthly_output_tokens = 100000000
typical_prompt_tokens = 2000
capabilities = ["chat"]
cache_hit_share = 0.2
"#;

#[test]
fn malformed_profile_exits_2_naming_file_line_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.toml");
    std::fs::write(
        &path,
        CN_COST_ONLY.replace("cache_hit_share", "cache_hit_ratio"),
    )
    .unwrap();
    let out = cloudfit(&["rank", "--profile", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!(
            "{}:16: workload.task[0].cache_hit_ratio",
            path.display()
        )),
        "{err}"
    );
    // validation errors are all reported at once, each with its line
    std::fs::write(
        &path,
        CN_COST_ONLY
            .replace("\"cn\"", "\"China\"")
            .replace("cache_hit_share = 0.2", "cache_hit_share = 2"),
    )
    .unwrap();
    let out = cloudfit(&["rank", "--profile", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(
            "bad.toml:4: constraints.data_jurisdictions[0]: expected a lowercase jurisdiction code"
        ),
        "{err}"
    );
    assert!(
        err.contains(
            "bad.toml:16: workload.task[0].cache_hit_share: expected a share between 0 and 1"
        ),
        "{err}"
    );
    // an unknown current provider is the profile's fault too
    std::fs::write(
        &path,
        format!("{CN_COST_ONLY}[current]\nprovider = \"nimbus\"\nengineer_day_rate = {{ amount = 1, currency = \"CNY\" }}\n"),
    )
    .unwrap();
    let out = cloudfit(&["rank", "--profile", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("bad.toml:18: current.provider"));
}

#[test]
fn mainland_only_profiles_never_rank_a_provider_without_a_mainland_region() {
    let catalog = Catalog::builtin().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let custom = dir.path().join("cn.toml");
    std::fs::write(&custom, CN_COST_ONLY).unwrap();
    for profile in [
        custom,
        examples().join("bank.toml"),
        examples().join("provincial-government.toml"),
        examples().join("sme-retailer.toml"),
    ] {
        for method in ["topsis", "wsm", "smaa"] {
            let v = rank_json(&profile, &["--method", method]);
            let ids = ranked(&v);
            assert!(!ids.is_empty(), "{profile:?}");
            for id in ids {
                let p = &catalog.providers[&id];
                assert!(
                    p.regions
                        .iter()
                        .any(|r| r.jurisdiction == Some(Jurisdiction::MainlandChina)),
                    "{profile:?} ranks {id} without a mainland region"
                );
            }
        }
    }
}

#[test]
fn with_cost_weight_one_the_cheapest_tco_is_first() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cost.toml");
    std::fs::write(&path, CN_COST_ONLY).unwrap();
    for method in ["topsis", "wsm", "smaa"] {
        let v = rank_json(&path, &["--method", method]);
        let costs: Vec<f64> = v["ranking"]
            .as_array()
            .unwrap()
            .iter()
            // cost as ranked: the value, or the bound a wholly unknown cost is counted at
            .map(|r| {
                r["criteria"]["cost"]
                    .as_f64()
                    .or_else(|| r["fallback"]["cost"].as_f64())
                    .unwrap()
            })
            .collect();
        let min = costs.iter().copied().fold(f64::INFINITY, f64::min);
        assert_eq!(costs[0], min, "{method}: {costs:?}");
        // SMAA orders by holistic acceptability, which weighs uncertain costs by their range
        if method != "smaa" {
            assert!(
                costs.windows(2).all(|w| w[0] <= w[1]),
                "{method}: {costs:?}"
            );
        }
        assert_eq!(v["ranking"][0]["first_rank_share"].as_f64(), Some(1.0));
    }
}

/// An overlay file that multiplies every token price of `provider` by `factor`.
fn price_overlay(catalog: &Catalog, provider: &str, factor: u32) -> String {
    let p = &catalog.providers[provider];
    let mut out = format!("[provider]\nid = \"{provider}\"\n");
    for m in &p.models {
        let caps: Vec<String> = m
            .capabilities
            .iter()
            .map(|c| format!("\"{}\"", capability_key(*c)))
            .collect();
        let _ = write!(
            out,
            "\n[[model]]\nid = {:?}\nname = {:?}\ncapabilities = [{}]\nsource = {:?}\nas_of = {:?}\n",
            m.id,
            m.name,
            caps.join(", "),
            m.source.source,
            m.source.as_of
        );
        if let Some(w) = m.context_window {
            let _ = writeln!(out, "context_window = {w}");
        }
        if let Some(d) = &m.deprecated_from {
            let _ = writeln!(out, "deprecated_from = {d:?}");
        }
        if m.preview {
            let _ = writeln!(out, "preview = true");
        }
        let _ = writeln!(out, "purpose = {:?}", m.purpose.name());
        for price in &m.prices {
            let _ = write!(
                out,
                "\n[[model.price]]\ncurrency = \"{}\"\nsource = \"test overlay\"\nas_of = \"2026-01-01\"\n",
                price.currency
            );
            if price.superseded {
                let _ = writeln!(out, "superseded = true");
            }
            if price.off_peak {
                let _ = writeln!(out, "off_peak = true");
            }
            if let Some(r) = &price.region {
                let _ = writeln!(out, "region = {r:?}");
            }
            for t in &price.tiers {
                let _ = write!(
                    out,
                    "\n[[model.price.tier]]\ninput_per_mtok = \"{}\"\noutput_per_mtok = \"{}\"\n",
                    times(t.input_per_mtok, factor),
                    times(t.output_per_mtok, factor)
                );
                if let Some(up) = t.up_to_prompt_tokens {
                    let _ = writeln!(out, "up_to_prompt_tokens = {up}");
                }
                if let Some(c) = t.cached_input_per_mtok {
                    let _ = writeln!(out, "cached_input_per_mtok = \"{}\"", times(c, factor));
                }
            }
        }
        for q in &m.quality {
            let _ = write!(
                out,
                "\n[[model.quality]]\nbenchmark = {:?}\nsnapshot = {:?}\nvalue = {}\nsource = {:?}\nas_of = {:?}\n",
                q.benchmark, q.snapshot, q.value, q.source.source, q.source.as_of
            );
        }
    }
    out
}

/// `x` added up `n` (>= 1) times (the test crate sees catalog decimals without naming their type).
fn times<T: Copy + std::ops::Add<Output = T>>(x: T, n: u32) -> T {
    (1..n).fold(x, |acc, _| acc + x)
}

#[test]
fn raising_one_providers_prices_never_improves_its_rank_when_only_cost_matters() {
    let catalog = Catalog::builtin().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("cost.toml");
    std::fs::write(&profile, CN_COST_ONLY).unwrap();
    let before = rank_json(&profile, &[]);
    let ids = ranked(&before);
    for id in &ids {
        let overlay = dir.path().join(format!("{id}.toml"));
        std::fs::write(&overlay, price_overlay(&catalog, id, 10)).unwrap();
        let after = rank_json(&profile, &["--catalog", overlay.to_str().unwrap()]);
        let rank_in = |v: &Value| {
            v["ranking"]
                .as_array()
                .unwrap()
                .iter()
                .find(|r| r["provider"] == id.as_str())
                .map(|r| r["rank"].as_u64().unwrap())
                .unwrap_or(u64::MAX)
        };
        assert!(
            rank_in(&after) >= rank_in(&before),
            "{id}: rank {} → {}",
            rank_in(&before),
            rank_in(&after)
        );
    }
}

/// An overlay directory giving every built-in model of each provider in `speeds` the published
/// speed `speeds[provider]` (one file per provider, since a file names one provider).
fn speed_overlay(catalog: &Catalog, dir: &Path, speeds: &[(String, u32)]) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    for (id, speed) in speeds {
        let mut out = format!("[provider]\nid = \"{id}\"\n");
        for m in &catalog.providers[id].models {
            let _ = write!(
                out,
                "\n[[performance]]\nmodel = {:?}\nmedian_output_tokens_per_second = {speed}\n\
                 median_time_to_first_token_ms = 500\nsource = \"test speeds for {id}\"\n\
                 as_of = \"2026-08-01\"\n",
                m.id
            );
        }
        std::fs::write(dir.join(format!("{id}.toml")), out).unwrap();
    }
    dir.to_path_buf()
}

#[test]
fn published_speeds_in_an_overlay_make_performance_known_and_can_change_the_ranking() {
    let catalog = Catalog::builtin().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("perf.toml");
    std::fs::write(
        &profile,
        CN_COST_ONLY.replace("cost = 1", "performance = 1"),
    )
    .unwrap();
    let before = rank_json(&profile, &[]);
    let mut ids = ranked(&before);
    assert!(ids.len() >= 2, "{ids:?}");
    for r in before["ranking"].as_array().unwrap() {
        assert!(r["criteria"]["performance"].is_null(), "{r}");
        assert_eq!(r["unknown"]["performance"], true);
    }
    ids.sort();
    // each provider's models are as fast as 10 × (its place in id order): the last id is fastest
    let rising: Vec<(String, u32)> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| (id.clone(), 10 * (u32::try_from(i).unwrap() + 1)))
        .collect();
    let falling: Vec<(String, u32)> = ids
        .iter()
        .zip(rising.iter().rev())
        .map(|(id, (_, speed))| (id.clone(), *speed))
        .collect();
    for (name, speeds) in [("rising", &rising), ("falling", &falling)] {
        let overlay = speed_overlay(&catalog, &dir.path().join(name), speeds);
        let fastest = &speeds.iter().max_by_key(|(_, s)| *s).unwrap().0;
        for method in ["topsis", "wsm", "smaa"] {
            let v = rank_json(
                &profile,
                &["--method", method, "--catalog", overlay.to_str().unwrap()],
            );
            assert_eq!(v["weights"]["performance"], 1.0);
            assert_eq!(v["weights"]["cost"], 0.0);
            let ranking = v["ranking"].as_array().unwrap();
            assert_eq!(ranking.len(), ids.len(), "{name} {method}");
            for r in ranking {
                let id = r["provider"].as_str().unwrap();
                let speed = speeds.iter().find(|(p, _)| p == id).unwrap().1;
                assert_eq!(r["criteria"]["performance"], f64::from(speed), "{id}");
                assert_eq!(r["unknown"]["performance"], false, "{id}");
                let evidence = r["evidence"]["performance"].as_array().unwrap();
                assert!(!evidence.is_empty(), "{id}");
                for e in evidence {
                    assert!(
                        e["fact"].as_str().unwrap().contains(&format!(
                            ": published {speed}.0 output tokens/s (median while streaming, time to first token 500 ms)"
                        )),
                        "{e}"
                    );
                    assert_eq!(e["source"], format!("test speeds for {id}"));
                    assert_eq!(e["as_of"], "2026-08-01");
                }
            }
            // only performance matters: the ranking is by speed, fastest first
            let order: Vec<f64> = ranking
                .iter()
                .map(|r| r["criteria"]["performance"].as_f64().unwrap())
                .collect();
            assert!(
                order.windows(2).all(|w| w[0] > w[1]),
                "{name} {method}: {order:?}"
            );
            assert_eq!(&ranked(&v)[0], fastest, "{name} {method}");
            assert_eq!(v["ranking"][0]["first_rank_share"].as_f64(), Some(1.0));
        }
    }
    assert_ne!(
        ids.first(),
        ids.last(),
        "the two overlays put different providers first"
    );
}

#[test]
fn reports_and_other_commands_render() {
    let bank = examples().join("bank.toml");
    let p = bank.to_str().unwrap();
    let md = cloudfit(&[
        "rank",
        "--profile",
        p,
        "--format",
        "markdown",
        "--lang",
        "zh",
        "--samples",
        "500",
    ]);
    assert!(md.status.success());
    let md = String::from_utf8(md.stdout).unwrap();
    assert!(md.contains("## 排名可接受度(SMAA-2)"), "{md}");
    assert!(md.contains('█'));
    let html = cloudfit(&[
        "rank",
        "--profile",
        p,
        "--format",
        "html",
        "--samples",
        "500",
    ]);
    let html = String::from_utf8(html.stdout).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>") && html.contains("<svg") && html.contains("<rect"));
    let tco = json_of(&["tco", "--profile", p, "--format", "json"]);
    let first = tco["providers"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["lines"].as_array().unwrap())
        .find(|l| !l["amount"].is_null())
        .unwrap();
    assert!(
        first["source"].as_array().is_some_and(|s| !s.is_empty()),
        "{first}"
    );
    let claims = json_of(&[
        "claims",
        "--profile",
        p,
        "--format",
        "json",
        "--samples",
        "500",
    ]);
    assert!(!claims["claims"].as_array().unwrap().is_empty());
    assert!(claims["claims"][0].get("first_rank_share").is_some());
    let out = cloudfit(&["tco", "--profile", p, "--format", "html"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn example_profiles_golden_json() {
    let mut names: Vec<PathBuf> = std::fs::read_dir(examples())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    names.sort();
    assert_eq!(names.len(), 5);
    for path in names {
        let stem = path.file_stem().unwrap().to_str().unwrap().to_owned();
        let p = path.to_str().unwrap();
        let v = json_of(&[
            "rank",
            "--profile",
            p,
            "--format",
            "json",
            "--samples",
            "4000",
            "--seed",
            "42",
        ]);
        // the contract's keys
        for key in ["profile", "method", "ranking", "excluded"] {
            assert!(v.get(key).is_some(), "{stem}: {key}");
        }
        let first = &v["ranking"][0];
        for key in [
            "provider",
            "rank",
            "score",
            "criteria",
            "monthly_cost",
            "first_rank_share",
        ] {
            assert!(first.get(key).is_some(), "{stem}: ranking[0].{key}");
        }
        insta::assert_json_snapshot!(format!("rank_{stem}"), v);
    }
}

#[test]
fn a_profile_no_provider_can_meet_says_so_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("impossible.toml");
    std::fs::write(
        &profile,
        r#"name = "impossible"
segment = "sme"
[constraints]
data_jurisdictions = ["cn"]
required_certifications = ["FedRAMP-High"]
[workload]
currency = "CNY"
[[workload.task]]
name = "chat"
monthly_input_tokens = 1_000_000
monthly_output_tokens = 1_000_000
typical_prompt_tokens = 500
capabilities = ["chat"]
"#,
    )
    .unwrap();
    let v = rank_json(&profile, &[]);
    assert_eq!(v["ranking"].as_array().unwrap().len(), 0);
    assert!(!v["excluded"].as_array().unwrap().is_empty());
    // no FedRAMP record is not proof of its absence: the mainland providers are to verify
    let to_verify = v["to_verify"].as_array().unwrap();
    assert!(!to_verify.is_empty());
    assert!(to_verify
        .iter()
        .all(|t| t["open"][0]["constraint"] == "certification:FedRAMP-High"));
    let p = profile.to_str().unwrap();
    for format in ["table", "markdown", "html"] {
        let out = cloudfit(&["rank", "--profile", p, "--format", format, "--lang", "en"]);
        assert!(out.status.success(), "{format}");
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(
            text.contains("No provider is shown to meet every hard constraint"),
            "{format}: {text}"
        );
        assert!(
            text.contains("FedRAMP-High"),
            "{format}: the reasons are listed"
        );
    }
}
