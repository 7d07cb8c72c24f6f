//! SMAA-2 (Lahdelma & Salminen 2001): what share of plausible weightings puts each alternative
//! at each rank, when weights are only known roughly and values may be uncertain.
//!
//! Model, as in JSMAA: each criterion gets a linear partial value over its scale, 0 at the worst
//! and 1 at the best end of the range spanned by all alternatives (an interval's bounds, a
//! normal's mean ± 1.96 sd); sampled values outside that range extrapolate linearly. A criterion
//! whose scale has zero width gives every alternative 0.5 (it cannot change a ranking). The
//! utility is the weighted sum of partial values.
//!
//! Ties: when `t` alternatives share the same utility in a sample they split the ranks they
//! occupy, each receiving `1/t` of a count at each of those `t` ranks (and `1/t` of the
//! central-weight contribution when the shared rank is first). So every alternative's
//! acceptabilities and every rank's acceptabilities still sum to 1. [`SmaaResult::tied_samples`]
//! counts samples with any tie.
//!
//! Determinism: samples are processed in fixed chunks of [`CHUNK`]; chunk `c` draws from
//! ChaCha8 seeded with the seed on stream `c`, and chunk results are added in chunk order, so a
//! seed gives bit-identical results whatever the number of threads.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;
use rayon::prelude::*;

use crate::error::DecideError;
use crate::matrix::{check_shape, Criterion, CriterionKind, DecisionMatrix, Weights};

/// Samples per chunk; each chunk has its own random stream (see the module docs).
pub const CHUNK: usize = 4096;

/// Stream offset for the confidence-factor pass, so it never reuses the weight-sampling streams.
const CONFIDENCE_STREAM: u64 = 1 << 40;

/// Rejection sampling of weight intervals gives up after this many rejections in a row.
const MAX_REJECTIONS: u64 = 100_000;

/// A criterion value: known, or uncertain.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value {
    Exact(f64),
    /// Uniform on `[low, high]`.
    Uniform(f64, f64),
    /// Normal with `(mean, standard deviation)`.
    Normal(f64, f64),
}

impl Value {
    /// The range the value contributes to its criterion's scale.
    fn range(self) -> (f64, f64) {
        match self {
            Self::Exact(x) => (x, x),
            Self::Uniform(lo, hi) => (lo, hi),
            Self::Normal(mean, sd) => (mean - 1.96 * sd, mean + 1.96 * sd),
        }
    }

    fn check(self, row: usize, criterion: usize) -> Result<(), DecideError> {
        let bad = |reason: String| {
            Err(DecideError::BadUncertainValue {
                row,
                criterion,
                reason,
            })
        };
        match self {
            Self::Exact(x) if !x.is_finite() => Err(DecideError::NonFinite {
                row,
                criterion,
                value: x,
            }),
            Self::Uniform(lo, hi) if !(lo.is_finite() && hi.is_finite() && lo <= hi) => bad(
                format!("expected a finite interval with low <= high, found [{lo}, {hi}]"),
            ),
            Self::Normal(mean, sd) if !(mean.is_finite() && sd.is_finite() && sd >= 0.0) => {
                bad(format!(
                    "expected a finite mean and a standard deviation >= 0, found {mean} and {sd}"
                ))
            }
            _ => Ok(()),
        }
    }
}

/// What is known about the weights.
#[derive(Debug, Clone, PartialEq)]
pub enum WeightInfo {
    /// Nothing: uniform on the simplex.
    Uniform,
    /// Criteria in groups from most to least important: `[[0], [1, 2]]` is `c0 > c1 = c2`.
    /// Criteria in one group get equal weights; weights are uniform on the region
    /// `w(group 1) >= w(group 2) >= ...`. Every criterion must appear exactly once.
    Ordinal(Vec<Vec<usize>>),
    /// `(min, max)` per criterion; uniform on the part of the simplex inside the box.
    Intervals(Vec<(f64, f64)>),
    /// Known weights (normalised to sum 1).
    Exact(Vec<f64>),
}

/// Draws weight vectors for a [`WeightInfo`]; also public so callers can inspect the sampler.
#[derive(Debug, Clone)]
pub struct WeightSampler {
    k: usize,
    kind: SamplerKind,
}

#[derive(Debug, Clone)]
enum SamplerKind {
    Simplex,
    /// `group_of[c]` and the cumulative group sizes `S_h`.
    Ordinal {
        group_of: Vec<usize>,
        cumulative: Vec<f64>,
    },
    /// `w = lo + free·u` with `u` uniform on the simplex, accepted when `w <= hi`.
    Intervals {
        lo: Vec<f64>,
        hi: Vec<f64>,
        free: f64,
    },
    Exact(Vec<f64>),
}

impl WeightSampler {
    /// Validates `info` against `n_criteria` criteria.
    pub fn new(info: &WeightInfo, n_criteria: usize) -> Result<Self, DecideError> {
        let k = n_criteria;
        if k == 0 {
            return Err(DecideError::NoCriteria);
        }
        let kind = match info {
            WeightInfo::Uniform => SamplerKind::Simplex,
            WeightInfo::Ordinal(groups) => ordinal(groups, k)?,
            WeightInfo::Intervals(bounds) => intervals(bounds, k)?,
            WeightInfo::Exact(w) => {
                if w.len() != k {
                    return Err(DecideError::WeightCount {
                        expected: k,
                        found: w.len(),
                    });
                }
                SamplerKind::Exact(Weights::normalize(w)?.as_slice().to_vec())
            }
        };
        Ok(Self { k, kind })
    }

    /// One weight vector (allocates; the SMAA loop uses an allocation-free variant).
    pub fn sample<R: Rng>(&self, rng: &mut R) -> Result<Vec<f64>, DecideError> {
        let mut out = vec![0.0; self.k];
        let mut scratch = vec![0.0; self.k];
        self.sample_into(rng, &mut out, &mut scratch)?;
        Ok(out)
    }

    /// `out` and `scratch` have `n_criteria` entries.
    fn sample_into<R: Rng>(
        &self,
        rng: &mut R,
        out: &mut [f64],
        scratch: &mut [f64],
    ) -> Result<(), DecideError> {
        match &self.kind {
            SamplerKind::Simplex => simplex(rng, out),
            SamplerKind::Ordinal {
                group_of,
                cumulative,
            } => {
                // Uniform barycentric coordinates over the region's vertices; vertex h puts
                // 1/S_h on every criterion of groups 0..=h. Group g's weight is Σ_{h>=g} λ_h/S_h.
                let g = cumulative.len();
                let lambda = &mut scratch[..g];
                simplex(rng, lambda);
                let mut acc = 0.0;
                for h in (0..g).rev() {
                    acc += lambda[h] / cumulative[h];
                    lambda[h] = acc;
                }
                for (w, &grp) in out.iter_mut().zip(group_of) {
                    *w = scratch[grp];
                }
            }
            SamplerKind::Intervals { lo, hi, free } => {
                let mut rejections = 0;
                loop {
                    simplex(rng, out);
                    let mut inside = true;
                    for j in 0..out.len() {
                        out[j] = lo[j] + free * out[j];
                        inside &= out[j] <= hi[j];
                    }
                    if inside {
                        break;
                    }
                    rejections += 1;
                    if rejections >= MAX_REJECTIONS {
                        return Err(DecideError::IntervalsTooNarrow {
                            attempts: MAX_REJECTIONS,
                        });
                    }
                }
            }
            SamplerKind::Exact(w) => out.copy_from_slice(w),
        }
        Ok(())
    }
}

/// Uniform on the simplex: the spacings of sorted uniforms (insertion sort, in place).
fn simplex<R: Rng>(rng: &mut R, out: &mut [f64]) {
    let k = out.len();
    if k == 1 {
        out[0] = 1.0;
        return;
    }
    for i in 0..k - 1 {
        let u: f64 = rng.random();
        let mut pos = i;
        while pos > 0 && out[pos - 1] > u {
            out[pos] = out[pos - 1];
            pos -= 1;
        }
        out[pos] = u;
    }
    out[k - 1] = 1.0 - out[k - 2];
    for i in (1..k - 1).rev() {
        out[i] -= out[i - 1];
    }
}

fn ordinal(groups: &[Vec<usize>], k: usize) -> Result<SamplerKind, DecideError> {
    let bad = |reason: String| Err(DecideError::BadOrder { reason });
    let mut group_of = vec![usize::MAX; k];
    let mut cumulative = Vec::with_capacity(groups.len());
    let mut seen = 0usize;
    for (g, group) in groups.iter().enumerate() {
        if group.is_empty() {
            return bad(format!("group {g} is empty"));
        }
        for &c in group {
            if c >= k {
                return bad(format!("criterion {c} does not exist (there are {k})"));
            }
            if group_of[c] != usize::MAX {
                return bad(format!("criterion {c} appears more than once"));
            }
            group_of[c] = g;
        }
        seen += group.len();
        cumulative.push(seen as f64);
    }
    if let Some(missing) = group_of.iter().position(|&g| g == usize::MAX) {
        return bad(format!(
            "expected every criterion in the order, criterion {missing} is missing"
        ));
    }
    Ok(SamplerKind::Ordinal {
        group_of,
        cumulative,
    })
}

fn intervals(bounds: &[(f64, f64)], k: usize) -> Result<SamplerKind, DecideError> {
    if bounds.len() != k {
        return Err(DecideError::WeightCount {
            expected: k,
            found: bounds.len(),
        });
    }
    for (index, &(lo, hi)) in bounds.iter().enumerate() {
        if !(lo.is_finite() && hi.is_finite() && 0.0 <= lo && lo <= hi && hi <= 1.0) {
            return Err(DecideError::BadInterval { index, lo, hi });
        }
    }
    let sum_lo: f64 = bounds.iter().map(|b| b.0).sum();
    let sum_hi: f64 = bounds.iter().map(|b| b.1).sum();
    if sum_lo > 1.0 + 1e-12 || sum_hi < 1.0 - 1e-12 {
        return Err(DecideError::InfeasibleIntervals { sum_lo, sum_hi });
    }
    Ok(SamplerKind::Intervals {
        lo: bounds.iter().map(|b| b.0).collect(),
        // A hair of slack so that a box touching the simplex exactly still accepts.
        hi: bounds.iter().map(|b| b.1 + 1e-12).collect(),
        free: (1.0 - sum_lo).max(0.0),
    })
}

/// A validated SMAA-2 problem.
#[derive(Debug, Clone, PartialEq)]
pub struct SmaaInput {
    alternatives: Vec<String>,
    criteria: Vec<Criterion>,
    values: Vec<Vec<Value>>,
    weights: WeightInfo,
}

impl SmaaInput {
    /// `values[i][j]` is alternative `i` on criterion `j`.
    pub fn new(
        alternatives: Vec<String>,
        criteria: Vec<Criterion>,
        values: Vec<Vec<Value>>,
        weights: WeightInfo,
    ) -> Result<Self, DecideError> {
        check_shape(alternatives.len(), criteria.len(), &values)?;
        for (row, line) in values.iter().enumerate() {
            for (criterion, v) in line.iter().enumerate() {
                v.check(row, criterion)?;
            }
        }
        WeightSampler::new(&weights, criteria.len())?;
        Ok(Self {
            alternatives,
            criteria,
            values,
            weights,
        })
    }

    /// Exact values from a decision matrix.
    pub fn from_matrix(matrix: &DecisionMatrix, weights: WeightInfo) -> Result<Self, DecideError> {
        let values = matrix
            .values()
            .iter()
            .map(|row| row.iter().map(|&x| Value::Exact(x)).collect())
            .collect();
        Self::new(
            matrix.alternatives().to_vec(),
            matrix.criteria().to_vec(),
            values,
            weights,
        )
    }

    pub fn alternatives(&self) -> &[String] {
        &self.alternatives
    }

    pub fn criteria(&self) -> &[Criterion] {
        &self.criteria
    }

    pub fn values(&self) -> &[Vec<Value>] {
        &self.values
    }

    pub fn weights(&self) -> &WeightInfo {
        &self.weights
    }
}

/// How many samples to draw, and from which seed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SmaaOptions {
    pub samples: usize,
    pub seed: u64,
}

/// SMAA-2 descriptive measures; vectors are in input order of the alternatives.
#[derive(Debug, Clone, PartialEq)]
pub struct SmaaResult {
    pub samples: usize,
    pub seed: u64,
    /// `rank_acceptability[i][r]`: share of samples with alternative `i` at rank `r + 1`.
    pub rank_acceptability: Vec<Vec<f64>>,
    /// Mean weight vector of the samples where the alternative is first; `None` if never first.
    pub central_weights: Vec<Option<Vec<f64>>>,
    /// Probability of being first when the weights are the alternative's central weights
    /// (over the value uncertainty; with exact values 1, or 1/t when tied); `None` if never
    /// first.
    pub confidence: Vec<Option<f64>>,
    /// `Σ_r α_r b_i^r` with linear meta-weights `α_r = (m − r)/(m − 1)`: 1 for rank 1, 0 for
    /// the last rank.
    pub holistic_acceptability: Vec<f64>,
    /// Samples (of the weight pass) in which at least two alternatives tied.
    pub tied_samples: u64,
}

impl SmaaResult {
    /// First-rank acceptability `b_i^1` of every alternative.
    pub fn first_rank(&self) -> Vec<f64> {
        self.rank_acceptability.iter().map(|b| b[0]).collect()
    }
}

/// Partial values `p = base + spread·X` for the uncertain cells, `X` uniform or normal.
struct Model {
    m: usize,
    k: usize,
    /// Row-major partial values of the exact cells (uncertain cells hold their base).
    base: Vec<f64>,
    uncertain: Vec<UncertainCell>,
}

#[derive(Clone, Copy)]
struct UncertainCell {
    index: usize,
    base: f64,
    spread: f64,
    normal: bool,
}

impl Model {
    fn new(input: &SmaaInput) -> Self {
        let m = input.alternatives.len();
        let k = input.criteria.len();
        let mut base = vec![0.0; m * k];
        let mut uncertain = Vec::new();
        for (j, c) in input.criteria.iter().enumerate() {
            let (lo, hi) =
                input
                    .values
                    .iter()
                    .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), row| {
                        let (a, b) = row[j].range();
                        (lo.min(a), hi.max(b))
                    });
            // p = alpha + beta·x
            let (alpha, beta) = if hi > lo {
                match c.kind {
                    CriterionKind::Benefit => (-lo / (hi - lo), 1.0 / (hi - lo)),
                    CriterionKind::Cost => (hi / (hi - lo), -1.0 / (hi - lo)),
                }
            } else {
                (0.5, 0.0)
            };
            for (i, row) in input.values.iter().enumerate() {
                let index = i * k + j;
                match row[j] {
                    Value::Exact(x) => base[index] = alpha + beta * x,
                    Value::Uniform(a, b) => {
                        base[index] = alpha + beta * a;
                        if b > a {
                            uncertain.push(UncertainCell {
                                index,
                                base: base[index],
                                spread: beta * (b - a),
                                normal: false,
                            });
                        }
                    }
                    Value::Normal(mean, sd) => {
                        base[index] = alpha + beta * mean;
                        if sd > 0.0 {
                            uncertain.push(UncertainCell {
                                index,
                                base: base[index],
                                spread: beta * sd,
                                normal: true,
                            });
                        }
                    }
                }
            }
        }
        Self {
            m,
            k,
            base,
            uncertain,
        }
    }

    fn draw<R: Rng>(&self, rng: &mut R, partial: &mut [f64]) {
        for cell in &self.uncertain {
            let x: f64 = if cell.normal {
                rng.sample(StandardNormal)
            } else {
                rng.random()
            };
            partial[cell.index] = cell.base + cell.spread * x;
        }
    }
}

/// Per-chunk sums; `rank` is `m×m` row-major (alternative, rank), `central` is `m×k`.
struct Tally {
    rank: Vec<f64>,
    central: Vec<f64>,
    tied: u64,
}

/// Runs SMAA-2. Parallel over chunks of samples (rayon); deterministic for a seed.
pub fn smaa2(input: &SmaaInput, options: &SmaaOptions) -> Result<SmaaResult, DecideError> {
    if options.samples == 0 {
        return Err(DecideError::NoSamples);
    }
    let sampler = WeightSampler::new(&input.weights, input.criteria.len())?;
    let model = Model::new(input);
    let (m, k) = (model.m, model.k);
    let chunks = options.samples.div_ceil(CHUNK);

    let tallies: Vec<Tally> = (0..chunks)
        .into_par_iter()
        .map(|c| {
            let n = CHUNK.min(options.samples - c * CHUNK);
            weight_chunk(&model, &sampler, options.seed, c as u64, n)
        })
        .collect::<Result<_, _>>()?;

    let mut rank = vec![0.0; m * m];
    let mut central = vec![0.0; m * k];
    let mut tied_samples = 0;
    for t in &tallies {
        add(&mut rank, &t.rank);
        add(&mut central, &t.central);
        tied_samples += t.tied;
    }

    let total = options.samples as f64;
    let rank_acceptability: Vec<Vec<f64>> = rank
        .chunks(m)
        .map(|row| row.iter().map(|c| c / total).collect())
        .collect();
    let central_weights: Vec<Option<Vec<f64>>> = (0..m)
        .map(|i| {
            let firsts = rank[i * m];
            (firsts > 0.0).then(|| {
                central[i * k..(i + 1) * k]
                    .iter()
                    .map(|w| w / firsts)
                    .collect()
            })
        })
        .collect();
    let confidence = confidence_factors(&model, &central_weights, options);
    let holistic_acceptability = rank_acceptability
        .iter()
        .map(|b| {
            b.iter()
                .enumerate()
                .map(|(r, x)| x * (m - 1 - r) as f64 / (m - 1) as f64)
                .sum()
        })
        .collect();
    Ok(SmaaResult {
        samples: options.samples,
        seed: options.seed,
        rank_acceptability,
        central_weights,
        confidence,
        holistic_acceptability,
        tied_samples,
    })
}

fn add(into: &mut [f64], from: &[f64]) {
    for (a, b) in into.iter_mut().zip(from) {
        *a += b;
    }
}

fn chunk_rng(seed: u64, stream: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(stream);
    rng
}

/// The hot loop: no allocation after the buffers below.
fn weight_chunk(
    model: &Model,
    sampler: &WeightSampler,
    seed: u64,
    chunk: u64,
    n: usize,
) -> Result<Tally, DecideError> {
    let (m, k) = (model.m, model.k);
    let mut rng = chunk_rng(seed, chunk);
    let mut partial = model.base.clone();
    let mut w = vec![0.0; k];
    let mut scratch = vec![0.0; k];
    let mut utility = vec![0.0; m];
    let mut better = vec![0usize; m];
    let mut seen = vec![false; m];
    let mut tally = Tally {
        rank: vec![0.0; m * m],
        central: vec![0.0; m * k],
        tied: 0,
    };
    for _ in 0..n {
        sampler.sample_into(&mut rng, &mut w, &mut scratch)?;
        model.draw(&mut rng, &mut partial);
        utilities(&partial, &w, &mut utility);
        // Fast path: one comparison per pair. Tied alternatives get equal counts, so the counts
        // are a permutation of 0..m exactly when nothing is tied.
        for (b, &ui) in better.iter_mut().zip(&utility) {
            *b = utility.iter().filter(|&&u| u > ui).count();
        }
        seen.fill(false);
        let mut tied = false;
        for &b in &better {
            tied |= seen[b];
            seen[b] = true;
        }
        if !tied {
            for (i, &b) in better.iter().enumerate() {
                tally.rank[i * m + b] += 1.0;
                if b == 0 {
                    add(&mut tally.central[i * k..(i + 1) * k], &w);
                }
            }
            continue;
        }
        tally.tied += 1;
        for i in 0..m {
            let (better, equal) = standing(&utility, i);
            let share = 1.0 / equal as f64;
            for r in better..better + equal {
                tally.rank[i * m + r] += share;
            }
            if better == 0 {
                for (c, wj) in tally.central[i * k..(i + 1) * k].iter_mut().zip(&w) {
                    *c += share * wj;
                }
            }
        }
    }
    Ok(tally)
}

fn utilities(partial: &[f64], w: &[f64], out: &mut [f64]) {
    for (u, row) in out.iter_mut().zip(partial.chunks_exact(w.len())) {
        *u = row.iter().zip(w).map(|(p, wj)| p * wj).sum();
    }
}

/// How many alternatives beat `i`, and how many share its utility (counting `i`).
#[inline]
fn standing(utility: &[f64], i: usize) -> (usize, usize) {
    let ui = utility[i];
    let mut better = 0;
    let mut equal = 0;
    for &u in utility {
        better += usize::from(u > ui);
        equal += usize::from(u == ui);
    }
    (better, equal)
}

/// Confidence factor of each alternative with central weights: how often it is first when the
/// weights are its central weights. One evaluation when all values are exact.
fn confidence_factors(
    model: &Model,
    central: &[Option<Vec<f64>>],
    options: &SmaaOptions,
) -> Vec<Option<f64>> {
    let m = model.m;
    let first_share = |partial: &[f64], utility: &mut [f64], i: usize, w: &[f64]| {
        utilities(partial, w, utility);
        let (better, equal) = standing(utility, i);
        if better == 0 {
            1.0 / equal as f64
        } else {
            0.0
        }
    };
    if model.uncertain.is_empty() {
        let mut utility = vec![0.0; m];
        return central
            .iter()
            .enumerate()
            .map(|(i, w)| {
                w.as_ref()
                    .map(|w| first_share(&model.base, &mut utility, i, w))
            })
            .collect();
    }
    let chunks = options.samples.div_ceil(CHUNK);
    let sums: Vec<Vec<f64>> = (0..chunks)
        .into_par_iter()
        .map(|c| {
            let n = CHUNK.min(options.samples - c * CHUNK);
            let mut rng = chunk_rng(options.seed, CONFIDENCE_STREAM + c as u64);
            let mut partial = model.base.clone();
            let mut utility = vec![0.0; m];
            let mut sum = vec![0.0; m];
            for _ in 0..n {
                model.draw(&mut rng, &mut partial);
                for (i, w) in central.iter().enumerate() {
                    if let Some(w) = w {
                        sum[i] += first_share(&partial, &mut utility, i, w);
                    }
                }
            }
            sum
        })
        .collect();
    let mut total = vec![0.0; m];
    for s in &sums {
        add(&mut total, s);
    }
    central
        .iter()
        .zip(total)
        .map(|(w, t)| w.as_ref().map(|_| t / options.samples as f64))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(values: &[&[f64]], weights: WeightInfo) -> SmaaInput {
        let names = (0..values.len()).map(|i| format!("a{i}")).collect();
        let criteria = (0..values[0].len())
            .map(|j| Criterion::new(format!("c{j}"), CriterionKind::Benefit))
            .collect();
        let values = values
            .iter()
            .map(|r| r.iter().map(|&x| Value::Exact(x)).collect())
            .collect();
        SmaaInput::new(names, criteria, values, weights).unwrap()
    }

    #[test]
    fn simplex_samples_sum_to_one() {
        let mut rng = chunk_rng(7, 0);
        let mut w = vec![0.0; 5];
        for _ in 0..1000 {
            simplex(&mut rng, &mut w);
            assert!((w.iter().sum::<f64>() - 1.0).abs() < 1e-12);
            assert!(w.iter().all(|&x| x >= 0.0));
        }
    }

    #[test]
    fn ordinal_ties_give_equal_weights_in_order() {
        let s = WeightSampler::new(&WeightInfo::Ordinal(vec![vec![2], vec![0, 1]]), 3).unwrap();
        let mut rng = chunk_rng(1, 0);
        for _ in 0..1000 {
            let w = s.sample(&mut rng).unwrap();
            assert!((w.iter().sum::<f64>() - 1.0).abs() < 1e-12);
            assert_eq!(w[0], w[1]);
            assert!(w[2] >= w[0]);
        }
    }

    #[test]
    fn interval_samples_respect_bounds() {
        let bounds = vec![(0.2, 0.3), (0.0, 1.0), (0.1, 0.2)];
        let s = WeightSampler::new(&WeightInfo::Intervals(bounds.clone()), 3).unwrap();
        let mut rng = chunk_rng(1, 0);
        for _ in 0..1000 {
            let w = s.sample(&mut rng).unwrap();
            assert!((w.iter().sum::<f64>() - 1.0).abs() < 1e-12);
            for (x, (lo, hi)) in w.iter().zip(&bounds) {
                assert!(*lo <= *x && *x <= *hi + 1e-9, "{w:?}");
            }
        }
    }

    #[test]
    fn bad_weight_information_is_rejected() {
        let order = |g: Vec<Vec<usize>>| WeightSampler::new(&WeightInfo::Ordinal(g), 3);
        assert!(order(vec![vec![0], vec![1]]).is_err(), "missing criterion");
        assert!(order(vec![vec![0], vec![0, 1, 2]]).is_err(), "repeated");
        assert!(order(vec![vec![0, 1, 5]]).is_err(), "out of range");
        let iv = |b: Vec<(f64, f64)>| WeightSampler::new(&WeightInfo::Intervals(b), 2);
        assert!(matches!(
            iv(vec![(0.6, 1.0), (0.6, 1.0)]),
            Err(DecideError::InfeasibleIntervals { .. })
        ));
        assert!(matches!(
            iv(vec![(0.5, 0.4), (0.0, 1.0)]),
            Err(DecideError::BadInterval { index: 0, .. })
        ));
    }

    #[test]
    fn identical_alternatives_split_ranks() {
        let inp = input(
            &[&[1.0, 2.0], &[1.0, 2.0], &[0.0, 0.0]],
            WeightInfo::Uniform,
        );
        let r = smaa2(
            &inp,
            &SmaaOptions {
                samples: 100,
                seed: 1,
            },
        )
        .unwrap();
        assert_eq!(r.rank_acceptability[0], vec![0.5, 0.5, 0.0]);
        assert_eq!(r.rank_acceptability[2], vec![0.0, 0.0, 1.0]);
        assert_eq!(r.tied_samples, 100);
        assert_eq!(r.confidence[0], Some(0.5));
        assert_eq!(r.central_weights[2], None);
    }

    #[test]
    fn exact_weights_give_a_deterministic_ranking() {
        let inp = input(
            &[&[1.0, 0.0], &[0.0, 1.0]],
            WeightInfo::Exact(vec![3.0, 1.0]),
        );
        let r = smaa2(
            &inp,
            &SmaaOptions {
                samples: 10,
                seed: 1,
            },
        )
        .unwrap();
        assert_eq!(r.first_rank(), vec![1.0, 0.0]);
        assert_eq!(r.central_weights[0], Some(vec![0.75, 0.25]));
        assert_eq!(r.holistic_acceptability, vec![1.0, 0.0]);
    }

    #[test]
    fn degenerate_column_does_not_matter() {
        let a = input(&[&[1.0, 5.0], &[2.0, 5.0]], WeightInfo::Uniform);
        let r = smaa2(
            &a,
            &SmaaOptions {
                samples: 1000,
                seed: 3,
            },
        )
        .unwrap();
        // c1 is constant: a1 wins whenever c0 has any weight.
        assert_eq!(r.first_rank(), vec![0.0, 1.0]);
    }

    #[test]
    fn uncertain_values_are_sampled() {
        let criteria = vec![Criterion::new("c", CriterionKind::Cost)];
        let values = vec![
            vec![Value::Uniform(0.0, 2.0)],
            vec![Value::Exact(1.0)],
            vec![Value::Normal(3.0, 0.5)],
        ];
        let names = vec!["a".into(), "b".into(), "c".into()];
        let inp = SmaaInput::new(names, criteria, values, WeightInfo::Uniform).unwrap();
        let r = smaa2(
            &inp,
            &SmaaOptions {
                samples: 20_000,
                seed: 9,
            },
        )
        .unwrap();
        // a is below b (cost, so better) half the time; c is almost never first.
        assert!((r.rank_acceptability[0][0] - 0.5).abs() < 0.02, "{r:?}");
        assert!(r.rank_acceptability[2][2] > 0.99);
        let c0 = r.confidence[0].unwrap();
        assert!((c0 - 0.5).abs() < 0.02, "{c0}");
    }

    #[test]
    fn bad_values_are_rejected() {
        let criteria = vec![Criterion::new("c", CriterionKind::Cost)];
        let names = vec!["a".into(), "b".into()];
        let values = vec![vec![Value::Uniform(2.0, 1.0)], vec![Value::Exact(1.0)]];
        assert!(matches!(
            SmaaInput::new(names.clone(), criteria.clone(), values, WeightInfo::Uniform),
            Err(DecideError::BadUncertainValue { row: 0, .. })
        ));
        let values = vec![vec![Value::Normal(2.0, -1.0)], vec![Value::Exact(1.0)]];
        assert!(SmaaInput::new(names, criteria, values, WeightInfo::Uniform).is_err());
    }
}
