//! The `rank --format json` document.

use cloudfit_advise::i18n::{self, Lang};
use cloudfit_advise::{Advice, Criterion, Evidence};
use serde_json::{json, Map, Value};

use super::explain::explanation_lines;
use super::{knowledge, provider_name, round, Knowledge};

/// The `rank --format json` document (keys fixed by docs/design.md; extra keys only added).
pub fn rank_json(advice: &Advice, lang: Lang) -> Value {
    let a = &advice.assessment;
    let ranking: Vec<Value> = advice
        .ranking
        .iter()
        .map(|r| {
            let p = &a.providers[r.index];
            let mut criteria = Map::new();
            let mut unknown = Map::new();
            let mut ranges = Map::new();
            let mut evidence = Map::new();
            let mut notes = Map::new();
            let mut fallback = Map::new();
            for v in &p.criteria {
                let key = v.criterion.key();
                // A criterion with no fact at all is null, never a made-up number; the value the
                // deterministic method scored it at is reported apart, as `fallback`.
                if knowledge(v) == Knowledge::Unknown {
                    criteria.insert(key.into(), Value::Null);
                    fallback.insert(key.into(), json!(round(v.value, 4)));
                } else {
                    criteria.insert(key.into(), json!(round(v.value, 4)));
                }
                unknown.insert(key.into(), json!(v.unknown));
                if let Some((lo, hi)) = v.range {
                    ranges.insert(key.into(), json!([round(lo, 4), round(hi, 4)]));
                }
                evidence.insert(key.into(), evidence_json(&v.evidence));
                if !v.note.is_empty() {
                    notes.insert(key.into(), json!(v.note));
                }
            }
            let cost = p.criterion(Criterion::Cost);
            json!({
                "provider": p.id,
                "name": provider_name(advice, r.index, lang),
                "rank": r.rank,
                "score": round(r.score, 6),
                "criteria": criteria,
                "monthly_cost": if knowledge(cost) == Knowledge::Unknown {
                    json!({"amount": Value::Null, "currency": a.currency.to_string()})
                } else {
                    money_json(cost.value, a.currency)
                },
                "first_rank_share": round(r.first_rank_share, 4),
                "rank_acceptability": r.rank_acceptability.iter().map(|x| round(*x, 4)).collect::<Vec<_>>(),
                "unknown": unknown,
                "fallback": fallback,
                "ranges": ranges,
                "notes": notes,
                "evidence": evidence,
            })
        })
        .collect();
    let excluded: Vec<Value> = a
        .excluded
        .iter()
        .map(|e| json!({"provider": e.provider, "reason": i18n::exclusion(&e.reason, lang)}))
        .collect();
    let units: Map<String, Value> = Criterion::ALL
        .iter()
        .map(|c| {
            let unit = a
                .providers
                .first()
                .map(|p| p.criterion(*c).unit.clone())
                .unwrap_or_default();
            (c.key().to_owned(), json!(unit))
        })
        .collect();
    let weights: Map<String, Value> = Criterion::ALL
        .iter()
        .map(|c| {
            (
                c.key().to_owned(),
                json!(round(advice.weights[c.index()], 4)),
            )
        })
        .collect();
    let explanation = advice.explanation.as_ref().map(|e| {
        json!({
            "winner": e.winner,
            "runner_up": e.runner_up,
            "text": explanation_lines(advice, lang),
            "contributions": e.contributions.iter().map(|c| json!({
                "criterion": c.criterion.key(), "contribution": round(c.contribution, 6)
            })).collect::<Vec<_>>(),
            "sensitivity": e.sensitivity.iter().map(|m| json!({
                "criterion": m.criterion.key(),
                "weight": round(m.weight, 4),
                "lower": round(m.lower, 4),
                "upper": round(m.upper, 4),
                "rival_below": m.rival_below,
                "rival_above": m.rival_above,
            })).collect::<Vec<_>>(),
        })
    });
    json!({
        "profile": a.profile,
        "method": advice.method.name(),
        "ranking": ranking,
        "excluded": excluded,
        "explanation": explanation,
        "as_of": a.as_of.to_string(),
        "currency": a.currency.to_string(),
        "units": units,
        "weights": weights,
        "weight_source": advice.weight_source,
        "ahp_consistency_ratio": advice.ahp_cr.map(|x| round(x, 4)),
        "smaa": {"samples": advice.samples, "seed": advice.seed},
        "quality_reference": a.quality_reference.as_ref().map(|q| json!({
            "benchmark": q.benchmark, "snapshot": q.snapshot, "min": q.min, "max": q.max
        })),
        "unpriced_everywhere": a.unpriced_everywhere.iter().map(|i| i.to_string()).collect::<Vec<_>>(),
        "lang": lang.code(),
    })
}

pub(super) fn money_json(amount: f64, currency: impl std::fmt::Display) -> Value {
    json!({"amount": round(amount, 2), "currency": currency.to_string()})
}

pub(super) fn evidence_json(e: &[Evidence]) -> Value {
    Value::Array(
        e.iter()
            .map(|e| json!({"fact": e.fact, "source": e.source, "as_of": e.as_of}))
            .collect(),
    )
}
