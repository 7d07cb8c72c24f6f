//! `cloudfit mcda`: rank the alternatives of a decision matrix with WSM, TOPSIS, VIKOR or
//! PROMETHEE II, plus one-at-a-time weight sensitivity.

use std::path::PathBuf;

use anyhow::anyhow;
use clap::ValueEnum;
use cloudfit_decide::{
    rank, sensitivity, Criterion, DecisionMatrix, Detail, Method, Normalization, Preference,
    Ranking, Sensitivity, Weights,
};
use comfy_table::{CellAlignment, Table};
use serde::Serialize;

use crate::failure::{CmdResult, Failure};
use crate::output::{emit, emit_json, DataFormat};

use crate::cmd::decide_input::{
    num, parse_numbers, parse_types, read_matrix, type_name, MatrixFile,
};

#[derive(clap::Args)]
#[command(after_help = "\
CSV: a header row `name,<criterion>,...`, then one row per alternative: its name and one number \
per criterion. Blank lines and lines starting with # are ignored.

Normalisations turn every criterion into 'more is better': vector x/|x| (cost 1-x/|x|), minmax \
(x-min)/(max-min), sum x/sum(x) (cost (1/x)/sum(1/x)), max x/max (cost 1-x/max), none x (cost -x). \
Default: vector for topsis, minmax for wsm. vikor works on each criterion's range itself, \
promethee2 on raw differences (thresholds --q/--p are in each criterion's units).

Sensitivity: for each criterion, the weight range in which the winner stays first when that \
weight alone moves and the others are rescaled proportionally.")]
pub struct Args {
    /// Decision matrix CSV (header `name,<criterion>,...`, one row per alternative)
    #[arg(long, value_name = "M.csv")]
    matrix: PathBuf,
    /// One per criterion, comma-separated: max (benefit) or min (cost)
    #[arg(long, value_name = "max,min,...")]
    types: String,
    /// One per criterion, comma-separated, >= 0; divided by their sum [default: equal weights]
    #[arg(long, value_name = "W1,W2,...")]
    weights: Option<String>,
    /// Ranking method
    #[arg(long, value_enum, default_value_t = MethodName::Topsis)]
    method: MethodName,
    /// Normalisation for wsm and topsis [default: vector for topsis, minmax for wsm]
    #[arg(long, value_enum)]
    normalization: Option<NormalizationName>,
    /// VIKOR: weight of the group utility S against the individual regret R, in [0, 1]
    #[arg(long = "v", value_name = "V", default_value_t = 0.5)]
    v: f64,
    /// PROMETHEE II preference function
    #[arg(long, value_enum, default_value_t = PreferenceName::Usual)]
    preference: PreferenceName,
    /// PROMETHEE II indifference thresholds for `ushape`, `level` and `linear` (one per
    /// criterion, or one for all)
    #[arg(long = "q", value_name = "Q1,Q2,...")]
    q: Option<String>,
    /// PROMETHEE II preference thresholds for `vshape`, `level` and `linear` (one per criterion,
    /// or one for all)
    #[arg(long = "p", value_name = "P1,P2,...")]
    p: Option<String>,
    /// PROMETHEE II spread of the `gaussian` preference function (one per criterion, or one for
    /// all)
    #[arg(long = "s", value_name = "S1,S2,...")]
    s: Option<String>,
    /// Output format
    #[arg(long, value_enum, default_value_t = DataFormat::Table)]
    format: DataFormat,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum MethodName {
    Wsm,
    Topsis,
    Vikor,
    Promethee2,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum NormalizationName {
    Vector,
    Minmax,
    Sum,
    Max,
    None,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum PreferenceName {
    /// type I: any advantage is full preference
    Usual,
    /// type II: full preference above --q
    Ushape,
    /// type III: grows linearly up to --p
    Vshape,
    /// type IV: half preference between --q and --p, full above --p
    Level,
    /// type V: grows linearly from --q to --p
    Linear,
    /// type VI: 1 - exp(-d²/2s²) with --s
    Gaussian,
}

pub fn run(args: Args) -> CmdResult {
    let file = read_matrix(&args.matrix).map_err(Failure::input)?;
    let kinds = parse_types(&args.types, &file.criteria).map_err(Failure::input)?;
    let criteria: Vec<Criterion> = file
        .criteria
        .iter()
        .zip(&kinds)
        .map(|(name, &kind)| Criterion::new(name.clone(), kind))
        .collect();
    let matrix = DecisionMatrix::new(file.alternatives.clone(), criteria, file.values.clone())
        .map_err(|e| Failure::input(file.locate(&e)))?;
    let weights = match &args.weights {
        Some(w) => {
            let raw =
                parse_numbers("--weights", w, &file.criteria, false).map_err(Failure::input)?;
            Weights::for_matrix(&matrix, &raw)
        }
        None => Weights::equal(file.criteria.len()),
    }
    .map_err(|e| Failure::input(anyhow!("--weights: {e}")))?;
    let (method, normalization) = method(&args, &file).map_err(Failure::input)?;
    let ranking = rank(&matrix, &weights, &method).map_err(|e| Failure::input(file.locate(&e)))?;
    let sens =
        sensitivity(&matrix, &weights, &method).map_err(|e| Failure::input(file.locate(&e)))?;
    let report = Report::new(&matrix, &weights, &method, normalization, &ranking, &sens);
    match args.format {
        DataFormat::Json => emit_json(&report),
        _ => emit(&report.table()),
    }
}

/// The method with its parameters, and the normalisation name reported.
fn method(args: &Args, file: &MatrixFile) -> Result<(Method, &'static str), anyhow::Error> {
    let normalization = args.normalization.map(|n| match n {
        NormalizationName::Vector => Normalization::Vector,
        NormalizationName::Minmax => Normalization::MinMax,
        NormalizationName::Sum => Normalization::Sum,
        NormalizationName::Max => Normalization::Max,
        NormalizationName::None => Normalization::None,
    });
    let promethee = args.method == MethodName::Promethee2;
    if !promethee && (args.q.is_some() || args.p.is_some()) {
        return Err(anyhow!("--q/--p: only used with --method promethee2"));
    }
    if args.method != MethodName::Vikor && args.v != 0.5 {
        return Err(anyhow!("--v: only used with --method vikor"));
    }
    if matches!(args.method, MethodName::Vikor | MethodName::Promethee2) {
        if let Some(n) = normalization {
            return Err(anyhow!(
                "--normalization {}: does not apply to {} (vikor scales by each criterion's range, promethee2 compares raw values)",
                n.name(),
                if promethee { "promethee2" } else { "vikor" }
            ));
        }
    }
    Ok(match args.method {
        MethodName::Wsm => {
            let n = normalization.unwrap_or(Normalization::MinMax);
            (Method::Wsm(n), n.name())
        }
        MethodName::Topsis => {
            let n = normalization.unwrap_or(Normalization::Vector);
            (Method::Topsis(n), n.name())
        }
        MethodName::Vikor => {
            if !(0.0..=1.0).contains(&args.v) {
                return Err(anyhow!(
                    "--v: expected a number in [0, 1], found {}",
                    args.v
                ));
            }
            (Method::Vikor { v: args.v }, "minmax")
        }
        MethodName::Promethee2 => (Method::Promethee2(preferences(args, file)?), "none"),
    })
}

fn preferences(args: &Args, file: &MatrixFile) -> Result<Vec<Preference>, anyhow::Error> {
    let list = |flag: &str, v: &Option<String>| -> Result<Option<Vec<f64>>, anyhow::Error> {
        v.as_deref()
            .map(|s| parse_numbers(flag, s, &file.criteria, true))
            .transpose()
    };
    let (q, p, s) = (
        list("--q", &args.q)?,
        list("--p", &args.p)?,
        list("--s", &args.s)?,
    );
    let (name, wanted): (&str, &[&str]) = match args.preference {
        PreferenceName::Usual => ("usual", &[]),
        PreferenceName::Ushape => ("ushape", &["--q"]),
        PreferenceName::Vshape => ("vshape", &["--p"]),
        PreferenceName::Level => ("level", &["--q", "--p"]),
        PreferenceName::Linear => ("linear", &["--q", "--p"]),
        PreferenceName::Gaussian => ("gaussian", &["--s"]),
    };
    let takes = if wanted.is_empty() {
        "no thresholds".to_owned()
    } else {
        wanted.join(" and ")
    };
    for (flag, given) in [
        ("--q", q.is_some()),
        ("--p", p.is_some()),
        ("--s", s.is_some()),
    ] {
        if given && !wanted.contains(&flag) {
            return Err(anyhow!(
                "{flag}: the {name} preference function takes {takes}"
            ));
        }
        if !given && wanted.contains(&flag) {
            return Err(anyhow!(
                "--preference {name}: expected {takes} (one value per criterion, or one for all)"
            ));
        }
    }
    // every wanted list is present and holds one value per criterion (parse_numbers spreads a
    // single value); NaN, which the check below refuses, stands for a list that is not there
    let at = |list: &Option<Vec<f64>>, j: usize| list.as_ref().map_or(f64::NAN, |v| v[j]);
    let prefs: Vec<Preference> = (0..file.criteria.len())
        .map(|j| match args.preference {
            PreferenceName::Usual => Preference::Usual,
            PreferenceName::Ushape => Preference::UShape { q: at(&q, j) },
            PreferenceName::Vshape => Preference::VShape { p: at(&p, j) },
            PreferenceName::Level => Preference::Level {
                q: at(&q, j),
                p: at(&p, j),
            },
            PreferenceName::Linear => Preference::Linear {
                q: at(&q, j),
                p: at(&p, j),
            },
            PreferenceName::Gaussian => Preference::Gaussian { s: at(&s, j) },
        })
        .collect();
    for (j, pref) in prefs.iter().enumerate() {
        if let Some(problem) = pref.problem() {
            return Err(anyhow!(
                "--preference {name}: criterion {} ({}): {problem}",
                j + 1,
                file.criteria[j]
            ));
        }
    }
    Ok(prefs)
}

#[derive(Serialize)]
struct Report {
    method: &'static str,
    normalization: &'static str,
    criteria: Vec<String>,
    types: Vec<&'static str>,
    weights: Vec<f64>,
    /// True when the given weights did not sum to 1 and were divided by their sum.
    weights_normalized: bool,
    alternatives: Vec<AlternativeOut>,
    #[serde(skip_serializing_if = "Option::is_none")]
    vikor: Option<VikorOut>,
    sensitivity: SensitivityOut,
}

#[derive(Serialize)]
struct AlternativeOut {
    name: String,
    score: f64,
    rank: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    s: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    r: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    q: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    net_flow: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    positive_flow: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    negative_flow: Option<f64>,
}

#[derive(Serialize)]
struct VikorOut {
    v: f64,
    dq: f64,
    acceptable_advantage: bool,
    acceptable_stability: bool,
    compromise: Vec<String>,
}

#[derive(Serialize)]
struct SensitivityOut {
    winner: String,
    about: &'static str,
    criteria: Vec<RangeOut>,
}

#[derive(Serialize)]
struct RangeOut {
    criterion: String,
    weight: f64,
    min_weight: f64,
    max_weight: f64,
    first_below_min: Option<String>,
    first_above_max: Option<String>,
}

impl Report {
    fn new(
        matrix: &DecisionMatrix,
        weights: &Weights,
        method: &Method,
        normalization: &'static str,
        ranking: &Ranking,
        sens: &Sensitivity,
    ) -> Self {
        let names = matrix.alternatives();
        let alternatives = (0..names.len())
            .map(|i| {
                let mut out = AlternativeOut {
                    name: names[i].clone(),
                    score: ranking.scores[i],
                    rank: ranking.ranks[i],
                    s: None,
                    r: None,
                    q: None,
                    net_flow: None,
                    positive_flow: None,
                    negative_flow: None,
                };
                match &ranking.detail {
                    Detail::Vikor(d) => {
                        out.s = Some(d.s[i]);
                        out.r = Some(d.r[i]);
                        out.q = Some(d.q[i]);
                    }
                    Detail::Promethee(d) => {
                        out.net_flow = Some(ranking.scores[i]);
                        out.positive_flow = Some(d.positive_flow[i]);
                        out.negative_flow = Some(d.negative_flow[i]);
                    }
                    Detail::None => {}
                }
                out
            })
            .collect();
        let vikor = match &ranking.detail {
            Detail::Vikor(d) => Some(VikorOut {
                v: d.v,
                dq: d.dq,
                acceptable_advantage: d.acceptable_advantage,
                acceptable_stability: d.acceptable_stability,
                compromise: d.compromise.iter().map(|&i| names[i].clone()).collect(),
            }),
            _ => None,
        };
        let criteria: Vec<String> = matrix.criteria().iter().map(|c| c.name.clone()).collect();
        let sensitivity = SensitivityOut {
            winner: names[sens.winner].clone(),
            about: "one weight at a time, the others rescaled proportionally; the winner stays first for weights in [min_weight, max_weight]",
            criteria: sens
                .criteria
                .iter()
                .map(|r| RangeOut {
                    criterion: criteria[r.criterion].clone(),
                    weight: r.weight,
                    min_weight: r.lower,
                    max_weight: r.upper,
                    first_below_min: r.rival_below.map(|i| names[i].clone()),
                    first_above_max: r.rival_above.map(|i| names[i].clone()),
                })
                .collect(),
        };
        Self {
            method: method.name(),
            normalization,
            types: matrix
                .criteria()
                .iter()
                .map(|c| type_name(c.kind))
                .collect(),
            criteria,
            weights: weights.as_slice().to_vec(),
            weights_normalized: weights.rescaled(),
            alternatives,
            vikor,
            sensitivity,
        }
    }

    fn table(&self) -> String {
        let mut out = String::new();
        let weights: Vec<String> = self
            .criteria
            .iter()
            .zip(&self.weights)
            .zip(&self.types)
            .map(|((c, w), t)| format!("{c} ({t}) {w:.3}"))
            .collect();
        let how = match self.method {
            "vikor" => "vikor (each criterion scaled by its range)".to_owned(),
            "promethee2" => "promethee2 (preference functions on raw differences)".to_owned(),
            m => format!("{m} with {} normalisation", self.normalization),
        };
        out.push_str(&format!("{how}; weights: {}\n", weights.join(", ")));
        if self.weights_normalized {
            out.push_str(
                "note: the given weights did not sum to 1 and were divided by their sum\n",
            );
        }
        let mut order: Vec<&AlternativeOut> = self.alternatives.iter().collect();
        order.sort_by_key(|a| a.rank);
        let mut table = new_table();
        let mut header = vec!["rank", "alternative", "score"];
        let vikor = self.vikor.is_some();
        let promethee = self.method == "promethee2";
        if vikor {
            header = vec![
                "rank",
                "alternative",
                "Q (score, lower is better)",
                "S",
                "R",
            ];
        } else if promethee {
            header = vec!["rank", "alternative", "net flow (score)", "phi+", "phi-"];
        }
        table.set_header(header);
        for a in order {
            let mut row = vec![a.rank.to_string(), a.name.clone(), num(a.score)];
            if let (Some(s), Some(r)) = (a.s, a.r) {
                row.extend([num(s), num(r)]);
            }
            if let (Some(p), Some(n)) = (a.positive_flow, a.negative_flow) {
                row.extend([num(p), num(n)]);
            }
            table.add_row(row);
        }
        right_align(&mut table, &[0, 2, 3, 4]);
        out.push_str(&table.to_string());
        out.push('\n');
        if let Some(v) = &self.vikor {
            out.push_str(&format!(
                "vikor (v = {}): acceptable advantage (Q2 - Q1 >= {:.4}): {}; acceptable stability: {}; compromise: {}\n",
                v.v,
                v.dq,
                yes_no(v.acceptable_advantage),
                yes_no(v.acceptable_stability),
                v.compromise.join(", ")
            ));
        }
        out.push_str(&format!(
            "\nsensitivity: {} stays first while one weight moves within [min, max] (others rescaled proportionally)\n",
            self.sensitivity.winner
        ));
        let mut table = new_table();
        table.set_header(vec![
            "criterion",
            "weight",
            "min",
            "max",
            "first below min",
            "first above max",
        ]);
        for r in &self.sensitivity.criteria {
            table.add_row(vec![
                r.criterion.clone(),
                format!("{:.3}", r.weight),
                format!("{:.3}", r.min_weight),
                format!("{:.3}", r.max_weight),
                r.first_below_min.clone().unwrap_or_else(|| "-".to_owned()),
                r.first_above_max.clone().unwrap_or_else(|| "-".to_owned()),
            ]);
        }
        right_align(&mut table, &[1, 2, 3]);
        out.push_str(&table.to_string());
        out
    }
}

fn yes_no(b: bool) -> &'static str {
    if b {
        "yes"
    } else {
        "no"
    }
}

/// A table in the style all commands share.
pub(crate) fn new_table() -> Table {
    crate::output::table()
}

/// Right-aligns the given columns (numbers).
pub(crate) fn right_align(table: &mut Table, columns: &[usize]) {
    for &c in columns {
        if let Some(col) = table.column_mut(c) {
            col.set_cell_alignment(CellAlignment::Right);
        }
    }
}
