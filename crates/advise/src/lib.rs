//! cloudfit-advise: a business profile + the catalog + measurements → the six criteria scores,
//! the monthly TCO, the migration cost, a ranking and its explanation.
//!
//! Deterministic given its inputs: no clock (the `as_of` date is passed in), no network, and
//! randomness only from the seed in [`RankOptions`].
//!
//! Entry points: [`Profile::load`] / [`Profile::parse`], then [`assess`] (hard constraints,
//! TCO, six criteria with evidence), then [`rank()`] (TOPSIS/WSM/SMAA-2 and the explanation).
//! The formulas are documented on [`assess`](mod@assess) and [`tco`](mod@tco).

pub mod assess;
pub mod criterion;
pub mod date;
pub mod fx;
pub mod i18n;
pub mod profile;
pub mod rank;
pub mod tco;

pub use assess::{
    assess, AdviseError, Assessment, Excluded, Exclusion, Measurements, ModelMeasurement,
    OpenConstraint, OpenKind, ProviderAssessment, QualityReference,
};
pub use criterion::{Criterion, CriterionValue, Evidence, UnknownFact};
pub use date::{catalog_as_of, Date};
pub use fx::Fx;
pub use i18n::Lang;
pub use profile::{
    parse_workload, CertRequirement, Constraints, Current, GpuNeed, Issue, Notice, Preset, Profile,
    ProfileError, Segment, Task, Unverified, WeightSpec, Workload,
};
pub use rank::{
    rank, Advice, Contribution, Explanation, LeadOnGaps, Question, QuestionFact, RankMethod,
    RankOptions, Ranked, VerifyRank, WeightMove, QUESTION_MIN_EFFECT,
};
pub use tco::{CostItem, CostLine, Shortfall, Tco, UnitPrice, Unpriced};

#[cfg(test)]
mod fixtures;
#[cfg(test)]
mod properties;
