//! Hard constraints, then the six criteria for every provider that passes them (or whose
//! constraint is only unknown: "to verify").
//!
//! # The six formulas
//!
//! | criterion | unit | better | formula |
//! |---|---|---|---|
//! | cost | reporting currency / month | lower | sum of the [TCO](crate::tco) lines; an unpriced line counts at the highest price any provider in the catalog asks for it (range: lowest..highest) |
//! | performance | output tokens/s | higher | token-weighted mean over task classes of the chosen model's output speed: cloudfit's measurement, else the catalog's published median (`[[performance]]`); a task class without a figure counts at the slowest figure in the catalog (range: slowest..fastest) |
//! | stability | expected h/month without service | lower | `downtime + support wait`. downtime = observed downtime of the model API (`(1 − uptime%/100) × 730 h` from `[[availability]]` or a measured error share) when observed, else the SLA allowance `(1 − SLA%/100) × 730 h` of an SLA that covers the model API, never below the published incident hours in the buyer's jurisdictions (24 months before `as_of`, ÷ 24); unknown → the worst downtime known in the catalog. support wait = first response for one severity-1 case a month (our assumption), unknown → the slowest published response |
//! | compliance | points 0–100 | higher | `50 × held/counted certifications + residency + data use`; residency 35 with a published statement for an allowed region, 20 without one; data use 15 when the provider does not train on API data by default, 0 when it does; unknown certifications and data use count 0 (range up to held) |
//! | ai_capability | points 0–100 | higher | `50 × coverage × (1 + quality)`, coverage = token share of task classes (and embeddings) served, quality = token-weighted min-max-normalised score *of the model chosen for each task class* (the one its cost is priced on) in one reference snapshot; unscored → 0 (range up to 1) |
//! | migration | reporting currency (one-time), or engineer-days with no `[current]` | lower | see [`effort_days`] and [`migration`] |
//!
//! # Unknown facts
//!
//! A value that rests on an absent fact is flagged `unknown` and counted, in the deterministic
//! methods, at a pessimistic bound taken from the whole catalog (the "market"), never from the
//! providers that happen to be compared: so a provider's values depend only on its own facts,
//! the profile and the catalog, and adding or excluding another provider never changes them.
//! SMAA samples the span from the best plausible value to that bound.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use cloudfit_catalog::{
    Catalog, CertCoverage, Certification, Currency, Jurisdiction, Money, ProtocolFamily, Provider,
};
use rust_decimal::Decimal;

use crate::criterion::{Criterion, CriterionValue, Evidence, UnknownFact};
use crate::date::Date;
use crate::fx::Fx;
use crate::i18n::Lang;
use crate::profile::{
    capability_key, jurisdiction_code, CertRequirement, Profile, Segment, Unverified,
};
use crate::tco::{egress_cost, tco, to_f64, CostItem, Scope, Tco, Unpriced};

/// Hours in an average month (8 760 h / 12).
pub const HOURS_PER_MONTH: f64 = 730.0;
/// Incident window before `as_of`.
pub const INCIDENT_WINDOW_MONTHS: u32 = 24;
/// Points of the compliance score from certifications, residency and data use.
pub const CERT_POINTS: f64 = 50.0;
pub const RESIDENCY_POINTS_STATED: f64 = 35.0;
pub const RESIDENCY_POINTS_UNSTATED: f64 = 20.0;
pub const DATA_USE_POINTS: f64 = 15.0;
/// Severity-1 support cases a month the stability criterion assumes (our assumption: one).
pub const SUPPORT_CASES_PER_MONTH: f64 = 1.0;
/// Regression-testing days per task class when the provider changes (our assumption).
pub const REGRESSION_DAYS_PER_TASK: f64 = 2.0;
/// One-time compliance re-assessment when a regulated buyer moves (our assumption, not a
/// sourced figure: the order of a new MLPS level-3 assessment plus filing update).
pub const REASSESSMENT_DEFAULT_CNY: i64 = 100_000;

/// Measurements from cloudfit's own benchmarks and gateway traffic. A measurement of a model
/// wins over its published speed and uptime.
#[derive(Clone, Debug, Default)]
pub struct Measurements {
    pub models: Vec<ModelMeasurement>,
}

/// What cloudfit measured for one model at one provider.
#[derive(Clone, Debug)]
pub struct ModelMeasurement {
    pub provider: String,
    pub model: String,
    /// Median output tokens per second while streaming.
    pub output_tokens_per_s: Option<f64>,
    /// Share of requests that failed (0..=1).
    pub error_rate: Option<f64>,
    pub requests: u64,
    /// Where the figure comes from (`bench run 42`) and when it was measured.
    pub source: String,
    pub measured_at: String,
}

/// Why a provider was excluded before ranking.
#[derive(Clone, Debug, PartialEq)]
pub enum Exclusion {
    /// Every region of the provider is known to lie outside the allowed jurisdictions.
    Jurisdiction {
        allowed: Vec<String>,
        has: Vec<String>,
    },
    /// A source says the provider does not hold a required certification.
    CertificationAbsent {
        certification: String,
        source: String,
    },
    Capabilities {
        missing: Vec<String>,
    },
    /// No task class can be served; one reason per task class (and embeddings).
    NoTaskServed {
        reasons: Vec<(CostItem, Unpriced)>,
    },
    OverBudget {
        at_least: Money,
        budget: Money,
    },
    /// `unverified = "exclude"`: a constraint could not be shown to hold.
    Unverified {
        open: Vec<OpenConstraint>,
    },
}

impl fmt::Display for Exclusion {
    /// English reason; [`exclusion`] renders other languages.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&exclusion(self, Lang::En))
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Excluded {
    pub provider: String,
    pub reason: Exclusion,
}

/// What kind of hard constraint is open.
#[derive(Clone, Debug, PartialEq)]
pub enum OpenKind {
    Residency,
    Certification(String),
}

/// A hard constraint that is neither known to hold nor known to fail.
#[derive(Clone, Debug, PartialEq)]
pub struct OpenConstraint {
    pub kind: OpenKind,
    /// What is not known.
    pub fact_en: String,
    pub fact_zh: String,
    /// What to ask the vendor.
    pub ask_en: String,
    pub ask_zh: String,
}

/// One provider assessed, with its bill and six criteria.
#[derive(Clone, Debug)]
pub struct ProviderAssessment {
    pub id: String,
    pub name_en: String,
    pub name_zh: Option<String>,
    pub tco: Tco,
    /// In [`Criterion::ALL`] order.
    pub criteria: [CriterionValue; 6],
    /// Hard constraints not known to hold; non-empty = "to verify" (assessed as if they held).
    pub open: Vec<OpenConstraint>,
}

impl ProviderAssessment {
    pub fn criterion(&self, c: Criterion) -> &CriterionValue {
        &self.criteria[c.index()]
    }

    pub fn to_verify(&self) -> bool {
        !self.open.is_empty()
    }
}

/// The reference public-quality snapshot all AI-capability scores are compared within.
#[derive(Clone, Debug, PartialEq)]
pub struct QualityReference {
    pub benchmark: String,
    pub snapshot: String,
    pub min: f64,
    pub max: f64,
}

#[derive(Clone, Debug)]
pub struct Assessment {
    pub profile: String,
    pub currency: Currency,
    pub as_of: Date,
    /// Providers that passed every hard constraint, then those to verify.
    pub providers: Vec<ProviderAssessment>,
    pub excluded: Vec<Excluded>,
    pub quality_reference: Option<QualityReference>,
    /// Cost items no provider in the catalog can price: counted as unknown for everyone.
    pub unpriced_everywhere: Vec<CostItem>,
    /// What the profile reader changed on the way in, to be said with the advice.
    pub notices: Vec<crate::profile::Notice>,
}

#[derive(Debug, thiserror::Error)]
pub enum AdviseError {
    #[error("{file}:{line}: current.provider: expected a provider id in the catalog ({known}), found {found:?}")]
    UnknownCurrentProvider {
        file: String,
        line: usize,
        found: String,
        known: String,
    },
    #[error(
        "{file}: constraints.monthly_budget: no exchange rate from {from} to {to} in the catalog"
    )]
    BudgetCurrency {
        file: String,
        from: Currency,
        to: Currency,
    },
    #[error("{file}: current: no exchange rate from {from} to {to} in the catalog")]
    DayRateCurrency {
        file: String,
        from: Currency,
        to: Currency,
    },
    #[error("{file}: weights")]
    Weights {
        file: String,
        source: cloudfit_decide::DecideError,
    },
    #[error("decision engine")]
    Decide(#[from] cloudfit_decide::DecideError),
}

/// Bounds taken from the whole catalog under the profile's scope, so that a provider's values
/// never depend on which other providers are compared.
struct Market {
    /// Per cost line: (lowest, highest) amount any provider asks.
    lines: BTreeMap<CostItem, (f64, f64)>,
    /// Known downtime h/month of any provider's model API (min, max).
    downtime: Option<(f64, f64)>,
    /// Published severity-1 support response in hours (min, max).
    support: Option<(f64, f64)>,
    /// Published or measured output speeds of any model (min, max).
    speed: Option<(f64, f64)>,
    /// Egress of the current provider's data volume at any provider's price (min, max).
    egress: Option<(f64, f64)>,
    /// Re-embedding the current corpus at any provider's embedding price (min, max).
    reembed: Option<(f64, f64)>,
}

fn span_of(values: impl IntoIterator<Item = f64>) -> Option<(f64, f64)> {
    values.into_iter().fold(None, |acc, v| match acc {
        None => Some((v, v)),
        Some((a, b)) => Some((f64::min(a, v), f64::max(b, v))),
    })
}

/// Apply the hard constraints and compute the six criteria. `as_of` ends the incident window
/// and retires deprecated models.
pub fn assess(
    catalog: &Catalog,
    profile: &Profile,
    measurements: &Measurements,
    as_of: Date,
) -> Result<Assessment, AdviseError> {
    let fx = Fx::new(&catalog.exchange_rates);
    let currency = profile.workload.currency;
    let scope = Scope {
        allowed: &profile.constraints.data_jurisdictions,
        as_of: Some(as_of),
        allow_preview: profile.workload.allow_preview_models,
        allow_deprecated: profile.workload.allow_deprecated_models,
    };
    let current = match &profile.current {
        Some(c) => match catalog.find_provider(&c.provider) {
            Some(p) => Some((c, p)),
            None => {
                return Err(AdviseError::UnknownCurrentProvider {
                    file: profile.file.clone(),
                    line: c.provider_line.unwrap_or(0),
                    found: c.provider.clone(),
                    known: catalog
                        .providers
                        .keys()
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(", "),
                })
            }
        },
        None => None,
    };
    let day_rate = match current {
        Some((c, _)) => Some(to_f64(
            fx.convert(c.engineer_day_rate, currency)
                .ok_or(AdviseError::DayRateCurrency {
                    file: profile.file.clone(),
                    from: c.engineer_day_rate.currency,
                    to: currency,
                })?
                .amount,
        )),
        None => None,
    };

    // The market: every provider's bill and published figures under this profile's scope.
    let bills: BTreeMap<&str, Tco> = catalog
        .providers
        .values()
        .map(|p| (p.id.as_str(), tco(p, &profile.workload, scope, fx)))
        .collect();
    let market = market(catalog, &bills, profile, measurements, as_of, current, fx);
    let quality_reference = quality_reference(catalog);

    // 1. Hard constraints.
    let mut excluded = Vec::new();
    let mut candidates: Vec<(&Provider, Vec<OpenConstraint>)> = Vec::new();
    for p in catalog.providers.values() {
        match constraint_check(p, profile, scope, &bills[p.id.as_str()]) {
            Check::Exclude(reason) => excluded.push(Excluded {
                provider: p.id.clone(),
                reason,
            }),
            Check::Open(open)
                if !open.is_empty() && profile.constraints.unverified == Unverified::Exclude =>
            {
                excluded.push(Excluded {
                    provider: p.id.clone(),
                    reason: Exclusion::Unverified { open },
                })
            }
            Check::Open(open) => candidates.push((p, open)),
        }
    }

    // 2. The six criteria, each from the provider's own facts and the market's bounds.
    let counted = profile.counted_certifications();
    let mut providers = Vec::new();
    for (p, open) in candidates {
        let bill = &bills[p.id.as_str()];
        let cost = cost_value(bill, &market, currency);
        if let Some(budget) = profile.constraints.monthly_budget {
            let ceiling = fx
                .convert(budget, currency)
                .ok_or(AdviseError::BudgetCurrency {
                    file: profile.file.clone(),
                    from: budget.currency,
                    to: currency,
                })?
                .amount;
            let at_least = Decimal::from_f64_retain(cost.best()).unwrap_or(Decimal::MAX);
            if at_least > ceiling {
                excluded.push(Excluded {
                    provider: p.id.clone(),
                    reason: Exclusion::OverBudget {
                        at_least: Money {
                            amount: at_least.round_dp(2),
                            currency,
                        },
                        budget,
                    },
                });
                continue;
            }
        }
        let criteria = [
            cost,
            performance(p, bill, profile, measurements, &market),
            stability(p, bill, profile, measurements, as_of, &market),
            compliance(p, profile, &counted, scope),
            ai_capability(p, bill, profile, quality_reference.as_ref()),
            migration(p, profile, current, day_rate, bill, &market, fx, currency),
        ];
        providers.push(ProviderAssessment {
            id: p.id.clone(),
            name_en: p.name_en.clone(),
            name_zh: p.name_zh.clone(),
            tco: bill.clone(),
            criteria,
            open,
        });
    }
    providers.sort_by_key(|p| p.to_verify());
    let mut items: BTreeSet<CostItem> = BTreeSet::new();
    for bill in bills.values() {
        items.extend(bill.lines.iter().map(|l| l.item.clone()));
    }
    let unpriced_everywhere = items
        .into_iter()
        .filter(|i| !market.lines.contains_key(i))
        .collect();
    Ok(Assessment {
        profile: profile.name.clone(),
        currency,
        as_of,
        providers,
        excluded,
        quality_reference,
        unpriced_everywhere,
        notices: profile.notices.clone(),
    })
}

#[allow(clippy::too_many_arguments)]
fn market(
    catalog: &Catalog,
    bills: &BTreeMap<&str, Tco>,
    profile: &Profile,
    measurements: &Measurements,
    as_of: Date,
    current: Option<(&crate::profile::Current, &Provider)>,
    fx: Fx<'_>,
) -> Market {
    let currency = profile.workload.currency;
    let mut lines: BTreeMap<CostItem, (f64, f64)> = BTreeMap::new();
    for bill in bills.values() {
        for line in &bill.lines {
            if let Some(a) = line.amount {
                let a = to_f64(a);
                let e = lines.entry(line.item.clone()).or_insert((a, a));
                e.0 = e.0.min(a);
                e.1 = e.1.max(a);
            }
        }
    }
    let downtime = span_of(catalog.providers.values().filter_map(|p| {
        let d = downtime(p, &bills[p.id.as_str()], profile, measurements, as_of);
        d.known.map(|k| k.max(d.floor))
    }));
    let support = span_of(
        catalog
            .providers
            .values()
            .filter_map(|p| p.support.as_ref())
            .map(|s| f64::from(s.response_minutes) / 60.0),
    );
    let speed = span_of(
        catalog
            .providers
            .values()
            .flat_map(|p| p.models.iter())
            .filter_map(|m| m.performance.as_ref())
            .map(|f| f.output_tokens_per_second)
            .chain(
                measurements
                    .models
                    .iter()
                    .filter_map(|m| m.output_tokens_per_s),
            ),
    );
    let egress = current.and_then(|(c, _)| {
        span_of(
            catalog
                .providers
                .values()
                .filter_map(|p| egress_cost(p, c.data_to_move_gb, fx, currency).ok())
                .map(|(a, _)| to_f64(a)),
        )
    });
    let reembed = current
        .filter(|(c, _)| c.embedded_corpus_tokens > 0)
        .and_then(|(c, _)| {
            span_of(
                catalog
                    .providers
                    .values()
                    .filter_map(|p| reembed_cost(p, c.embedded_corpus_tokens, profile, fx))
                    .map(|(a, _)| a),
            )
        });
    Market {
        lines,
        downtime,
        support,
        speed,
        egress,
        reembed,
    }
}

enum Check {
    Exclude(Exclusion),
    /// Passes, possibly with open constraints (to verify).
    Open(Vec<OpenConstraint>),
}

fn name_of(p: &Provider) -> String {
    p.name_en.clone()
}

fn name_zh_of(p: &Provider) -> String {
    p.name_zh.clone().unwrap_or_else(|| p.name_en.clone())
}

fn allowed_names(allowed: &[Jurisdiction]) -> (String, String) {
    let en: Vec<&str> = allowed.iter().map(|j| j.name_en()).collect();
    let zh: Vec<&str> = allowed.iter().map(jurisdiction_zh).collect();
    (en.join(" or "), zh.join("或"))
}

pub fn jurisdiction_zh(j: &Jurisdiction) -> &str {
    match j {
        Jurisdiction::MainlandChina => "中国内地",
        Jurisdiction::HongKong => "中国香港",
        Jurisdiction::Singapore => "新加坡",
        Jurisdiction::UnitedStates => "美国",
        Jurisdiction::EuropeanUnion => "欧盟",
        Jurisdiction::UnitedKingdom => "英国",
        Jurisdiction::Japan => "日本",
        Jurisdiction::Other(code) => code,
    }
}

/// Whether a held certification record satisfies a requirement, fails it, or leaves it open.
enum CertFit<'a> {
    Held(&'a Certification),
    Absent(&'a Certification),
    /// On record, but the level or the coverage does not show the requirement is met.
    Unclear(&'a Certification, &'static str),
    NoRecord,
}

/// MLPS (等级保护) grades one information system, so only a record for the model service
/// itself shows that service is graded; other certificates of the platform cover its services.
fn cert_fit<'a>(p: &'a Provider, req: &CertRequirement) -> CertFit<'a> {
    let records: Vec<&Certification> = p
        .certifications
        .iter()
        .filter(|c| c.name.eq_ignore_ascii_case(&req.name))
        .collect();
    if records.is_empty() {
        return CertFit::NoRecord;
    }
    let system_level = req.name.eq_ignore_ascii_case("MLPS");
    let mut unclear = None;
    for c in &records {
        if !c.held {
            continue;
        }
        let level_ok = match (req.min_level, c.level) {
            (None, _) => true,
            (Some(min), Some(l)) => l >= min,
            (Some(_), None) => {
                unclear.get_or_insert((*c, "level"));
                false
            }
        };
        let coverage_ok = !system_level
            || matches!(
                c.coverage,
                CertCoverage::ModelService | CertCoverage::Unstated
            );
        if !coverage_ok {
            unclear.get_or_insert((*c, "coverage"));
        }
        if level_ok && coverage_ok {
            return CertFit::Held(c);
        }
        if !level_ok && c.level.is_some() && coverage_ok {
            unclear.get_or_insert((*c, "lower"));
        }
    }
    if let Some((c, why)) = unclear {
        return CertFit::Unclear(c, why);
    }
    match records.iter().find(|c| !c.held) {
        Some(c) => CertFit::Absent(c),
        None => CertFit::NoRecord,
    }
}

fn constraint_check(p: &Provider, profile: &Profile, scope: Scope<'_>, bill: &Tco) -> Check {
    let mut open = Vec::new();
    let allowed = &profile.constraints.data_jurisdictions;
    if !allowed.is_empty() && !p.regions.iter().any(|r| scope.region_allowed(r)) {
        let unknown_regions: Vec<&str> = p
            .regions
            .iter()
            .filter(|r| r.jurisdiction.is_none())
            .map(|r| r.id.as_str())
            .collect();
        if p.regions.is_empty() || !unknown_regions.is_empty() {
            let (en, zh) = allowed_names(allowed);
            let (fact_en, fact_zh) = if p.regions.is_empty() {
                (
                    "the catalog records no region, so where API data is processed is unknown"
                        .to_owned(),
                    "目录中没有任何地域记录,API 数据在何处处理未知".to_owned(),
                )
            } else {
                (
                    format!(
                        "no source says where data sent to {} is processed",
                        unknown_regions.join(", ")
                    ),
                    format!(
                        "没有来源说明发往 {} 的数据在何处处理",
                        unknown_regions.join("、")
                    ),
                )
            };
            open.push(OpenConstraint {
                kind: OpenKind::Residency,
                fact_en,
                fact_zh,
                ask_en: format!(
                    "Ask {}: in which region is model inference run and API data stored, and is that in {en}? (get it in the contract)",
                    name_of(p)
                ),
                ask_zh: format!(
                    "问{}:模型推理在哪个地域运行、API 数据存储在哪里,是否位于{zh}?(写入合同)",
                    name_zh_of(p)
                ),
            });
        } else {
            let has: BTreeSet<String> = p
                .regions
                .iter()
                .filter_map(|r| r.jurisdiction.as_ref())
                .map(|j| jurisdiction_code(j).to_owned())
                .collect();
            return Check::Exclude(Exclusion::Jurisdiction {
                allowed: allowed
                    .iter()
                    .map(|j| jurisdiction_code(j).to_owned())
                    .collect(),
                has: has.into_iter().collect(),
            });
        }
    }
    for req in &profile.constraints.required_certifications {
        let label = req.label();
        let (fact_en, fact_zh) = match cert_fit(p, req) {
            CertFit::Held(_) => continue,
            CertFit::Absent(c) => {
                return Check::Exclude(Exclusion::CertificationAbsent {
                    certification: label,
                    source: c.source.source.clone(),
                })
            }
            CertFit::Unclear(c, "coverage") => {
                let (what_en, what_zh) = match c.coverage {
                    CertCoverage::OtherProduct => ("another product", "其他产品"),
                    _ => ("the cloud platform", "云平台"),
                };
                (
                    format!(
                        "{}{} on record covers {what_en}, not the model service",
                        c.name,
                        c.level.map(|l| format!(" level {l}")).unwrap_or_default(),
                    ),
                    format!(
                        "目录中的 {}{} 覆盖的是{what_zh},不是模型服务本身",
                        c.name,
                        c.level.map(|l| format!(" {l} 级")).unwrap_or_default(),
                    ),
                )
            }
            CertFit::Unclear(c, "lower") => (
                format!(
                    "{} on record is level {}, below the required {}",
                    c.name,
                    c.level.unwrap_or(0),
                    label
                ),
                format!(
                    "目录中的 {} 为 {} 级,低于要求的 {}",
                    c.name,
                    c.level.unwrap_or(0),
                    label
                ),
            ),
            CertFit::Unclear(c, _) => (
                format!("{} is on record without its level", c.name),
                format!("目录中有 {} 但未注明级别", c.name),
            ),
            CertFit::NoRecord => (
                format!("no record of {label} found (not proof it is missing)"),
                format!("未找到 {label} 的记录(不等于没有)"),
            ),
        };
        let (ask_en, ask_zh) = cert_question(p, req);
        open.push(OpenConstraint {
            kind: OpenKind::Certification(label),
            fact_en,
            fact_zh,
            ask_en,
            ask_zh,
        });
    }
    // A capability no model of the provider has is a known gap; one whose price in the
    // allowed regions is unknown is a cost to ask about, not a reason to exclude.
    let usable: BTreeSet<cloudfit_catalog::Capability> = p
        .models
        .iter()
        .flat_map(|m| m.capabilities.iter().copied())
        .collect();
    let missing: Vec<String> = profile
        .constraints
        .required_capabilities
        .iter()
        .filter(|c| !usable.contains(c))
        .map(|c| capability_key(*c).to_owned())
        .collect();
    if !missing.is_empty() {
        return Check::Exclude(Exclusion::Capabilities { missing });
    }
    let model_lines: Vec<_> = bill
        .lines
        .iter()
        .filter(|l| matches!(l.item, CostItem::Task(_) | CostItem::Embeddings))
        .collect();
    if !model_lines.is_empty()
        && model_lines
            .iter()
            .all(|l| l.amount.is_none() && l.choice.is_none())
    {
        return Check::Exclude(Exclusion::NoTaskServed {
            reasons: model_lines
                .iter()
                .filter_map(|l| l.unpriced.clone().map(|u| (l.item.clone(), u)))
                .collect(),
        });
    }
    Check::Open(open)
}

fn cert_question(p: &Provider, req: &CertRequirement) -> (String, String) {
    let label = req.label();
    match (req.name.as_str(), req.min_level) {
        ("MLPS", Some(l)) => (
            format!(
                "Ask {}: is the model service you would call (not only the cloud platform) assessed at MLPS level {l} or higher? Ask for the filing certificate (等保备案证明) and the assessment report date",
                name_of(p)
            ),
            format!(
                "问{}:你要调用的模型服务本身(而不只是云平台)是否通过等保 {l} 级或以上测评?请对方提供等保备案证明和测评报告日期",
                name_zh_of(p)
            ),
        ),
        ("GENAI-FILING", _) => (
            format!(
                "Ask {}: which of its models have completed the generative-AI service filing (生成式人工智能服务备案), under what filing number?",
                name_of(p)
            ),
            format!(
                "问{}:哪些模型已完成生成式人工智能服务备案,备案编号是什么?",
                name_zh_of(p)
            ),
        ),
        _ => (
            format!(
                "Ask {}: does the model service hold {label}, and may we see the certificate or report with its scope?",
                name_of(p)
            ),
            format!(
                "问{}:模型服务是否持有 {label}?能否提供证书或报告及其覆盖范围?",
                name_zh_of(p)
            ),
        ),
    }
}

/// Cost: known lines summed; each unpriced line counted at the highest price any provider in
/// the catalog asks for it, with the lowest as its best case.
fn cost_value(bill: &Tco, market: &Market, currency: Currency) -> CriterionValue {
    let known = to_f64(bill.known_total());
    let (mut lo, mut hi) = (known, known);
    let mut notes = Vec::new();
    let mut evidence = Vec::new();
    let mut unknowns = Vec::new();
    let mut unknown = false;
    for line in &bill.lines {
        evidence.extend(line.evidence.iter().cloned());
        if line.amount.is_some() {
            continue;
        }
        unknown = true;
        let why = line
            .unpriced
            .as_ref()
            .map(|u| u.to_string())
            .unwrap_or_default();
        let why_zh = line
            .unpriced
            .as_ref()
            .map(|u| crate::tco::unpriced(u, Lang::Zh))
            .unwrap_or_default();
        let item_zh = crate::tco::cost_item(&line.item, Lang::Zh);
        match market.lines.get(&line.item) {
            Some(&(a, b)) => {
                lo += a;
                hi += b;
                notes.push(format!(
                    "{}: {why}; counted as {b:.2} (the highest price in the catalog), range {a:.2}..{b:.2}",
                    line.item
                ));
                let (ask_en, ask_zh) = match &line.item {
                    CostItem::Egress => (
                        "what is the internet egress price per GB, and how much is free each month?".to_owned(),
                        "公网出流量每 GB 多少钱,每月免费额度多少?".to_owned(),
                    ),
                    CostItem::Embeddings => (
                        "which embedding model would serve us, at what price per million tokens?".to_owned(),
                        "用哪个向量(嵌入)模型,每百万 token 多少钱?".to_owned(),
                    ),
                    CostItem::Task(name) => (
                        format!("which model would serve task {name} ({why}), at what price?"),
                        format!("任务 {name} 用哪个模型({why_zh}),价格多少?"),
                    ),
                    CostItem::Gpu => (
                        "what does the GPU instance cost per hour?".to_owned(),
                        "GPU 实例每小时多少钱?".to_owned(),
                    ),
                    CostItem::Storage => (
                        "what does storage cost per GB-month?".to_owned(),
                        "存储每 GB·月多少钱?".to_owned(),
                    ),
                };
                unknowns.push(UnknownFact {
                    key: format!("cost:{}", line.item),
                    fact_en: format!("{}: {why}", line.item),
                    fact_zh: format!("{item_zh}:{why_zh}"),
                    ask_en,
                    ask_zh,
                    span: b - a,
                });
            }
            None => notes.push(format!(
                "{}: {why}; no provider in the catalog prices it, so it is counted as 0 for everyone and flagged",
                line.item
            )),
        }
    }
    CriterionValue {
        criterion: Criterion::Cost,
        value: hi,
        unknown,
        range: (hi > lo).then_some((lo, hi)),
        unit: format!("{currency}/month"),
        evidence,
        note: notes.join("; "),
        unknowns,
    }
}

fn task_weights(bill: &Tco, profile: &Profile) -> Vec<(String, f64, Option<String>)> {
    profile
        .workload
        .tasks
        .iter()
        .map(|t| {
            let choice = bill
                .line(&CostItem::Task(t.name.clone()))
                .and_then(|l| l.choice.clone());
            (
                t.name.clone(),
                (t.monthly_input_tokens + t.monthly_output_tokens) as f64,
                choice,
            )
        })
        .collect()
}

/// Performance: per task class, cloudfit's measured output speed of the chosen model, else the
/// speed published in the catalog; a task class without a figure counts at the slowest figure
/// in the catalog (best case: the fastest). Token-weighted (a plain mean when all weights are 0).
fn performance(
    p: &Provider,
    bill: &Tco,
    profile: &Profile,
    m: &Measurements,
    market: &Market,
) -> CriterionValue {
    let mut figures: Vec<(Option<f64>, f64, String)> = Vec::new();
    let mut evidence = Vec::new();
    for (task, w, choice) in task_weights(bill, profile) {
        let Some(model) = choice else { continue };
        let measured = m
            .models
            .iter()
            .filter(|x| x.provider == p.id && x.model == model)
            .find_map(|x| x.output_tokens_per_s.map(|v| (v, x)));
        if let Some((v, x)) = measured {
            figures.push((Some(v), w, task));
            evidence.push(Evidence::measured(
                format!(
                    "{model}: measured {v:.1} output tokens/s over {} requests",
                    x.requests
                ),
                &x.source,
                &x.measured_at,
            ));
        } else if let Some(f) = p.model(&model).and_then(|o| o.performance.as_ref()) {
            let v = f.output_tokens_per_second;
            figures.push((Some(v), w, task));
            let mut detail = String::from("median while streaming");
            if let Some(ttft) = f.time_to_first_token_ms {
                detail.push_str(&format!(", time to first token {ttft} ms"));
            }
            if let Some(from) = &f.measured_from {
                detail.push_str(&format!(", measured from {from}"));
            }
            evidence.push(Evidence::new(
                format!("{model}: published {v:.1} output tokens/s ({detail})"),
                &f.source,
            ));
        } else {
            figures.push((None, w, format!("{task} ({model})")));
        }
    }
    let unit = "output tokens/s".to_owned();
    let total: f64 = figures.iter().map(|f| f.1).sum();
    let share = |w: f64| {
        if total > 0.0 {
            w / total
        } else {
            1.0 / figures.len().max(1) as f64
        }
    };
    let (slow, fast) = market.speed.unwrap_or((0.0, 0.0));
    let mut value = 0.0;
    let mut best = 0.0;
    let mut unknowns = Vec::new();
    let mut missing = Vec::new();
    for (v, w, label) in &figures {
        match v {
            Some(v) => {
                value += share(*w) * v;
                best += share(*w) * v;
            }
            None => {
                value += share(*w) * slow;
                best += share(*w) * fast;
                missing.push(label.clone());
                unknowns.push(UnknownFact {
                    key: format!("performance:{label}"),
                    fact_en: format!("no measured or published speed for {label}"),
                    fact_zh: format!("{label} 没有实测或公开的速度数据"),
                    ask_en: format!(
                        "measure it: `cloudfit bench` against {}'s endpoint, or ask {}: what output speed and time to first token does the model reach from our region?",
                        p.id,
                        name_of(p)
                    ),
                    ask_zh: format!(
                        "自己测:用 `cloudfit bench` 测 {} 的接口;或问{}:从我们所在地域调用,该模型的输出速度和首 token 时间是多少?",
                        p.id,
                        name_zh_of(p)
                    ),
                    span: share(*w) * (fast - slow),
                });
            }
        }
    }
    if figures.is_empty() {
        // No task class is served here: nothing to be fast at; the slowest figure, flagged.
        return CriterionValue {
            criterion: Criterion::Performance,
            value: slow,
            unknown: true,
            range: (fast > slow).then_some((slow, fast)),
            unit,
            evidence,
            note: "no task class is served, so no speed applies".to_owned(),
            unknowns,
        };
    }
    let unknown = !missing.is_empty();
    CriterionValue {
        criterion: Criterion::Performance,
        value,
        unknown,
        range: (best > value).then_some((value, best)),
        unit,
        evidence,
        note: if unknown {
            format!(
                "no measured or published speed for {}; counted at the slowest figure in the catalog ({slow:.1}), plausible up to the fastest ({fast:.1})",
                missing.join(", ")
            )
        } else {
            String::new()
        },
        unknowns,
    }
}

/// Downtime of the model API: observed or committed, and the incident floor.
struct Downtime {
    /// Observed downtime, else the SLA allowance of an SLA that covers the model API.
    known: Option<f64>,
    /// Published incident hours in the buyer's jurisdictions, per month.
    floor: f64,
    evidence: Vec<Evidence>,
    /// What the known figure is (`observed downtime`, `SLA allowance`).
    basis: &'static str,
}

fn incident_counts(inc: &cloudfit_catalog::Incident, profile: &Profile) -> bool {
    let allowed = &profile.constraints.data_jurisdictions;
    inc.affects_model_api
        && (allowed.is_empty()
            || inc.jurisdictions.is_empty()
            || inc.jurisdictions.iter().any(|j| allowed.contains(j)))
}

fn downtime(
    p: &Provider,
    bill: &Tco,
    profile: &Profile,
    m: &Measurements,
    as_of: Date,
) -> Downtime {
    let mut evidence = Vec::new();
    let start = as_of.minus_months(INCIDENT_WINDOW_MONTHS);
    let mut incident_hours = 0.0;
    for inc in &p.incidents {
        let Some(d) = Date::parse_prefix(&inc.started) else {
            continue;
        };
        if d <= start || d > as_of {
            continue;
        }
        if incident_counts(inc, profile) {
            incident_hours += inc.duration_hours;
            evidence.push(Evidence::new(
                format!(
                    "incident {} {}: {} h ({})",
                    inc.id, inc.started, inc.duration_hours, inc.scope
                ),
                &inc.source,
            ));
        }
    }
    let floor = incident_hours / f64::from(INCIDENT_WINDOW_MONTHS);
    let chosen: BTreeSet<&str> = bill
        .lines
        .iter()
        .filter_map(|l| l.choice.as_deref())
        .collect();
    let measured = m
        .models
        .iter()
        .filter(|x| x.provider == p.id && chosen.contains(x.model.as_str()))
        .filter_map(|x| x.error_rate.map(|e| (e, x)))
        .map(|(e, x)| {
            evidence.push(Evidence::measured(
                format!(
                    "{}: measured error rate {:.4} over {} requests",
                    x.model, e, x.requests
                ),
                &x.source,
                &x.measured_at,
            ));
            e * HOURS_PER_MONTH
        })
        .fold(None, |acc: Option<f64>, v| {
            Some(acc.map_or(v, |a| a.max(v)))
        });
    // Observed uptime: the chosen models' figures when there are any, else the service's
    // (every endpoint figure of the provider, as evidence about the same service family).
    let chosen_av: Vec<_> = p
        .availability
        .iter()
        .filter(|a| a.model.as_deref().is_some_and(|mo| chosen.contains(mo)))
        .collect();
    let av: Vec<_> = if chosen_av.is_empty() {
        p.availability.iter().collect()
    } else {
        chosen_av
    };
    let observed = if av.is_empty() {
        None
    } else {
        // The median of the endpoints' figures: one troubled endpoint of another model does
        // not stand for the whole service.
        let mut ups: Vec<f64> = av.iter().map(|a| a.uptime_percent).collect();
        ups.sort_by(f64::total_cmp);
        let mid = ups.len() / 2;
        let mean = if ups.len() % 2 == 1 {
            ups[mid]
        } else {
            (ups[mid - 1] + ups[mid]) / 2.0
        };
        for a in &av {
            evidence.push(Evidence::new(
                format!(
                    "observed uptime {}% ({}{}, {}{})",
                    a.uptime_percent,
                    a.service,
                    a.model
                        .as_ref()
                        .map(|m| format!(" {m}"))
                        .unwrap_or_default(),
                    a.period,
                    a.measured_from
                        .as_ref()
                        .map(|f| format!(", {f}"))
                        .unwrap_or_default()
                ),
                &a.source,
            ));
        }
        Some((1.0 - mean / 100.0) * HOURS_PER_MONTH)
    };
    let sla = p.sla.as_ref().inspect(|s| {
        evidence.push(Evidence::new(
            format!(
                "SLA {}% monthly uptime ({}){}",
                s.monthly_uptime_percent,
                s.service,
                if s.covers_model_api {
                    ""
                } else {
                    " — compute only: context, not scored for the model API"
                }
            ),
            &s.source,
        ));
    });
    let allowance = sla
        .filter(|s| s.covers_model_api)
        .map(|s| (1.0 - s.monthly_uptime_percent / 100.0) * HOURS_PER_MONTH);
    let (known, basis) = match (observed, measured, allowance) {
        (None, None, None) => (None, ""),
        (None, None, Some(a)) => (Some(a.max(floor)), "SLA allowance"),
        (o, me, _) => (
            Some(o.unwrap_or(0.0).max(me.unwrap_or(0.0)).max(floor)),
            "observed downtime",
        ),
    };
    Downtime {
        known,
        floor,
        evidence,
        basis,
    }
}

/// Stability: expected hours a month without service = downtime of the model API + the wait
/// for a first support response to one severity-1 case (see the module docs).
fn stability(
    p: &Provider,
    bill: &Tco,
    profile: &Profile,
    m: &Measurements,
    as_of: Date,
    market: &Market,
) -> CriterionValue {
    let d = downtime(p, bill, profile, m, as_of);
    let mut evidence = d.evidence;
    let mut unknowns = Vec::new();
    let mut notes = Vec::new();
    let (down_lo, down_hi) = match d.known {
        Some(k) => {
            notes.push(format!("{}: {k:.3} h/month", d.basis));
            (k, k)
        }
        None => {
            let (lo, hi) = market.downtime.unwrap_or((d.floor, d.floor));
            let (lo, hi) = (lo.max(d.floor), hi.max(d.floor));
            notes.push(format!(
                "no observed uptime and no SLA for the model API; downtime counted at the worst known in the catalog ({hi:.3} h/month), plausible from {lo:.3}"
            ));
            unknowns.push(UnknownFact {
                key: "stability:model-api-uptime".to_owned(),
                fact_en: "no SLA or observed uptime for the model API".to_owned(),
                fact_zh: "模型 API 没有 SLA,也没有观测到的可用率".to_owned(),
                ask_en: format!(
                    "Ask {}: what monthly uptime does the model API commit to in the contract (SLA with credits), and what did it achieve over the last 12 months?",
                    name_of(p)
                ),
                ask_zh: format!(
                    "问{}:模型 API 在合同中承诺的月可用率(带赔偿的 SLA)是多少?过去 12 个月实际达到多少?",
                    name_zh_of(p)
                ),
                span: hi - lo,
            });
            (lo, hi)
        }
    };
    let (sup_lo, sup_hi) = match &p.support {
        Some(s) => {
            let h = f64::from(s.response_minutes) / 60.0 * SUPPORT_CASES_PER_MONTH;
            evidence.push(Evidence::new(
                format!(
                    "support: first response {} min ({})",
                    s.response_minutes, s.tier
                ),
                &s.source,
            ));
            (h, h)
        }
        None => {
            let (lo, hi) = market.support.unwrap_or((0.0, 0.0));
            let (lo, hi) = (lo * SUPPORT_CASES_PER_MONTH, hi * SUPPORT_CASES_PER_MONTH);
            if hi > 0.0 {
                notes.push(format!(
                    "no published support response time; counted at the slowest in the catalog ({:.0} min)",
                    hi * 60.0
                ));
                unknowns.push(UnknownFact {
                    key: "stability:support-response".to_owned(),
                    fact_en: "no published support response time".to_owned(),
                    fact_zh: "没有公布技术支持响应时间".to_owned(),
                    ask_en: format!(
                        "Ask {}: how fast is the first response to a severity-1 (production down) ticket on the plan we would buy, in writing?",
                        name_of(p)
                    ),
                    ask_zh: format!(
                        "问{}:我们购买的支持计划中,严重故障(生产中断)工单的首次响应时间是多少?能否书面承诺?",
                        name_zh_of(p)
                    ),
                    span: hi - lo,
                });
            }
            (lo, hi)
        }
    };
    let value = down_hi + sup_hi;
    let best = down_lo + sup_lo;
    CriterionValue {
        criterion: Criterion::Stability,
        value,
        unknown: !unknowns.is_empty(),
        range: (value > best).then_some((best, value)),
        unit: "expected h/month without service".to_owned(),
        evidence,
        note: notes.join("; "),
        unknowns,
    }
}

/// Compliance: counted certifications held, residency fit and data use (points 0–100).
pub fn compliance(
    p: &Provider,
    profile: &Profile,
    counted: &[CertRequirement],
    scope: Scope<'_>,
) -> CriterionValue {
    let mut evidence = Vec::new();
    let mut unknowns = Vec::new();
    let mut held = 0usize;
    let mut unclear = Vec::new();
    let per_cert = if counted.is_empty() {
        0.0
    } else {
        CERT_POINTS / counted.len() as f64
    };
    for req in counted {
        let label = req.label();
        match cert_fit(p, req) {
            CertFit::Held(c) => {
                held += 1;
                evidence.push(Evidence::new(
                    format!(
                        "{}{}{}",
                        c.name,
                        c.level.map(|l| format!(" level {l}")).unwrap_or_default(),
                        c.scope
                            .as_ref()
                            .map(|s| format!(" ({s})"))
                            .unwrap_or_default()
                    ),
                    &c.source,
                ));
            }
            CertFit::Absent(c) => {
                evidence.push(Evidence::new(format!("{} not held", c.name), &c.source));
            }
            CertFit::Unclear(c, _) => {
                evidence.push(Evidence::new(
                    format!(
                        "{}{} ({}), does not show {label} for the model service",
                        c.name,
                        c.level.map(|l| format!(" level {l}")).unwrap_or_default(),
                        c.scope.as_deref().unwrap_or("scope not stated")
                    ),
                    &c.source,
                ));
                unclear.push(label.clone());
                let (ask_en, ask_zh) = cert_question(p, req);
                unknowns.push(UnknownFact {
                    key: format!("compliance:{label}"),
                    fact_en: format!("{label}: not shown for the model service"),
                    fact_zh: format!("{label}:未能证明覆盖模型服务"),
                    ask_en,
                    ask_zh,
                    span: per_cert,
                });
            }
            CertFit::NoRecord => {
                unclear.push(label.clone());
                let (ask_en, ask_zh) = cert_question(p, req);
                unknowns.push(UnknownFact {
                    key: format!("compliance:{label}"),
                    fact_en: format!("no record of {label}"),
                    fact_zh: format!("没有 {label} 的记录"),
                    ask_en,
                    ask_zh,
                    span: per_cert,
                });
            }
        }
    }
    let fit: Vec<_> = p
        .regions
        .iter()
        .filter(|r| scope.region_allowed(r))
        .collect();
    let stated = fit.iter().find(|r| r.residency.is_some());
    let residency = if let Some(r) = stated {
        evidence.push(Evidence::new(
            format!(
                "{} ({}): {}",
                r.id,
                r.jurisdiction.as_ref().map_or("unknown", jurisdiction_code),
                r.residency.as_deref().unwrap_or_default()
            ),
            &r.source,
        ));
        RESIDENCY_POINTS_STATED
    } else if let Some(r) = fit.first() {
        evidence.push(Evidence::new(
            format!(
                "region {} ({}), no residency statement",
                r.id,
                r.jurisdiction.as_ref().map_or("unknown", jurisdiction_code)
            ),
            &r.source,
        ));
        RESIDENCY_POINTS_UNSTATED
    } else if profile.constraints.data_jurisdictions.is_empty() {
        0.0
    } else {
        // To verify: assessed as if a region in an allowed jurisdiction existed, unstated.
        RESIDENCY_POINTS_UNSTATED
    };
    let data_use = match &p.data_use {
        Some(d) => {
            evidence.push(Evidence::new(
                format!(
                    "data use: {} ({})",
                    if d.trains_on_api_data_by_default {
                        "may train on API data by default"
                    } else {
                        "does not train on API data by default"
                    },
                    d.statement
                ),
                &d.source,
            ));
            if d.trains_on_api_data_by_default {
                0.0
            } else {
                DATA_USE_POINTS
            }
        }
        None => {
            unknowns.push(UnknownFact {
                key: "compliance:data-use".to_owned(),
                fact_en: "no statement on training with API data".to_owned(),
                fact_zh: "没有关于是否用 API 数据训练模型的声明".to_owned(),
                ask_en: format!(
                    "Ask {}: are API inputs and outputs used to train models, by default or ever, and how long are they retained? (get it in the data-processing terms)",
                    name_of(p)
                ),
                ask_zh: format!(
                    "问{}:API 的输入输出是否会被用于训练模型(默认或在任何情况下)?保留多久?(写入数据处理条款)",
                    name_zh_of(p)
                ),
                span: DATA_USE_POINTS,
            });
            0.0
        }
    };
    let share = if counted.is_empty() {
        1.0
    } else {
        held as f64 / counted.len() as f64
    };
    let value = CERT_POINTS * share + residency + data_use;
    let hi = value + unknowns.iter().map(|u| u.span).sum::<f64>();
    CriterionValue {
        criterion: Criterion::Compliance,
        value,
        unknown: !unknowns.is_empty(),
        range: (hi > value).then_some((value, hi)),
        unit: "points (0-100)".to_owned(),
        evidence,
        note: format!(
            "{held} of {} counted certifications evidenced ({}){}",
            counted.len(),
            counted
                .iter()
                .map(|c| c.label())
                .collect::<Vec<_>>()
                .join(", "),
            if unclear.is_empty() {
                String::new()
            } else {
                format!(
                    "; not shown (counted as not held, up to held): {}",
                    unclear.join(", ")
                )
            }
        ),
        unknowns,
    }
}

/// The benchmark snapshot that covers the most providers of the whole catalog (ties: the
/// Intelligence Index, then the latest snapshot), with its min/max over the catalog. Taken from
/// the catalog, not the compared providers, so it does not move when providers are excluded.
fn quality_reference(catalog: &Catalog) -> Option<QualityReference> {
    let mut coverage: BTreeMap<(String, String), BTreeSet<&str>> = BTreeMap::new();
    for p in catalog.providers.values() {
        for m in &p.models {
            for q in &m.quality {
                coverage
                    .entry((q.benchmark.clone(), q.snapshot.clone()))
                    .or_default()
                    .insert(p.id.as_str());
            }
        }
    }
    let ((benchmark, snapshot), _) = coverage.into_iter().max_by(|(ka, a), (kb, b)| {
        a.len()
            .cmp(&b.len())
            .then((ka.0 == crate::tco::INDEX_BENCHMARK).cmp(&(kb.0 == crate::tco::INDEX_BENCHMARK)))
            .then(ka.1.cmp(&kb.1))
            .then(kb.0.cmp(&ka.0))
    })?;
    let values: Vec<f64> = catalog
        .providers
        .values()
        .flat_map(|p| p.models.iter())
        .flat_map(|m| m.quality.iter())
        .filter(|q| q.benchmark == benchmark && q.snapshot == snapshot)
        .map(|q| q.value)
        .collect();
    let (min, max) = span_of(values)?;
    Some(QualityReference {
        benchmark,
        snapshot,
        min,
        max,
    })
}

/// AI capability: coverage of the workload's task classes and the strength of the model chosen
/// for each class (the one its cost is priced on) in the reference snapshot (points 0–100).
fn ai_capability(
    p: &Provider,
    bill: &Tco,
    profile: &Profile,
    reference: Option<&QualityReference>,
) -> CriterionValue {
    let mut evidence = Vec::new();
    let mut total_w = 0.0;
    let mut covered_w = 0.0;
    // (weight, normalised quality or None) per served task
    let mut served: Vec<(f64, Option<f64>, String, String)> = Vec::new();
    for task in &profile.workload.tasks {
        let w = ((task.monthly_input_tokens + task.monthly_output_tokens) as f64).max(1.0);
        total_w += w;
        // Served: a model fits (priced, or fitting with its regional price unknown).
        let Some(model_id) = bill
            .line(&CostItem::Task(task.name.clone()))
            .and_then(|l| l.choice.clone())
        else {
            continue;
        };
        covered_w += w;
        let score = reference.and_then(|r| {
            p.model(&model_id).and_then(|m| {
                m.quality
                    .iter()
                    .find(|q| q.benchmark == r.benchmark && q.snapshot == r.snapshot)
            })
        });
        match (score, reference) {
            (Some(q), Some(r)) => {
                let norm = if r.max > r.min {
                    (q.value - r.min) / (r.max - r.min)
                } else {
                    1.0
                };
                evidence.push(Evidence::new(
                    format!(
                        "{}: chosen model {} scores {} on {} ({}), normalised {:.2}",
                        task.name, model_id, q.value, r.benchmark, r.snapshot, norm
                    ),
                    &q.source,
                ));
                served.push((w, Some(norm), task.name.clone(), model_id));
            }
            _ => served.push((w, None, task.name.clone(), model_id)),
        }
    }
    if profile.workload.monthly_embedding_tokens > 0 {
        let w = profile.workload.monthly_embedding_tokens as f64;
        total_w += w;
        if bill
            .line(&CostItem::Embeddings)
            .is_some_and(|l| l.amount.is_some() || l.choice.is_some())
        {
            covered_w += w;
        }
    }
    let coverage = if total_w > 0.0 {
        covered_w / total_w
    } else {
        1.0
    };
    evidence.push(Evidence::derived(
        format!(
            "serves {:.0}% of the workload's tokens with qualifying models",
            coverage * 100.0
        ),
        "cloudfit formula over the catalog's capabilities",
    ));
    let served_w: f64 = served.iter().map(|s| s.0).sum();
    let mut quality = if served.is_empty() { 1.0 } else { 0.0 };
    let mut unknowns = Vec::new();
    for (w, q, task, model) in &served {
        let share = w / served_w;
        match q {
            Some(q) => quality += share * q,
            None => unknowns.push(UnknownFact {
                key: format!("ai_capability:{task}"),
                fact_en: format!(
                    "{task}: chosen model {model} has no public score in {}",
                    reference
                        .map(|r| format!("{} {}", r.benchmark, r.snapshot))
                        .unwrap_or_else(|| "any benchmark".to_owned())
                ),
                fact_zh: format!("{task}:所选模型 {model} 在参考榜单中没有公开得分"),
                ask_en: format!(
                    "test {model} on our own task {task} (a held-out set of real prompts), or ask {} for independent benchmark results",
                    name_of(p)
                ),
                ask_zh: format!(
                    "用我们自己的任务 {task} 的真实样例测试 {model},或请{}提供独立评测结果",
                    name_zh_of(p)
                ),
                span: 50.0 * coverage * share,
            }),
        }
    }
    let value = 50.0 * coverage * (1.0 + quality);
    let hi = value + unknowns.iter().map(|u| u.span).sum::<f64>();
    CriterionValue {
        criterion: Criterion::AiCapability,
        value,
        unknown: !unknowns.is_empty(),
        range: (hi > value).then_some((value, hi)),
        unit: "points (0-100)".to_owned(),
        evidence,
        note: if unknowns.is_empty() {
            String::new()
        } else {
            "unscored chosen models counted as the weakest score (up to the strongest)".to_owned()
        },
        unknowns,
    }
}

/// An OpenAI-protocol endpoint of a provider that also speaks its own standard protocol
/// (Anthropic, Bedrock, Gemini) is a compatibility layer over that API, which its vendors
/// describe as for testing rather than production: moving onto it is a change of family.
fn compatibility_layer(p: &Provider, e: &cloudfit_catalog::Endpoint) -> bool {
    e.protocol == ProtocolFamily::OpenAi
        && p.endpoints.iter().any(|o| {
            matches!(
                o.protocol,
                ProtocolFamily::Anthropic
                    | ProtocolFamily::BedrockConverse
                    | ProtocolFamily::Gemini
            )
        })
}

/// Dialects that are one API served by two vendors (Azure OpenAI serves OpenAI's API and
/// models; deployments and `api-version` differ).
fn same_api(a: &str, b: &str) -> bool {
    a == b || matches!((a, b), ("openai", "azure") | ("azure", "openai"))
}

/// Engineer-days to move the model integration from `from` to `to` (documented ladder, the
/// cheapest route over the target's endpoints):
///
/// - same provider: 0;
/// - the same API (same dialect, or OpenAI ↔ Azure OpenAI): 1 (key, base URL, deployments);
/// - the same protocol family, another dialect: 3 (parameters, errors, streaming quirks);
/// - another family cloudfit can translate (Anthropic, Bedrock Converse, Gemini), or the
///   target's OpenAI endpoint is only a compatibility layer over its own API: 8 (a new client
///   layer and its tests);
/// - only a provider-native API: 20.
///
/// With no current provider (a new build): 1 day for an OpenAI-compatible endpoint, 3 for
/// another standard protocol, 10 for a native API only.
pub fn effort_days(from: Option<&Provider>, to: &Provider) -> (f64, String) {
    if from.is_some_and(|f| f.id == to.id) {
        return (0.0, "current provider".to_owned());
    }
    if from.is_none() {
        // A new build writes its client once: any OpenAI-compatible endpoint is the cheapest
        // start, another standard protocol costs a little more, a native API most.
        let families: BTreeSet<ProtocolFamily> = to
            .endpoints
            .iter()
            .filter(|e| !compatibility_layer(to, e))
            .map(|e| e.protocol)
            .collect();
        return if families.contains(&ProtocolFamily::OpenAi) {
            (1.0, "OpenAI-compatible endpoint".to_owned())
        } else if families.iter().any(|f| *f != ProtocolFamily::Native) {
            (3.0, "a standard non-OpenAI protocol".to_owned())
        } else {
            (10.0, "provider-native API only".to_owned())
        };
    }
    let origins: Vec<(ProtocolFamily, String)> = match from {
        Some(f) => f
            .endpoints
            .iter()
            .filter(|e| !compatibility_layer(f, e))
            .map(|e| (e.protocol, e.dialect.clone()))
            .collect(),
        None => vec![(ProtocolFamily::OpenAi, "openai".to_owned())],
    };
    let mut best = (20.0, "provider-native API only".to_owned());
    for e in &to.endpoints {
        let layer = compatibility_layer(to, e);
        let route = if e.protocol == ProtocolFamily::Native {
            (20.0, "provider-native API only".to_owned())
        } else if !layer
            && origins
                .iter()
                .any(|(p, d)| *p == e.protocol && same_api(d, &e.dialect))
        {
            (1.0, format!("same API ({})", e.dialect))
        } else if !layer && origins.iter().any(|(p, _)| *p == e.protocol) {
            (3.0, format!("same protocol family, dialect {}", e.dialect))
        } else if layer {
            (
                8.0,
                "another protocol family (its OpenAI endpoint is only a compatibility layer)"
                    .to_owned(),
            )
        } else {
            (8.0, format!("another protocol family ({})", e.dialect))
        };
        if route.0 < best.0 {
            best = route;
        }
    }
    best
}

/// Cost of re-embedding `tokens` at the provider's cheapest usable embedding price.
fn reembed_cost(
    p: &Provider,
    tokens: u64,
    profile: &Profile,
    fx: Fx<'_>,
) -> Option<(f64, Vec<Evidence>)> {
    let scope = Scope {
        allowed: &profile.constraints.data_jurisdictions,
        as_of: None,
        allow_preview: false,
        allow_deprecated: false,
    };
    let line = crate::tco::embedding_line(p, tokens, scope, fx, profile.workload.currency);
    line.amount.map(|a| (to_f64(a), line.evidence))
}

/// Migration: one-time cost of switching (engineer-days for a new build):
/// `(integration days + regression days × task classes) × day rate + egress of the data to move
/// at the current provider's price + re-embedding the corpus at the target's embedding price +
/// a compliance re-assessment` (regulated segment: the profile's figure or
/// [`REASSESSMENT_DEFAULT_CNY`], our assumption).
#[allow(clippy::too_many_arguments)]
fn migration(
    p: &Provider,
    profile: &Profile,
    current: Option<(&crate::profile::Current, &Provider)>,
    day_rate: Option<f64>,
    _bill: &Tco,
    market: &Market,
    fx: Fx<'_>,
    currency: Currency,
) -> CriterionValue {
    let (days, why) = effort_days(current.map(|c| c.1), p);
    let mut evidence = vec![Evidence::derived(
        format!("{days} engineer-days to integrate: {why}"),
        "cloudfit effort ladder (advise::assess::effort_days) over the catalog's endpoints",
    )];
    for e in p.endpoints.iter().take(3) {
        evidence.push(Evidence::new(
            format!(
                "endpoint {} ({:?}, dialect {})",
                e.base_url, e.protocol, e.dialect
            ),
            &e.source,
        ));
    }
    let known = |value: f64, unit: String, evidence: Vec<Evidence>, note: String| CriterionValue {
        criterion: Criterion::Migration,
        value,
        unknown: false,
        range: None,
        unit,
        evidence,
        note,
        unknowns: Vec::new(),
    };
    let (Some((cur, cur_p)), Some(rate)) = (current, day_rate) else {
        return known(days, "engineer-days".to_owned(), evidence, String::new());
    };
    let unit = format!("{currency} one-time");
    if cur_p.id == p.id {
        return known(
            0.0,
            unit,
            evidence,
            "current provider: nothing moves".to_owned(),
        );
    }
    let tasks = profile.workload.tasks.len() as f64;
    let regression = cur
        .regression_test_days_per_task
        .unwrap_or(REGRESSION_DAYS_PER_TASK);
    let total_days = days + regression * tasks;
    evidence.push(Evidence::derived(
        format!("{regression} regression-test days × {tasks} task classes"),
        "profile current.regression_test_days_per_task (default: cloudfit assumption)",
    ));
    let mut lo = rate * total_days;
    let mut hi = lo;
    let mut unknowns = Vec::new();
    let mut notes = vec![format!(
        "{total_days} engineer-days at {rate:.0} {currency}"
    )];
    if cur.data_to_move_gb > 0.0 {
        match egress_cost(cur_p, cur.data_to_move_gb, fx, currency) {
            Ok((amount, ev)) => {
                evidence.extend(ev);
                lo += to_f64(amount);
                hi += to_f64(amount);
            }
            Err(why) => {
                let (a, b) = market.egress.unwrap_or((0.0, 0.0));
                lo += a;
                hi += b;
                notes.push(format!(
                    "moving {} GB out of {}: {why}; counted at the highest egress price in the catalog",
                    cur.data_to_move_gb, cur_p.id
                ));
                unknowns.push(UnknownFact {
                    key: "migration:egress".to_owned(),
                    fact_en: format!("{}: no egress price for the {} GB to move", cur_p.id, cur.data_to_move_gb),
                    fact_zh: format!("{}:迁出 {} GB 数据没有出网价格", cur_p.id, cur.data_to_move_gb),
                    ask_en: format!(
                        "Ask {} (current provider): what does moving {} GB out cost, and is there a migration waiver?",
                        name_of(cur_p),
                        cur.data_to_move_gb
                    ),
                    ask_zh: format!(
                        "问{}(现有厂商):迁出 {} GB 数据的费用是多少?是否有迁移减免?",
                        name_zh_of(cur_p),
                        cur.data_to_move_gb
                    ),
                    span: b - a,
                });
            }
        }
    }
    if cur.embedded_corpus_tokens > 0 {
        match reembed_cost(p, cur.embedded_corpus_tokens, profile, fx) {
            Some((a, ev)) => {
                evidence.extend(ev);
                lo += a;
                hi += a;
            }
            None => {
                let (a, b) = market.reembed.unwrap_or((0.0, 0.0));
                lo += a;
                hi += b;
                unknowns.push(UnknownFact {
                    key: "migration:re-embedding".to_owned(),
                    fact_en: format!("no embedding price to re-embed {} tokens", cur.embedded_corpus_tokens),
                    fact_zh: format!("没有嵌入价格,无法估算重新嵌入 {} token 的费用", cur.embedded_corpus_tokens),
                    ask_en: format!(
                        "Ask {}: which embedding model would we use, at what price per million tokens?",
                        name_of(p)
                    ),
                    ask_zh: format!("问{}:用哪个嵌入模型,每百万 token 多少钱?", name_zh_of(p)),
                    span: b - a,
                });
            }
        }
    }
    let reassessment = match (cur.compliance_reassessment, profile.segment) {
        (Some(m), _) => fx.convert(m, currency).map(|c| (to_f64(c.amount), "profile current.compliance_reassessment")),
        (None, Some(Segment::Regulated)) => fx
            .convert(
                Money {
                    amount: Decimal::from(REASSESSMENT_DEFAULT_CNY),
                    currency: Currency::Cny,
                },
                currency,
            )
            .map(|c| (to_f64(c.amount), "cloudfit assumption for the regulated segment (not a sourced figure): set current.compliance_reassessment")),
        (None, _) => None,
    };
    if let Some((a, from)) = reassessment {
        lo += a;
        hi += a;
        evidence.push(Evidence::derived(
            format!("compliance re-assessment {a:.0} {currency}"),
            from,
        ));
    }
    CriterionValue {
        criterion: Criterion::Migration,
        value: hi,
        unknown: !unknowns.is_empty(),
        range: (hi > lo).then_some((lo, hi)),
        unit,
        evidence,
        note: notes.join("; "),
        unknowns,
    }
}

/// Why a provider was excluded, in `lang`.
pub fn exclusion(e: &Exclusion, lang: Lang) -> String {
    let list = |v: &[String]| {
        if v.is_empty() {
            match lang {
                Lang::En => "none".to_owned(),
                Lang::Zh => "无".to_owned(),
            }
        } else {
            v.join(", ")
        }
    };
    match (e, lang) {
        (Exclusion::Jurisdiction { allowed, has }, Lang::En) => format!(
            "no region in an allowed jurisdiction (allowed: {}; has: {})",
            list(allowed),
            list(has)
        ),
        (Exclusion::Jurisdiction { allowed, has }, Lang::Zh) => format!(
            "没有位于允许司法辖区的地域(允许:{};现有:{})",
            list(allowed),
            list(has)
        ),
        (
            Exclusion::CertificationAbsent {
                certification,
                source,
            },
            Lang::En,
        ) => format!(
            "a source says it does not hold required certification {certification} ({source})"
        ),
        (
            Exclusion::CertificationAbsent {
                certification,
                source,
            },
            Lang::Zh,
        ) => {
            format!("有来源表明其不具备必需认证 {certification}({source})")
        }
        (Exclusion::Unverified { open }, Lang::En) => format!(
            "not shown to meet the constraints (unverified = \"exclude\"): {}",
            open.iter()
                .map(|o| o.fact_en.as_str())
                .collect::<Vec<_>>()
                .join("; ")
        ),
        (Exclusion::Unverified { open }, Lang::Zh) => format!(
            "未能证明满足约束(unverified = \"exclude\"):{}",
            open.iter()
                .map(|o| o.fact_zh.as_str())
                .collect::<Vec<_>>()
                .join(";")
        ),
        (Exclusion::Capabilities { missing }, Lang::En) => format!(
            "the catalog records no model with required capability {} (add its models with --catalog)",
            list(missing)
        ),
        (Exclusion::Capabilities { missing }, Lang::Zh) => {
            format!("目录中没有具备必需能力 {} 的模型(可用 --catalog 加入其模型)", list(missing))
        }
        (Exclusion::NoTaskServed { reasons }, _) => {
            let parts: Vec<String> = reasons
                .iter()
                .map(|(item, why)| match lang {
                    Lang::En => format!("{}: {}", crate::tco::cost_item(item, lang), crate::tco::unpriced(why, lang)),
                    Lang::Zh => format!("{}:{}", crate::tco::cost_item(item, lang), crate::tco::unpriced(why, lang)),
                })
                .collect();
            match lang {
                Lang::En => format!("cannot serve any task class ({})", parts.join("; ")),
                Lang::Zh => format!("无法承担任何任务类别({})", parts.join(";")),
            }
        }
        (Exclusion::OverBudget { at_least, budget }, Lang::En) => format!(
            "monthly cost at least {} exceeds the budget of {}",
            crate::i18n::money(at_least.amount, at_least.currency),
            crate::i18n::money(budget.amount, budget.currency)
        ),
        (Exclusion::OverBudget { at_least, budget }, Lang::Zh) => format!(
            "月成本至少 {},超出预算 {}",
            crate::i18n::money(at_least.amount, at_least.currency),
            crate::i18n::money(budget.amount, budget.currency)
        ),
    }
}

#[cfg(test)]
mod tests {
    use cloudfit_catalog::{Jurisdiction, PublishedPerformance};

    use super::*;
    use crate::fixtures::{catalog, profile};
    use crate::tco::Unpriced;

    fn as_of() -> Date {
        Date::parse("2026-01-01").unwrap()
    }

    fn run(extra: &str) -> Assessment {
        assess(
            &catalog(),
            &profile(extra),
            &Measurements::default(),
            as_of(),
        )
        .unwrap()
    }

    fn value(a: &Assessment, id: &str, c: Criterion) -> CriterionValue {
        a.providers
            .iter()
            .find(|p| p.id == id)
            .unwrap_or_else(|| panic!("{id} not ranked: {:?}", a.excluded))
            .criterion(c)
            .clone()
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn cost_is_the_hand_computed_tco() {
        let a = run("");
        // cn-a: 10 × (0.5·2 + 0.5·0.4) + 2 × 8 = 28 CNY
        assert!(close(value(&a, "cn-a", Criterion::Cost).value, 28.0));
        // cn-b: no cached price → full input: 10 × 1 + 2 × 2 = 14 CNY
        assert!(close(value(&a, "cn-b", Criterion::Cost).value, 14.0));
        // us-c: (10 × (0.5·1 + 0.5·0.1) + 2 × 4) USD × 7.2 = 97.2 CNY, with the FX fact as evidence
        let c = value(&a, "us-c", Criterion::Cost);
        assert!(close(c.value, 97.2));
        assert!(c.evidence.iter().any(|e| e.fact == "1 USD = 7.2 CNY"));
        assert_eq!(c.unit, "CNY/month");
        assert!(!c.unknown);
    }

    #[test]
    fn superseded_and_off_peak_price_lists_are_never_used_for_costs() {
        // cn-b: 10 × 1 + 2 × 2 = 14 CNY at its standard price; a cheaper list marked
        // superseded or off-peak must not lower that.
        for mark in ["superseded", "off_peak"] {
            let mut cat = catalog();
            let b = cat.providers.get_mut("cn-b").unwrap();
            let mut cheaper = b.models[0].prices[0].clone();
            for t in &mut cheaper.tiers {
                t.input_per_mtok = Decimal::new(1, 2);
                t.output_per_mtok = Decimal::new(1, 2);
            }
            cheaper.superseded = mark == "superseded";
            cheaper.off_peak = mark == "off_peak";
            b.models[0].prices.push(cheaper);
            let out = assess(&cat, &profile(""), &Measurements::default(), as_of()).unwrap();
            let cost = out
                .providers
                .iter()
                .find(|x| x.id == "cn-b")
                .unwrap()
                .criterion(Criterion::Cost)
                .value;
            assert!(close(cost, 14.0), "{mark}: {cost}");
        }
    }

    #[test]
    fn prompt_length_picks_the_tier_and_context_window_bounds_it() {
        let p = profile("").workload.tasks[0].clone();
        let mut long = p.clone();
        long.typical_prompt_tokens = 40_000;
        let mut w = profile("").workload;
        w.tasks = vec![long];
        let cat = catalog();
        let scope = Scope::anywhere();
        let fx = Fx::new(&cat.exchange_rates);
        let bill = tco(&cat.providers["cn-a"], &w, scope, fx);
        // second band has no cached price: 10 × 4 + 2 × 16 = 72
        assert_eq!(bill.lines[0].amount, Some(Decimal::from(72)));
        w.tasks[0].typical_prompt_tokens = 200_000;
        let bill = tco(&cat.providers["cn-a"], &w, scope, fx);
        assert_eq!(bill.lines[0].amount, None);
        assert!(matches!(
            bill.lines[0].unpriced,
            Some(Unpriced::NoQualifyingModel { .. })
        ));
    }

    #[test]
    fn missing_exchange_rate_leaves_the_line_unpriced() {
        let mut cat = catalog();
        cat.exchange_rates.clear();
        let a = assess(&cat, &profile(""), &Measurements::default(), as_of()).unwrap();
        let us = a.providers.iter().find(|p| p.id == "us-c");
        // us-c serves nothing it can price in CNY → excluded, not ranked at 0 cost
        assert!(us.is_none());
        assert!(a
            .excluded
            .iter()
            .any(|e| e.provider == "us-c" && matches!(e.reason, Exclusion::NoTaskServed { .. })));
    }

    #[test]
    fn jurisdiction_constraint_excludes_with_reason() {
        let a = run("[constraints]\ndata_jurisdictions = [\"cn\"]");
        let ids: Vec<&str> = a.providers.iter().map(|p| p.id.as_str()).collect();
        assert_eq!(ids, ["cn-a", "cn-b"]);
        assert_eq!(a.excluded.len(), 1);
        assert_eq!(
            a.excluded[0].reason.to_string(),
            "no region in an allowed jurisdiction (allowed: cn; has: us)"
        );
        assert_eq!(
            exclusion(&a.excluded[0].reason, Lang::Zh),
            "没有位于允许司法辖区的地域(允许:cn;现有:us)"
        );
    }

    #[test]
    fn a_provider_without_any_region_is_to_verify_not_excluded() {
        let mut cat = catalog();
        cat.providers.get_mut("cn-b").unwrap().regions.clear();
        let p = profile("[constraints]\ndata_jurisdictions = [\"cn\"]");
        let a = assess(&cat, &p, &Measurements::default(), as_of()).unwrap();
        let b = a.providers.iter().find(|x| x.id == "cn-b").unwrap();
        assert!(b.to_verify());
        assert_eq!(b.open.len(), 1);
        assert_eq!(b.open[0].kind, OpenKind::Residency);
        assert!(
            b.open[0].ask_en.contains("mainland China"),
            "{}",
            b.open[0].ask_en
        );
        assert!(
            b.open[0].ask_zh.contains("中国内地"),
            "{}",
            b.open[0].ask_zh
        );
        // priced as if the constraint held: its unregioned prices count
        assert!(!b.criterion(Criterion::Cost).unknown);
        // a provider whose regions are all known to be elsewhere is excluded
        let c = a.excluded.iter().find(|e| e.provider == "us-c").unwrap();
        assert!(matches!(c.reason, Exclusion::Jurisdiction { .. }));
        // the strict reading excludes it, naming what is unknown
        let strict = profile("[constraints]\ndata_jurisdictions = [\"cn\"]");
        let mut strict = strict;
        strict.constraints.unverified = crate::profile::Unverified::Exclude;
        let a = assess(&cat, &strict, &Measurements::default(), as_of()).unwrap();
        let b = a.excluded.iter().find(|e| e.provider == "cn-b").unwrap();
        assert!(matches!(b.reason, Exclusion::Unverified { .. }));
        assert!(b.reason.to_string().contains("no region"), "{}", b.reason);
        // a region whose jurisdiction no source gives is also to verify
        let mut cat = catalog();
        cat.providers.get_mut("cn-b").unwrap().regions[0].jurisdiction = None;
        let a = assess(&cat, &p, &Measurements::default(), as_of()).unwrap();
        assert!(a.providers.iter().any(|x| x.id == "cn-b" && x.to_verify()));
    }

    #[test]
    fn certification_and_capability_constraints() {
        let a = run("[constraints]\nrequired_certifications = [\"MLPS3\"]");
        // cn-a holds MLPS level 3 for its model service; the others have no record: to verify
        let verified: Vec<&str> = a
            .providers
            .iter()
            .filter(|p| !p.to_verify())
            .map(|p| p.id.as_str())
            .collect();
        assert_eq!(verified, ["cn-a"]);
        let b = a.providers.iter().find(|p| p.id == "cn-b").unwrap();
        assert_eq!(b.open[0].kind, OpenKind::Certification("MLPS3".into()));
        assert!(
            b.open[0].ask_en.contains("MLPS level 3"),
            "{}",
            b.open[0].ask_en
        );
        // a level on record that is lower, or a platform-only certificate, stays open
        let mut cat = catalog();
        let c = &mut cat.providers.get_mut("cn-a").unwrap().certifications[1];
        c.coverage = CertCoverage::Platform;
        let p = profile("[constraints]\nrequired_certifications = [\"MLPS3\"]");
        let a = assess(&cat, &p, &Measurements::default(), as_of()).unwrap();
        let ca = a.providers.iter().find(|p| p.id == "cn-a").unwrap();
        assert!(
            ca.open[0].fact_en.contains("not the model service"),
            "{:?}",
            ca.open
        );
        // a known absence excludes
        let mut cat = catalog();
        cat.providers.get_mut("cn-a").unwrap().certifications[1].held = false;
        let a = assess(&cat, &p, &Measurements::default(), as_of()).unwrap();
        assert!(a
            .excluded
            .iter()
            .any(|e| e.provider == "cn-a"
                && matches!(e.reason, Exclusion::CertificationAbsent { .. })));
        let a = run("[constraints]\nrequired_capabilities = [\"vision\"]");
        assert_eq!(a.providers.len(), 1);
        assert_eq!(a.providers[0].id, "us-c");
    }

    #[test]
    fn minimum_quality_filters_models() {
        let text = "";
        let mut p = profile(text);
        p.workload.tasks[0].min_quality_index = Some(50.0);
        let a = assess(&catalog(), &p, &Measurements::default(), as_of()).unwrap();
        assert_eq!(a.providers.len(), 1);
        assert_eq!(a.providers[0].id, "us-c");
    }

    #[test]
    fn budget_excludes_what_is_surely_over() {
        let a = run("[constraints]\nmonthly_budget = { amount = 20, currency = \"CNY\" }");
        let ids: Vec<&str> = a.providers.iter().map(|p| p.id.as_str()).collect();
        assert_eq!(ids, ["cn-b"]);
        let reasons: Vec<String> = a.excluded.iter().map(|e| e.reason.to_string()).collect();
        assert!(
            reasons.contains(
                &"monthly cost at least 28.00 CNY exceeds the budget of 20.00 CNY".to_owned()
            ),
            "{reasons:?}"
        );
        // a USD budget is converted with the catalog's rate: 4 USD = 28.8 CNY keeps cn-a too
        let a = run("[constraints]\nmonthly_budget = { amount = 4, currency = \"USD\" }");
        assert_eq!(a.providers.len(), 2);
    }

    #[test]
    fn providers_outside_the_comparison_widen_the_span_of_an_unknown_sla() {
        // us-c (99.5% SLA = 3.65 h/month) is excluded by the jurisdiction constraint, yet its
        // published SLA still bounds how bad cn-a's unknown one may plausibly be.
        let a = run("[constraints]\ndata_jurisdictions = [\"cn\"]");
        assert!(a.excluded.iter().any(|e| e.provider == "us-c"));
        let s = value(&a, "cn-a", Criterion::Stability);
        assert!(s.unknown);
        let (lo, hi) = s.range.unwrap();
        assert!(close(lo, 2.0) && close(hi, 3.65), "{lo}..{hi}");
        assert!(close(s.value, 3.65));
    }

    #[test]
    fn stability_is_expected_downtime_with_unknown_sla_as_range() {
        let a = run("");
        let b = value(&a, "cn-b", Criterion::Stability);
        assert!(close(b.value, 0.73) && !b.unknown);
        let c = value(&a, "us-c", Criterion::Stability);
        assert!(close(c.value, 3.65));
        // cn-a: no SLA; a 48 h incident in the 24-month window puts the floor at 2 h/month;
        // range = known span (0.73..3.65) raised to the floor, fallback = worst end
        let s = value(&a, "cn-a", Criterion::Stability);
        assert!(s.unknown);
        let (lo, hi) = s.range.unwrap();
        assert!(close(lo, 2.0) && close(hi, 3.65));
        assert!(close(s.value, 3.65));
        assert!(s
            .evidence
            .iter()
            .any(|e| e.fact.starts_with("incident a-1")));
        // the incident leaves the window 24 months after it started
        let later = assess(
            &catalog(),
            &profile(""),
            &Measurements::default(),
            Date::parse("2027-06-02").unwrap(),
        )
        .unwrap();
        let (lo, hi) = value(&later, "cn-a", Criterion::Stability).range.unwrap();
        assert!(close(lo, 0.73) && close(hi, 3.65));
    }

    #[test]
    fn measured_error_rate_raises_downtime() {
        let m = Measurements {
            models: vec![ModelMeasurement {
                provider: "cn-b".into(),
                model: "b-chat".into(),
                output_tokens_per_s: Some(50.0),
                error_rate: Some(0.01),
                requests: 1000,
                source: "bench".into(),
                measured_at: "2026-01-01".into(),
            }],
        };
        let a = assess(&catalog(), &profile(""), &m, as_of()).unwrap();
        let b = value(&a, "cn-b", Criterion::Stability);
        assert!(close(b.value, 7.3));
        let perf = value(&a, "cn-b", Criterion::Performance);
        assert!(close(perf.value, 50.0) && !perf.unknown);
        // others unknown: the only known value is the whole span, so no range to sample
        let pa = value(&a, "cn-a", Criterion::Performance);
        assert!(pa.unknown && close(pa.value, 50.0) && pa.range.is_none());
    }

    fn published(speed: f64, ttft: Option<f64>) -> PublishedPerformance {
        PublishedPerformance {
            output_tokens_per_second: speed,
            time_to_first_token_ms: ttft,
            measured_from: Some("us-east".into()),
            source: crate::fixtures::src("speed"),
        }
    }

    #[test]
    fn a_published_speed_counts_when_nothing_is_measured() {
        let mut cat = catalog();
        let a = cat.providers.get_mut("cn-a").unwrap();
        a.models[0].performance = Some(published(40.0, Some(900.0)));
        let out = assess(&cat, &profile(""), &Measurements::default(), as_of()).unwrap();
        let pa = value(&out, "cn-a", Criterion::Performance);
        assert!(close(pa.value, 40.0) && !pa.unknown && pa.note.is_empty());
        assert_eq!(
            pa.evidence,
            [Evidence {
                reliability: Some(cloudfit_catalog::Reliability::Primary),
                fact: "a-chat: published 40.0 output tokens/s (median while streaming, time to first token 900 ms, measured from us-east)".into(),
                source: "test:speed".into(),
                as_of: "2026-01-01".into(),
            }]
        );
        // the others have neither: unknown, counted at the worst known value
        let pb = value(&out, "cn-b", Criterion::Performance);
        assert!(pb.unknown && close(pb.value, 40.0) && pb.evidence.is_empty());
        assert!(
            pb.note
                .starts_with("no measured or published speed for chat (b-chat)"),
            "{}",
            pb.note
        );
    }

    #[test]
    fn a_measurement_wins_over_the_published_speed() {
        let mut cat = catalog();
        let b = cat.providers.get_mut("cn-b").unwrap();
        b.models[0].performance = Some(published(30.0, None));
        let m = Measurements {
            models: vec![ModelMeasurement {
                provider: "cn-b".into(),
                model: "b-chat".into(),
                output_tokens_per_s: Some(50.0),
                error_rate: None,
                requests: 200,
                source: "bench run 7".into(),
                measured_at: "2026-01-02".into(),
            }],
        };
        let out = assess(&cat, &profile(""), &m, as_of()).unwrap();
        let pb = value(&out, "cn-b", Criterion::Performance);
        assert!(close(pb.value, 50.0) && !pb.unknown);
        assert_eq!(pb.evidence.len(), 1);
        assert_eq!(pb.evidence[0].source, "bench run 7");
        assert!(pb.evidence[0].fact.contains("measured 50.0"));
        // a measurement of another provider's model is not this provider's figure
        let pa = value(&out, "cn-a", Criterion::Performance);
        assert!(pa.unknown);
    }

    #[test]
    fn performance_is_unknown_without_measurement_or_published_speed() {
        let a = run("");
        for id in ["cn-a", "cn-b", "us-c"] {
            let v = value(&a, id, Criterion::Performance);
            assert!(v.unknown && v.evidence.is_empty(), "{id}: {v:?}");
            // no figure anywhere in the catalog: the same for everyone, so it cannot decide
            assert_eq!(v.value, 0.0);
            assert_eq!(v.range, None);
        }
    }

    /// cn-a with a vision model (the only one for a `chat` task that needs vision, 100 tokens/s
    /// published) beside a-chat (the only one for the tools task, 40 tokens/s published), so the
    /// choices do not depend on the token counts.
    fn two_task_speeds(chat_tokens: u64, tools_tokens: u64) -> f64 {
        use cloudfit_catalog::Capability::*;
        let mut cat = catalog();
        let a = cat.providers.get_mut("cn-a").unwrap();
        a.models[0].performance = Some(published(40.0, None));
        let mut mini = crate::fixtures::model(
            "a-mini",
            &[Chat, Vision],
            Currency::Cny,
            vec![crate::fixtures::tier(None, "0.1", "0.2", None)],
            None,
        );
        mini.performance = Some(published(100.0, None));
        a.models.push(mini);
        let mut p = profile("");
        let mut tools = p.workload.tasks[0].clone();
        tools.name = "tools".into();
        tools.capabilities.insert(Tools);
        tools.monthly_input_tokens = tools_tokens;
        tools.monthly_output_tokens = 0;
        p.workload.tasks[0].capabilities.insert(Vision);
        p.workload.tasks[0].monthly_input_tokens = chat_tokens;
        p.workload.tasks[0].monthly_output_tokens = 0;
        p.workload.tasks.push(tools);
        let out = assess(&cat, &p, &Measurements::default(), as_of()).unwrap();
        let pa = value(&out, "cn-a", Criterion::Performance);
        assert!(!pa.unknown && pa.evidence.len() == 2, "{pa:?}");
        pa.value
    }

    #[test]
    fn performance_is_the_token_weighted_mean_of_the_task_classes() {
        // 3:1 tokens → (3·100 + 1·40) / 4
        assert!(close(two_task_speeds(3_000_000, 1_000_000), 85.0));
        // a task class with no tokens weighs nothing ...
        assert!(close(two_task_speeds(3_000_000, 0), 100.0));
        // ... and when none has tokens, each counts the same (not 0, as when an empty task
        // added 1 to the weight but nothing to the sum)
        assert!(close(two_task_speeds(0, 0), 70.0));
    }

    #[test]
    fn compliance_counts_certifications_and_residency() {
        let a = run("");
        // sme preset counts ISO27001; cn-a holds it and states residency: 50 + 35, data use
        // unknown (0, up to 15)
        let ca = value(&a, "cn-a", Criterion::Compliance);
        assert!(close(ca.value, 85.0) && ca.unknown);
        assert_eq!(ca.range, Some((85.0, 100.0)));
        // us-c holds it, region without statement, does not train on API data: 50 + 20 + 15
        assert!(close(value(&a, "us-c", Criterion::Compliance).value, 85.0));
        // cn-b has no certification record and no data-use statement: 0 + 20 .. 50 + 20 + 15
        let b = value(&a, "cn-b", Criterion::Compliance);
        assert!(b.unknown && close(b.value, 20.0));
        assert_eq!(b.range, Some((20.0, 85.0)));
        assert_eq!(b.unknowns.len(), 2);
        let a = run("[constraints]\ndesired_certifications = [\"SOC2\", \"MLPS3\"]");
        assert!(close(
            value(&a, "us-c", Criterion::Compliance).value,
            25.0 + 20.0 + 15.0
        ));
        assert!(close(
            value(&a, "cn-a", Criterion::Compliance).value,
            25.0 + 35.0
        ));
    }

    #[test]
    fn ai_capability_normalises_within_the_snapshot() {
        let a = run("");
        assert_eq!(
            a.quality_reference.as_ref().map(|r| (r.min, r.max)),
            Some((30.0, 60.0))
        );
        assert!(close(
            value(&a, "cn-a", Criterion::AiCapability).value,
            50.0 * (1.0 + 1.0 / 3.0)
        ));
        assert!(close(
            value(&a, "cn-b", Criterion::AiCapability).value,
            50.0
        ));
        assert!(close(
            value(&a, "us-c", Criterion::AiCapability).value,
            100.0
        ));
        // a vision task only us-c serves: coverage halves the others' scores
        let mut p = profile("");
        let mut vision = p.workload.tasks[0].clone();
        vision.name = "vision".into();
        vision
            .capabilities
            .insert(cloudfit_catalog::Capability::Vision);
        p.workload.tasks.push(vision);
        let a = assess(&catalog(), &p, &Measurements::default(), as_of()).unwrap();
        assert!(close(
            value(&a, "cn-b", Criterion::AiCapability).value,
            25.0
        ));
        // the unserved vision task's cost is the span of the providers that price it
        let cost = value(&a, "cn-b", Criterion::Cost);
        assert!(cost.unknown && close(cost.value, 14.0 + 97.2));
    }

    #[test]
    fn migration_prices_effort_and_egress() {
        let extra = "[current]\nprovider = \"us-c\"\ndata_to_move_gb = 1000\nengineer_day_rate = { amount = 1000, currency = \"CNY\" }";
        let a = run(extra);
        assert!(close(value(&a, "us-c", Criterion::Migration).value, 0.0));
        // 3 days (same family, other dialect) + 2 regression days for the one task class +
        // (1000 − 100 free) GB × 0.09 USD × 7.2
        assert!(close(
            value(&a, "cn-a", Criterion::Migration).value,
            5000.0 + 583.2
        ));
        // native API only: 20 + 2 days
        assert!(close(
            value(&a, "cn-b", Criterion::Migration).value,
            22_000.0 + 583.2
        ));
        assert_eq!(value(&a, "cn-a", Criterion::Migration).unit, "CNY one-time");
        // leaving cn-b (native API), whose egress price is unknown: 8 + 2 days, and the span of
        // the catalog's prices for 1000 GB
        let a = run(&extra.replace("us-c", "cn-b"));
        let m = value(&a, "cn-a", Criterion::Migration);
        assert!(m.unknown);
        assert_eq!(m.range, Some((10_000.0 + 583.2, 10_000.0 + 800.0)));
        // a new build: days to adopt from the OpenAI-compatible baseline
        let a = run("");
        assert!(close(value(&a, "cn-b", Criterion::Migration).value, 10.0));
        assert!(close(value(&a, "cn-a", Criterion::Migration).value, 1.0));
    }

    #[test]
    fn unknown_current_provider_names_the_line() {
        let p = profile("[current]\nprovider = \"nope\"\nengineer_day_rate = { amount = 1, currency = \"CNY\" }");
        let err = assess(&catalog(), &p, &Measurements::default(), as_of()).unwrap_err();
        let msg = err.to_string();
        assert!(msg.starts_with("test.toml:5: current.provider"), "{msg}");
        assert!(msg.contains("cn-a, cn-b, us-c"), "{msg}");
    }

    #[test]
    fn jurisdiction_of_prices_matters() {
        // a price tied to a US region is unusable when only cn is allowed
        let mut cat = catalog();
        let a = cat.providers.get_mut("cn-a").unwrap();
        a.regions.push(crate::fixtures::region(
            "us-x",
            Jurisdiction::UnitedStates,
            None,
        ));
        a.models[0].prices[0].region = Some("us-x".into());
        let p = profile("[constraints]\ndata_jurisdictions = [\"cn\"]");
        let out = assess(&cat, &p, &Measurements::default(), as_of()).unwrap();
        let a = out.providers.iter().find(|x| x.id == "cn-a").unwrap();
        // the model fits but its price in mainland China is unknown: a cost to ask about,
        // counted at the highest price in the catalog, not a reason to exclude
        assert_eq!(a.tco.lines[0].amount, None);
        assert!(matches!(
            a.tco.lines[0].unpriced,
            Some(Unpriced::NoQualifyingModel {
                shortfall: crate::tco::Shortfall::NoPriceInScope,
                ..
            })
        ));
        assert_eq!(a.tco.lines[0].choice.as_deref(), Some("a-chat"));
        let cost = a.criterion(Criterion::Cost);
        assert!(cost.unknown && cost.unknowns.iter().any(|u| u.key == "cost:task:chat"));
    }
}
