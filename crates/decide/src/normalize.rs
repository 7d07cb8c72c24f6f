//! Column normalisations. Every normalisation returns *benefit-oriented* values: after it, more
//! is better on every criterion, so methods never look at criterion kinds again.

use crate::error::DecideError;
use crate::matrix::{CriterionKind, DecisionMatrix};

/// How raw criterion values become comparable numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Normalization {
    /// benefit `x/‖x‖₂`; cost `1 − x/‖x‖₂`. Needs a column that is not all zero.
    Vector,
    /// benefit `(x−min)/(max−min)`; cost `(max−x)/(max−min)`. Needs max > min.
    MinMax,
    /// benefit `x/Σx`; cost `(1/x)/Σ(1/x)`. Needs benefit values ≥ 0 with a positive sum, cost
    /// values > 0.
    Sum,
    /// benefit `x/max`; cost `1 − x/max`. Needs max > 0.
    Max,
    /// benefit `x`; cost `−x`.
    None,
}

impl Normalization {
    /// The name used on the command line and in JSON.
    pub fn name(self) -> &'static str {
        match self {
            Self::Vector => "vector",
            Self::MinMax => "minmax",
            Self::Sum => "sum",
            Self::Max => "max",
            Self::None => "none",
        }
    }

    /// Parses a name as produced by [`Normalization::name`].
    pub fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "vector" => Self::Vector,
            "minmax" => Self::MinMax,
            "sum" => Self::Sum,
            "max" => Self::Max,
            "none" => Self::None,
            _ => return None,
        })
    }
}

/// Normalises every column of `matrix`; the result is row-major like the matrix.
pub fn normalize(
    matrix: &DecisionMatrix,
    normalization: Normalization,
) -> Result<Vec<Vec<f64>>, DecideError> {
    let mut out = matrix.values().to_vec();
    for (criterion, c) in matrix.criteria().iter().enumerate() {
        let column = matrix.column(criterion);
        let normalized = normalize_column(&column, c.kind, normalization).map_err(|expected| {
            DecideError::DegenerateColumn {
                criterion,
                normalization: normalization.name(),
                expected,
            }
        })?;
        for (row, value) in out.iter_mut().zip(normalized) {
            row[criterion] = value;
        }
    }
    Ok(out)
}

/// One column; the error is what the column was expected to satisfy.
fn normalize_column(
    x: &[f64],
    kind: CriterionKind,
    normalization: Normalization,
) -> Result<Vec<f64>, &'static str> {
    let benefit = kind == CriterionKind::Benefit;
    Ok(match normalization {
        Normalization::Vector => {
            let norm = x.iter().map(|v| v * v).sum::<f64>().sqrt();
            if norm == 0.0 {
                return Err("a column that is not all zero");
            }
            x.iter()
                .map(|v| if benefit { v / norm } else { 1.0 - v / norm })
                .collect()
        }
        Normalization::MinMax => {
            let (min, max) = min_max(x);
            let range = max - min;
            if range <= 0.0 {
                return Err("values that are not all equal (max > min)");
            }
            x.iter()
                .map(|v| {
                    if benefit {
                        (v - min) / range
                    } else {
                        (max - v) / range
                    }
                })
                .collect()
        }
        Normalization::Sum => {
            if benefit {
                if x.iter().any(|&v| v < 0.0) {
                    return Err("benefit values >= 0");
                }
                let sum: f64 = x.iter().sum();
                if sum <= 0.0 {
                    return Err("a column that is not all zero");
                }
                x.iter().map(|v| v / sum).collect()
            } else {
                if x.iter().any(|&v| v <= 0.0) {
                    return Err("cost values > 0 (it uses 1/x)");
                }
                let sum: f64 = x.iter().map(|v| 1.0 / v).sum();
                x.iter().map(|v| (1.0 / v) / sum).collect()
            }
        }
        Normalization::Max => {
            let (_, max) = min_max(x);
            if max <= 0.0 {
                return Err("a column whose largest value is > 0");
            }
            x.iter()
                .map(|v| if benefit { v / max } else { 1.0 - v / max })
                .collect()
        }
        Normalization::None => x.iter().map(|&v| if benefit { v } else { -v }).collect(),
    })
}

pub(crate) fn min_max(x: &[f64]) -> (f64, f64) {
    x.iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
            (lo.min(v), hi.max(v))
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matrix::Criterion;

    fn matrix(values: Vec<Vec<f64>>, kinds: &[CriterionKind]) -> DecisionMatrix {
        let names = (0..values.len()).map(|i| format!("a{i}")).collect();
        let criteria = kinds
            .iter()
            .enumerate()
            .map(|(j, &k)| Criterion::new(format!("c{j}"), k))
            .collect();
        DecisionMatrix::new(names, criteria, values).unwrap()
    }

    fn check(n: Normalization, kind: CriterionKind, column: &[f64], expect: &[f64]) {
        let m = matrix(column.iter().map(|&v| vec![v]).collect(), &[kind]);
        let got: Vec<f64> = normalize(&m, n).unwrap().iter().map(|r| r[0]).collect();
        for (g, e) in got.iter().zip(expect) {
            assert!(
                (g - e).abs() < 1e-12,
                "{n:?} {kind:?}: got {got:?}, expected {expect:?}"
            );
        }
    }

    #[test]
    fn each_normalisation_on_benefit_and_cost() {
        use CriterionKind::{Benefit as B, Cost as C};
        check(Normalization::Vector, B, &[3.0, 4.0], &[0.6, 0.8]);
        check(Normalization::Vector, C, &[3.0, 4.0], &[0.4, 0.2]);
        check(Normalization::MinMax, B, &[1.0, 3.0, 2.0], &[0.0, 1.0, 0.5]);
        check(Normalization::MinMax, C, &[1.0, 3.0, 2.0], &[1.0, 0.0, 0.5]);
        check(Normalization::Sum, B, &[1.0, 3.0], &[0.25, 0.75]);
        check(Normalization::Sum, C, &[1.0, 3.0], &[0.75, 0.25]);
        check(Normalization::Max, B, &[2.0, 4.0], &[0.5, 1.0]);
        check(Normalization::Max, C, &[2.0, 4.0], &[0.5, 0.0]);
        check(Normalization::None, C, &[2.0, 4.0], &[-2.0, -4.0]);
    }

    #[test]
    fn degenerate_columns_are_errors() {
        let m = matrix(
            vec![vec![1.0, 0.0], vec![1.0, 0.0]],
            &[CriterionKind::Benefit; 2],
        );
        assert!(matches!(
            normalize(&m, Normalization::MinMax),
            Err(DecideError::DegenerateColumn { criterion: 0, .. })
        ));
        assert!(matches!(
            normalize(&m, Normalization::Vector),
            Err(DecideError::DegenerateColumn { criterion: 1, .. })
        ));
        let m = matrix(vec![vec![0.0], vec![1.0]], &[CriterionKind::Cost]);
        assert!(normalize(&m, Normalization::Sum).is_err());
    }

    #[test]
    fn names_round_trip() {
        for n in [
            Normalization::Vector,
            Normalization::MinMax,
            Normalization::Sum,
            Normalization::Max,
            Normalization::None,
        ] {
            assert_eq!(Normalization::from_name(n.name()), Some(n));
        }
    }
}
