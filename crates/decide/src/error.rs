//! The one error type of the crate. Indices are 0-based; the caller turns them into file lines.

/// Why a decision problem was rejected.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DecideError {
    #[error("expected at least 2 alternatives, found {found}")]
    TooFewAlternatives { found: usize },
    #[error("expected at least 1 criterion, found none")]
    NoCriteria,
    #[error("row {row}: expected {expected} values (one per criterion), found {found}")]
    RaggedRow {
        row: usize,
        expected: usize,
        found: usize,
    },
    #[error("row {row}, criterion {criterion}: expected a finite number, found {value}")]
    NonFinite {
        row: usize,
        criterion: usize,
        value: f64,
    },
    #[error("expected {expected} weights (one per criterion), found {found}")]
    WeightCount { expected: usize, found: usize },
    #[error("weight {index}: expected a finite number >= 0, found {value}")]
    BadWeight { index: usize, value: f64 },
    #[error("weights: expected at least one weight above 0, all are 0")]
    ZeroWeights,
    #[error("criterion {criterion}: {normalization} normalisation needs {expected}")]
    DegenerateColumn {
        criterion: usize,
        normalization: &'static str,
        expected: &'static str,
    },
    #[error("expected {expected} preference functions (one per criterion), found {found}")]
    PreferenceCount { expected: usize, found: usize },
    #[error("criterion {criterion}: preference function: {problem}")]
    BadPreference { criterion: usize, problem: String },
    #[error("vikor: expected v in [0, 1], found {v}")]
    BadV { v: f64 },
    #[error("pairwise matrix: expected a square matrix, row {row} has {found} entries for {expected} criteria")]
    NotSquare {
        row: usize,
        expected: usize,
        found: usize,
    },
    #[error(
        "pairwise matrix: entry ({row}, {column}): expected a finite number > 0, found {value}"
    )]
    NotPositive {
        row: usize,
        column: usize,
        value: f64,
    },
    #[error("pairwise matrix: entry ({row}, {row}): expected 1 on the diagonal, found {value}")]
    BadDiagonal { row: usize, value: f64 },
    #[error("pairwise matrix: entries ({row}, {column}) = {value} and ({column}, {row}) = {mirror}: expected reciprocals (a_ij * a_ji = 1)")]
    NotReciprocal {
        row: usize,
        column: usize,
        value: f64,
        mirror: f64,
    },
    #[error("pairwise matrix: expected at most 15 criteria (Saaty's random index table ends there), found {found}")]
    TooManyForRandomIndex { found: usize },
    #[error("pairwise matrix: expected at least 1 criterion, found none")]
    EmptyPairwise,
    #[error("ordinal weights: {reason}")]
    BadOrder { reason: String },
    #[error("weight interval {index}: expected 0 <= min <= max <= 1, found [{lo}, {hi}]")]
    BadInterval { index: usize, lo: f64, hi: f64 },
    #[error("weight intervals: expected sum of minimums <= 1 <= sum of maximums, found {sum_lo} and {sum_hi}")]
    InfeasibleIntervals { sum_lo: f64, sum_hi: f64 },
    #[error("weight intervals: the feasible weights are too small a region to sample (no sample accepted in {attempts} attempts)")]
    IntervalsTooNarrow { attempts: u64 },
    #[error("row {row}, criterion {criterion}: {reason}")]
    BadUncertainValue {
        row: usize,
        criterion: usize,
        reason: String,
    },
    #[error("smaa: expected at least 1 sample, found 0")]
    NoSamples,
}
