//! cloudfit-decide: pure multi-criteria decision analysis.
//!
//! Everything here is a function of its arguments: no I/O, no async, no clock, and randomness
//! only from a seed passed in ([`SmaaOptions::seed`]). Errors are [`DecideError`] values that
//! name the offending row/criterion by index; the caller maps indices to files and lines.
//!
//! - [`DecisionMatrix`], [`Criterion`], [`CriterionKind`], [`Weights`]: validated inputs.
//! - [`normalize`] with [`Normalization`]: vector, min-max, sum, max, none.
//! - [`wsm`], [`topsis`], [`vikor`], [`promethee2`], or [`rank`] with a [`Method`]: a [`Ranking`].
//! - [`sensitivity`]: per criterion, the weight range in which the winner stays first.
//! - [`ahp`]: weights from a pairwise comparison matrix with the consistency check.
//! - [`smaa2`]: rank acceptabilities, central weights, confidence factors under uncertainty.

mod ahp;
mod error;
mod matrix;
mod methods;
mod normalize;
mod rankutil;
mod sensitivity;
mod smaa;

pub use ahp::{
    ahp, random_index, Ahp, Inconsistency, PairwiseMatrix, CR_THRESHOLD, RANDOM_INDEX_SOURCE,
    RECIPROCAL_TOLERANCE,
};
pub use error::DecideError;
pub use matrix::{Criterion, CriterionKind, DecisionMatrix, Weights};
pub use methods::{
    promethee2, rank, topsis, vikor, wsm, Detail, Method, Preference, PrometheeDetail, Ranking,
    VikorDetail,
};
pub use normalize::{normalize, Normalization};
pub use rankutil::competition_ranks;
pub use sensitivity::{sensitivity, Sensitivity, WeightRange};
pub use smaa::{smaa2, SmaaInput, SmaaOptions, SmaaResult, Value, WeightInfo, WeightSampler};
