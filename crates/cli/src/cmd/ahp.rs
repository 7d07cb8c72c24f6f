//! `cloudfit ahp`: criteria weights from a pairwise comparison matrix, with Saaty's consistency
//! check and the judgements that contribute most to any inconsistency.

use std::path::PathBuf;

use cloudfit_decide::{ahp, PairwiseMatrix, CR_THRESHOLD, RANDOM_INDEX_SOURCE};
use serde::Serialize;

use crate::cmd::decide_input::{num, read_pairwise};
use crate::cmd::mcda::{new_table, right_align};
use crate::failure::{CmdResult, Failure};
use crate::output::{emit, emit_json, DataFormat};

#[derive(clap::Args)]
#[command(after_help = "\
CSV: a square matrix. The header row is `criterion,<name>,<name>,...`; each following row starts \
with a criterion's name (in header order) and gives how much more important it is than each \
column's criterion on Saaty's 1-9 scale. Entries may be fractions like 1/3; the matrix must be \
positive, have 1 on the diagonal and be reciprocal (a_ji = 1/a_ij, within 1%).

Weights are the principal eigenvector. CR = CI/RI with Saaty's random index (n = 1..15); \
CR above 0.1 means the judgements are inconsistent and should be revisited.")]
pub struct Args {
    /// Pairwise comparison matrix CSV (names in the header row and first column)
    #[arg(long, value_name = "P.csv")]
    matrix: PathBuf,
    /// Output format
    #[arg(long, value_enum, default_value_t = DataFormat::Table)]
    format: DataFormat,
}

#[derive(Serialize)]
struct Report {
    criteria: Vec<String>,
    weights: Vec<f64>,
    lambda_max: f64,
    ci: f64,
    cr: f64,
    consistent: bool,
    ri: f64,
    ri_source: &'static str,
    verdict: String,
    /// Every judgement above the diagonal, largest share of the inconsistency first.
    inconsistencies: Vec<InconsistencyOut>,
}

#[derive(Serialize)]
struct InconsistencyOut {
    row: String,
    column: String,
    given: f64,
    implied: f64,
    share: f64,
}

pub fn run(args: Args) -> CmdResult {
    let file = read_pairwise(&args.matrix).map_err(Failure::input)?;
    let matrix =
        PairwiseMatrix::new(file.values.clone()).map_err(|e| Failure::input(file.locate(&e)))?;
    let result = ahp(&matrix);
    let names = &file.criteria;
    let inconsistencies: Vec<InconsistencyOut> = result
        .inconsistencies
        .iter()
        .map(|x| InconsistencyOut {
            row: names[x.row].clone(),
            column: names[x.column].clone(),
            given: x.given,
            implied: x.implied,
            share: x.share,
        })
        .collect();
    let verdict = if result.consistent {
        format!("consistent: CR {:.4} <= {CR_THRESHOLD}", result.cr)
    } else {
        let worst: Vec<String> = inconsistencies
            .iter()
            .take(3)
            .map(|x| {
                format!(
                    "{} vs {} (given {}, the weights imply {:.2}; {:.0}% of the inconsistency)",
                    x.row,
                    x.column,
                    judgement(x.given),
                    x.implied,
                    100.0 * x.share
                )
            })
            .collect();
        format!(
            "inconsistent: CR {:.4} > {CR_THRESHOLD}; revisit first: {}",
            result.cr,
            worst.join("; ")
        )
    };
    let report = Report {
        criteria: names.clone(),
        weights: result.weights,
        lambda_max: result.lambda_max,
        ci: result.ci,
        cr: result.cr,
        consistent: result.consistent,
        ri: result.ri,
        ri_source: RANDOM_INDEX_SOURCE,
        verdict,
        inconsistencies,
    };
    match args.format {
        DataFormat::Json => emit_json(&report),
        _ => emit(&table(&report)),
    }
}

/// A judgement as people write it: `3`, `1/3`, or a decimal.
fn judgement(x: f64) -> String {
    if (x - x.round()).abs() < 1e-9 {
        format!("{}", x.round())
    } else if (1.0 / x - (1.0 / x).round()).abs() < 1e-9 {
        format!("1/{}", (1.0 / x).round())
    } else {
        format!("{x:.3}")
    }
}

fn table(r: &Report) -> String {
    let mut t = new_table();
    t.set_header(vec!["criterion", "weight"]);
    for (c, w) in r.criteria.iter().zip(&r.weights) {
        t.add_row(vec![c.clone(), num(*w)]);
    }
    right_align(&mut t, &[1]);
    let mut out = t.to_string();
    out.push_str(&format!(
        "\nlambda_max {:.4}, CI {:.4}, RI {:.2} (n = {}), CR {:.4}\n{}\n",
        r.lambda_max,
        r.ci,
        r.ri,
        r.criteria.len(),
        r.cr,
        r.verdict
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn judgements_read_like_people_write_them() {
        assert_eq!(judgement(3.0), "3");
        assert_eq!(judgement(1.0 / 7.0), "1/7");
        assert_eq!(judgement(2.5), "2.500");
    }
}
