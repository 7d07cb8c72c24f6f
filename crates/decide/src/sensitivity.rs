//! One-at-a-time weight sensitivity: for each criterion, how far its weight can move before the
//! winner loses first place, the other weights rescaled proportionally so they still sum to 1.

use crate::error::DecideError;
use crate::matrix::{DecisionMatrix, Weights};
use crate::methods::{rank, Method, Ranking};

/// Grid steps per direction before bisection. A losing window narrower than one step
/// (possible only for the non-linear methods) can be missed; for WSM scores are linear in the
/// weight and the boundary found is exact to bisection precision.
const GRID: usize = 200;
const BISECTIONS: usize = 50;

/// The result of [`sensitivity`].
#[derive(Debug, Clone, PartialEq)]
pub struct Sensitivity {
    /// The alternative ranked first with the given weights (the lowest index if tied).
    pub winner: usize,
    /// One entry per criterion, in criterion order.
    pub criteria: Vec<WeightRange>,
}

/// The contiguous range of one criterion's weight, around its current value, in which the
/// winner stays ranked first (ties with the winner count as first).
#[derive(Debug, Clone, PartialEq)]
pub struct WeightRange {
    pub criterion: usize,
    /// The current (normalised) weight.
    pub weight: f64,
    /// The smallest weight (>= 0) down to which the winner stays first.
    pub lower: f64,
    /// The largest weight (<= 1) up to which the winner stays first.
    pub upper: f64,
    /// Who is first just below `lower`; `None` when `lower` is 0 and nothing overtakes.
    pub rival_below: Option<usize>,
    /// Who is first just above `upper`; `None` when `upper` is 1 and nothing overtakes.
    pub rival_above: Option<usize>,
}

/// Runs `method` at the given weights, then moves each criterion's weight down to 0 and up to 1
/// (others rescaled proportionally; if they are all 0 they share equally) to find where the
/// winner stops being first.
pub fn sensitivity(
    matrix: &DecisionMatrix,
    weights: &Weights,
    method: &Method,
) -> Result<Sensitivity, DecideError> {
    let base = rank(matrix, weights, method)?;
    let winner = base.winners().first().copied().unwrap_or(0);
    let w = weights.as_slice();
    let mut criteria = Vec::with_capacity(w.len());
    for j in 0..w.len() {
        let at = |t: f64| -> Result<Ranking, DecideError> {
            rank(matrix, &Weights::from_normalized(moved(w, j, t)), method)
        };
        let (upper, rival_above) = boundary(w[j], 1.0, winner, &at)?;
        let (lower, rival_below) = boundary(w[j], 0.0, winner, &at)?;
        criteria.push(WeightRange {
            criterion: j,
            weight: w[j],
            lower,
            upper,
            rival_below,
            rival_above,
        });
    }
    Ok(Sensitivity { winner, criteria })
}

/// Weights with criterion `j` set to `t` and the others rescaled to share `1 − t`.
fn moved(w: &[f64], j: usize, t: f64) -> Vec<f64> {
    let rest = 1.0 - w[j];
    let others = w.len() - 1;
    w.iter()
        .enumerate()
        .map(|(k, &x)| {
            if k == j {
                t
            } else if rest > 1e-15 {
                x * (1.0 - t) / rest
            } else {
                (1.0 - t) / others as f64
            }
        })
        .collect()
}

/// Walks from `start` towards `end`; returns the last weight at which `winner` is still first
/// and who is first just beyond it.
fn boundary(
    start: f64,
    end: f64,
    winner: usize,
    at: &dyn Fn(f64) -> Result<Ranking, DecideError>,
) -> Result<(f64, Option<usize>), DecideError> {
    let first = |r: &Ranking| r.ranks[winner] == 1;
    let mut good = start;
    for step in 1..=GRID {
        let t = start + (end - start) * step as f64 / GRID as f64;
        let r = at(t)?;
        if first(&r) {
            good = t;
            continue;
        }
        let (mut lo, mut hi, mut rival) = (good, t, r);
        for _ in 0..BISECTIONS {
            let mid = 0.5 * (lo + hi);
            let r = at(mid)?;
            if first(&r) {
                lo = mid;
            } else {
                hi = mid;
                rival = r;
            }
        }
        let taker = rival.winners().into_iter().find(|&a| a != winner);
        return Ok((lo, taker));
    }
    Ok((end, None))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matrix::{Criterion, CriterionKind};
    use crate::normalize::Normalization;

    #[test]
    fn wsm_break_even_is_exact() {
        // a0 = (1, 0), a1 = (0, 1), a2 = (0.4, 0.4) under max normalisation; weights (0.7, 0.3).
        // a0 scores t, a1 scores 1 − t, a2 0.4: a0 stays first while t >= 0.5.
        let m = DecisionMatrix::new(
            vec!["a0".into(), "a1".into(), "a2".into()],
            vec![
                Criterion::new("c0", CriterionKind::Benefit),
                Criterion::new("c1", CriterionKind::Benefit),
            ],
            vec![vec![1.0, 0.0], vec![0.0, 1.0], vec![0.4, 0.4]],
        )
        .unwrap();
        let w = Weights::normalize(&[0.7, 0.3]).unwrap();
        let s = sensitivity(&m, &w, &Method::Wsm(Normalization::Max)).unwrap();
        assert_eq!(s.winner, 0);
        let c0 = &s.criteria[0];
        assert!((c0.lower - 0.5).abs() < 1e-9, "{c0:?}");
        assert_eq!(c0.upper, 1.0);
        assert_eq!(c0.rival_below, Some(1));
        assert_eq!(c0.rival_above, None);
        let c1 = &s.criteria[1];
        assert!((c1.upper - 0.5).abs() < 1e-9, "{c1:?}");
        assert_eq!(c1.lower, 0.0);
        assert_eq!(c1.rival_above, Some(1));
    }

    #[test]
    fn moved_weights_sum_to_one() {
        let w = moved(&[0.2, 0.3, 0.5], 1, 0.9);
        assert!((w.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        assert!((w[0] / w[2] - 0.4).abs() < 1e-12, "proportions kept");
        assert_eq!(moved(&[1.0, 0.0, 0.0], 0, 0.5), vec![0.5, 0.25, 0.25]);
    }
}
