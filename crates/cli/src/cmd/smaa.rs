//! `cloudfit smaa`: SMAA-2 rank acceptabilities — in what share of plausible weightings is each
//! alternative first, second, ... — when weights are only known roughly and values may be
//! uncertain.

use std::path::PathBuf;

use anyhow::anyhow;
use cloudfit_decide::{smaa2, Criterion, SmaaInput, SmaaOptions, SmaaResult, Value, WeightInfo};
use serde::Serialize;

use crate::cmd::decide_input::{
    parse_numbers, parse_order, parse_types, read_companion, read_matrix, type_name, MatrixFile,
};
use crate::cmd::mcda::{new_table, right_align};
use crate::failure::{CmdResult, Failure};
use crate::output::{emit, emit_json, DataFormat};

/// Rank columns shown in the table; JSON always has every rank.
const TABLE_RANKS: usize = 6;

#[derive(clap::Args)]
#[command(after_help = "\
CSV: a header row `name,<criterion>,...`, then one row per alternative (like `cloudfit mcda`).

Weight information (at most one kind): none (uniform over all weightings), --order with criterion \
names from most to least important (`cost>performance=stability>...`; `=` gives equal weights, \
every criterion must appear), --weights-min/--weights-max bounds per criterion (a missing side \
defaults to 0 or 1), or exact --weights.

Uncertain values (optional): --sd SD.csv makes each value normal with that standard deviation; \
--lower L.csv and --upper U.csv (together) make each value uniform on [lower, upper], which must \
contain the matrix value. These files have the same header and alternative rows as --matrix.

Partial values are linear over each criterion's range (worst 0, best 1; a constant criterion \
gives 0.5). Tied alternatives split the ranks they share evenly. Results are identical for the \
same --seed and --samples on any number of threads.

JSON: alternatives in input order; rank_acceptability[r] is the share at rank r+1; central_weights \
and confidence are null for an alternative that is never first.")]
pub struct Args {
    /// Decision matrix CSV (header `name,<criterion>,...`, one row per alternative)
    #[arg(long, value_name = "M.csv")]
    matrix: PathBuf,
    /// One per criterion, comma-separated: max (benefit) or min (cost)
    #[arg(long, value_name = "max,min,...")]
    types: String,
    /// Criteria from most to least important, e.g. "cost>performance=stability" (ties with =)
    #[arg(long, value_name = "C1>C2=C3")]
    order: Option<String>,
    /// Lower weight bound per criterion, comma-separated, in [0, 1]
    #[arg(long, value_name = "L1,L2,...")]
    weights_min: Option<String>,
    /// Upper weight bound per criterion, comma-separated, in [0, 1]
    #[arg(long, value_name = "U1,U2,...")]
    weights_max: Option<String>,
    /// Exact weights, comma-separated (divided by their sum)
    #[arg(long, value_name = "W1,W2,...")]
    weights: Option<String>,
    /// Monte Carlo samples
    #[arg(long, default_value_t = 10_000)]
    samples: usize,
    /// Random seed; the same seed gives the same result
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// CSV of standard deviations: values become normal(matrix value, sd)
    #[arg(long, value_name = "SD.csv", conflicts_with_all = ["lower", "upper"])]
    sd: Option<PathBuf>,
    /// CSV of lower bounds: values become uniform on [lower, upper] (needs --upper)
    #[arg(long, value_name = "L.csv", requires = "upper")]
    lower: Option<PathBuf>,
    /// CSV of upper bounds (needs --lower)
    #[arg(long, value_name = "U.csv", requires = "lower")]
    upper: Option<PathBuf>,
    /// Output format
    #[arg(long, value_enum, default_value_t = DataFormat::Table)]
    format: DataFormat,
}

#[derive(Serialize)]
struct Report {
    samples: usize,
    seed: u64,
    criteria: Vec<String>,
    types: Vec<&'static str>,
    weight_information: String,
    values: &'static str,
    ties: &'static str,
    tied_samples: u64,
    alternatives: Vec<AlternativeOut>,
}

#[derive(Serialize)]
struct AlternativeOut {
    name: String,
    /// Share of samples at rank 1, 2, ..., n.
    rank_acceptability: Vec<f64>,
    /// Mean weights when this alternative is first; null if it never is.
    central_weights: Option<Vec<f64>>,
    /// Chance of being first at its central weights; null if it is never first.
    confidence: Option<f64>,
    holistic_acceptability: f64,
}

pub fn run(args: Args) -> CmdResult {
    if args.samples == 0 {
        return Err(Failure::input(anyhow!(
            "--samples: expected at least 1, found 0"
        )));
    }
    let file = read_matrix(&args.matrix).map_err(Failure::input)?;
    let kinds = parse_types(&args.types, &file.criteria).map_err(Failure::input)?;
    let criteria: Vec<Criterion> = file
        .criteria
        .iter()
        .zip(&kinds)
        .map(|(name, &kind)| Criterion::new(name.clone(), kind))
        .collect();
    let (weights, weight_information) = weight_info(&args, &file).map_err(Failure::input)?;
    let (values, value_note) = values(&args, &file).map_err(Failure::input)?;
    let input = SmaaInput::new(file.alternatives.clone(), criteria, values, weights).map_err(
        |e| match e {
            cloudfit_decide::DecideError::BadUncertainValue { .. }
            | cloudfit_decide::DecideError::NonFinite { .. } => Failure::input(file.locate(&e)),
            other => Failure::input(anyhow!("weights: {other}")),
        },
    )?;
    let options = SmaaOptions {
        samples: args.samples,
        seed: args.seed,
    };
    let result = smaa2(&input, &options).map_err(|e| Failure::input(anyhow!("weights: {e}")))?;
    let report = report(&file, &kinds, weight_information, value_note, &result);
    match args.format {
        DataFormat::Json => emit_json(&report),
        _ => emit(&table(&report)),
    }
}

fn weight_info(args: &Args, file: &MatrixFile) -> Result<(WeightInfo, String), anyhow::Error> {
    let bounds = args.weights_min.is_some() || args.weights_max.is_some();
    let given = usize::from(args.order.is_some())
        + usize::from(bounds)
        + usize::from(args.weights.is_some());
    if given > 1 {
        return Err(anyhow!(
            "weights: expected at most one of --order, --weights-min/--weights-max, --weights"
        ));
    }
    let c = &file.criteria;
    if let Some(order) = &args.order {
        return Ok((
            WeightInfo::Ordinal(parse_order(order, c)?),
            format!("ordinal: {}", order.split_whitespace().collect::<String>()),
        ));
    }
    if bounds {
        let side = |flag: &str, v: &Option<String>, default: f64| match v {
            Some(s) => parse_numbers(flag, s, c, false),
            None => Ok(vec![default; c.len()]),
        };
        let lo = side("--weights-min", &args.weights_min, 0.0)?;
        let hi = side("--weights-max", &args.weights_max, 1.0)?;
        for (j, (l, h)) in lo.iter().zip(&hi).enumerate() {
            if !(0.0 <= *l && l <= h && *h <= 1.0) {
                return Err(anyhow!(
                    "--weights-min/--weights-max: criterion {} ({}): expected 0 <= min <= max <= 1, found [{l}, {h}]",
                    j + 1,
                    c[j]
                ));
            }
        }
        let (sum_lo, sum_hi): (f64, f64) = (lo.iter().sum(), hi.iter().sum());
        if sum_lo > 1.0 + 1e-12 || sum_hi < 1.0 - 1e-12 {
            return Err(anyhow!(
                "--weights-min/--weights-max: expected the minimums to sum to at most 1 and the maximums to at least 1, found {sum_lo} and {sum_hi}"
            ));
        }
        let text = c
            .iter()
            .zip(lo.iter().zip(&hi))
            .map(|(name, (l, h))| format!("{name} [{l}, {h}]"))
            .collect::<Vec<_>>()
            .join(", ");
        return Ok((
            WeightInfo::Intervals(lo.into_iter().zip(hi).collect()),
            format!("intervals: {text}"),
        ));
    }
    if let Some(w) = &args.weights {
        let w = parse_numbers("--weights", w, c, false)?;
        if let Some(j) = w.iter().position(|x| *x < 0.0) {
            return Err(anyhow!(
                "--weights: entry {} ({}): expected a number >= 0, found {}",
                j + 1,
                c[j],
                w[j]
            ));
        }
        if w.iter().all(|x| *x == 0.0) {
            return Err(anyhow!("--weights: expected at least one weight above 0"));
        }
        let text = w
            .iter()
            .map(|x| x.to_string())
            .collect::<Vec<_>>()
            .join(",");
        return Ok((
            WeightInfo::Exact(w),
            format!("exact: {text} (normalised to sum 1)"),
        ));
    }
    Ok((
        WeightInfo::Uniform,
        "none: uniform over all weightings".to_owned(),
    ))
}

fn values(
    args: &Args,
    file: &MatrixFile,
) -> Result<(Vec<Vec<Value>>, &'static str), anyhow::Error> {
    let exact = || {
        file.values
            .iter()
            .map(|row| row.iter().map(|&x| Value::Exact(x)).collect())
            .collect()
    };
    if let Some(path) = &args.sd {
        let sd = read_companion(path, file)?;
        let mut out = Vec::with_capacity(file.values.len());
        for (i, (row, sds)) in file.values.iter().zip(&sd.values).enumerate() {
            let mut line = Vec::with_capacity(row.len());
            for (j, (&mean, &s)) in row.iter().zip(sds).enumerate() {
                if s < 0.0 {
                    return Err(anyhow!(
                        "{}: line {}, column {} ({}): expected a standard deviation >= 0, found {s}",
                        sd.path,
                        sd.lines[i],
                        j + 2,
                        file.criteria[j]
                    ));
                }
                line.push(Value::Normal(mean, s));
            }
            out.push(line);
        }
        return Ok((out, "normal(matrix value, sd from --sd)"));
    }
    if let (Some(lp), Some(up)) = (&args.lower, &args.upper) {
        let lower = read_companion(lp, file)?;
        let upper = read_companion(up, file)?;
        let mut out = Vec::with_capacity(file.values.len());
        for (i, row) in file.values.iter().enumerate() {
            let mut line = Vec::with_capacity(row.len());
            for (j, &x) in row.iter().enumerate() {
                let (lo, hi) = (lower.values[i][j], upper.values[i][j]);
                if !(lo <= x && x <= hi) {
                    return Err(anyhow!(
                        "{}: line {}, column {} ({}): expected lower <= value <= upper, found lower {lo} ({}), value {x}, upper {hi} ({})",
                        file.path,
                        file.lines[i],
                        j + 2,
                        file.criteria[j],
                        lower.path,
                        upper.path
                    ));
                }
                line.push(Value::Uniform(lo, hi));
            }
            out.push(line);
        }
        return Ok((out, "uniform on [lower, upper] from --lower/--upper"));
    }
    Ok((exact(), "exact"))
}

fn report(
    file: &MatrixFile,
    kinds: &[cloudfit_decide::CriterionKind],
    weight_information: String,
    values: &'static str,
    r: &SmaaResult,
) -> Report {
    let alternatives = file
        .alternatives
        .iter()
        .enumerate()
        .map(|(i, name)| AlternativeOut {
            name: name.clone(),
            rank_acceptability: r.rank_acceptability[i].clone(),
            central_weights: r.central_weights[i].clone(),
            confidence: r.confidence[i],
            holistic_acceptability: r.holistic_acceptability[i],
        })
        .collect();
    Report {
        samples: r.samples,
        seed: r.seed,
        criteria: file.criteria.clone(),
        types: kinds.iter().map(|&k| type_name(k)).collect(),
        weight_information,
        values,
        ties: "tied alternatives split the ranks they share evenly",
        tied_samples: r.tied_samples,
        alternatives,
    }
}

/// A share as a percentage; a share above 0 never prints as 0.0%.
fn pct(x: f64) -> String {
    if x > 0.0 && x < 0.0005 {
        "<0.1%".to_owned()
    } else {
        format!("{:.1}%", 100.0 * x)
    }
}

fn table(r: &Report) -> String {
    let n = r.alternatives.len();
    let shown = n.min(TABLE_RANKS);
    let mut order: Vec<&AlternativeOut> = r.alternatives.iter().collect();
    order.sort_by(|a, b| {
        b.rank_acceptability[0]
            .total_cmp(&a.rank_acceptability[0])
            .then(
                b.holistic_acceptability
                    .total_cmp(&a.holistic_acceptability),
            )
    });
    let mut header = vec!["alternative".to_owned(), "first".to_owned()];
    header.extend((2..=shown).map(|k| format!("rank {k}")));
    header.extend(["holistic".to_owned(), "confidence".to_owned()]);
    let mut t = new_table();
    t.set_header(header);
    let mut weights = new_table();
    let mut weights_header = vec!["central weights".to_owned()];
    weights_header.extend(r.criteria.iter().cloned());
    weights.set_header(weights_header);
    for a in order {
        let mut row = vec![a.name.clone()];
        row.extend(a.rank_acceptability.iter().take(shown).map(|&x| pct(x)));
        row.push(format!("{:.3}", a.holistic_acceptability));
        row.push(a.confidence.map_or_else(|| "-".to_owned(), pct));
        t.add_row(row);
        let mut row = vec![a.name.clone()];
        match &a.central_weights {
            Some(w) => row.extend(w.iter().map(|x| format!("{x:.3}"))),
            None => row.push("never first".to_owned()),
        }
        weights.add_row(row);
    }
    right_align(&mut t, &(1..shown + 3).collect::<Vec<_>>());
    right_align(&mut weights, &(1..=r.criteria.len()).collect::<Vec<_>>());
    let types = r
        .criteria
        .iter()
        .zip(&r.types)
        .map(|(c, t)| format!("{c} ({t})"))
        .collect::<Vec<_>>()
        .join(", ");
    let mut out = format!(
        "SMAA-2: share of {} sampled weightings (seed {}) putting each alternative at each rank\ncriteria: {types}\nweights: {}; values: {}\n",
        r.samples, r.seed, r.weight_information, r.values
    );
    out.push_str(&t.to_string());
    out.push('\n');
    out.push_str("\naverage weights of the samples in which each alternative is first:\n");
    out.push_str(&weights.to_string());
    out.push('\n');
    if n > shown {
        out.push_str(&format!("ranks {}..{n} are in --format json\n", shown + 1));
    }
    if r.tied_samples > 0 {
        out.push_str(&format!(
            "{} samples had tied alternatives; tied alternatives split the ranks they share\n",
            r.tied_samples
        ));
    }
    out
}
