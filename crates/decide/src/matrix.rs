//! Validated inputs: the decision matrix, its criteria, and normalised weights.

use crate::error::DecideError;

/// Whether more is better (benefit, "max") or less is better (cost, "min").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CriterionKind {
    Benefit,
    Cost,
}

/// One column of a decision matrix.
#[derive(Debug, Clone, PartialEq)]
pub struct Criterion {
    pub name: String,
    pub kind: CriterionKind,
}

impl Criterion {
    pub fn new(name: impl Into<String>, kind: CriterionKind) -> Self {
        Self {
            name: name.into(),
            kind,
        }
    }
}

/// Alternatives (rows) scored on criteria (columns). Every value is finite; there are at least
/// two alternatives and one criterion.
#[derive(Debug, Clone, PartialEq)]
pub struct DecisionMatrix {
    alternatives: Vec<String>,
    criteria: Vec<Criterion>,
    values: Vec<Vec<f64>>,
}

impl DecisionMatrix {
    /// Checks shape and finiteness. `values[i][j]` is alternative `i` on criterion `j`.
    pub fn new(
        alternatives: Vec<String>,
        criteria: Vec<Criterion>,
        values: Vec<Vec<f64>>,
    ) -> Result<Self, DecideError> {
        check_shape(alternatives.len(), criteria.len(), &values)?;
        for (row, line) in values.iter().enumerate() {
            for (criterion, &value) in line.iter().enumerate() {
                if !value.is_finite() {
                    return Err(DecideError::NonFinite {
                        row,
                        criterion,
                        value,
                    });
                }
            }
        }
        Ok(Self {
            alternatives,
            criteria,
            values,
        })
    }

    pub fn alternatives(&self) -> &[String] {
        &self.alternatives
    }

    pub fn criteria(&self) -> &[Criterion] {
        &self.criteria
    }

    /// Row-major: `values()[alternative][criterion]`.
    pub fn values(&self) -> &[Vec<f64>] {
        &self.values
    }

    pub fn n_alternatives(&self) -> usize {
        self.alternatives.len()
    }

    pub fn n_criteria(&self) -> usize {
        self.criteria.len()
    }

    /// The values of one criterion, top to bottom.
    pub fn column(&self, criterion: usize) -> Vec<f64> {
        self.values.iter().map(|row| row[criterion]).collect()
    }
}

/// Shared shape check: `alternatives` rows of `criteria` entries each.
pub(crate) fn check_shape<T>(
    alternatives: usize,
    criteria: usize,
    values: &[Vec<T>],
) -> Result<(), DecideError> {
    if criteria == 0 {
        return Err(DecideError::NoCriteria);
    }
    let rows = alternatives.max(values.len());
    if rows < 2 {
        return Err(DecideError::TooFewAlternatives { found: rows });
    }
    if values.len() != alternatives {
        return Err(DecideError::RaggedRow {
            row: values.len().min(alternatives),
            expected: criteria,
            found: 0,
        });
    }
    for (row, line) in values.iter().enumerate() {
        if line.len() != criteria {
            return Err(DecideError::RaggedRow {
                row,
                expected: criteria,
                found: line.len(),
            });
        }
    }
    Ok(())
}

/// Non-negative weights that sum to 1, one per criterion.
#[derive(Debug, Clone, PartialEq)]
pub struct Weights {
    values: Vec<f64>,
    rescaled: bool,
}

impl Weights {
    /// Divides `raw` by its sum. Rejects negative or non-finite entries and an all-zero vector.
    /// [`Weights::rescaled`] says whether the input did not already sum to 1 (within 1e-9).
    pub fn normalize(raw: &[f64]) -> Result<Self, DecideError> {
        for (index, &value) in raw.iter().enumerate() {
            if !value.is_finite() || value < 0.0 {
                return Err(DecideError::BadWeight { index, value });
            }
        }
        let sum: f64 = raw.iter().sum();
        if raw.is_empty() || sum <= 0.0 {
            return Err(DecideError::ZeroWeights);
        }
        Ok(Self {
            values: raw.iter().map(|w| w / sum).collect(),
            rescaled: (sum - 1.0).abs() > 1e-9,
        })
    }

    /// `n` equal weights of `1/n` (not reported as rescaled).
    pub fn equal(n: usize) -> Result<Self, DecideError> {
        if n == 0 {
            return Err(DecideError::ZeroWeights);
        }
        Ok(Self::from_normalized(vec![1.0 / n as f64; n]))
    }

    /// Like [`Weights::normalize`] and also checks there is one weight per criterion.
    pub fn for_matrix(matrix: &DecisionMatrix, raw: &[f64]) -> Result<Self, DecideError> {
        if raw.len() != matrix.n_criteria() {
            return Err(DecideError::WeightCount {
                expected: matrix.n_criteria(),
                found: raw.len(),
            });
        }
        Self::normalize(raw)
    }

    pub fn as_slice(&self) -> &[f64] {
        &self.values
    }

    pub fn len(&self) -> usize {
        self.values.len()
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// True when the input weights did not sum to 1 and were divided by their sum.
    pub fn rescaled(&self) -> bool {
        self.rescaled
    }

    /// Internal: already-normalised weights (used by sensitivity analysis).
    pub(crate) fn from_normalized(values: Vec<f64>) -> Self {
        Self {
            values,
            rescaled: false,
        }
    }
}

pub(crate) fn check_weights(matrix: &DecisionMatrix, weights: &Weights) -> Result<(), DecideError> {
    if weights.len() != matrix.n_criteria() {
        return Err(DecideError::WeightCount {
            expected: matrix.n_criteria(),
            found: weights.len(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn crit(n: usize) -> Vec<Criterion> {
        (0..n)
            .map(|j| Criterion::new(format!("c{j}"), CriterionKind::Benefit))
            .collect()
    }

    #[test]
    fn rejects_bad_shapes() {
        let names = vec!["a".to_owned(), "b".to_owned()];
        assert_eq!(
            DecisionMatrix::new(names.clone(), crit(2), vec![vec![1.0, 2.0], vec![1.0]]),
            Err(DecideError::RaggedRow {
                row: 1,
                expected: 2,
                found: 1
            })
        );
        assert_eq!(
            DecisionMatrix::new(names.clone(), vec![], vec![vec![], vec![]]),
            Err(DecideError::NoCriteria)
        );
        assert_eq!(
            DecisionMatrix::new(vec!["a".into()], crit(1), vec![vec![1.0]]),
            Err(DecideError::TooFewAlternatives { found: 1 })
        );
        assert!(matches!(
            DecisionMatrix::new(names, crit(1), vec![vec![1.0], vec![f64::NAN]]),
            Err(DecideError::NonFinite {
                row: 1,
                criterion: 0,
                ..
            })
        ));
    }

    #[test]
    fn weights_normalise_and_say_so() {
        let w = Weights::normalize(&[1.0, 3.0]).unwrap();
        assert_eq!(w.as_slice(), &[0.25, 0.75]);
        assert!(w.rescaled());
        assert!(!Weights::normalize(&[0.25, 0.75]).unwrap().rescaled());
        assert!(!Weights::equal(3).unwrap().rescaled());
        assert_eq!(
            Weights::normalize(&[0.0, 0.0]),
            Err(DecideError::ZeroWeights)
        );
        assert!(matches!(
            Weights::normalize(&[1.0, -1.0]),
            Err(DecideError::BadWeight { index: 1, .. })
        ));
    }
}
