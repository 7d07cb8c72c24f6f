//! The `rank --format json` document.

use cloudfit_advise::i18n::Lang;
use cloudfit_advise::{Advice, Criterion, Evidence, OpenKind, QuestionFact, QUESTION_MIN_EFFECT};
use serde_json::{json, Map, Value};

use super::explain::{explanation_lines, question_text, summary_lines};
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
        .map(|e| json!({"provider": e.provider, "reason": cloudfit_advise::assess::exclusion(&e.reason, lang)}))
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
    let to_verify: Vec<Value> = advice
        .to_verify
        .iter()
        .map(|v| {
            let p = &a.providers[v.index];
            json!({
                "provider": p.id,
                "name": provider_name(advice, v.index, lang),
                "rank_if_held": v.rank_if_held,
                "first_rank_share_if_held": round(v.first_rank_share_if_held, 4),
                "open": p.open.iter().map(|o| json!({
                    "constraint": match &o.kind {
                        OpenKind::Residency => "residency".to_owned(),
                        OpenKind::Certification(c) => format!("certification:{c}"),
                    },
                    "fact": if lang == Lang::Zh { &o.fact_zh } else { &o.fact_en },
                    "ask": if lang == Lang::Zh { &o.ask_zh } else { &o.ask_en },
                })).collect::<Vec<_>>(),
                "criteria": p.criteria.iter().map(|c| (c.criterion.key().to_owned(), json!(round(c.value, 4)))).collect::<Map<String, Value>>(),
                "monthly_cost": money_json(p.criterion(Criterion::Cost).value, a.currency),
            })
        })
        .collect();
    let questions: Vec<Value> = advice
        .questions
        .iter()
        .map(|q| {
            let (kind, criterion, fact, ask) = match &q.fact {
                QuestionFact::Unknown { criterion, fact } => (
                    "unknown_fact",
                    Some(criterion.key()),
                    if lang == Lang::Zh {
                        &fact.fact_zh
                    } else {
                        &fact.fact_en
                    },
                    if lang == Lang::Zh {
                        &fact.ask_zh
                    } else {
                        &fact.ask_en
                    },
                ),
                QuestionFact::Constraint(o) => (
                    "constraint",
                    None,
                    if lang == Lang::Zh {
                        &o.fact_zh
                    } else {
                        &o.fact_en
                    },
                    if lang == Lang::Zh {
                        &o.ask_zh
                    } else {
                        &o.ask_en
                    },
                ),
            };
            json!({
                "provider": q.provider,
                "kind": kind,
                "criterion": criterion,
                "fact": fact,
                "ask": ask,
                "text": question_text(advice, q, lang),
                "effect": {
                    "first_rank_share_now": round(q.share_now, 4),
                    "first_rank_share_best": round(q.share_best, 4),
                    "first_rank_share_worst": round(q.share_worst, 4),
                    "largest_share_change": round(q.effect, 4),
                    "winner_at_best": q.winner_change.as_ref().map(|w| &w.0),
                    "winner_at_worst": q.winner_change.as_ref().map(|w| &w.1),
                    "can_change_outcome": q.effect >= QUESTION_MIN_EFFECT,
                },
            })
        })
        .collect();
    json!({
        "profile": a.profile,
        "method": advice.method.name(),
        "ranking": ranking,
        "excluded": excluded,
        "to_verify": to_verify,
        "questions": questions,
        "summary": summary_lines(advice, lang),
        "most_robust": advice.most_robust.map(|i| a.providers[i].id.clone()),
        "lead_on_gaps": advice.lead_on_gaps.as_ref().map(|g| json!({
            "winner": g.winner, "runner_up": g.runner_up,
            "criteria": g.criteria.iter().map(|c| c.key()).collect::<Vec<_>>(),
            "only_one": g.only_one, "share_of_lead": round(g.share_of_lead, 4),
        })),
        "notices": a.notices.iter().map(|n| json!({"key": n.key, "text": if lang == Lang::Zh { &n.zh } else { &n.en }})).collect::<Vec<_>>(),
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
            .map(|e| {
                json!({
                    "fact": e.fact, "source": e.source, "as_of": e.as_of,
                    "reliability": e.reliability.map(|r| r.name()),
                })
            })
            .collect(),
    )
}
