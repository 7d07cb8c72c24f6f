//! Deterministic ranking methods: WSM, TOPSIS, VIKOR, PROMETHEE II.

use crate::error::DecideError;
use crate::matrix::{check_weights, CriterionKind, DecisionMatrix, Weights};
use crate::normalize::{min_max, normalize, Normalization};
use crate::rankutil::competition_ranks;

/// A method with its parameters, for [`rank`] and [`crate::sensitivity`].
#[derive(Debug, Clone, PartialEq)]
pub enum Method {
    Wsm(Normalization),
    Topsis(Normalization),
    /// VIKOR with the weight `v` of the group utility (0.5 is customary).
    Vikor {
        v: f64,
    },
    /// PROMETHEE II with one preference function per criterion.
    Promethee2(Vec<Preference>),
}

impl Method {
    /// `wsm`, `topsis`, `vikor` or `promethee2`.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Wsm(_) => "wsm",
            Self::Topsis(_) => "topsis",
            Self::Vikor { .. } => "vikor",
            Self::Promethee2(_) => "promethee2",
        }
    }
}

/// The result of a deterministic method: one score and rank per alternative, in input order.
#[derive(Debug, Clone, PartialEq)]
pub struct Ranking {
    /// WSM: weighted sum; TOPSIS: closeness to the ideal; VIKOR: Q; PROMETHEE II: net flow.
    pub scores: Vec<f64>,
    /// Competition ranks, 1 is best; tied scores share the better rank.
    pub ranks: Vec<usize>,
    /// False only for VIKOR, where the lowest Q is best.
    pub higher_is_better: bool,
    pub detail: Detail,
}

impl Ranking {
    fn new(scores: Vec<f64>, higher_is_better: bool, detail: Detail) -> Self {
        let ranks = competition_ranks(&scores, higher_is_better);
        Self {
            scores,
            ranks,
            higher_is_better,
            detail,
        }
    }

    /// Indices of the alternatives ranked first (more than one when tied).
    pub fn winners(&self) -> Vec<usize> {
        (0..self.ranks.len())
            .filter(|&i| self.ranks[i] == 1)
            .collect()
    }
}

/// Extra output of the methods that have it.
#[derive(Debug, Clone, PartialEq)]
pub enum Detail {
    None,
    Vikor(VikorDetail),
    Promethee(PrometheeDetail),
}

/// VIKOR's S (group utility), R (individual regret), Q and Opricovic's two conditions.
#[derive(Debug, Clone, PartialEq)]
pub struct VikorDetail {
    pub s: Vec<f64>,
    pub r: Vec<f64>,
    pub q: Vec<f64>,
    pub v: f64,
    /// DQ = 1/(m−1), the acceptable advantage threshold.
    pub dq: f64,
    /// C1: Q(second) − Q(first) ≥ DQ.
    pub acceptable_advantage: bool,
    /// C2: the first by Q is also first by S or by R.
    pub acceptable_stability: bool,
    /// The compromise solution(s), best first: just the first by Q when both conditions hold;
    /// first and second when only C2 fails; every alternative with Q(a) − Q(first) < DQ when
    /// C1 fails.
    pub compromise: Vec<usize>,
}

/// PROMETHEE's leaving (φ+) and entering (φ−) flows; net = φ+ − φ−.
#[derive(Debug, Clone, PartialEq)]
pub struct PrometheeDetail {
    pub positive_flow: Vec<f64>,
    pub negative_flow: Vec<f64>,
}

/// A PROMETHEE preference function of the oriented difference `d` (positive = better): Brans'
/// six generalised criteria (Brans & Vincke, "A preference ranking organisation method",
/// Management Science 31(6), 1985), thresholds in the criterion's own units.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Preference {
    /// 1 if d > 0, else 0 (type I, "usual").
    Usual,
    /// 0 if d ≤ q, else 1 (type II, "U-shape", quasi-criterion).
    UShape { q: f64 },
    /// 0 if d ≤ 0; 1 if d ≥ p; d/p between (type III, "V-shape").
    VShape { p: f64 },
    /// 0 if d ≤ q; 1/2 if q < d ≤ p; 1 if d > p (type IV, "level").
    Level { q: f64, p: f64 },
    /// 0 if d ≤ q; 1 if d ≥ p; (d − q)/(p − q) between (type V, "linear").
    Linear { q: f64, p: f64 },
    /// 0 if d ≤ 0, else 1 − exp(−d²/2s²) (type VI, "Gaussian"; s between q and p in practice).
    Gaussian { s: f64 },
}

impl Preference {
    fn degree(self, d: f64) -> f64 {
        match self {
            Self::Usual => f64::from(u8::from(d > 0.0)),
            Self::UShape { q } => f64::from(u8::from(d > q)),
            Self::VShape { p } => {
                if d <= 0.0 {
                    0.0
                } else if d >= p {
                    1.0
                } else {
                    d / p
                }
            }
            Self::Level { q, p } => {
                if d <= q {
                    0.0
                } else if d <= p {
                    0.5
                } else {
                    1.0
                }
            }
            Self::Linear { q, p } => {
                if d <= q {
                    0.0
                } else if d >= p {
                    1.0
                } else {
                    (d - q) / (p - q)
                }
            }
            Self::Gaussian { s } => {
                if d <= 0.0 {
                    0.0
                } else {
                    1.0 - (-d * d / (2.0 * s * s)).exp()
                }
            }
        }
    }

    /// What is wrong with the thresholds, if anything, as "expected …, found …".
    pub fn problem(self) -> Option<String> {
        let ordered = |q: f64, p: f64| {
            (!(q.is_finite() && p.is_finite() && q >= 0.0 && p > q))
                .then(|| format!("expected finite thresholds 0 <= q < p, found q={q}, p={p}"))
        };
        match self {
            Self::Usual => None,
            Self::UShape { q } => (!(q.is_finite() && q >= 0.0))
                .then(|| format!("expected a finite threshold q >= 0, found q={q}")),
            Self::VShape { p } => ordered(0.0, p),
            Self::Level { q, p } | Self::Linear { q, p } => ordered(q, p),
            Self::Gaussian { s } => (!(s.is_finite() && s > 0.0))
                .then(|| format!("expected a finite s > 0, found s={s}")),
        }
    }

    fn check(self, criterion: usize) -> Result<(), DecideError> {
        match self.problem() {
            None => Ok(()),
            Some(problem) => Err(DecideError::BadPreference { criterion, problem }),
        }
    }
}

/// Runs `method`.
pub fn rank(
    matrix: &DecisionMatrix,
    weights: &Weights,
    method: &Method,
) -> Result<Ranking, DecideError> {
    match method {
        Method::Wsm(n) => wsm(matrix, weights, *n),
        Method::Topsis(n) => topsis(matrix, weights, *n),
        Method::Vikor { v } => vikor(matrix, weights, *v),
        Method::Promethee2(p) => promethee2(matrix, weights, p),
    }
}

/// Weighted sum of normalised values; higher is better.
pub fn wsm(
    matrix: &DecisionMatrix,
    weights: &Weights,
    normalization: Normalization,
) -> Result<Ranking, DecideError> {
    check_weights(matrix, weights)?;
    let r = normalize(matrix, normalization)?;
    let scores = r.iter().map(|row| dot(row, weights.as_slice())).collect();
    Ok(Ranking::new(scores, true, Detail::None))
}

/// TOPSIS: closeness `d⁻/(d⁺ + d⁻)` to the ideal of the weighted normalised matrix; higher is
/// better. When every alternative is identical (d⁺ + d⁻ = 0) all score 0.5.
pub fn topsis(
    matrix: &DecisionMatrix,
    weights: &Weights,
    normalization: Normalization,
) -> Result<Ranking, DecideError> {
    check_weights(matrix, weights)?;
    let mut v = normalize(matrix, normalization)?;
    let w = weights.as_slice();
    for row in &mut v {
        for (x, wj) in row.iter_mut().zip(w) {
            *x *= wj;
        }
    }
    let k = matrix.n_criteria();
    let (ideal, anti): (Vec<f64>, Vec<f64>) = (0..k)
        .map(|j| {
            let col: Vec<f64> = v.iter().map(|row| row[j]).collect();
            let (lo, hi) = min_max(&col);
            (hi, lo)
        })
        .unzip();
    let scores = v
        .iter()
        .map(|row| {
            let d_plus = distance(row, &ideal);
            let d_minus = distance(row, &anti);
            let total = d_plus + d_minus;
            if total == 0.0 {
                0.5
            } else {
                d_minus / total
            }
        })
        .collect();
    Ok(Ranking::new(scores, true, Detail::None))
}

/// VIKOR on raw values (it normalises by each criterion's range itself); the score is Q and
/// the lowest Q ranks first. A criterion with equal values everywhere contributes 0 to S and R.
pub fn vikor(matrix: &DecisionMatrix, weights: &Weights, v: f64) -> Result<Ranking, DecideError> {
    check_weights(matrix, weights)?;
    if !(0.0..=1.0).contains(&v) {
        return Err(DecideError::BadV { v });
    }
    let m = matrix.n_alternatives();
    let w = weights.as_slice();
    let ranges: Vec<(f64, f64)> = matrix
        .criteria()
        .iter()
        .enumerate()
        .map(|(j, c)| {
            let (lo, hi) = min_max(&matrix.column(j));
            match c.kind {
                CriterionKind::Benefit => (hi, lo),
                CriterionKind::Cost => (lo, hi),
            }
        })
        .collect();
    let mut s = vec![0.0; m];
    let mut r = vec![0.0; m];
    for (i, row) in matrix.values().iter().enumerate() {
        for (j, &x) in row.iter().enumerate() {
            let (best, worst) = ranges[j];
            let regret = if best == worst {
                0.0
            } else {
                w[j] * (best - x) / (best - worst)
            };
            s[i] += regret;
            r[i] = f64::max(r[i], regret);
        }
    }
    let (s_best, s_worst) = min_max(&s);
    let (r_best, r_worst) = min_max(&r);
    let scaled = |x: f64, lo: f64, hi: f64| if hi > lo { (x - lo) / (hi - lo) } else { 0.0 };
    let q: Vec<f64> = (0..m)
        .map(|i| v * scaled(s[i], s_best, s_worst) + (1.0 - v) * scaled(r[i], r_best, r_worst))
        .collect();

    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&a, &b| q[a].total_cmp(&q[b]).then(a.cmp(&b)));
    let dq = 1.0 / (m as f64 - 1.0);
    let first = order[0];
    let acceptable_advantage = q[order[1]] - q[first] >= dq - 1e-12;
    let acceptable_stability =
        competition_ranks(&s, false)[first] == 1 || competition_ranks(&r, false)[first] == 1;
    let compromise = if !acceptable_advantage {
        order
            .iter()
            .copied()
            .take_while(|&a| q[a] - q[first] < dq - 1e-12)
            .collect()
    } else if !acceptable_stability {
        vec![first, order[1]]
    } else {
        vec![first]
    };
    let detail = VikorDetail {
        s,
        r,
        q: q.clone(),
        v,
        dq,
        acceptable_advantage,
        acceptable_stability,
        compromise,
    };
    Ok(Ranking::new(q, false, Detail::Vikor(detail)))
}

/// PROMETHEE II net flows on raw values (thresholds are in each criterion's own units); higher
/// is better. For a cost criterion the difference is taken the other way round.
pub fn promethee2(
    matrix: &DecisionMatrix,
    weights: &Weights,
    preferences: &[Preference],
) -> Result<Ranking, DecideError> {
    check_weights(matrix, weights)?;
    if preferences.len() != matrix.n_criteria() {
        return Err(DecideError::PreferenceCount {
            expected: matrix.n_criteria(),
            found: preferences.len(),
        });
    }
    for (j, p) in preferences.iter().enumerate() {
        p.check(j)?;
    }
    let m = matrix.n_alternatives();
    let x = matrix.values();
    let w = weights.as_slice();
    let mut plus = vec![0.0; m];
    let mut minus = vec![0.0; m];
    for a in 0..m {
        for b in 0..m {
            if a == b {
                continue;
            }
            let pi: f64 = matrix
                .criteria()
                .iter()
                .enumerate()
                .map(|(j, c)| {
                    let d = match c.kind {
                        CriterionKind::Benefit => x[a][j] - x[b][j],
                        CriterionKind::Cost => x[b][j] - x[a][j],
                    };
                    w[j] * preferences[j].degree(d)
                })
                .sum();
            plus[a] += pi;
            minus[b] += pi;
        }
    }
    let scale = 1.0 / (m as f64 - 1.0);
    for i in 0..m {
        plus[i] *= scale;
        minus[i] *= scale;
    }
    let net = (0..m).map(|i| plus[i] - minus[i]).collect();
    let detail = PrometheeDetail {
        positive_flow: plus,
        negative_flow: minus,
    };
    Ok(Ranking::new(net, true, Detail::Promethee(detail)))
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn distance(a: &[f64], b: &[f64]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y) * (x - y))
        .sum::<f64>()
        .sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matrix::Criterion;

    fn matrix(values: &[&[f64]], kinds: &[CriterionKind]) -> DecisionMatrix {
        let names = (0..values.len()).map(|i| format!("a{i}")).collect();
        let criteria = kinds
            .iter()
            .enumerate()
            .map(|(j, &k)| Criterion::new(format!("c{j}"), k))
            .collect();
        DecisionMatrix::new(names, criteria, values.iter().map(|r| r.to_vec()).collect()).unwrap()
    }

    fn close(got: &[f64], expect: &[f64], tol: f64) {
        assert_eq!(got.len(), expect.len());
        for (g, e) in got.iter().zip(expect) {
            assert!((g - e).abs() <= tol, "got {got:?}, expected {expect:?}");
        }
    }

    #[test]
    fn topsis_cost_equals_flipped_benefit() {
        use CriterionKind::{Benefit as B, Cost as C};
        let w = Weights::normalize(&[0.5, 0.5]).unwrap();
        let a = matrix(&[&[1.0, 5.0], &[2.0, 3.0], &[3.0, 4.0]], &[B, C]);
        let b = matrix(&[&[1.0, -5.0], &[2.0, -3.0], &[3.0, -4.0]], &[B, B]);
        let ra = topsis(&a, &w, Normalization::MinMax).unwrap();
        let rb = topsis(&b, &w, Normalization::MinMax).unwrap();
        close(&ra.scores, &rb.scores, 1e-12);
    }

    #[test]
    fn identical_alternatives_tie() {
        let m = matrix(&[&[1.0, 2.0], &[1.0, 2.0]], &[CriterionKind::Benefit; 2]);
        let w = Weights::equal(2).unwrap();
        let r = topsis(&m, &w, Normalization::Vector).unwrap();
        assert_eq!(r.ranks, vec![1, 1]);
        assert_eq!(r.scores, vec![0.5, 0.5]);
        let r = vikor(&m, &w, 0.5).unwrap();
        assert_eq!(r.ranks, vec![1, 1]);
    }

    #[test]
    fn vikor_conditions() {
        // scikit-criteria's example: a2 wins clearly, both conditions hold.
        let m = matrix(
            &[
                &[5.0, 8.0, 4.0],
                &[7.0, 6.0, 8.0],
                &[8.0, 8.0, 6.0],
                &[7.0, 4.0, 6.0],
            ],
            &[CriterionKind::Benefit; 3],
        );
        let w = Weights::normalize(&[0.3, 0.4, 0.3]).unwrap();
        let r = vikor(&m, &w, 0.5).unwrap();
        let Detail::Vikor(d) = &r.detail else {
            panic!("vikor detail")
        };
        close(&d.q, &[0.75, 0.25, 0.0, 1.0], 1e-12);
        assert_eq!(r.ranks, vec![3, 2, 1, 4]);
        assert!((d.dq - 1.0 / 3.0).abs() < 1e-12);
        assert!(!d.acceptable_advantage, "0.25 - 0 < 1/3");
        assert!(d.acceptable_stability);
        assert_eq!(d.compromise, vec![2, 1]);
    }

    #[test]
    fn promethee_preference_functions() {
        assert_eq!(Preference::Usual.degree(0.0), 0.0);
        assert_eq!(Preference::Usual.degree(0.1), 1.0);
        let lin = Preference::Linear { q: 1.0, p: 3.0 };
        close(
            &[lin.degree(0.5), lin.degree(2.0), lin.degree(5.0)],
            &[0.0, 0.5, 1.0],
            1e-12,
        );
        let v = Preference::VShape { p: 4.0 };
        close(
            &[v.degree(-1.0), v.degree(1.0), v.degree(9.0)],
            &[0.0, 0.25, 1.0],
            1e-12,
        );
        assert!(Preference::Linear { q: 2.0, p: 1.0 }.check(0).is_err());
        let u = Preference::UShape { q: 1.0 };
        close(
            &[u.degree(1.0), u.degree(1.5), u.degree(-3.0)],
            &[0.0, 1.0, 0.0],
            1e-12,
        );
        let level = Preference::Level { q: 1.0, p: 3.0 };
        close(
            &[
                level.degree(1.0),
                level.degree(2.0),
                level.degree(3.0),
                level.degree(3.5),
            ],
            &[0.0, 0.5, 0.5, 1.0],
            1e-12,
        );
        let g = Preference::Gaussian { s: 2.0 };
        // at d = s the degree is 1 - e^(-1/2)
        close(
            &[g.degree(-1.0), g.degree(0.0), g.degree(2.0)],
            &[0.0, 0.0, 1.0 - (-0.5f64).exp()],
            1e-12,
        );
        assert!(g.degree(20.0) > 0.999_999);
        assert!(Preference::UShape { q: -1.0 }.check(0).is_err());
        assert!(Preference::Level { q: 1.0, p: 1.0 }.check(0).is_err());
        assert!(Preference::Gaussian { s: 0.0 }.check(2).is_err());
        assert!(Preference::Gaussian { s: f64::NAN }.check(0).is_err());
    }

    #[test]
    fn promethee_level_and_gaussian_flows_by_hand() {
        let w = Weights::equal(1).unwrap();
        let m = matrix(&[&[1.0], &[3.0]], &[CriterionKind::Benefit]);
        // d = 2 lies between q = 1 and p = 3: half preference for the second alternative
        let level = promethee2(&m, &w, &[Preference::Level { q: 1.0, p: 3.0 }]).unwrap();
        close(&level.scores, &[-0.5, 0.5], 1e-12);
        let g = promethee2(&m, &w, &[Preference::Gaussian { s: 2.0 }]).unwrap();
        let h = 1.0 - (-0.5f64).exp();
        close(&g.scores, &[-h, h], 1e-12);
        assert!(matches!(
            promethee2(&m, &w, &[Preference::UShape { q: f64::INFINITY }]),
            Err(DecideError::BadPreference { criterion: 0, .. })
        ));
    }

    #[test]
    fn promethee_types_reduce_to_each_other_at_their_limits() {
        // U-shape with q = 0 is the usual criterion; level with p just above q is U-shape
        for d in [-2.0, -0.1, 0.0, 0.1, 0.5, 1.0, 1.5, 4.0] {
            assert_eq!(
                Preference::UShape { q: 0.0 }.degree(d),
                Preference::Usual.degree(d)
            );
            assert_eq!(
                Preference::Linear { q: 0.0, p: 2.0 }.degree(d),
                Preference::VShape { p: 2.0 }.degree(d)
            );
        }
    }

    #[test]
    fn promethee_cost_reverses_difference() {
        use CriterionKind::{Benefit as B, Cost as C};
        let w = Weights::equal(1).unwrap();
        let a = matrix(&[&[1.0], &[2.0]], &[C]);
        let b = matrix(&[&[-1.0], &[-2.0]], &[B]);
        let p = [Preference::VShape { p: 2.0 }];
        close(
            &promethee2(&a, &w, &p).unwrap().scores,
            &promethee2(&b, &w, &p).unwrap().scores,
            1e-12,
        );
    }

    #[test]
    fn weight_count_is_checked() {
        let m = matrix(&[&[1.0], &[2.0]], &[CriterionKind::Benefit]);
        let w = Weights::equal(2).unwrap();
        assert!(matches!(
            wsm(&m, &w, Normalization::Max),
            Err(DecideError::WeightCount { .. })
        ));
    }
}
