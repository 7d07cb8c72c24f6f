//! AHP: criteria weights from a pairwise comparison matrix, with Saaty's consistency ratio.

use crate::error::DecideError;

/// Where the random index table comes from.
pub const RANDOM_INDEX_SOURCE: &str = "Saaty, T. L. (1980). The Analytic Hierarchy Process. \
McGraw-Hill, p. 21 (random index for n = 1..15, average CI of random reciprocal matrices)";

/// Saaty's random index RI(n), n = 1..15 (index 0 is n = 1).
const RANDOM_INDEX: [f64; 15] = [
    0.0, 0.0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49, 1.51, 1.48, 1.56, 1.57, 1.59,
];

/// The largest relative error in `a_ij · a_ji` (and on the diagonal) still accepted as
/// reciprocal, so that `0.333` next to `3` is fine.
pub const RECIPROCAL_TOLERANCE: f64 = 1e-2;

/// Consistency ratios above this are inconsistent (Saaty's 10% rule).
pub const CR_THRESHOLD: f64 = 0.1;

/// Saaty's random index for `n` criteria, `None` above 15.
pub fn random_index(n: usize) -> Option<f64> {
    n.checked_sub(1).and_then(|i| RANDOM_INDEX.get(i)).copied()
}

/// A validated pairwise comparison matrix: square, positive, reciprocal, ones on the diagonal,
/// at most 15 criteria. `a[i][j]` says how much more important criterion `i` is than `j`.
#[derive(Debug, Clone, PartialEq)]
pub struct PairwiseMatrix {
    a: Vec<Vec<f64>>,
}

impl PairwiseMatrix {
    #[expect(
        clippy::needless_range_loop,
        reason = "symmetric access to a[i][j] and a[j][i]"
    )]
    pub fn new(a: Vec<Vec<f64>>) -> Result<Self, DecideError> {
        let n = a.len();
        if n == 0 {
            return Err(DecideError::EmptyPairwise);
        }
        for (row, line) in a.iter().enumerate() {
            if line.len() != n {
                return Err(DecideError::NotSquare {
                    row,
                    expected: n,
                    found: line.len(),
                });
            }
            for (column, &value) in line.iter().enumerate() {
                if !value.is_finite() || value <= 0.0 {
                    return Err(DecideError::NotPositive { row, column, value });
                }
            }
        }
        if n > RANDOM_INDEX.len() {
            return Err(DecideError::TooManyForRandomIndex { found: n });
        }
        for i in 0..n {
            if (a[i][i] - 1.0).abs() > RECIPROCAL_TOLERANCE {
                return Err(DecideError::BadDiagonal {
                    row: i,
                    value: a[i][i],
                });
            }
            for j in i + 1..n {
                if (a[i][j] * a[j][i] - 1.0).abs() > RECIPROCAL_TOLERANCE {
                    return Err(DecideError::NotReciprocal {
                        row: i,
                        column: j,
                        value: a[i][j],
                        mirror: a[j][i],
                    });
                }
            }
        }
        Ok(Self { a })
    }

    /// Builds the full matrix from the judgements above the diagonal (`upper[i]` holds
    /// `a[i][i+1..n]`), filling the diagonal with 1 and the lower triangle with reciprocals.
    #[expect(
        clippy::needless_range_loop,
        reason = "symmetric access to a[i][j] and a[j][i]"
    )]
    pub fn from_upper(n: usize, upper: &[Vec<f64>]) -> Result<Self, DecideError> {
        let mut a = vec![vec![1.0; n]; n];
        for i in 0..n {
            let row = upper.get(i).map(Vec::as_slice).unwrap_or(&[]);
            if row.len() != n - i - 1 {
                return Err(DecideError::NotSquare {
                    row: i,
                    expected: n - i - 1,
                    found: row.len(),
                });
            }
            for (k, &v) in row.iter().enumerate() {
                let j = i + 1 + k;
                a[i][j] = v;
                a[j][i] = 1.0 / v;
            }
        }
        Self::new(a)
    }

    pub fn rows(&self) -> &[Vec<f64>] {
        &self.a
    }

    pub fn len(&self) -> usize {
        self.a.len()
    }

    pub fn is_empty(&self) -> bool {
        self.a.is_empty()
    }
}

/// AHP result.
#[derive(Debug, Clone, PartialEq)]
pub struct Ahp {
    /// The principal right eigenvector, scaled to sum 1.
    pub weights: Vec<f64>,
    pub lambda_max: f64,
    /// CI = (λmax − n)/(n − 1); 0 for n ≤ 2.
    pub ci: f64,
    /// Saaty's RI(n) from [`RANDOM_INDEX_SOURCE`].
    pub ri: f64,
    /// CR = CI/RI; 0 when RI = 0 (n ≤ 2, always consistent).
    pub cr: f64,
    /// CR ≤ 0.1.
    pub consistent: bool,
    /// Every comparison above the diagonal, the biggest contributor to inconsistency first.
    pub inconsistencies: Vec<Inconsistency>,
}

/// How much one judgement `a_ij` disagrees with the weights.
///
/// With `e = a_ij·w_j/w_i`, λmax − n = (1/n)·Σ_{i<j} (e + 1/e − 2) exactly, so each pair's term
/// is its share of the inconsistency.
#[derive(Debug, Clone, PartialEq)]
pub struct Inconsistency {
    pub row: usize,
    pub column: usize,
    /// The judgement as given.
    pub given: f64,
    /// The value the weights imply, `w_i/w_j`; a consistent matrix has `given == implied`.
    pub implied: f64,
    /// This pair's share of λmax − n, in [0, 1] (0 for every pair of a consistent matrix).
    pub share: f64,
}

/// Weights by the principal eigenvector (power iteration to 1e-13), λmax, CI, CR and the
/// comparisons that contribute most to any inconsistency.
pub fn ahp(matrix: &PairwiseMatrix) -> Ahp {
    let a = &matrix.a;
    let n = a.len();
    let mut w = vec![1.0 / n as f64; n];
    let mut next = vec![0.0; n];
    for _ in 0..10_000 {
        for (i, row) in a.iter().enumerate() {
            next[i] = row.iter().zip(&w).map(|(x, y)| x * y).sum();
        }
        let sum: f64 = next.iter().sum();
        let mut change: f64 = 0.0;
        for i in 0..n {
            let v = next[i] / sum;
            change = change.max((v - w[i]).abs());
            w[i] = v;
        }
        if change < 1e-13 {
            break;
        }
    }
    // λmax = Σ_i (A w)_i when Σ w = 1.
    let lambda_max: f64 = a
        .iter()
        .map(|row| row.iter().zip(&w).map(|(x, y)| x * y).sum::<f64>())
        .sum();
    let nf = n as f64;
    let ci = if n > 2 {
        ((lambda_max - nf) / (nf - 1.0)).max(0.0)
    } else {
        0.0
    };
    let ri = random_index(n).unwrap_or(0.0);
    let cr = if ri > 0.0 { ci / ri } else { 0.0 };

    let mut inconsistencies = Vec::with_capacity(n * n.saturating_sub(1) / 2);
    for i in 0..n {
        for j in i + 1..n {
            let e = a[i][j] * w[j] / w[i];
            inconsistencies.push(Inconsistency {
                row: i,
                column: j,
                given: a[i][j],
                implied: w[i] / w[j],
                share: (e + 1.0 / e - 2.0).max(0.0),
            });
        }
    }
    let total: f64 = inconsistencies.iter().map(|x| x.share).sum();
    for x in &mut inconsistencies {
        x.share = if total > 1e-12 { x.share / total } else { 0.0 };
    }
    inconsistencies.sort_by(|x, y| {
        y.share
            .total_cmp(&x.share)
            .then((x.row, x.column).cmp(&(y.row, y.column)))
    });
    Ahp {
        weights: w,
        lambda_max,
        ci,
        ri,
        cr,
        consistent: cr <= CR_THRESHOLD,
        inconsistencies,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_malformed_matrices() {
        assert!(matches!(
            PairwiseMatrix::new(vec![vec![1.0, 2.0], vec![0.5]]),
            Err(DecideError::NotSquare { row: 1, .. })
        ));
        assert!(matches!(
            PairwiseMatrix::new(vec![vec![1.0, -2.0], vec![0.5, 1.0]]),
            Err(DecideError::NotPositive {
                row: 0,
                column: 1,
                ..
            })
        ));
        assert!(matches!(
            PairwiseMatrix::new(vec![vec![1.0, 2.0], vec![2.0, 1.0]]),
            Err(DecideError::NotReciprocal {
                row: 0,
                column: 1,
                ..
            })
        ));
        assert!(matches!(
            PairwiseMatrix::new(vec![vec![2.0, 2.0], vec![0.5, 1.0]]),
            Err(DecideError::BadDiagonal { row: 0, .. })
        ));
        assert!(PairwiseMatrix::new(vec![vec![1.0, 0.333], vec![3.0, 1.0]]).is_ok());
        let big = vec![vec![1.0; 16]; 16];
        assert!(matches!(
            PairwiseMatrix::new(big),
            Err(DecideError::TooManyForRandomIndex { found: 16 })
        ));
    }

    #[test]
    fn random_index_table() {
        assert_eq!(random_index(0), None);
        assert_eq!(random_index(3), Some(0.58));
        assert_eq!(random_index(15), Some(1.59));
        assert_eq!(random_index(16), None);
    }

    #[test]
    fn small_matrices_are_consistent() {
        let r = ahp(&PairwiseMatrix::new(vec![vec![1.0]]).unwrap());
        assert_eq!(r.weights, vec![1.0]);
        let r = ahp(&PairwiseMatrix::new(vec![vec![1.0, 3.0], vec![1.0 / 3.0, 1.0]]).unwrap());
        assert!((r.weights[0] - 0.75).abs() < 1e-12);
        assert_eq!(r.cr, 0.0);
        assert!(r.consistent);
    }

    #[test]
    fn worst_judgement_is_named() {
        // Consistent 4x4 from weights (8,4,2,1) with a_03 corrupted from 8 to 1/8.
        let upper = [vec![2.0, 4.0, 0.125], vec![2.0, 4.0], vec![2.0], vec![]];
        let m = PairwiseMatrix::from_upper(4, &upper).unwrap();
        let r = ahp(&m);
        assert!(!r.consistent, "cr {}", r.cr);
        let top = &r.inconsistencies[0];
        assert_eq!((top.row, top.column), (0, 3));
        let sum: f64 = r.inconsistencies.iter().map(|x| x.share).sum();
        assert!((sum - 1.0).abs() < 1e-9);
    }
}
