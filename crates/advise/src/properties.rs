//! Properties a buyer relies on, over generated catalogs and profiles (issue: "advice a buyer
//! can defend"): residency is never assumed, prices and certifications move scores the right
//! way, an unknown is never better than a known bad value, and a provider's values depend only
//! on its own facts.

use cloudfit_catalog::{
    Availability, Capability, Catalog, Currency, DataUse, EgressPrice, Jurisdiction, Money,
    ProtocolFamily, Provider, Sla, SupportCommitment,
};
use proptest::prelude::*;
use rust_decimal::Decimal;

use crate::assess::{assess, Assessment, Measurements};
use crate::criterion::Criterion;
use crate::date::Date;
use crate::fixtures::{cert, endpoint, model, profile, provider, region, src, tier};
use crate::rank::{rank, Advice, RankOptions};

/// One generated provider's facts.
#[derive(Clone, Debug)]
struct Gen {
    /// 0 = cn region, 1 = us region, 2 = region of unknown jurisdiction, 3 = none recorded
    region: u8,
    input: u32,
    output: u32,
    quality: Option<u8>,
    certs: [bool; 3],
    sla: Option<u16>,
    uptime: Option<u16>,
    support_min: Option<u16>,
    egress_milli: Option<u16>,
    trains: Option<bool>,
    native: bool,
}

fn gen() -> impl Strategy<Value = Gen> {
    (
        0u8..4,
        1u32..400,
        1u32..800,
        proptest::option::of(10u8..70),
        proptest::array::uniform3(any::<bool>()),
        proptest::option::of(950u16..1000),
        proptest::option::of(9900u16..10000),
        proptest::option::of(5u16..240),
        proptest::option::of(1u16..900),
        proptest::option::of(any::<bool>()),
        any::<bool>(),
    )
        .prop_map(
            |(
                region,
                input,
                output,
                quality,
                certs,
                sla,
                uptime,
                support_min,
                egress_milli,
                trains,
                native,
            )| Gen {
                region,
                input,
                output,
                quality,
                certs,
                sla,
                uptime,
                support_min,
                egress_milli,
                trains,
                native,
            },
        )
}

const CERTS: [&str; 3] = ["ISO27001", "SOC2", "GENAI-FILING"];

fn build(gens: &[Gen]) -> Catalog {
    let mut providers = Vec::new();
    for (i, g) in gens.iter().enumerate() {
        let id = format!("p{i}");
        let mut p: Provider = provider(&id);
        let rid = format!("r{i}");
        match g.region {
            0 => p
                .regions
                .push(region(&rid, Jurisdiction::MainlandChina, None)),
            1 => p
                .regions
                .push(region(&rid, Jurisdiction::UnitedStates, None)),
            2 => {
                let mut r = region(&rid, Jurisdiction::Singapore, None);
                r.jurisdiction = None;
                p.regions.push(r);
            }
            _ => {}
        }
        p.endpoints.push(endpoint(
            "global",
            if g.native {
                ProtocolFamily::Native
            } else {
                ProtocolFamily::OpenAi
            },
            "openai",
        ));
        let price = |x: u32| format!("{}.{:02}", x / 100, x % 100);
        p.models.push(model(
            &format!("m{i}"),
            &[Capability::Chat],
            Currency::Cny,
            vec![tier(None, &price(g.input), &price(g.output), None)],
            g.quality.map(f64::from),
        ));
        for (k, held) in g.certs.iter().enumerate() {
            if *held {
                p.certifications.push(cert(CERTS[k]));
            }
        }
        p.sla = g.sla.map(|s| Sla {
            service: "model API".into(),
            monthly_uptime_percent: f64::from(s) / 10.0,
            covers_model_api: true,
            source: src("sla"),
        });
        p.availability = g
            .uptime
            .map(|u| Availability {
                service: "API".into(),
                model: None,
                uptime_percent: f64::from(u) / 100.0,
                period: "3 days".into(),
                measured_from: None,
                source: src("uptime"),
            })
            .into_iter()
            .collect();
        p.support = g.support_min.map(|m| SupportCommitment {
            tier: "enterprise".into(),
            response_minutes: u32::from(m),
            source: src("support"),
        });
        p.egress = g.egress_milli.map(|e| EgressPrice {
            price_per_gb: Money {
                amount: Decimal::new(i64::from(e), 3),
                currency: Currency::Cny,
            },
            free_gb_per_month: None,
            source: src("egress"),
        });
        p.data_use = g.trains.map(|t| DataUse {
            trains_on_api_data_by_default: t,
            statement: "stated".into(),
            source: src("data-use"),
        });
        providers.push(p);
    }
    Catalog {
        providers: providers.into_iter().map(|p| (p.id.clone(), p)).collect(),
        claims: Vec::new(),
        exchange_rates: Vec::new(),
    }
}

fn as_of() -> Date {
    Date::parse("2026-01-01").unwrap()
}

fn run(cat: &Catalog, extra: &str) -> Assessment {
    let mut p = profile(extra);
    p.workload.monthly_egress_gb = 50.0;
    assess(cat, &p, &Measurements::default(), as_of()).unwrap()
}

fn advise(cat: &Catalog, extra: &str) -> Advice {
    let mut p = profile(extra);
    p.workload.monthly_egress_gb = 50.0;
    let a = assess(cat, &p, &Measurements::default(), as_of()).unwrap();
    rank(
        a,
        &p,
        RankOptions {
            seed: 3,
            samples: 1_500,
            ..RankOptions::default()
        },
    )
    .unwrap()
}

fn value(a: &Assessment, id: &str, c: Criterion) -> Option<(f64, Option<(f64, f64)>)> {
    a.providers
        .iter()
        .find(|p| p.id == id)
        .map(|p| (p.criterion(c).value, p.criterion(c).range))
}

const COST_ONLY: &str = "[weights]\ntype = \"exact\"\ncost = 1";

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    /// A mainland-only profile never ranks a provider without a region known to be in mainland
    /// China (one whose residency is unknown is "to verify", not ranked).
    #[test]
    fn mainland_only_never_ranks_a_provider_without_a_mainland_region(gens in proptest::collection::vec(gen(), 1..6)) {
        let cat = build(&gens);
        let adv = advise(&cat, "[constraints]\ndata_jurisdictions = [\"cn\"]");
        for r in &adv.ranking {
            let id = &adv.assessment.providers[r.index].id;
            let p = &cat.providers[id];
            prop_assert!(p.regions.iter().any(|x| x.jurisdiction == Some(Jurisdiction::MainlandChina)), "{id} ranked");
        }
        for v in &adv.to_verify {
            prop_assert!(!adv.assessment.providers[v.index].open.is_empty());
        }
    }

    /// With cost weight 1 the cheapest cost as ranked is first, and shares sum to 1.
    #[test]
    fn with_cost_weight_one_the_cheapest_is_first(gens in proptest::collection::vec(gen(), 2..6)) {
        let cat = build(&gens);
        let adv = advise(&cat, COST_ONLY);
        if let Some(first) = adv.ranking.first() {
            let cost = |i: usize| adv.assessment.providers[i].criterion(Criterion::Cost).value;
            let min = adv.ranking.iter().map(|r| cost(r.index)).fold(f64::INFINITY, f64::min);
            prop_assert!((cost(first.index) - min).abs() < 1e-6);
            let total: f64 = adv.ranking.iter().map(|r| r.first_rank_share).sum();
            prop_assert!((total - 1.0).abs() < 1e-9);
        }
    }

    /// Output is identical across runs.
    #[test]
    fn output_is_identical_across_runs(gens in proptest::collection::vec(gen(), 2..5)) {
        let cat = build(&gens);
        let a = advise(&cat, "");
        let b = advise(&cat, "");
        let key = |x: &Advice| x.ranking.iter().map(|r| (r.index, r.rank, r.first_rank_share.to_bits())).collect::<Vec<_>>();
        prop_assert_eq!(key(&a), key(&b));
        let q = |x: &Advice| x.questions.iter().map(|q| (q.provider.clone(), q.effect.to_bits())).collect::<Vec<_>>();
        prop_assert_eq!(q(&a), q(&b));
    }

    /// Removing a certification never raises compliance.
    #[test]
    fn removing_a_certification_never_raises_compliance(gens in proptest::collection::vec(gen(), 1..5), which in 0usize..5, k in 0usize..3) {
        let cat = build(&gens);
        let extra = "[constraints]\ndesired_certifications = [\"ISO27001\", \"SOC2\", \"GENAI-FILING\"]";
        let before = run(&cat, extra);
        let id = format!("p{}", which % gens.len());
        let mut cut = cat.clone();
        cut.providers.get_mut(&id).unwrap().certifications.retain(|c| c.name != CERTS[k]);
        let after = run(&cut, extra);
        if let (Some(b), Some(a)) = (value(&before, &id, Criterion::Compliance), value(&after, &id, Criterion::Compliance)) {
            prop_assert!(a.0 <= b.0 + 1e-9);
        }
    }

    /// Making a fact unknown never makes that provider better on its criterion than the worst
    /// known value of that fact in the catalog would.
    #[test]
    fn an_unknown_is_never_better_than_a_known_bad_value(gens in proptest::collection::vec(gen(), 2..6), which in 0usize..6) {
        let id = format!("p{}", which % gens.len());
        let mut bad = gens.clone();
        let i = which % gens.len();
        // the worst values known for the other providers, given to this one ...
        let others = || gens.iter().enumerate().filter(move |(j, _)| *j != i).map(|(_, g)| g);
        bad[i].sla = others().filter_map(|g| g.sla).min();
        bad[i].uptime = others().filter_map(|g| g.uptime).min();
        bad[i].support_min = others().filter_map(|g| g.support_min).max();
        bad[i].egress_milli = others().filter_map(|g| g.egress_milli).max();
        bad[i].trains = others().filter_map(|g| g.trains).max();
        let known = run(&build(&bad), "");
        // ... against the same provider with those facts unknown
        let mut gone = bad.clone();
        gone[i].sla = None;
        gone[i].uptime = None;
        gone[i].support_min = None;
        gone[i].egress_milli = None;
        gone[i].trains = None;
        let unknown = run(&build(&gone), "");
        for c in [Criterion::Stability, Criterion::Cost, Criterion::Compliance] {
            if let (Some(k), Some(u)) = (value(&known, &id, c), value(&unknown, &id, c)) {
                if c.is_benefit() {
                    prop_assert!(u.0 <= k.0 + 1e-9, "{c}: unknown {} better than known {}", u.0, k.0);
                } else {
                    prop_assert!(u.0 >= k.0 - 1e-9, "{c}: unknown {} better than known {}", u.0, k.0);
                }
            }
        }
    }

    /// A provider's criteria do not change when a budget excludes others, or when another
    /// provider is excluded by a constraint.
    #[test]
    fn a_providers_values_do_not_depend_on_who_else_is_compared(gens in proptest::collection::vec(gen(), 2..6)) {
        let cat = build(&gens);
        let all = run(&cat, "");
        let costs: Vec<f64> = all.providers.iter().map(|p| p.criterion(Criterion::Cost).best()).collect();
        let Some(mid) = costs.iter().copied().fold(None, |m: Option<f64>, c| Some(m.map_or(c, |m| m.max(c) ))) else { return Ok(()) };
        let budget = format!("[constraints]\nmonthly_budget = {{ amount = {:.2}, currency = \"CNY\" }}", mid * 0.75);
        for filtered in [run(&cat, &budget), run(&cat, "[constraints]\nrequired_capabilities = [\"chat\"]")] {
            for p in &filtered.providers {
                let q = all.providers.iter().find(|x| x.id == p.id).unwrap();
                for c in Criterion::ALL {
                    prop_assert_eq!(p.criterion(c).value.to_bits(), q.criterion(c).value.to_bits(), "{} {}", p.id, c);
                    prop_assert_eq!(p.criterion(c).range, q.criterion(c).range);
                }
            }
        }
    }

    /// Resolving a question's unknown to its worst plausible value never improves that
    /// provider's first-rank share over resolving it to its best.
    #[test]
    fn the_worst_answer_never_beats_the_best(gens in proptest::collection::vec(gen(), 2..5)) {
        let cat = build(&gens);
        let adv = advise(&cat, "");
        for q in &adv.questions {
            prop_assert!(q.share_worst <= q.share_best + 0.03, "{q:?}");
        }
    }
}
