#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "test code"
)]

use std::path::PathBuf;

use cloudfit_catalog::{Capability, Catalog, CatalogLoader, Currency, Jurisdiction, Money};
use rust_decimal::Decimal;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn good() -> Catalog {
    CatalogLoader::new()
        .with_builtin(false)
        .overlay_path(fixture("good"))
        .load()
        .unwrap_or_else(|e| panic!("fixture should load:\n{e}"))
}

fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

#[test]
fn good_fixture_loads_every_kind_of_fact() {
    let c = good();
    let acme = c.provider("acme").unwrap();
    assert_eq!(acme.name_zh.as_deref(), Some("阿克米云"));
    assert_eq!(acme.headquarters, Jurisdiction::MainlandChina);
    assert_eq!(acme.regions.len(), 2);
    assert!(acme.jurisdictions().contains(&Jurisdiction::Singapore));
    assert_eq!(acme.endpoints.len(), 1);
    assert!(acme.has_certification("iso27001"));
    assert_eq!(acme.sla.as_ref().unwrap().monthly_uptime_percent, 99.9);
    assert_eq!(acme.incidents[0].duration_hours, 3.5);
    assert_eq!(
        acme.gpu_instances[0].price_per_hour,
        Money::new(dec("9.8"), Currency::Cny)
    );
    assert_eq!(acme.egress.as_ref().unwrap().free_gb_per_month, Some(10.0));
    assert_eq!(acme.support.as_ref().unwrap().response_minutes, 15);
    let large = acme.model("acme-large").unwrap();
    assert!(large.has(Capability::Tools));
    assert!(!large.has(Capability::Vision));
    assert_eq!(large.context_window, Some(128_000));
    assert_eq!(large.prices.len(), 2);
    assert_eq!(
        large.prices[0].tiers[0].cached_input_per_mtok,
        Some(dec("0.4"))
    );
    assert_eq!(large.prices[0].tiers[1].cached_input_per_mtok, None);
    assert_eq!(large.quality("aa-intelligence-index").unwrap().value, 50.5);
    let embed = acme.model("acme-embed").unwrap();
    assert_eq!(embed.context_window, None, "unknown stays unknown");
    assert!(embed.prices.is_empty());
    assert_eq!(c.claims.len(), 1);
    assert_eq!(c.model_count(), 2);
    assert_eq!(c.price_count(), 2);
}

#[test]
fn malformed_file_reports_every_problem_with_line_and_key() {
    let err = CatalogLoader::new()
        .with_builtin(false)
        .overlay_path(fixture("bad.toml"))
        .load()
        .unwrap_err();
    let text = err.to_string();
    println!("{text}");
    let expect = [
        ("bad.toml:4: provider.headquarters: unknown jurisdiction `china`"),
        ("bad.toml:15: endpoint[0].protocol: unknown protocol `grpc`"),
        ("bad.toml:24: sla.monthly_uptime_percent: expected a percentage above 0 and at most 100"),
        ("bad.toml:32: incident[0].duration_hours: expected a duration greater than zero"),
        ("bad.toml:40: model[0].capabilities[1]: unknown capability `telepathy`"),
        ("bad.toml:51: model[0].price[0].tier[0].input_per_mtok: expected a price of zero or more, found -1"),
        ("bad.toml:55: model[0].price[0].tier[1].up_to_prompt_tokens: tiers must be in ascending order"),
        ("bad.toml:63: model[1].colour: unknown field `colour`, expected one of `id`"),
        ("bad.toml:68: model[2].id: duplicate model id `m1` in this file (first at line 38)"),
        ("bad.toml:67: model[2]: missing `source`"),
        ("bad.toml:77: model[3].context_window: invalid type: string \"big\", expected an integer"),
        ("bad.toml:83: claim[0].provider: claim names unknown provider `nobody`"),
        ("bad.toml:94: rate[0].to: unknown currency `GBP`"),
        ("bad.toml:100: endpoint[1].region: endpoint region `r9` is not a region of provider `broken`; expected `global` or a `[[region]]` id (declared: `r1`)"),
    ];
    assert_eq!(
        err.diagnostics.len(),
        expect.len(),
        "unexpected extra diagnostics:\n{text}"
    );
    for e in expect {
        assert!(
            text.lines().any(|l| l.contains(e)),
            "missing diagnostic {e:?} in:\n{text}"
        );
    }
}
