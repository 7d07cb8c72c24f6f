//! The six criteria of the market report and the value a provider gets on each, with its evidence.

use std::fmt;

use cloudfit_catalog::Source;

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
}

impl Evidence {
    pub fn new(fact: impl Into<String>, source: &Source) -> Self {
        Evidence {
            fact: fact.into(),
            source: source.source.clone(),
            as_of: source.as_of.clone(),
        }
    }

    /// A value derived by cloudfit itself (a formula, a profile input), not read from a source.
    pub fn derived(fact: impl Into<String>, from: &str) -> Self {
        Evidence {
            fact: fact.into(),
            source: from.to_owned(),
            as_of: String::new(),
        }
    }
}

/// A provider's value on one criterion.
///
/// `value` is what deterministic methods (WSM, TOPSIS) use. When the fact behind it is unknown,
/// `unknown` is true, `value` is the documented fallback (the worst value known among the
/// providers being compared) and `range` is the plausible span that SMAA samples uniformly.
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
}
