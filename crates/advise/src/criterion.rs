//! The six criteria of the market report and the value a provider gets on each, with its evidence.

use std::fmt;

use cloudfit_catalog::{Reliability, Source};

/// The six criteria buyers list in the seed report: "成本、性能、稳定性、安全合规、AI 能力、迁移难度".
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Criterion {
    Cost,
    Performance,
    Stability,
    Compliance,
    AiCapability,
    Migration,
}

impl Criterion {
    /// All six, in the order used by matrices, weight vectors and JSON output.
    pub const ALL: [Criterion; 6] = [
        Criterion::Cost,
        Criterion::Performance,
        Criterion::Stability,
        Criterion::Compliance,
        Criterion::AiCapability,
        Criterion::Migration,
    ];

    /// The key used in profiles and JSON (`cost`, ..., `ai_capability`, `migration`).
    pub fn key(self) -> &'static str {
        match self {
            Criterion::Cost => "cost",
            Criterion::Performance => "performance",
            Criterion::Stability => "stability",
            Criterion::Compliance => "compliance",
            Criterion::AiCapability => "ai_capability",
            Criterion::Migration => "migration",
        }
    }

    pub fn from_key(key: &str) -> Option<Criterion> {
        Criterion::ALL.into_iter().find(|c| c.key() == key)
    }

    /// Position in [`Criterion::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }

    /// True when more is better (performance, compliance, AI capability); cost, expected
    /// downtime and migration effort are better when lower.
    pub fn is_benefit(self) -> bool {
        matches!(
            self,
            Criterion::Performance | Criterion::Compliance | Criterion::AiCapability
        )
    }
}

impl fmt::Display for Criterion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// One fact behind a criterion value: what it says and where it comes from.
#[derive(Clone, Debug, PartialEq)]
pub struct Evidence {
    /// What the fact says, in plain English (`SLA 99.9% monthly uptime (Bedrock)`).
    pub fact: String,
    pub source: String,
    pub as_of: String,
    /// How far to trust the source; `None` for values cloudfit derives or measures itself.
    pub reliability: Option<Reliability>,
}

impl Evidence {
    pub fn new(fact: impl Into<String>, source: &Source) -> Self {
        Evidence {
            fact: fact.into(),
            source: source.source.clone(),
            as_of: source.as_of.clone(),
            reliability: Some(source.reliability),
        }
    }

    /// A value derived by cloudfit itself (a formula, a profile input), not read from a source.
    pub fn derived(fact: impl Into<String>, from: &str) -> Self {
        Evidence {
            fact: fact.into(),
            source: from.to_owned(),
            as_of: String::new(),
            reliability: None,
        }
    }

    /// cloudfit's own measurement (a bench run, gateway traffic).
    pub fn measured(fact: impl Into<String>, source: &str, as_of: &str) -> Self {
        Evidence {
            fact: fact.into(),
            source: source.to_owned(),
            as_of: as_of.to_owned(),
            reliability: None,
        }
    }
}

/// One fact a criterion value rests on that is not known, what to ask to learn it, and how far
/// it alone moves the value between its best and its worst plausible value.
#[derive(Clone, Debug, PartialEq)]
pub struct UnknownFact {
    /// Stable key within the provider (`stability:model-api-uptime`, `cost:egress`).
    pub key: String,
    pub fact_en: String,
    pub fact_zh: String,
    /// The question for the vendor.
    pub ask_en: String,
    pub ask_zh: String,
    /// Width of the value's plausible range due to this fact alone (≥ 0, in the criterion's unit).
    pub span: f64,
}

/// A provider's value on one criterion.
///
/// `value` is what deterministic methods (WSM, TOPSIS) use. When a fact behind it is unknown,
/// `unknown` is true, `value` is the pessimistic bound (no better than any value known for any
/// provider in the catalog) and `range` is the plausible span that SMAA samples uniformly; each
/// unknown fact is listed in `unknowns` with its share of that span.
#[derive(Clone, Debug, PartialEq)]
pub struct CriterionValue {
    pub criterion: Criterion,
    pub value: f64,
    pub unknown: bool,
    /// `(low, high)` for SMAA when `unknown`; `None` when the value is known exactly.
    pub range: Option<(f64, f64)>,
    /// Unit of `value`, e.g. `CNY/month`, `h/month`, `points (0-100)`.
    pub unit: String,
    pub evidence: Vec<Evidence>,
    /// Why the value is unknown or how the fallback was chosen; empty when known.
    pub note: String,
    pub unknowns: Vec<UnknownFact>,
}

impl CriterionValue {
    /// The best plausible value (the value itself when known).
    pub fn best(&self) -> f64 {
        match self.range {
            Some((lo, hi)) if self.criterion.is_benefit() => hi.max(lo),
            Some((lo, _)) => lo,
            None => self.value,
        }
    }
}
