#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "test code"
)]

use std::path::PathBuf;

use cloudfit_catalog::{
    Capability, Catalog, CatalogLoader, CertCoverage, Currency, Jurisdiction, ModelPurpose, Money,
    PublishedPerformance, Reliability, Source,
};
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
    assert_eq!(
        large.performance,
        Some(PublishedPerformance {
            output_tokens_per_second: 42.5,
            time_to_first_token_ms: Some(850.0),
            measured_from: Some("us-east".into()),
            source: Source {
                source: "https://benchmarks.acme.example/speed".into(),
                as_of: "2026-01-15".into(),
                reliability: Reliability::ThirdParty,
            },
        })
    );
    let embed = acme.model("acme-embed").unwrap();
    assert_eq!(embed.context_window, None, "unknown stays unknown");
    assert_eq!(embed.performance, None, "no published speed stays unknown");
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

#[test]
fn builtin_catalog_validates_and_every_price_is_sourced() {
    let c = Catalog::builtin().unwrap_or_else(|e| panic!("built-in catalog must validate:\n{e}"));
    assert_eq!(
        cloudfit_catalog::builtin_files().len() > 1,
        !c.providers.is_empty() || !c.claims.is_empty(),
        "built-in files were embedded but produced nothing"
    );
    for p in c.providers.values() {
        for m in &p.models {
            assert!(!m.source.source.is_empty() && !m.source.as_of.is_empty());
            for price in &m.prices {
                assert!(
                    !price.source.source.is_empty(),
                    "{}/{} price without source",
                    p.id,
                    m.id
                );
                assert!(
                    !price.source.as_of.is_empty(),
                    "{}/{} price without as_of",
                    p.id,
                    m.id
                );
                assert!(!price.tiers.is_empty());
            }
        }
    }
    for claim in &c.claims {
        assert!(c.provider(&claim.provider).is_some());
    }
}

#[test]
fn raising_a_price_in_an_overlay_changes_the_models_price() {
    let base = good();
    let before = &base
        .provider("acme")
        .unwrap()
        .model("acme-large")
        .unwrap()
        .prices;
    assert_eq!(before.len(), 2);
    let after = CatalogLoader::new()
        .with_builtin(false)
        .overlay_path(fixture("good"))
        .overlay_path(fixture("overlay-price.toml"))
        .load()
        .unwrap();
    let acme = after.provider("acme").unwrap();
    // scalars the overlay left out are kept
    assert_eq!(acme.name_en, "Acme Cloud");
    assert_eq!(acme.regions.len(), 2);
    let large = acme.model("acme-large").unwrap();
    // the model entry is replaced as a whole
    assert_eq!(large.prices.len(), 1);
    let tier = large.prices[0].tier_for(1_000).unwrap();
    assert_eq!(tier.input_per_mtok, dec("3"));
    assert_eq!(tier.output_per_mtok, dec("12"));
    assert_eq!(large.prices[0].source.source, "my negotiated contract");
    // the other model is untouched
    assert!(acme.model("acme-embed").is_some());
    // the published speed is a fact of its own: replacing the model keeps it
    assert_eq!(
        large
            .performance
            .as_ref()
            .map(|p| p.output_tokens_per_second),
        Some(42.5)
    );
}

#[test]
fn overlay_adds_providers_and_replaces_entries_by_id() {
    let overlay = r#"
[provider]
id = "acme"
name_zh = "新名字"

[[region]]
id = "sg-1"
name = "Singapore (renamed)"
jurisdiction = "sg"
source = "overlay"
as_of = "2026-05-01"

[[region]]
id = "us-1"
name = "US East"
jurisdiction = "us"
source = "overlay"
as_of = "2026-05-01"

[[certification]]
name = "SOC2"
source = "overlay"
as_of = "2026-05-01"
"#;
    let other = r#"
[provider]
id = "beta"
name_en = "Beta"
headquarters = "us"
"#;
    let c = CatalogLoader::new()
        .with_builtin(false)
        .overlay_path(fixture("good"))
        .overlay_text("overlay.toml", overlay)
        .overlay_text("beta.toml", other)
        .load()
        .unwrap_or_else(|e| panic!("{e}"));
    let acme = c.provider("acme").unwrap();
    assert_eq!(acme.name_zh.as_deref(), Some("新名字"));
    assert_eq!(acme.regions.len(), 3);
    assert_eq!(acme.region("sg-1").unwrap().name, "Singapore (renamed)");
    assert!(acme.jurisdictions().contains(&Jurisdiction::UnitedStates));
    assert!(acme.has_certification("ISO27001") && acme.has_certification("SOC2"));
    let beta = c.provider("beta").unwrap();
    assert!(beta.sla.is_none(), "unknown SLA stays unknown");
    assert!(beta.egress.is_none() && beta.support.is_none() && beta.models.is_empty());
}

#[test]
fn new_provider_without_names_and_orphan_entries_are_errors() {
    let err = CatalogLoader::new()
        .with_builtin(false)
        .overlay_text("a.toml", "[provider]\nid = \"gamma\"\n")
        .overlay_text("b.toml", "[[model]]\nid = \"x\"\nname = \"X\"\ncapabilities = [\"chat\"]\nsource = \"s\"\nas_of = \"2026\"\n")
        .overlay_text("c.toml", "[provider\nid = 1")
        .load()
        .unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("a.toml:1: provider: provider `gamma` is new here, so it needs `name_en`"),
        "{text}"
    );
    assert!(
        text.contains(
            "a.toml:1: provider: provider `gamma` is new here, so it needs `headquarters`"
        ),
        "{text}"
    );
    assert!(
        text.contains("b.toml:1: provider: missing `[provider]` table"),
        "{text}"
    );
    assert!(text.contains("c.toml:1: invalid TOML"), "{text}");
}

#[test]
fn missing_overlay_path_is_reported() {
    let err = CatalogLoader::new()
        .with_builtin(false)
        .overlay_path(fixture("does-not-exist.toml"))
        .load()
        .unwrap_err();
    assert_eq!(err.diagnostics.len(), 1);
    assert!(
        err.diagnostics[0]
            .message
            .starts_with("cannot read catalog file"),
        "{err}"
    );
}

#[test]
fn convert_uses_newest_rate_directly_or_inversely() {
    let c = good();
    let cny = c
        .convert(Money::new(dec("10"), Currency::Usd), Currency::Cny)
        .unwrap();
    assert_eq!(
        cny,
        Money::new(dec("72.0"), Currency::Cny),
        "2026-06-01 rate 7.2 is newest"
    );
    let usd = c
        .convert(Money::new(dec("72"), Currency::Cny), Currency::Usd)
        .unwrap();
    assert_eq!(usd.amount.round_dp(10), dec("10"));
    let eur = c
        .convert(Money::new(dec("11"), Currency::Usd), Currency::Eur)
        .unwrap();
    assert_eq!(eur.amount.round_dp(10), dec("10"));
    assert_eq!(
        c.convert(Money::new(dec("1"), Currency::Cny), Currency::Eur),
        None,
        "no CNY/EUR rate"
    );
    let same = c
        .convert(Money::new(dec("3"), Currency::Eur), Currency::Eur)
        .unwrap();
    assert_eq!(same.amount, dec("3"));
}

#[test]
fn tier_for_picks_the_band_of_the_prompt_length() {
    let c = good();
    let price = &c
        .provider("acme")
        .unwrap()
        .model("acme-large")
        .unwrap()
        .prices[0];
    assert_eq!(price.tier_for(0).unwrap().input_per_mtok, dec("2"));
    assert_eq!(price.tier_for(32_000).unwrap().input_per_mtok, dec("2"));
    assert_eq!(price.tier_for(32_001).unwrap().input_per_mtok, dec("4"));
    assert_eq!(price.tier_for(128_000).unwrap().input_per_mtok, dec("4"));
    assert!(
        price.tier_for(128_001).is_none(),
        "longer than every bounded tier: no known price"
    );
    let flat = &c
        .provider("acme")
        .unwrap()
        .model("acme-large")
        .unwrap()
        .prices[1];
    assert_eq!(
        flat.tier_for(10_000_000).unwrap().output_per_mtok,
        dec("1.2")
    );
}

#[test]
fn price_lists_can_be_marked_superseded_or_off_peak() {
    let text = r#"
[provider]
id = "delta"
name_en = "Delta"
headquarters = "cn"

[[model]]
id = "d-chat"
name = "D"
capabilities = ["chat"]
source = "s"
as_of = "2026"

[[model.price]]
currency = "CNY"
source = "s"
as_of = "2026"
[[model.price.tier]]
input_per_mtok = 2
output_per_mtok = 4

[[model.price]]
off_peak = true
currency = "CNY"
source = "s"
as_of = "2026"
[[model.price.tier]]
input_per_mtok = 1
output_per_mtok = 2

[[model.price]]
superseded = true
currency = "CNY"
source = "s"
as_of = "2025"
[[model.price.tier]]
input_per_mtok = 0.5
output_per_mtok = 1
"#;
    let catalog = CatalogLoader::new()
        .with_builtin(false)
        .overlay_text("delta.toml", text)
        .load()
        .unwrap_or_else(|e| panic!("{e}"));
    let prices = &catalog.provider("delta").unwrap().models[0].prices;
    let flags: Vec<(bool, bool, bool)> = prices
        .iter()
        .map(|p| (p.superseded, p.off_peak, p.is_current_standard()))
        .collect();
    assert_eq!(
        flags,
        [
            (false, false, true),
            (false, true, false),
            (true, false, false)
        ]
    );

    let bad = text.replacen("off_peak = true", "off_peak = \"yes\"", 1);
    let err = CatalogLoader::new()
        .with_builtin(false)
        .overlay_text("delta.toml", &bad)
        .load()
        .unwrap_err()
        .to_string();
    assert!(err.contains("delta.toml:23"), "{err}");
    assert!(err.contains("off_peak"), "{err}");
}

/// A `[provider]` header for `acme` followed by `body`, as an overlay over the good fixture.
fn over_good(body: &str) -> Result<Catalog, cloudfit_catalog::CatalogError> {
    CatalogLoader::new()
        .with_builtin(false)
        .overlay_path(fixture("good"))
        .overlay_text("speed.toml", format!("[provider]\nid = \"acme\"\n{body}"))
        .load()
}

#[test]
fn an_overlay_adds_or_replaces_a_published_speed_by_model_id() {
    let c = over_good(
        r#"
[[performance]]
model = "acme-embed"
median_output_tokens_per_second = 900
source = "https://bench.example/embed"
as_of = "2026-03-01"

[[performance]]
model = "acme-large"
median_output_tokens_per_second = "55.25"
source = "my own benchmark"
as_of = "2026-03-02"
"#,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let acme = c.provider("acme").unwrap();
    let embed = acme
        .model("acme-embed")
        .unwrap()
        .performance
        .clone()
        .unwrap();
    assert_eq!(embed.output_tokens_per_second, 900.0);
    assert_eq!(embed.time_to_first_token_ms, None);
    assert_eq!(embed.measured_from, None);
    assert_eq!(
        embed.source.reliability,
        Reliability::Secondary,
        "the default reliability, like other facts"
    );
    // the later figure replaces the earlier one as a whole (its TTFT and origin go with it)
    let large = acme
        .model("acme-large")
        .unwrap()
        .performance
        .clone()
        .unwrap();
    assert_eq!(large.output_tokens_per_second, 55.25);
    assert_eq!(large.time_to_first_token_ms, None);
    assert_eq!(large.source.source, "my own benchmark");
    // everything else about the models is untouched
    assert_eq!(acme.model("acme-large").unwrap().prices.len(), 2);
}

#[test]
fn an_overlay_can_give_builtin_models_a_published_speed() {
    let builtin = Catalog::builtin().unwrap();
    let (provider, model) = builtin
        .providers
        .values()
        .find_map(|p| p.models.first().map(|m| (p.id.clone(), m.id.clone())))
        .unwrap();
    let c = CatalogLoader::new()
        .overlay_text(
            "speed.toml",
            format!(
                "[provider]\nid = \"{provider}\"\n\n[[performance]]\nmodel = \"{model}\"\n\
                 median_output_tokens_per_second = 61\nsource = \"s\"\nas_of = \"2026-07-01\"\n"
            ),
        )
        .load()
        .unwrap_or_else(|e| panic!("{e}"));
    let m = c.provider(&provider).unwrap().model(&model).unwrap();
    assert_eq!(
        m.performance.as_ref().map(|p| p.output_tokens_per_second),
        Some(61.0)
    );
    let before = builtin.provider(&provider).unwrap().model(&model).unwrap();
    assert_eq!(m.prices.len(), before.prices.len(), "prices kept");
}

#[test]
fn every_bad_published_speed_is_reported_with_line_and_key() {
    let cases: &[(&str, &str)] = &[
        (
            "median_output_tokens_per_second = 0\nsource = \"s\"\nas_of = \"2026\"",
            "speed.toml:6: performance[0].median_output_tokens_per_second: expected a speed in output tokens per second greater than zero, found 0",
        ),
        (
            "median_output_tokens_per_second = -3.5\nsource = \"s\"\nas_of = \"2026\"",
            "speed.toml:6: performance[0].median_output_tokens_per_second: expected a speed in output tokens per second greater than zero, found -3.5",
        ),
        (
            "median_output_tokens_per_second = nan\nsource = \"s\"\nas_of = \"2026\"",
            "speed.toml:6: performance[0].median_output_tokens_per_second: expected a finite number",
        ),
        (
            "median_output_tokens_per_second = \"fast\"\nsource = \"s\"\nas_of = \"2026\"",
            "speed.toml:6: performance[0].median_output_tokens_per_second: expected a decimal number, found the string \"fast\"",
        ),
        (
            "median_output_tokens_per_second = 40\nmedian_time_to_first_token_ms = 0\nsource = \"s\"\nas_of = \"2026\"",
            "speed.toml:7: performance[0].median_time_to_first_token_ms: expected a time to first token in milliseconds greater than zero, found 0",
        ),
        (
            "median_output_tokens_per_second = 40\nmeasured_from = \" \"\nsource = \"s\"\nas_of = \"2026\"",
            "speed.toml:7: performance[0].measured_from: expected a non-empty `measured_from` without surrounding spaces",
        ),
        (
            "median_output_tokens_per_second = 40\nas_of = \"2026\"",
            "speed.toml:4: performance[0]: missing `source`: expected a source",
        ),
        (
            "median_output_tokens_per_second = 40\nsource = \"s\"",
            "speed.toml:4: performance[0]: missing `as_of`: expected the date the fact holds for",
        ),
        (
            "median_output_tokens_per_second = 40\nsource = \"s\"\nas_of = \"\"",
            "speed.toml:8: performance[0].as_of: empty `as_of`",
        ),
        (
            "median_output_tokens_per_second = 40\nsource = \"s\"\nas_of = \"2026\"\nreliability = \"rumour\"",
            "speed.toml:9: performance[0].reliability: unknown reliability `rumour`",
        ),
        (
            "median_output_tokens_per_second = 40\nsource = \"s\"\nas_of = \"2026\"\np99 = 3",
            "speed.toml:9: performance[0].p99: unknown field `p99`",
        ),
        (
            "source = \"s\"\nas_of = \"2026\"",
            "speed.toml:4: performance[0]: missing field `median_output_tokens_per_second`",
        ),
    ];
    // every problem of one entry is reported, not just the first
    let err = over_good(
        "\n[[performance]]\nmodel = \"acme-large\"\nmedian_output_tokens_per_second = 0\n\
         median_time_to_first_token_ms = -1\nas_of = \"2026\"\n",
    )
    .unwrap_err();
    let keys: Vec<&str> = err
        .diagnostics
        .iter()
        .map(|d| d.key_path.as_str())
        .collect();
    assert_eq!(
        keys,
        [
            "performance[0]",
            "performance[0].median_output_tokens_per_second",
            "performance[0].median_time_to_first_token_ms",
        ],
        "{err}"
    );
    for (body, expected) in cases {
        let text = format!("\n[[performance]]\nmodel = \"acme-large\"\n{body}\n");
        let err = over_good(&text).unwrap_err();
        assert_eq!(err.diagnostics.len(), 1, "{body}:\n{err}");
        let got = err.to_string();
        assert!(
            got.starts_with(expected),
            "{body}:\n{got}\nexpected: {expected}"
        );
    }
}

#[test]
fn a_published_speed_must_name_a_model_of_its_provider_once_per_file() {
    let err = over_good(
        r#"
[[performance]]
model = "acme-huge"
median_output_tokens_per_second = 40
source = "s"
as_of = "2026"

[[performance]]
model = "acme-large"
median_output_tokens_per_second = 40
source = "s"
as_of = "2026"

[[performance]]
model = "acme-large"
median_output_tokens_per_second = 41
source = "s"
as_of = "2026"
"#,
    )
    .unwrap_err();
    let text = err.to_string();
    assert_eq!(err.diagnostics.len(), 2, "{text}");
    assert!(
        text.contains("speed.toml:17: performance[2].model: duplicate performance figure for model `acme-large` in this file (first at line 11)"),
        "{text}"
    );
    assert!(
        text.contains("speed.toml:5: performance[0].model: published performance for model `acme-huge`, which is not a model of provider `acme`; expected one of `acme-large` or `acme-embed`"),
        "{text}"
    );
}

#[test]
fn provider_aliases_regions_of_unknown_jurisdiction_and_data_use_are_read() {
    let c = over_good(
        r#"aliases = ["acmecloud", "阿克米", "ACME-AI"]

[[region]]
id = "intl"
name = "International (contracting entity in Singapore)"
residency = "contracting entity in Singapore; where data is processed is not stated"
source = "https://acme.example/terms"
as_of = "2026-02-01"

[data_use]
trains_on_api_data_by_default = false
statement = "API inputs and outputs are not used for training"
source = "https://acme.example/privacy"
as_of = "2026-02-01"
reliability = "primary"
"#,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let acme = c.provider("acme").unwrap();
    assert_eq!(acme.aliases, ["acmecloud", "阿克米", "ACME-AI"]);
    assert_eq!(
        c.find_provider("acme-ai").map(|p| p.id.as_str()),
        Some("acme")
    );
    assert_eq!(
        c.find_provider("阿克米").map(|p| p.id.as_str()),
        Some("acme")
    );
    let intl = acme.region("intl").unwrap();
    assert_eq!(intl.jurisdiction, None, "absent jurisdiction stays unknown");
    assert!(!acme.jurisdictions().iter().any(|j| j.code().is_empty()));
    assert_eq!(acme.regions.len(), 3);
    let d = acme.data_use.as_ref().unwrap();
    assert!(!d.trains_on_api_data_by_default);
    assert_eq!(d.source.reliability, Reliability::Primary);
    // the fixture alone says nothing about training: unknown, not "no"
    assert!(good().provider("acme").unwrap().data_use.is_none());
    assert!(good().provider("acme").unwrap().aliases.is_empty());
}

#[test]
fn certifications_carry_level_coverage_and_known_absence() {
    let c = over_good(
        r#"
[[certification]]
name = "mlps"
level = 4
coverage = "platform"
scope = "cloud platform, not the model service"
source = "https://acme.example/security"
as_of = "2026-02-01"

[[certification]]
name = "SOC2"
held = false
source = "https://aggregator.example/acme"
as_of = "2026-02-01"

[[certification]]
name = "PCI-DSS"
coverage = "other-product"
scope = "Acme Pay only"
source = "https://acme.example/pay"
as_of = "2026-02-01"

[[certification]]
name = "GENAI-FILING"
coverage = "model-service"
scope = "Acme Large"
source = "https://press.example/acme"
as_of = "2025-01-01"
reliability = "third-party"
"#,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let acme = c.provider("acme").unwrap();
    let mlps = acme
        .certifications
        .iter()
        .find(|c| c.name == "MLPS")
        .unwrap();
    assert_eq!(mlps.level, Some(4));
    assert_eq!(mlps.coverage, CertCoverage::Platform);
    assert!(mlps.held);
    let iso = acme
        .certifications
        .iter()
        .find(|c| c.name == "ISO27001")
        .unwrap();
    assert_eq!(iso.coverage, CertCoverage::Unstated, "the default");
    assert_eq!(iso.level, None);
    let soc2 = acme
        .certifications
        .iter()
        .find(|c| c.name == "SOC2")
        .unwrap();
    assert!(!soc2.held, "a known absence");
    assert!(!acme.has_certification("SOC2"), "not held does not count");
    assert!(acme.has_certification("MLPS"));
    assert!(
        acme.has_certification("MLPS3"),
        "level 4 meets a level-3 need"
    );
    assert!(acme.has_certification("mlps4"));
    assert!(!acme.has_certification("MLPS5"));
    assert!(
        !acme.has_certification("PCI-DSS"),
        "another product's certificate is not the provider's"
    );
    let filing = acme
        .certifications
        .iter()
        .find(|c| c.name == "GENAI-FILING")
        .unwrap();
    assert_eq!(filing.coverage, CertCoverage::ModelService);
}

#[test]
fn legacy_graded_certification_names_are_normalised() {
    for (written, extra, level) in [
        ("MLPS3", "", Some(3)),
        ("mlps-4", "", Some(4)),
        ("MLPS3", "level = 3\n", Some(3)),
        ("MLPS", "", None),
    ] {
        let c = over_good(&format!(
            "\n[[certification]]\nname = \"{written}\"\n{extra}source = \"s\"\nas_of = \"2026\"\n"
        ))
        .unwrap_or_else(|e| panic!("{written}: {e}"));
        let acme = c.provider("acme").unwrap();
        let mlps = acme.certifications.iter().find(|c| c.name == "MLPS");
        assert_eq!(mlps.map(|c| c.level), Some(level), "{written}");
    }
    // an overlay replaces a record by its normalised name
    let c = CatalogLoader::new()
        .with_builtin(false)
        .overlay_path(fixture("good"))
        .overlay_text(
            "a.toml",
            "[provider]\nid = \"acme\"\n[[certification]]\nname = \"MLPS3\"\nsource = \"a\"\nas_of = \"2026\"\n",
        )
        .overlay_text(
            "b.toml",
            "[provider]\nid = \"acme\"\n[[certification]]\nname = \"MLPS\"\nlevel = 4\nsource = \"b\"\nas_of = \"2026\"\n",
        )
        .load()
        .unwrap_or_else(|e| panic!("{e}"));
    let acme = c.provider("acme").unwrap();
    let mlps: Vec<_> = acme
        .certifications
        .iter()
        .filter(|c| c.name == "MLPS")
        .collect();
    assert_eq!(mlps.len(), 1);
    assert_eq!(
        (mlps[0].level, mlps[0].source.source.as_str()),
        (Some(4), "b")
    );
}

#[test]
fn incidents_say_where_they_hit_and_whether_the_model_api_went_down() {
    let c = over_good(
        r#"
[[incident]]
id = "acme-2025-06-01-console"
started = "2025-06-01"
duration_hours = 2
scope = "console only"
jurisdictions = ["cn", "sg"]
affects_model_api = false
source = "https://acme.example/status"
as_of = "2025-06-02"
"#,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let acme = c.provider("acme").unwrap();
    let new = acme
        .incidents
        .iter()
        .find(|i| i.id == "acme-2025-06-01-console")
        .unwrap();
    assert_eq!(
        new.jurisdictions,
        [Jurisdiction::MainlandChina, Jurisdiction::Singapore]
    );
    assert!(!new.affects_model_api);
    let old = acme
        .incidents
        .iter()
        .find(|i| i.id == "acme-2025-03-01")
        .unwrap();
    assert!(old.jurisdictions.is_empty(), "not stated");
    assert!(old.affects_model_api, "the default");
}

#[test]
fn observed_availability_is_read_and_replaced_by_service_and_model() {
    let first = r#"
[[availability]]
service = "API status page"
uptime_percent = 99.5
period = "90 days to 2026-04"
source = "https://status.acme.example"
as_of = "2026-04-30"
reliability = "primary"

[[availability]]
service = "OpenRouter endpoint"
model = "acme-large"
uptime_percent = "99.93"
period = "2026-08-30..2026-09-01"
measured_from = "OpenRouter, international endpoint"
source = "https://openrouter.example/acme-large/uptime"
as_of = "2026-09-01"
reliability = "third-party"
"#;
    let c = over_good(first).unwrap_or_else(|e| panic!("{e}"));
    let acme = c.provider("acme").unwrap();
    assert_eq!(acme.availability.len(), 2);
    let page = &acme.availability[0];
    assert_eq!(page.model, None);
    assert_eq!(page.uptime_percent, 99.5);
    assert_eq!(page.measured_from, None);
    let or = &acme.availability[1];
    assert_eq!(or.model.as_deref(), Some("acme-large"));
    assert_eq!(or.uptime_percent, 99.93);
    assert_eq!(
        or.measured_from.as_deref(),
        Some("OpenRouter, international endpoint")
    );
    let later = r#"[provider]
id = "acme"

[[availability]]
service = "OpenRouter endpoint"
model = "acme-large"
uptime_percent = 98
period = "2026-09-01..2026-09-03"
source = "https://openrouter.example/acme-large/uptime"
as_of = "2026-09-03"

[[availability]]
service = "OpenRouter endpoint"
model = "acme-embed"
uptime_percent = 100
period = "2026-09-01..2026-09-03"
source = "https://openrouter.example/acme-embed/uptime"
as_of = "2026-09-03"

[data_use]
trains_on_api_data_by_default = true
statement = "later statement"
source = "later"
as_of = "2026-09-03"
"#;
    let c = CatalogLoader::new()
        .with_builtin(false)
        .overlay_path(fixture("good"))
        .overlay_text(
            "first.toml",
            format!(
                "[provider]\nid = \"acme\"\naliases = [\"a1\"]\n{first}\n[data_use]\n\
                 trains_on_api_data_by_default = false\nstatement = \"first\"\nsource = \"s\"\n\
                 as_of = \"2026\"\n"
            ),
        )
        .overlay_text("later.toml", later)
        .overlay_text(
            "aliases.toml",
            "[provider]\nid = \"acme\"\naliases = [\"a2\"]\n",
        )
        .load()
        .unwrap_or_else(|e| panic!("{e}"));
    let acme = c.provider("acme").unwrap();
    let by: Vec<(Option<&str>, f64)> = acme
        .availability
        .iter()
        .map(|a| (a.model.as_deref(), a.uptime_percent))
        .collect();
    assert_eq!(
        by,
        [
            (None, 99.5),
            (Some("acme-large"), 98.0),
            (Some("acme-embed"), 100.0)
        ]
    );
    assert_eq!(
        acme.availability[1].measured_from, None,
        "replaced as a whole"
    );
    let d = acme.data_use.as_ref().unwrap();
    assert!(d.trains_on_api_data_by_default);
    assert_eq!(d.statement, "later statement");
    assert_eq!(acme.aliases, ["a2"], "a later list replaces");
}

#[test]
fn models_can_be_deprecated_previews_or_special_purpose() {
    let c = over_good(
        r#"
[[model]]
id = "acme-doc"
name = "Acme Doc"
capabilities = ["chat"]
deprecated_from = "2026-09-30"
preview = true
purpose = "document"
source = "https://acme.example/models"
as_of = "2026-01-01"
"#,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let acme = c.provider("acme").unwrap();
    let doc = acme.model("acme-doc").unwrap();
    assert_eq!(doc.deprecated_from.as_deref(), Some("2026-09-30"));
    assert!(doc.preview);
    assert_eq!(doc.purpose, ModelPurpose::Document);
    let large = acme.model("acme-large").unwrap();
    assert_eq!(large.deprecated_from, None);
    assert!(!large.preview);
    assert_eq!(large.purpose, ModelPurpose::General);
}

#[test]
fn every_bad_new_key_is_reported_with_line_and_key() {
    let cert =
        |body: &str| format!("\n[[certification]]\n{body}\nsource = \"s\"\nas_of = \"2026\"\n");
    let avail = |body: &str| {
        format!("\n[[availability]]\nservice = \"status page\"\n{body}\nsource = \"s\"\nas_of = \"2026\"\n")
    };
    let model = |body: &str| {
        format!(
            "\n[[model]]\nid = \"acme-x\"\nname = \"X\"\ncapabilities = [\"chat\"]\n{body}\n\
             source = \"s\"\nas_of = \"2026\"\n"
        )
    };
    let cases: Vec<(String, &str)> = vec![
        (
            "aliases = [\"ok\", \"\"]".into(),
            "speed.toml:3: provider.aliases[1]: expected a non-empty alias without surrounding spaces, found \"\"",
        ),
        (
            "aliases = [\"ok\", \"OK\"]".into(),
            "speed.toml:3: provider.aliases[1]: duplicate alias `OK`",
        ),
        (
            "aliases = \"acmecloud\"".into(),
            "speed.toml:3: provider.aliases: invalid type: string \"acmecloud\", expected a sequence",
        ),
        (
            "\n[[region]]\nid = \"x\"\nname = \"X\"\njurisdiction = \"china\"\nsource = \"s\"\nas_of = \"2026\"".into(),
            "speed.toml:7: region[0].jurisdiction: unknown jurisdiction `china`",
        ),
        (
            cert("name = \"ISO-27001\""),
            "speed.toml:5: certification[0].name: unknown certification `ISO-27001` (did you mean `ISO27001`?), expected `MLPS`, `GENAI-FILING`",
        ),
        (
            cert("name = \"Kubernetes\""),
            "speed.toml:5: certification[0].name: unknown certification `Kubernetes`, expected `MLPS`",
        ),
        (
            cert("name = \"ISO27001\"\nlevel = 2"),
            "speed.toml:6: certification[0].level: `ISO27001` has no levels; `level` is only for graded schemes (`MLPS`)",
        ),
        (
            cert("name = \"MLPS\"\nlevel = 6"),
            "speed.toml:6: certification[0].level: expected a level from 1 to 5, found 6",
        ),
        (
            cert("name = \"MLPS3\"\nlevel = 4"),
            "speed.toml:6: certification[0].level: level 4 contradicts the name `MLPS3` (level 3)",
        ),
        (
            cert("name = \"MLPS\"\nlevel = \"three\""),
            "speed.toml:6: certification[0].level: invalid type: string \"three\", expected an integer",
        ),
        (
            cert("name = \"ISO27001\"\ncoverage = \"model service\""),
            "speed.toml:6: certification[0].coverage: unknown coverage `model service`, expected `model-service`, `platform`, `other-product` or `unstated`",
        ),
        (
            cert("name = \"ISO27001\"\nheld = \"no\""),
            "speed.toml:6: certification[0].held: invalid type: string \"no\", expected `true` or `false`",
        ),
        (
            format!("{}{}", cert("name = \"MLPS3\""), cert("name = \"mlps\"")),
            "speed.toml:10: certification[1].name: duplicate certification `MLPS` in this file (first at line 5)",
        ),
        (
            "\n[[incident]]\nid = \"i\"\nstarted = \"2025-01-01\"\nduration_hours = 1\nscope = \"s\"\njurisdictions = [\"cn\", \"mainland\"]\nsource = \"s\"\nas_of = \"2026\"".into(),
            "speed.toml:9: incident[0].jurisdictions[1]: unknown jurisdiction `mainland`",
        ),
        (
            "\n[[incident]]\nid = \"i\"\nstarted = \"2025-01-01\"\nduration_hours = 1\nscope = \"s\"\naffects_model_api = \"yes\"\nsource = \"s\"\nas_of = \"2026\"".into(),
            "speed.toml:9: incident[0].affects_model_api: invalid type: string \"yes\", expected `true` or `false`",
        ),
        (
            avail("uptime_percent = 0\nperiod = \"90 days\""),
            "speed.toml:6: availability[0].uptime_percent: expected a percentage above 0 and at most 100, found 0",
        ),
        (
            avail("uptime_percent = 100.5\nperiod = \"90 days\""),
            "speed.toml:6: availability[0].uptime_percent: expected a percentage above 0 and at most 100, found 100.5",
        ),
        (
            avail("uptime_percent = 99"),
            "speed.toml:4: availability[0]: missing field `period`",
        ),
        (
            avail("uptime_percent = 99\nperiod = \"\""),
            "speed.toml:7: availability[0].period: expected a non-empty `period` without surrounding spaces",
        ),
        (
            avail("uptime_percent = 99\nperiod = \"p\"\nmodel = \"\""),
            "speed.toml:8: availability[0].model: expected a non-empty `model`",
        ),
        (
            format!("{}{}", avail("uptime_percent = 99\nperiod = \"p\""), avail("uptime_percent = 98\nperiod = \"q\"")),
            "speed.toml:12: availability[1].service: duplicate availability of `status page` in this file (first at line 5)",
        ),
        (
            avail("uptime_percent = 99\nperiod = \"p\"\nwatcher = \"me\""),
            "speed.toml:8: availability[0].watcher: unknown field `watcher`",
        ),
        (
            "\n[data_use]\nstatement = \"s\"\nsource = \"s\"\nas_of = \"2026\"".into(),
            "speed.toml:4: data_use: missing field `trains_on_api_data_by_default`",
        ),
        (
            "\n[data_use]\ntrains_on_api_data_by_default = false\nstatement = \" \"\nsource = \"s\"\nas_of = \"2026\"".into(),
            "speed.toml:6: data_use.statement: empty `statement`, expected what the source says about training on API data",
        ),
        (
            "\n[data_use]\ntrains_on_api_data_by_default = false\nstatement = \"s\"\nas_of = \"2026\"".into(),
            "speed.toml:4: data_use: missing `source`",
        ),
        (
            "\n[[data_use]]\ntrains_on_api_data_by_default = false".into(),
            "speed.toml:4: data_use: expected a table `[data_use]`",
        ),
        (
            model("deprecated_from = \"2026-13-01\""),
            "speed.toml:8: model[0].deprecated_from: expected a date `YYYY-MM-DD`, found \"2026-13-01\"",
        ),
        (
            model("preview = 1"),
            "speed.toml:8: model[0].preview: invalid type: integer `1`, expected `true` or `false`",
        ),
        (
            model("purpose = \"chat\""),
            "speed.toml:8: model[0].purpose: unknown model purpose `chat`, expected `general`, `document`, `code`, `translation`, `roleplay`, `image` or `search`",
        ),
    ];
    let mut wrong = Vec::new();
    for (body, expected) in &cases {
        let got = match over_good(body) {
            Ok(_) => "loaded".to_owned(),
            Err(e) if e.diagnostics.len() == 1 => e.to_string(),
            Err(e) => format!("{} diagnostics:\n{e}", e.diagnostics.len()),
        };
        if !got.starts_with(expected) {
            wrong.push(format!("{body}\n  got: {got}\n  expected: {expected}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n\n"));
}

#[test]
fn an_alias_must_not_name_another_provider() {
    let beta = "[provider]\nid = \"beta\"\nname_en = \"Beta\"\nheadquarters = \"us\"\naliases = [\"b\", \"Acme\"]\n";
    let gamma = "[provider]\nid = \"gamma\"\nname_en = \"Gamma\"\nheadquarters = \"us\"\naliases = [\"gamma-ai\", \"B\", \"gamma\"]\n";
    let err = CatalogLoader::new()
        .with_builtin(false)
        .overlay_path(fixture("good"))
        .overlay_text("beta.toml", beta)
        .overlay_text("gamma.toml", gamma)
        .load()
        .unwrap_err();
    let text = err.to_string();
    assert_eq!(err.diagnostics.len(), 2, "{text}");
    assert!(
        text.contains("beta.toml:5: provider.aliases[1]: alias `Acme` of provider `beta` is already the id of provider `acme`; an alias must name one provider only"),
        "{text}"
    );
    assert!(
        text.contains("gamma.toml:5: provider.aliases[1]: alias `B` of provider `gamma` is already the alias of provider `beta`"),
        "{text}"
    );
}

#[test]
fn every_builtin_provider_is_found_by_each_of_its_aliases() {
    let c = Catalog::builtin().unwrap();
    for p in c.providers.values() {
        assert!(!p.aliases.is_empty(), "{} has no aliases", p.id);
        for a in &p.aliases {
            assert_eq!(
                c.find_provider(a).map(|f| f.id.as_str()),
                Some(p.id.as_str()),
                "alias {a}"
            );
        }
    }
}
