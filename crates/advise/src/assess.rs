//! Hard constraints, then the six criteria for every provider that passes them.
//!
//! # The six formulas
//!
//! | criterion | unit | better | formula |
//! |---|---|---|---|
//! | cost | reporting currency / month | lower | sum of the [TCO](crate::tco) lines |
//! | performance | output tokens/s | higher | token-weighted mean, over the task classes with a figure, of the output speed of the model chosen for the task: cloudfit's measurement when there is one, else the catalog's published median while streaming (`[[performance]]`), else none; a plain mean when those task classes all have zero tokens; unknown when no task class has a figure (the built-in catalog has no published speeds, so without measurements or an overlay that adds some) |
//! | stability | expected downtime h/month | lower | `max(SLA allowance, published incident hours, measured error share × 730 h)` where SLA allowance = `(1 − uptime%/100) × 730 h` and published incident hours = hours of incidents that started in the 24 months before `as_of`, ÷ 24 |
//! | compliance | points 0–100 | higher | `60 × held/counted certifications + residency`, residency = 40 when a region in an allowed jurisdiction (any region if none is required) has a published data-residency statement, 25 when such a region exists without one |
//! | ai_capability | points 0–100 | higher | `50 × coverage × (1 + quality)`, coverage = token-weighted share of task classes (and embeddings) a qualifying model serves, quality = token-weighted min-max normalised score of the best qualifying model per task within one reference benchmark snapshot |
//! | migration | reporting currency (one-time), or engineer-days when there is no `[current]` | lower | `egress of data_to_move_gb at the current provider's price + effort days × engineer_day_rate`; effort ladder in [`effort_days`] |
//!
//! # Unknown facts
//!
//! A value that rests on an absent fact is flagged `unknown`. SMAA samples it uniformly over
//! the plausible span: the lowest to the highest value known among the compared providers
//! (for stability: among every provider in the catalog, since published reliability does not
//! depend on the profile; for compliance: no counted certification held … all held; for AI
//! capability: quality 0 … 1).
//! WSM and TOPSIS use the *worst* end of that span (the documented fallback), so an unknown
//! never wins by default. Cost lines are handled line by line the same way.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use cloudfit_catalog::{Capability, Catalog, Currency, Money, ProtocolFamily, Provider};
use rust_decimal::Decimal;

use crate::criterion::{Criterion, CriterionValue, Evidence};
use crate::date::Date;
use crate::fx::Fx;
use crate::profile::{capability_key, jurisdiction_code, Profile};
use crate::tco::{egress_cost, model_fits, tco, to_f64, CostItem, Scope, Tco};

/// Hours in an average month (8 760 h / 12).
pub const HOURS_PER_MONTH: f64 = 730.0;
/// Incident window before `as_of`.
pub const INCIDENT_WINDOW_MONTHS: u32 = 24;
/// Points of the compliance score from certifications and from residency.
pub const CERT_POINTS: f64 = 60.0;
pub const RESIDENCY_POINTS_STATED: f64 = 40.0;
pub const RESIDENCY_POINTS_UNSTATED: f64 = 25.0;

/// Measurements from cloudfit's own benchmarks and gateway traffic. Later issues fill it from
/// the store; until then it is empty and performance rests on the speeds published in the
/// catalog, where there are any. A measurement of a model wins over its published speed.
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
    Jurisdiction {
        allowed: Vec<String>,
        has: Vec<String>,
    },
    /// Data jurisdictions are required but the catalog records no region at all for the
    /// provider: where its data stays is unknown, so the constraint cannot be shown to hold.
    NoRegionRecorded {
        allowed: Vec<String>,
    },
    Certifications {
        missing: Vec<String>,
        has: Vec<String>,
    },
    Capabilities {
        missing: Vec<String>,
    },
    NoTaskServed,
    OverBudget {
        at_least: Money,
        budget: Money,
    },
}

impl fmt::Display for Exclusion {
    /// English reason; `crate::i18n` renders other languages.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&crate::i18n::exclusion(self, crate::i18n::Lang::En))
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Excluded {
    pub provider: String,
    pub reason: Exclusion,
}

/// One provider that passed the hard constraints, with its bill and six criteria.
#[derive(Clone, Debug)]
pub struct ProviderAssessment {
    pub id: String,
    pub name_en: String,
    pub name_zh: Option<String>,
    pub tco: Tco,
    /// In [`Criterion::ALL`] order.
    pub criteria: [CriterionValue; 6],
}

impl ProviderAssessment {
    pub fn criterion(&self, c: Criterion) -> &CriterionValue {
        &self.criteria[c.index()]
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
    pub providers: Vec<ProviderAssessment>,
    pub excluded: Vec<Excluded>,
    pub quality_reference: Option<QualityReference>,
    /// Cost items no compared provider can price (left out of every total).
    pub unpriced_everywhere: Vec<CostItem>,
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
    #[error(
        "{file}: current.engineer_day_rate: no exchange rate from {from} to {to} in the catalog"
    )]
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

/// Apply the hard constraints and compute the six criteria. `as_of` ends the incident window.
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
    };
    let current = match &profile.current {
        Some(c) => match catalog.providers.get(&c.provider) {
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

    // 1. Hard constraints that need no arithmetic.
    let mut excluded = Vec::new();
    let mut candidates: Vec<(&Provider, Tco)> = Vec::new();
    for p in catalog.providers.values() {
        if let Some(reason) = static_exclusion(p, profile, scope) {
            excluded.push(Excluded {
                provider: p.id.clone(),
                reason,
            });
            continue;
        }
        let bill = tco(p, &profile.workload, scope, fx);
        let serves_any = bill.lines.iter().any(|l| {
            matches!(l.item, CostItem::Task(_) | CostItem::Embeddings) && l.amount.is_some()
        });
        let has_model_work =
            !profile.workload.tasks.is_empty() || profile.workload.monthly_embedding_tokens > 0;
        if has_model_work && !serves_any {
            excluded.push(Excluded {
                provider: p.id.clone(),
                reason: Exclusion::NoTaskServed,
            });
            continue;
        }
        candidates.push((p, bill));
    }

    // 2. Cost with unknown lines filled from the others, then the budget ceiling.
    let mut costs = cost_values(&candidates, currency);
    if let Some(budget) = profile.constraints.monthly_budget {
        let ceiling = fx
            .convert(budget, currency)
            .ok_or(AdviseError::BudgetCurrency {
                file: profile.file.clone(),
                from: budget.currency,
                to: currency,
            })?
            .amount;
        let mut keep = Vec::new();
        for ((p, bill), cost) in candidates.into_iter().zip(costs.values) {
            let at_least = cost.range.map_or(cost.value, |r| r.0);
            let at_least_dec = Decimal::from_f64_retain(at_least).unwrap_or(Decimal::MAX);
            if at_least_dec > ceiling {
                excluded.push(Excluded {
                    provider: p.id.clone(),
                    reason: Exclusion::OverBudget {
                        at_least: Money {
                            amount: at_least_dec.round_dp(2),
                            currency,
                        },
                        budget,
                    },
                });
            } else {
                keep.push((p, bill));
            }
        }
        candidates = keep;
        costs = cost_values(&candidates, currency);
    }

    // 3. The other five criteria.
    let quality_reference = quality_reference(catalog, &candidates, profile);
    let perf = fill_unknown(
        candidates
            .iter()
            .map(|(p, bill)| performance(p, bill, profile, measurements))
            .collect(),
        Criterion::Performance,
        &[],
    );
    // A provider's published reliability does not depend on the profile, so every provider in
    // the catalog with a known figure widens the plausible span of an unknown one; otherwise a
    // single known value among the compared providers would make the unknowns look equal to it.
    let no_bill = Tco {
        currency,
        lines: Vec::new(),
    };
    let published_stability: Vec<f64> = catalog
        .providers
        .values()
        .filter_map(|p| stability(p, &no_bill, &Measurements::default(), as_of).known)
        .collect();
    let stab = fill_unknown(
        candidates
            .iter()
            .map(|(p, bill)| stability(p, bill, measurements, as_of))
            .collect(),
        Criterion::Stability,
        &published_stability,
    );
    let counted = profile.counted_certifications();
    let day_rate = match current {
        Some((c, _)) => Some(
            fx.convert(c.engineer_day_rate, currency)
                .ok_or(AdviseError::DayRateCurrency {
                    file: profile.file.clone(),
                    from: c.engineer_day_rate.currency,
                    to: currency,
                })?
                .amount,
        ),
        None => None,
    };
    // Egress span across the compared providers, for a current provider without a price.
    let egress_span = current.and_then(|(c, _)| {
        candidates
            .iter()
            .filter_map(|(p, _)| egress_cost(p, c.data_to_move_gb, fx, currency).ok())
            .map(|(a, _)| to_f64(a))
            .fold(None, |acc: Option<(f64, f64)>, v| {
                Some(acc.map_or((v, v), |(a, b)| (a.min(v), b.max(v))))
            })
    });
    let migr: Vec<CriterionValue> = candidates
        .iter()
        .map(|(p, _)| {
            migration(
                p,
                current.map(|(c, cp)| (c.data_to_move_gb, cp)),
                day_rate,
                egress_span,
                fx,
                currency,
            )
        })
        .collect();
    let mut providers = Vec::new();
    for (i, (p, bill)) in candidates.iter().enumerate() {
        let compliance = compliance(p, profile, &counted, scope);
        let ai = ai_capability(p, bill, profile, scope, quality_reference.as_ref());
        providers.push(ProviderAssessment {
            id: p.id.clone(),
            name_en: p.name_en.clone(),
            name_zh: p.name_zh.clone(),
            tco: bill.clone(),
            criteria: [
                costs.values[i].clone(),
                perf[i].clone(),
                stab[i].clone(),
                compliance,
                ai,
                migr[i].clone(),
            ],
        });
    }
    Ok(Assessment {
        profile: profile.name.clone(),
        currency,
        as_of,
        providers,
        excluded,
        quality_reference,
        unpriced_everywhere: costs.unpriced_everywhere,
    })
}

fn static_exclusion(p: &Provider, profile: &Profile, scope: Scope<'_>) -> Option<Exclusion> {
    let allowed = &profile.constraints.data_jurisdictions;
    if !allowed.is_empty() && !p.regions.iter().any(|r| scope.region_allowed(r)) {
        let allowed: Vec<String> = allowed
            .iter()
            .map(|j| jurisdiction_code(j).to_owned())
            .collect();
        if p.regions.is_empty() {
            return Some(Exclusion::NoRegionRecorded { allowed });
        }
        let has: BTreeSet<String> = p
            .regions
            .iter()
            .map(|r| {
                r.jurisdiction
                    .as_ref()
                    .map_or("unknown", jurisdiction_code)
                    .to_owned()
            })
            .collect();
        return Some(Exclusion::Jurisdiction {
            allowed,
            has: has.into_iter().collect(),
        });
    }
    let held: BTreeSet<String> = p
        .certifications
        .iter()
        .map(|c| c.name.to_uppercase())
        .collect();
    let missing: Vec<String> = profile
        .constraints
        .required_certifications
        .iter()
        .filter(|c| !held.contains(*c))
        .cloned()
        .collect();
    if !missing.is_empty() {
        return Some(Exclusion::Certifications {
            missing,
            has: held.into_iter().collect(),
        });
    }
    let usable: BTreeSet<Capability> = p
        .models
        .iter()
        .filter(|m| {
            m.prices
                .iter()
                .any(|pr| pr.is_current_standard() && scope.usable(p, pr.region.as_deref()))
        })
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
        return Some(Exclusion::Capabilities { missing });
    }
    None
}

struct CostValues {
    values: Vec<CriterionValue>,
    unpriced_everywhere: Vec<CostItem>,
}

/// Cost criterion: known lines summed; each unpriced line filled with the span of the same
/// line at the providers that price it (fallback: the most expensive of them).
fn cost_values(candidates: &[(&Provider, Tco)], currency: Currency) -> CostValues {
    let mut spans: BTreeMap<CostItem, (f64, f64)> = BTreeMap::new();
    let mut items: BTreeSet<CostItem> = BTreeSet::new();
    for (_, bill) in candidates {
        for line in &bill.lines {
            items.insert(line.item.clone());
            if let Some(a) = line.amount {
                let a = to_f64(a);
                let e = spans.entry(line.item.clone()).or_insert((a, a));
                e.0 = e.0.min(a);
                e.1 = e.1.max(a);
            }
        }
    }
    let unpriced_everywhere: Vec<CostItem> = items
        .into_iter()
        .filter(|i| !spans.contains_key(i))
        .collect();
    let unit = format!("{currency}/month");
    let values = candidates
        .iter()
        .map(|(_, bill)| {
            let known = to_f64(bill.known_total());
            let (mut lo, mut hi) = (known, known);
            let mut notes = Vec::new();
            let mut evidence = Vec::new();
            for line in &bill.lines {
                evidence.extend(line.evidence.iter().cloned());
                if line.amount.is_some() {
                    continue;
                }
                if let Some(&(a, b)) = spans.get(&line.item) {
                    lo += a;
                    hi += b;
                    let why = line.unpriced.as_ref().map(|u| u.to_string()).unwrap_or_default();
                    notes.push(format!(
                        "{}: {why}; counted as {b:.2} (the highest price among providers that price it), range {a:.2}..{b:.2}",
                        line.item
                    ));
                }
            }
            let unknown = hi > lo || !notes.is_empty();
            CriterionValue {
                criterion: Criterion::Cost,
                value: hi,
                unknown,
                range: (hi > lo).then_some((lo, hi)),
                unit: unit.clone(),
                evidence,
                note: notes.join("; "),
            }
        })
        .collect();
    CostValues {
        values,
        unpriced_everywhere,
    }
}

/// A criterion value before unknowns are resolved against the other providers.
struct Partial {
    known: Option<f64>,
    /// Bounds the unknown value cannot cross (e.g. published incidents bound downtime below).
    floor: Option<f64>,
    unit: String,
    evidence: Vec<Evidence>,
    note: String,
}

/// Unknown values → the span of the known values across the compared providers, widened by
/// `reference` (values known for providers outside the comparison); the fallback is the worst
/// end of the span. With no known value anywhere every provider gets the same flagged value
/// (its floor if any, else 0), which cannot change any ranking.
fn fill_unknown(
    parts: Vec<Partial>,
    criterion: Criterion,
    reference: &[f64],
) -> Vec<CriterionValue> {
    let known: Vec<f64> = parts
        .iter()
        .filter_map(|p| p.known)
        .chain(reference.iter().copied())
        .collect();
    let span = known
        .iter()
        .fold(None, |acc: Option<(f64, f64)>, &v| match acc {
            None => Some((v, v)),
            Some((a, b)) => Some((a.min(v), b.max(v))),
        });
    parts
        .into_iter()
        .map(|p| {
            if let Some(v) = p.known {
                return CriterionValue {
                    criterion,
                    value: v,
                    unknown: false,
                    range: None,
                    unit: p.unit,
                    evidence: p.evidence,
                    note: p.note,
                };
            }
            let worst_first = |lo: f64, hi: f64| if criterion.is_benefit() { lo } else { hi };
            match span {
                Some((lo, hi)) => {
                    let (lo, hi) = match (p.floor, criterion.is_benefit()) {
                        (Some(f), false) => (lo.max(f), hi.max(f)),
                        (Some(f), true) => (lo.min(f), hi.min(f)),
                        (None, _) => (lo, hi),
                    };
                    let value = worst_first(lo, hi);
                    CriterionValue {
                        criterion,
                        value,
                        unknown: true,
                        range: (hi > lo).then_some((lo, hi)),
                        unit: p.unit,
                        evidence: p.evidence,
                        note: format!(
                            "{}; counted as {value:.3} (the worst value known{}), plausible range {lo:.3}..{hi:.3}",
                            p.note,
                            if reference.is_empty() {
                                " among the compared providers"
                            } else {
                                " for any provider in the catalog"
                            }
                        ),
                    }
                }
                None => {
                    let value = p.floor.unwrap_or(0.0);
                    CriterionValue {
                        criterion,
                        value,
                        unknown: true,
                        range: None,
                        unit: p.unit,
                        evidence: p.evidence,
                        note: format!("{}; unknown for every compared provider", p.note),
                    }
                }
            }
        })
        .collect()
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
/// speed published in the catalog, else nothing; the token-weighted mean of the task classes
/// with a figure (a plain mean when all of those have zero tokens).
fn performance(p: &Provider, bill: &Tco, profile: &Profile, m: &Measurements) -> Partial {
    let mut figures: Vec<(f64, f64)> = Vec::new();
    let mut evidence = Vec::new();
    for (_, w, choice) in task_weights(bill, profile) {
        let Some(model) = choice else { continue };
        let measured = m
            .models
            .iter()
            .filter(|x| x.provider == p.id && x.model == model)
            .find_map(|x| x.output_tokens_per_s.map(|v| (v, x)));
        if let Some((v, x)) = measured {
            figures.push((v, w));
            evidence.push(Evidence {
                fact: format!(
                    "{model}: measured {v:.1} output tokens/s over {} requests",
                    x.requests
                ),
                source: x.source.clone(),
                as_of: x.measured_at.clone(),
            });
        } else if let Some(f) = p.model(&model).and_then(|o| o.performance.as_ref()) {
            let v = f.output_tokens_per_second;
            figures.push((v, w));
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
        }
    }
    let known = weighted_mean(&figures);
    Partial {
        known,
        floor: None,
        unit: "output tokens/s".to_owned(),
        evidence,
        note: if known.is_none() {
            "no measured or published speed figure for the chosen models".to_owned()
        } else {
            String::new()
        },
    }
}

/// Mean of `(value, weight)` pairs weighted by `weight`; when every weight is zero, each value
/// counts the same. `None` for no values.
fn weighted_mean(figures: &[(f64, f64)]) -> Option<f64> {
    if figures.is_empty() {
        return None;
    }
    let total: f64 = figures.iter().map(|(_, w)| w).sum();
    if total > 0.0 {
        Some(figures.iter().map(|(v, w)| v * w).sum::<f64>() / total)
    } else {
        Some(figures.iter().map(|(v, _)| v).sum::<f64>() / figures.len() as f64)
    }
}

/// Stability: expected downtime hours per month (see the module docs).
fn stability(p: &Provider, bill: &Tco, m: &Measurements, as_of: Date) -> Partial {
    let mut evidence = Vec::new();
    let start = as_of.minus_months(INCIDENT_WINDOW_MONTHS);
    let mut incident_hours = 0.0;
    for inc in &p.incidents {
        let Some(d) = Date::parse_prefix(&inc.started) else {
            continue;
        };
        if d > start && d <= as_of {
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
    let incident_dt = incident_hours / f64::from(INCIDENT_WINDOW_MONTHS);
    let sla_dt = p.sla.as_ref().map(|s| {
        evidence.push(Evidence::new(
            format!(
                "SLA {}% monthly uptime ({}{})",
                s.monthly_uptime_percent,
                s.service,
                if s.covers_model_api {
                    ""
                } else {
                    ", compute only"
                }
            ),
            &s.source,
        ));
        (1.0 - s.monthly_uptime_percent / 100.0) * HOURS_PER_MONTH
    });
    let chosen: BTreeSet<&str> = bill
        .lines
        .iter()
        .filter_map(|l| l.choice.as_deref())
        .collect();
    let measured_dt = m
        .models
        .iter()
        .filter(|x| x.provider == p.id && chosen.contains(x.model.as_str()))
        .filter_map(|x| x.error_rate.map(|e| (e, x)))
        .map(|(e, x)| {
            evidence.push(Evidence {
                fact: format!(
                    "{}: measured error rate {:.4} over {} requests",
                    x.model, e, x.requests
                ),
                source: x.source.clone(),
                as_of: x.measured_at.clone(),
            });
            e * HOURS_PER_MONTH
        })
        .fold(None, |acc: Option<f64>, v| {
            Some(acc.map_or(v, |a| a.max(v)))
        });
    let known = match (sla_dt, measured_dt) {
        (None, None) => None,
        (a, b) => Some(a.unwrap_or(0.0).max(b.unwrap_or(0.0)).max(incident_dt)),
    };
    Partial {
        known,
        floor: Some(incident_dt),
        unit: "expected downtime h/month".to_owned(),
        evidence,
        note: if known.is_none() {
            format!(
                "no published SLA and no measured error rate; published incidents alone give {incident_dt:.3} h/month"
            )
        } else {
            String::new()
        },
    }
}

/// Compliance: counted certifications held and residency fit (points 0–100).
pub fn compliance(
    p: &Provider,
    profile: &Profile,
    counted: &[String],
    scope: Scope<'_>,
) -> CriterionValue {
    let mut evidence = Vec::new();
    let mut held = 0usize;
    for name in counted {
        if let Some(c) = p
            .certifications
            .iter()
            .find(|c| c.name.eq_ignore_ascii_case(name))
        {
            held += 1;
            evidence.push(Evidence::new(
                format!(
                    "{}{}",
                    c.name,
                    c.scope
                        .as_ref()
                        .map(|s| format!(" ({s})"))
                        .unwrap_or_default()
                ),
                &c.source,
            ));
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
    } else {
        0.0
    };
    let share = if counted.is_empty() {
        1.0
    } else {
        held as f64 / counted.len() as f64
    };
    let value = CERT_POINTS * share + residency;
    let unit = "points (0-100)".to_owned();
    let _ = profile;
    if p.certifications.is_empty() && !counted.is_empty() {
        return CriterionValue {
            criterion: Criterion::Compliance,
            value,
            unknown: true,
            range: Some((value, CERT_POINTS + residency)),
            unit,
            evidence,
            note: format!(
                "no certification facts in the catalog (not found is not proof of absence); counted as none of {} held",
                counted.join(", ")
            ),
        };
    }
    CriterionValue {
        criterion: Criterion::Compliance,
        value,
        unknown: false,
        range: None,
        unit,
        evidence,
        note: format!(
            "{held} of {} counted certifications evidenced ({})",
            counted.len(),
            counted.join(", ")
        ),
    }
}

/// Pick the benchmark snapshot that covers the most compared providers (ties: the
/// Intelligence Index, then the latest snapshot), and its min/max over the whole catalog.
fn quality_reference(
    catalog: &Catalog,
    candidates: &[(&Provider, Tco)],
    _profile: &Profile,
) -> Option<QualityReference> {
    let mut coverage: BTreeMap<(String, String), BTreeSet<&str>> = BTreeMap::new();
    for (p, _) in candidates {
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
    let min = values.iter().copied().fold(f64::INFINITY, f64::min);
    let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    Some(QualityReference {
        benchmark,
        snapshot,
        min,
        max,
    })
}

/// AI capability: coverage of the workload's task classes and the strength of the best
/// qualifying model per class in the reference snapshot (points 0–100).
fn ai_capability(
    p: &Provider,
    bill: &Tco,
    profile: &Profile,
    scope: Scope<'_>,
    reference: Option<&QualityReference>,
) -> CriterionValue {
    let mut evidence = Vec::new();
    let mut total_w = 0.0;
    let mut covered_w = 0.0;
    let mut quality_sum = 0.0;
    let mut quality_w = 0.0;
    let mut unscored = Vec::new();
    for task in &profile.workload.tasks {
        let w = ((task.monthly_input_tokens + task.monthly_output_tokens) as f64).max(1.0);
        total_w += w;
        let served = bill
            .line(&CostItem::Task(task.name.clone()))
            .is_some_and(|l| l.amount.is_some());
        if !served {
            continue;
        }
        covered_w += w;
        let best = reference.and_then(|r| {
            p.models
                .iter()
                .filter(|m| model_fits(m, task))
                .filter(|m| {
                    m.prices
                        .iter()
                        .any(|pr| pr.is_current_standard() && scope.usable(p, pr.region.as_deref()))
                })
                .filter_map(|m| {
                    m.quality
                        .iter()
                        .find(|q| q.benchmark == r.benchmark && q.snapshot == r.snapshot)
                        .map(|q| (q, m))
                })
                .max_by(|a, b| a.0.value.total_cmp(&b.0.value))
        });
        match (best, reference) {
            (Some((q, m)), Some(r)) => {
                let norm = if r.max > r.min {
                    (q.value - r.min) / (r.max - r.min)
                } else {
                    1.0
                };
                quality_sum += norm * w;
                quality_w += w;
                evidence.push(Evidence::new(
                    format!(
                        "{}: best model {} scores {} on {} ({}), normalised {:.2}",
                        task.name, m.id, q.value, r.benchmark, r.snapshot, norm
                    ),
                    &q.source,
                ));
            }
            _ => unscored.push(task.name.clone()),
        }
    }
    if profile.workload.monthly_embedding_tokens > 0 {
        let w = profile.workload.monthly_embedding_tokens as f64;
        total_w += w;
        if bill
            .line(&CostItem::Embeddings)
            .is_some_and(|l| l.amount.is_some())
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
    let unit = "points (0-100)".to_owned();
    if unscored.is_empty() {
        let quality = if quality_w > 0.0 {
            quality_sum / quality_w
        } else {
            1.0
        };
        return CriterionValue {
            criterion: Criterion::AiCapability,
            value: 50.0 * coverage * (1.0 + quality),
            unknown: false,
            range: None,
            unit,
            evidence,
            note: String::new(),
        };
    }
    // Unscored tasks count as quality 0 (worst) for the deterministic value, 1 at best.
    let unscored_w: f64 = profile
        .workload
        .tasks
        .iter()
        .filter(|t| unscored.contains(&t.name))
        .map(|t| ((t.monthly_input_tokens + t.monthly_output_tokens) as f64).max(1.0))
        .sum();
    let all_w = quality_w + unscored_w;
    let q_lo = quality_sum / all_w;
    let q_hi = (quality_sum + unscored_w) / all_w;
    let lo = 50.0 * coverage * (1.0 + q_lo);
    let hi = 50.0 * coverage * (1.0 + q_hi);
    CriterionValue {
        criterion: Criterion::AiCapability,
        value: lo,
        unknown: true,
        range: (hi > lo).then_some((lo, hi)),
        unit,
        evidence,
        note: format!(
            "no public quality score in {} for the models serving: {}; counted as the weakest score",
            reference
                .map(|r| format!("{} {}", r.benchmark, r.snapshot))
                .unwrap_or_else(|| "any benchmark".to_owned()),
            unscored.join(", ")
        ),
    }
}

/// Engineer-days to move the model integration from `from` to `to` (documented ladder):
///
/// - same provider: 0;
/// - an endpoint with the same protocol family *and* dialect: 1 (new key and base URL);
/// - the same protocol family, another dialect: 3 (parameters, errors, streaming quirks);
/// - another family cloudfit can translate (OpenAI-compatible, Anthropic, Bedrock Converse,
///   Gemini): 10 (a new client layer and its tests);
/// - only a provider-native API: 20.
///
/// With no current provider (a new build) the start is the de-facto OpenAI-compatible API:
/// 1 day for an OpenAI-compatible endpoint, 3 for another translatable family, 10 for native.
pub fn effort_days(from: Option<&Provider>, to: &Provider) -> (f64, String) {
    let families: BTreeSet<ProtocolFamily> = to.endpoints.iter().map(|e| e.protocol).collect();
    let translatable = |f: &ProtocolFamily| !matches!(f, ProtocolFamily::Native);
    let Some(from) = from else {
        return if families.contains(&ProtocolFamily::OpenAi) {
            (1.0, "OpenAI-compatible endpoint".to_owned())
        } else if families.iter().any(translatable) {
            (3.0, "a standard non-OpenAI protocol".to_owned())
        } else {
            (10.0, "provider-native API only".to_owned())
        };
    };
    if from.id == to.id {
        return (0.0, "current provider".to_owned());
    }
    let same_dialect = from.endpoints.iter().any(|a| {
        to.endpoints
            .iter()
            .any(|b| a.protocol == b.protocol && a.dialect == b.dialect)
    });
    if same_dialect {
        return (1.0, "same protocol and dialect".to_owned());
    }
    let from_families: BTreeSet<ProtocolFamily> =
        from.endpoints.iter().map(|e| e.protocol).collect();
    if from_families.intersection(&families).any(translatable) {
        return (3.0, "same protocol family, other dialect".to_owned());
    }
    if families.iter().any(translatable) {
        return (10.0, "different protocol family".to_owned());
    }
    (20.0, "provider-native API only".to_owned())
}

/// Migration: one-time cost of switching (or engineer-days for a new build). When the current
/// provider's egress price is unknown the egress part spans the compared providers' prices
/// for the same volume (fallback: the highest).
fn migration(
    p: &Provider,
    current: Option<(f64, &Provider)>,
    day_rate: Option<Decimal>,
    egress_span: Option<(f64, f64)>,
    fx: Fx<'_>,
    currency: Currency,
) -> CriterionValue {
    let (days, why) = effort_days(current.map(|c| c.1), p);
    let mut evidence = vec![Evidence::derived(
        format!("{days} engineer-days: {why}"),
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
    let known = |value: f64, unit: String, evidence: Vec<Evidence>| CriterionValue {
        criterion: Criterion::Migration,
        value,
        unknown: false,
        range: None,
        unit,
        evidence,
        note: String::new(),
    };
    let (Some((gb, cur)), Some(rate)) = (current, day_rate) else {
        return known(days, "engineer-days".to_owned(), evidence);
    };
    let unit = format!("{currency} one-time");
    let work = to_f64(rate) * days;
    if cur.id == p.id || gb <= 0.0 {
        return known(work, unit, evidence);
    }
    match egress_cost(cur, gb, fx, currency) {
        Ok((amount, ev)) => {
            evidence.extend(ev);
            known(work + to_f64(amount), unit, evidence)
        }
        Err(why) => {
            let note = format!("moving {gb} GB out of {}: {why}", cur.id);
            match egress_span {
                Some((lo, hi)) => CriterionValue {
                    criterion: Criterion::Migration,
                    value: work + hi,
                    unknown: true,
                    range: (hi > lo).then_some((work + lo, work + hi)),
                    unit,
                    evidence,
                    note: format!("{note}; counted at the highest egress price among the compared providers, range {:.2}..{:.2}", work + lo, work + hi),
                },
                None => CriterionValue {
                    criterion: Criterion::Migration,
                    value: work,
                    unknown: true,
                    range: None,
                    unit,
                    evidence,
                    note: format!("{note}; no compared provider has an egress price, egress left out"),
                },
            }
        }
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
        let scope = Scope { allowed: &[] };
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
            .any(|e| e.provider == "us-c" && e.reason == Exclusion::NoTaskServed));
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
            crate::i18n::exclusion(&a.excluded[0].reason, crate::i18n::Lang::Zh),
            "没有位于允许司法辖区的地域(允许:cn;现有:us)"
        );
    }

    #[test]
    fn a_provider_without_any_region_has_unknown_residency() {
        let mut cat = catalog();
        cat.providers.get_mut("cn-b").unwrap().regions.clear();
        let p = profile("[constraints]\ndata_jurisdictions = [\"cn\"]");
        let a = assess(&cat, &p, &Measurements::default(), as_of()).unwrap();
        let b = a.excluded.iter().find(|e| e.provider == "cn-b").unwrap();
        assert_eq!(
            b.reason,
            Exclusion::NoRegionRecorded {
                allowed: vec!["cn".into()]
            }
        );
        assert_eq!(
            b.reason.to_string(),
            "data residency unknown: the catalog records no region for it, so the jurisdiction \
             constraint (allowed: cn) cannot be shown to hold; add a [[region]] in an overlay via \
             --catalog"
        );
        assert_eq!(
            crate::i18n::exclusion(&b.reason, crate::i18n::Lang::Zh),
            "数据驻留未知:目录中没有该厂商的任何地域记录,无法证明满足辖区约束(允许:cn);\
             可通过 --catalog 在覆盖文件中加入 [[region]]"
        );
        // a provider whose regions are all elsewhere keeps the plain reason
        let c = a.excluded.iter().find(|e| e.provider == "us-c").unwrap();
        assert!(matches!(c.reason, Exclusion::Jurisdiction { .. }));
        // without a jurisdiction constraint, no region is no reason to exclude
        let a = assess(&cat, &profile(""), &Measurements::default(), as_of()).unwrap();
        assert!(
            a.providers.iter().any(|p| p.id == "cn-b"),
            "{:?}",
            a.excluded
        );
    }

    #[test]
    fn certification_and_capability_constraints() {
        let a = run("[constraints]\nrequired_certifications = [\"MLPS3\"]");
        assert_eq!(a.providers.len(), 1);
        let reasons: Vec<String> = a.excluded.iter().map(|e| e.reason.to_string()).collect();
        assert!(
            reasons.contains(
                &"no evidence of required certification MLPS3 (catalog has: none)".to_owned()
            ),
            "{reasons:?}"
        );
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
            reasons
                .contains(&"monthly cost at least 28 CNY exceeds the budget of 20 CNY".to_owned()),
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
                .starts_with("no measured or published speed figure for the chosen models"),
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
            assert_eq!(
                v.note,
                "no measured or published speed figure for the chosen models; unknown for every compared provider"
            );
        }
    }

    /// cn-a with a vision model (the only one for a `chat` task that needs vision, 100 tokens/s
    /// published) beside a-chat (the only one for the tools task, 40 tokens/s published), so the
    /// choices do not depend on the token counts.
    fn two_task_speeds(chat_tokens: u64, tools_tokens: u64) -> f64 {
        use Capability::*;
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
    fn weighted_mean_of_nothing_is_unknown() {
        assert_eq!(weighted_mean(&[]), None);
        assert_eq!(weighted_mean(&[(10.0, 0.0), (20.0, 0.0)]), Some(15.0));
        assert_eq!(weighted_mean(&[(10.0, 1.0), (20.0, 3.0)]), Some(17.5));
    }

    #[test]
    fn compliance_counts_certifications_and_residency() {
        let a = run("");
        // sme preset counts ISO27001; cn-a holds it and states residency: 60 + 40
        assert!(close(value(&a, "cn-a", Criterion::Compliance).value, 100.0));
        // us-c holds it, region without statement: 60 + 25
        assert!(close(value(&a, "us-c", Criterion::Compliance).value, 85.0));
        // cn-b has no certification facts: unknown, 25 (none held) .. 85 (all held)
        let b = value(&a, "cn-b", Criterion::Compliance);
        assert!(b.unknown && close(b.value, 25.0));
        assert_eq!(b.range, Some((25.0, 85.0)));
        let a = run("[constraints]\ndesired_certifications = [\"SOC2\", \"MLPS3\"]");
        assert!(close(value(&a, "us-c", Criterion::Compliance).value, 55.0));
        assert!(close(value(&a, "cn-a", Criterion::Compliance).value, 70.0));
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
        vision.capabilities.insert(Capability::Vision);
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
        // 3 days (same family, other dialect) + (1000 − 100 free) GB × 0.09 USD × 7.2
        assert!(close(
            value(&a, "cn-a", Criterion::Migration).value,
            3000.0 + 583.2
        ));
        // native API only: 20 days
        assert!(close(
            value(&a, "cn-b", Criterion::Migration).value,
            20_000.0 + 583.2
        ));
        assert_eq!(value(&a, "cn-a", Criterion::Migration).unit, "CNY one-time");
        // leaving cn-b, whose egress price is unknown: span of the others' price for 1000 GB
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
        let cost = out
            .providers
            .iter()
            .find(|x| x.id == "cn-a")
            .map(|x| x.tco.lines[0].amount);
        assert_eq!(
            cost, None,
            "cn-a can serve chat only from a US price: excluded"
        );
    }
}
