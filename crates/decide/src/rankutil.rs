//! Ranks from scores.

/// Competition ranks ("1224"): rank 1 is the best; tied scores share the better rank.
/// Scores within a relative 1e-12 of each other count as tied, so rounding noise in otherwise
/// equal scores does not split a tie.
pub fn competition_ranks(scores: &[f64], higher_is_better: bool) -> Vec<usize> {
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| {
        let c = scores[a].total_cmp(&scores[b]);
        if higher_is_better {
            c.reverse()
        } else {
            c
        }
    });
    let mut ranks = vec![0; scores.len()];
    let mut group_start = 0;
    for (pos, &i) in order.iter().enumerate() {
        if !nearly_equal(scores[i], scores[order[group_start]]) {
            group_start = pos;
        }
        ranks[i] = group_start + 1;
    }
    ranks
}

pub(crate) fn nearly_equal(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * a.abs().max(b.abs()).max(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ties_share_the_better_rank() {
        assert_eq!(
            competition_ranks(&[0.5, 0.9, 0.5, 0.1], true),
            vec![2, 1, 2, 4]
        );
        assert_eq!(competition_ranks(&[0.5, 0.9, 0.1], false), vec![2, 3, 1]);
        assert_eq!(
            competition_ranks(&[0.3, 0.1 + 0.2], true),
            vec![1, 1],
            "rounding noise is a tie"
        );
    }
}
