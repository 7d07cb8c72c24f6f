//! A small hand-made catalog for unit tests: three providers whose every number is chosen so
//! the formulas can be checked by hand.

use std::collections::BTreeSet;

use cloudfit_catalog::{
    AuthScheme, Capability, Catalog, CertCoverage, Certification, Currency, DataUse, EgressPrice,
    Endpoint, ExchangeRate, Incident, Jurisdiction, ModelOffering, ModelPurpose, Money, PriceTier,
    ProtocolFamily, Provider, QualityScore, Region, Reliability, Sla, Source, TokenPrice,
};
use rust_decimal::Decimal;

use crate::profile::Profile;

pub fn src(name: &str) -> Source {
    Source {
        source: format!("test:{name}"),
        as_of: "2026-01-01".into(),
        reliability: Reliability::Primary,
    }
}

pub fn d(x: &str) -> Decimal {
    x.parse().unwrap()
}

pub fn tier(up: Option<u64>, input: &str, output: &str, cached: Option<&str>) -> PriceTier {
    PriceTier {
        up_to_prompt_tokens: up,
        input_per_mtok: d(input),
        output_per_mtok: d(output),
        cached_input_per_mtok: cached.map(d),
        cache_write_per_mtok: None,
    }
}

pub fn model(
    id: &str,
    caps: &[Capability],
    currency: Currency,
    tiers: Vec<PriceTier>,
    aa: Option<f64>,
) -> ModelOffering {
    ModelOffering {
        id: id.into(),
        name: id.into(),
        family: None,
        capabilities: caps.iter().copied().collect::<BTreeSet<_>>(),
        context_window: Some(128_000),
        deprecated_from: None,
        preview: false,
        purpose: ModelPurpose::General,
        source: src(id),
        prices: vec![TokenPrice {
            region: None,
            currency,
            tiers,
            superseded: false,
            off_peak: false,
            source: src(&format!("{id}-price")),
        }],
        quality: aa
            .map(|v| QualityScore {
                benchmark: "aa-intelligence-index".into(),
                snapshot: "2026-07-10".into(),
                value: v,
                source: src("aa"),
            })
            .into_iter()
            .collect(),
        performance: None,
    }
}

pub fn region(id: &str, j: Jurisdiction, residency: Option<&str>) -> Region {
    Region {
        id: id.into(),
        name: id.into(),
        jurisdiction: Some(j),
        residency: residency.map(Into::into),
        source: src(id),
    }
}

pub fn endpoint(region: &str, protocol: ProtocolFamily, dialect: &str) -> Endpoint {
    Endpoint {
        region: region.into(),
        protocol,
        dialect: dialect.into(),
        base_url: format!("https://{dialect}.example/v1"),
        auth: AuthScheme::Bearer,
        source: src("endpoint"),
    }
}

pub fn cert(name: &str) -> Certification {
    Certification {
        name: name.into(),
        scope: None,
        level: None,
        coverage: CertCoverage::Unstated,
        held: true,
        source: src(name),
    }
}

pub fn provider(id: &str) -> Provider {
    Provider {
        id: id.into(),
        name_en: id.into(),
        name_zh: None,
        aliases: Vec::new(),
        headquarters: Jurisdiction::MainlandChina,
        regions: Vec::new(),
        endpoints: Vec::new(),
        certifications: Vec::new(),
        sla: None,
        incidents: Vec::new(),
        availability: Vec::new(),
        data_use: None,
        models: Vec::new(),
        gpu_instances: Vec::new(),
        egress: None,
        support: None,
    }
}

/// - `cn-a`: mainland region with a residency statement, OpenAI-compatible (`dashscope`),
///   chat+tools model CNY 2/8 (cached 0.4) up to 32k then 4/16, AA 40; embeddings 0.5 CNY;
///   ISO27001 + MLPS level 3 (model service); no SLA; a 48 h incident on 2025-06-01; egress 0.8 CNY/GB.
/// - `cn-b`: mainland region without statement, native API, chat model CNY 1/2 no cache,
///   AA 30; no certifications; SLA 99.9 %; no egress price.
/// - `us-c`: US region, OpenAI API, chat+tools+vision USD 1/4 (cached 0.1), AA 60; does not
///   train on API data; SOC2 +
///   ISO27001; SLA 99.5 %; egress 0.09 USD/GB (100 GB free). FX: 1 USD = 7.2 CNY.
pub fn catalog() -> Catalog {
    use Capability::*;
    let mut a = provider("cn-a");
    a.regions = vec![region(
        "cn-beijing",
        Jurisdiction::MainlandChina,
        Some("data stays in mainland China"),
    )];
    a.endpoints = vec![endpoint("cn-beijing", ProtocolFamily::OpenAi, "dashscope")];
    a.certifications = vec![cert("ISO27001"), {
        let mut c = cert("MLPS");
        c.level = Some(3);
        c.coverage = CertCoverage::ModelService;
        c
    }];
    a.incidents = vec![Incident {
        id: "a-1".into(),
        started: "2025-06-01".into(),
        duration_hours: 48.0,
        scope: "region".into(),
        jurisdictions: Vec::new(),
        affects_model_api: true,
        root_cause: None,
        source: src("incident"),
    }];
    a.models = vec![
        model(
            "a-chat",
            &[Chat, Tools],
            Currency::Cny,
            vec![
                tier(Some(32_000), "2", "8", Some("0.4")),
                tier(Some(128_000), "4", "16", None),
            ],
            Some(40.0),
        ),
        model(
            "a-embed",
            &[Embeddings],
            Currency::Cny,
            vec![tier(None, "0.5", "0", None)],
            None,
        ),
    ];
    a.egress = Some(EgressPrice {
        price_per_gb: Money {
            amount: d("0.8"),
            currency: Currency::Cny,
        },
        free_gb_per_month: None,
        source: src("egress-a"),
    });

    let mut b = provider("cn-b");
    b.regions = vec![region("cn-south", Jurisdiction::MainlandChina, None)];
    b.endpoints = vec![endpoint("cn-south", ProtocolFamily::Native, "native-b")];
    b.sla = Some(Sla {
        service: "model API".into(),
        monthly_uptime_percent: 99.9,
        covers_model_api: true,
        source: src("sla-b"),
    });
    b.models = vec![model(
        "b-chat",
        &[Chat],
        Currency::Cny,
        vec![tier(None, "1", "2", None)],
        Some(30.0),
    )];

    let mut c = provider("us-c");
    c.headquarters = Jurisdiction::UnitedStates;
    c.regions = vec![region("us-east", Jurisdiction::UnitedStates, None)];
    c.endpoints = vec![endpoint("us-east", ProtocolFamily::OpenAi, "openai")];
    c.certifications = vec![cert("SOC2"), cert("ISO27001")];
    c.data_use = Some(DataUse {
        trains_on_api_data_by_default: false,
        statement: "API data is not used for training".into(),
        source: src("data-use-c"),
    });
    c.sla = Some(Sla {
        service: "model API".into(),
        monthly_uptime_percent: 99.5,
        covers_model_api: true,
        source: src("sla-c"),
    });
    c.models = vec![model(
        "c-chat",
        &[Chat, Tools, Vision],
        Currency::Usd,
        vec![tier(None, "1", "4", Some("0.1"))],
        Some(60.0),
    )];
    c.egress = Some(EgressPrice {
        price_per_gb: Money {
            amount: d("0.09"),
            currency: Currency::Usd,
        },
        free_gb_per_month: Some(100.0),
        source: src("egress-c"),
    });

    Catalog {
        providers: [a, b, c].into_iter().map(|p| (p.id.clone(), p)).collect(),
        claims: Vec::new(),
        exchange_rates: vec![ExchangeRate {
            from: Currency::Usd,
            to: Currency::Cny,
            rate: d("7.2"),
            source: src("fx"),
        }],
    }
}

/// A profile with one chat task (10 M input, 2 M output, 2 000-token prompts, 50 % cache hits),
/// CNY reporting, plus `extra` TOML appended (constraints, weights, current, ...).
pub fn profile(extra: &str) -> Profile {
    let text = format!(
        r#"
name = "test"
segment = "sme"
{extra}
[workload]
currency = "CNY"
[[workload.task]]
name = "chat"
monthly_input_tokens = 10000000
monthly_output_tokens = 2000000
typical_prompt_tokens = 2000
capabilities = ["chat"]
cache_hit_share = 0.5
"#
    );
    Profile::parse(&text, "test.toml").unwrap()
}
