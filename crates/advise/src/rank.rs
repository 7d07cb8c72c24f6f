//! From the six criteria to a ranking, SMAA first-rank shares and an explanation.
//!
//! - Deterministic weights: exact weights as given; the preset's centre; AHP's eigenvector;
//!   for an order or ranges, the centroid of the weight region (mean of [`CENTROID_SAMPLES`]
//!   draws from decide's sampler with the run's seed).
//! - SMAA weight information: exact → `Exact`; order → `Ordinal` (criteria not named form the
//!   last group); ranges → `Intervals`; preset → `Intervals` of ±[`PRESET_SPREAD`] around the
//!   preset; AHP → `Exact` (the judgements fix the weights).
//! - TOPSIS uses vector normalisation, WSM max normalisation (both cope with constant columns);
//!   a column that is the same for every provider is set to 1 so no normalisation degenerates
//!   (it cannot change a ranking).
//! - Explanation: WSM contributions `w_j × (n_winner,j − n_runner-up,j)` on max-normalised
//!   values, and decide's one-at-a-time sensitivity under the chosen deterministic method.

use cloudfit_decide::{
    ahp, rank as decide_rank, sensitivity, smaa2, CriterionKind, DecisionMatrix, Method,
    Normalization, PairwiseMatrix, SmaaInput, SmaaOptions, Value, WeightInfo, WeightSampler,
    Weights,
};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use crate::assess::{AdviseError, Assessment};
use crate::criterion::Criterion;
use crate::profile::{Profile, WeightSpec, PRESET_SPREAD};

/// Draws used to compute the centroid of an order or a set of ranges.
pub const CENTROID_SAMPLES: usize = 20_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RankMethod {
    Topsis,
    Wsm,
    Smaa,
}

impl RankMethod {
    pub fn name(self) -> &'static str {
        match self {
            RankMethod::Topsis => "topsis",
            RankMethod::Wsm => "wsm",
            RankMethod::Smaa => "smaa",
        }
    }

    fn deterministic(self) -> Method {
        match self {
            RankMethod::Wsm => Method::Wsm(Normalization::Max),
            RankMethod::Topsis | RankMethod::Smaa => Method::Topsis(Normalization::Vector),
        }
    }
}

#[derive(Clone, Copy, Debug)]
pub struct RankOptions {
    pub method: RankMethod,
    pub seed: u64,
    pub samples: usize,
}

impl Default for RankOptions {
    fn default() -> Self {
        RankOptions {
            method: RankMethod::Topsis,
            seed: 42,
            samples: 10_000,
        }
    }
}

/// One ranked provider; `index` points into `Assessment::providers`.
#[derive(Clone, Debug)]
pub struct Ranked {
    pub index: usize,
    pub rank: usize,
    /// TOPSIS closeness, WSM score, or SMAA holistic acceptability.
    pub score: f64,
    pub first_rank_share: f64,
    /// Share of SMAA samples at rank 1, 2, ... .
    pub rank_acceptability: Vec<f64>,
}

#[derive(Clone, Debug)]
pub struct Contribution {
    pub criterion: Criterion,
    /// Weighted normalised advantage of the winner over the runner-up (negative: trails).
    pub contribution: f64,
}

#[derive(Clone, Debug)]
pub struct WeightMove {
    pub criterion: Criterion,
    pub weight: f64,
    /// The winner stays first while this weight is in `[lower, upper]` (others rescaled).
    pub lower: f64,
    pub upper: f64,
    pub rival_below: Option<String>,
    pub rival_above: Option<String>,
}

impl WeightMove {
    /// Smallest change of this weight that changes first place, if any.
    pub fn margin(&self) -> Option<f64> {
        let down = self.rival_below.as_ref().map(|_| self.weight - self.lower);
        let up = self.rival_above.as_ref().map(|_| self.upper - self.weight);
        match (down, up) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }
}

#[derive(Clone, Debug)]
pub struct Explanation {
    pub winner: String,
    pub runner_up: Option<String>,
    /// Every criterion, largest contribution first.
    pub contributions: Vec<Contribution>,
    pub sensitivity: Vec<WeightMove>,
}

/// A provider whose hard constraint is unknown, ranked as if it held.
#[derive(Clone, Debug)]
pub struct VerifyRank {
    /// Index into `Assessment::providers`.
    pub index: usize,
    /// Its rank among the ranked providers and those to verify, if its open constraints held.
    pub rank_if_held: usize,
    /// Its first-rank share in that comparison.
    pub first_rank_share_if_held: f64,
}

/// What a question is about.
#[derive(Clone, Debug, PartialEq)]
pub enum QuestionFact {
    /// An unknown fact behind a criterion value.
    Unknown {
        criterion: Criterion,
        fact: crate::criterion::UnknownFact,
    },
    /// A hard constraint of a provider to verify.
    Constraint(crate::assess::OpenConstraint),
}

/// An unknown fact worth the buyer's phone call, with how far it moves the result.
#[derive(Clone, Debug)]
pub struct Question {
    pub provider: String,
    pub fact: QuestionFact,
    /// The provider's first-rank share now, at the fact's best and at its worst plausible value
    /// (for a constraint: if it holds, and 0 if it does not).
    pub share_now: f64,
    pub share_best: f64,
    pub share_worst: f64,
    /// The largest change of any provider's first-rank share between best and worst.
    pub effect: f64,
    /// First by first-rank share at best and at worst, when they differ.
    pub winner_change: Option<(String, String)>,
}

/// The winner's lead rests mostly on criteria where the runner-up has no fact.
#[derive(Clone, Debug)]
pub struct LeadOnGaps {
    pub winner: String,
    pub runner_up: String,
    /// Criteria where the winner has a fact and the runner-up does not, largest lead first.
    pub criteria: Vec<Criterion>,
    /// The winner is the only ranked provider with a fact on the first of them.
    pub only_one: bool,
    /// Share of the winner's positive lead that these criteria carry (0..=1).
    pub share_of_lead: f64,
}

#[derive(Clone, Debug)]
pub struct Advice {
    pub assessment: Assessment,
    pub method: RankMethod,
    /// Weights the deterministic method used, in [`Criterion::ALL`] order.
    pub weights: [f64; 6],
    /// `exact`, `order`, `ranges`, `ahp` or `preset:<segment>`.
    pub weight_source: String,
    /// AHP consistency ratio when weights came from pairwise judgements.
    pub ahp_cr: Option<f64>,
    /// Providers that met every hard constraint, best first; ties share a rank.
    pub ranking: Vec<Ranked>,
    /// Providers whose hard constraint is unknown, with the rank they would take.
    pub to_verify: Vec<VerifyRank>,
    /// Unknown facts ordered by how far they move the result (largest first).
    pub questions: Vec<Question>,
    pub lead_on_gaps: Option<LeadOnGaps>,
    /// The provider first in most plausible weightings, when it is not the method's #1.
    pub most_robust: Option<usize>,
    pub samples: usize,
    pub seed: u64,
    pub explanation: Option<Explanation>,
}

/// A question below this effect (first-rank share points) cannot change the outcome.
pub const QUESTION_MIN_EFFECT: f64 = 0.01;

/// Weights for the deterministic methods, SMAA's weight information, and a label.
pub fn weight_model(
    profile: &Profile,
    seed: u64,
) -> Result<([f64; 6], WeightInfo, String, Option<f64>), AdviseError> {
    let weights_err = |source| AdviseError::Weights {
        file: profile.file.clone(),
        source,
    };
    Ok(match &profile.weights {
        WeightSpec::Exact(w) => (*w, WeightInfo::Exact(w.to_vec()), "exact".to_owned(), None),
        WeightSpec::Preset(s) => {
            let w = s.preset().weights;
            let intervals = w
                .iter()
                .map(|x| {
                    (
                        x * (1.0 - PRESET_SPREAD),
                        (x * (1.0 + PRESET_SPREAD)).min(1.0),
                    )
                })
                .collect();
            (
                w,
                WeightInfo::Intervals(intervals),
                format!("preset:{}", s.key()),
                None,
            )
        }
        WeightSpec::Order(groups) => {
            let mut groups: Vec<Vec<usize>> = groups
                .iter()
                .map(|g| g.iter().map(|c| c.index()).collect())
                .collect();
            let rest: Vec<usize> = (0..6)
                .filter(|i| !groups.iter().flatten().any(|j| j == i))
                .collect();
            if !rest.is_empty() {
                groups.push(rest);
            }
            let info = WeightInfo::Ordinal(groups);
            (
                centroid(&info, seed).map_err(weights_err)?,
                info,
                "order".to_owned(),
                None,
            )
        }
        WeightSpec::Ranges(r) => {
            let info = WeightInfo::Intervals(r.to_vec());
            (
                centroid(&info, seed).map_err(weights_err)?,
                info,
                "ranges".to_owned(),
                None,
            )
        }
        WeightSpec::Ahp(pairs) => {
            let named: Vec<Criterion> = Criterion::ALL
                .into_iter()
                .filter(|c| pairs.iter().any(|&(a, b, _)| a == *c || b == *c))
                .collect();
            let n = named.len();
            let mut a = vec![vec![1.0; n]; n];
            for &(more, less, r) in pairs {
                let (Some(i), Some(j)) = (
                    named.iter().position(|c| *c == more),
                    named.iter().position(|c| *c == less),
                ) else {
                    continue;
                };
                a[i][j] = r;
                a[j][i] = 1.0 / r;
            }
            let result = ahp(&PairwiseMatrix::new(a).map_err(weights_err)?);
            let mut w = [0.0; 6];
            for (c, x) in named.iter().zip(&result.weights) {
                w[c.index()] = *x;
            }
            (
                w,
                WeightInfo::Exact(w.to_vec()),
                "ahp".to_owned(),
                Some(result.cr),
            )
        }
    })
}

/// Mean of draws from the weight region: its centroid, deterministic for a seed.
fn centroid(info: &WeightInfo, seed: u64) -> Result<[f64; 6], cloudfit_decide::DecideError> {
    let sampler = WeightSampler::new(info, 6)?;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut sum = [0.0; 6];
    for _ in 0..CENTROID_SAMPLES {
        for (s, w) in sum.iter_mut().zip(sampler.sample(&mut rng)?) {
            *s += w;
        }
    }
    Ok(sum.map(|s| s / CENTROID_SAMPLES as f64))
}

fn decide_criteria() -> Vec<cloudfit_decide::Criterion> {
    Criterion::ALL
        .iter()
        .map(|c| {
            cloudfit_decide::Criterion::new(
                c.key(),
                if c.is_benefit() {
                    CriterionKind::Benefit
                } else {
                    CriterionKind::Cost
                },
            )
        })
        .collect()
}

/// A value override for one provider's criterion: `(provider position, criterion, value,
/// range)` used to resolve one unknown fact.
type Override = (usize, Criterion, f64, Option<(f64, f64)>);

struct Comparison<'a> {
    /// Indices into `Assessment::providers`.
    members: Vec<usize>,
    assessment: &'a Assessment,
    info: WeightInfo,
    samples: usize,
    seed: u64,
}

impl Comparison<'_> {
    fn values(&self, over: Option<&Override>) -> (Vec<Vec<f64>>, Vec<Vec<Value>>) {
        let mut det = Vec::new();
        let mut unc = Vec::new();
        for (pos, &i) in self.members.iter().enumerate() {
            let p = &self.assessment.providers[i];
            let mut drow = Vec::new();
            let mut urow = Vec::new();
            for c in Criterion::ALL {
                let v = p.criterion(c);
                let (value, range) = match over {
                    Some(&(op, oc, ov, orange)) if op == pos && oc == c => (ov, orange),
                    _ => (v.value, v.range),
                };
                drow.push(value);
                urow.push(match range {
                    Some((lo, hi)) if hi > lo => Value::Uniform(lo, hi),
                    _ => Value::Exact(value),
                });
            }
            det.push(drow);
            unc.push(urow);
        }
        // A constant column cannot change a ranking; make it 1 so no normalisation degenerates.
        for j in 0..6 {
            let first = det[0][j];
            if det.iter().all(|row| row[j] == first) {
                for row in &mut det {
                    row[j] = 1.0;
                }
            }
        }
        (det, unc)
    }

    fn names(&self) -> Vec<String> {
        self.members
            .iter()
            .map(|&i| self.assessment.providers[i].id.clone())
            .collect()
    }

    fn smaa(&self, over: Option<&Override>) -> Result<cloudfit_decide::SmaaResult, AdviseError> {
        let (_, unc) = self.values(over);
        Ok(smaa2(
            &SmaaInput::new(self.names(), decide_criteria(), unc, self.info.clone())?,
            &SmaaOptions {
                samples: self.samples,
                seed: self.seed,
            },
        )?)
    }

    fn first_shares(&self, over: Option<&Override>) -> Result<Vec<f64>, AdviseError> {
        if self.members.len() == 1 {
            return Ok(vec![1.0]);
        }
        Ok(self
            .smaa(over)?
            .rank_acceptability
            .iter()
            .map(|r| r[0])
            .collect())
    }
}

/// Rank the assessed providers: those that met every hard constraint, then where each provider
/// to verify would stand, then which unknown facts move the result most.
pub fn rank(
    assessment: Assessment,
    profile: &Profile,
    options: RankOptions,
) -> Result<Advice, AdviseError> {
    let (weights, info, weight_source, ahp_cr) = weight_model(profile, options.seed)?;
    let verified: Vec<usize> = (0..assessment.providers.len())
        .filter(|&i| !assessment.providers[i].to_verify())
        .collect();
    let everyone: Vec<usize> = (0..assessment.providers.len()).collect();
    let mut ranking = Vec::new();
    let mut explanation = None;
    let mut lead_on_gaps = None;
    let mut most_robust = None;
    let main = Comparison {
        members: verified.clone(),
        assessment: &assessment,
        info: info.clone(),
        samples: options.samples,
        seed: options.seed,
    };
    let w = Weights::normalize(&weights)?;
    let method = options.method.deterministic();
    let mut main_shares: Vec<f64> = Vec::new();
    if verified.len() == 1 {
        ranking.push(Ranked {
            index: verified[0],
            rank: 1,
            score: 1.0,
            first_rank_share: 1.0,
            rank_acceptability: vec![1.0],
        });
        main_shares = vec![1.0];
    } else if verified.len() > 1 {
        let names = main.names();
        let (det_values, _) = main.values(None);
        let matrix = DecisionMatrix::new(names.clone(), decide_criteria(), det_values)?;
        let det = decide_rank(&matrix, &w, &method)?;
        let smaa = main.smaa(None)?;
        main_shares = smaa.rank_acceptability.iter().map(|r| r[0]).collect();
        let scores: Vec<f64> = match options.method {
            RankMethod::Smaa => smaa.holistic_acceptability.clone(),
            _ => det.scores.clone(),
        };
        let ranks = cloudfit_decide::competition_ranks(&scores, true);
        let n = names.len();
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by(|&a, &b| ranks[a].cmp(&ranks[b]).then(names[a].cmp(&names[b])));
        ranking = order
            .iter()
            .map(|&k| Ranked {
                index: verified[k],
                rank: ranks[k],
                score: scores[k],
                first_rank_share: smaa.rank_acceptability[k][0],
                rank_acceptability: smaa.rank_acceptability[k].clone(),
            })
            .collect();
        let winner = order[0];
        let runner = order[1];
        let robust = (0..n)
            .max_by(|&a, &b| main_shares[a].total_cmp(&main_shares[b]).then(b.cmp(&a)))
            .unwrap_or(winner);
        if robust != winner && main_shares[robust] > main_shares[winner] {
            most_robust = Some(verified[robust]);
        }
        let normalised = cloudfit_decide::normalize(&matrix, Normalization::Max)?;
        let mut contributions: Vec<Contribution> = Criterion::ALL
            .iter()
            .map(|c| Contribution {
                criterion: *c,
                contribution: w.as_slice()[c.index()]
                    * (normalised[winner][c.index()] - normalised[runner][c.index()]),
            })
            .collect();
        contributions.sort_by(|a, b| b.contribution.total_cmp(&a.contribution));
        lead_on_gaps = lead_on_gaps_of(&assessment, &verified, winner, runner, &contributions);
        let sens = sensitivity(&matrix, &w, &method)?;
        let sensitivity = sens
            .criteria
            .iter()
            .map(|r| WeightMove {
                criterion: Criterion::ALL[r.criterion],
                weight: r.weight,
                lower: r.lower,
                upper: r.upper,
                rival_below: r.rival_below.map(|i| names[i].clone()),
                rival_above: r.rival_above.map(|i| names[i].clone()),
            })
            .collect();
        explanation = Some(Explanation {
            winner: names[winner].clone(),
            runner_up: Some(names[runner].clone()),
            contributions,
            sensitivity,
        });
    }

    // Where each provider to verify would stand if its constraint held.
    let union = Comparison {
        members: everyone.clone(),
        assessment: &assessment,
        info: info.clone(),
        samples: options.samples,
        seed: options.seed,
    };
    let mut to_verify = Vec::new();
    let mut union_shares = Vec::new();
    if verified.len() < everyone.len() {
        union_shares = union.first_shares(None)?;
        let (det_values, _) = union.values(None);
        let scores = if everyone.len() > 1 {
            let matrix = DecisionMatrix::new(union.names(), decide_criteria(), det_values)?;
            match options.method {
                RankMethod::Smaa => union.smaa(None)?.holistic_acceptability,
                _ => decide_rank(&matrix, &w, &method)?.scores,
            }
        } else {
            vec![1.0]
        };
        let ranks = cloudfit_decide::competition_ranks(&scores, true);
        for &i in everyone.iter().filter(|i| !verified.contains(i)) {
            to_verify.push(VerifyRank {
                index: i,
                rank_if_held: ranks[i],
                first_rank_share_if_held: union_shares[i],
            });
        }
        to_verify.sort_by_key(|v| v.rank_if_held);
    }

    // Questions: each unknown fact resolved to its best and its worst plausible value.
    let mut questions = Vec::new();
    let q_samples = options.samples.clamp(1, 4_000);
    for (cmp, shares) in [(&main, &main_shares), (&union, &union_shares)] {
        if cmp.members.is_empty() || shares.is_empty() {
            continue;
        }
        let cmp = Comparison {
            members: cmp.members.clone(),
            assessment: &assessment,
            info: info.clone(),
            samples: q_samples,
            seed: options.seed,
        };
        let in_main = cmp.members.len() == verified.len();
        // Every (provider, criterion, fact) to resolve, then one SMAA pair per job, in parallel.
        let mut jobs: Vec<(
            usize,
            Criterion,
            crate::criterion::UnknownFact,
            Override,
            Override,
        )> = Vec::new();
        for (pos, &i) in cmp.members.iter().enumerate() {
            let p = &assessment.providers[i];
            // Verified providers' facts are asked in the main comparison, the others' in the union.
            if p.to_verify() == in_main {
                continue;
            }
            for c in Criterion::ALL {
                let v = p.criterion(c);
                let Some((lo, hi)) = v.range else { continue };
                // A certification that is also an open constraint is asked once, as the
                // constraint.
                let asked_as_constraint = |key: &str| {
                    p.open.iter().any(|o| {
                        matches!(&o.kind, crate::assess::OpenKind::Certification(l)
                            if key == format!("compliance:{l}"))
                    })
                };
                for fact in v
                    .unknowns
                    .iter()
                    .filter(|f| f.span > 0.0 && !asked_as_constraint(&f.key))
                {
                    let (best, worst): (Override, Override) = if c.is_benefit() {
                        (
                            (pos, c, v.value + fact.span, Some((lo + fact.span, hi))),
                            (pos, c, v.value, Some((lo, hi - fact.span))),
                        )
                    } else {
                        (
                            (pos, c, v.value - fact.span, Some((lo, hi - fact.span))),
                            (pos, c, v.value, Some((lo + fact.span, hi))),
                        )
                    };
                    jobs.push((pos, c, fact.clone(), best, worst));
                }
            }
        }
        let answered: Vec<Result<Question, AdviseError>> = jobs
            .into_par_iter()
            .map(|(pos, c, fact, best, worst)| {
                let at_best = cmp.first_shares(Some(&best))?;
                let at_worst = cmp.first_shares(Some(&worst))?;
                Ok(question(
                    &cmp,
                    pos,
                    QuestionFact::Unknown { criterion: c, fact },
                    shares[pos],
                    &at_best,
                    &at_worst,
                ))
            })
            .collect();
        for q in answered {
            questions.push(q?);
        }
    }
    for v in &to_verify {
        let p = &assessment.providers[v.index];
        let without: Vec<f64> = {
            let others = Comparison {
                members: everyone.iter().copied().filter(|&k| k != v.index).collect(),
                assessment: &assessment,
                info: info.clone(),
                samples: q_samples,
                seed: options.seed,
            };
            let s = if others.members.is_empty() {
                Vec::new()
            } else {
                others.first_shares(None)?
            };
            // Put the provider back with share 0 so positions line up with the union.
            let mut full = Vec::new();
            let mut it = s.into_iter();
            for &k in &everyone {
                full.push(if k == v.index {
                    0.0
                } else {
                    it.next().unwrap_or(0.0)
                });
            }
            full
        };
        for open in &p.open {
            questions.push(question(
                &union,
                v.index,
                QuestionFact::Constraint(open.clone()),
                0.0,
                &union_shares,
                &without,
            ));
        }
    }
    questions.sort_by(|a, b| {
        b.effect
            .total_cmp(&a.effect)
            .then(a.provider.cmp(&b.provider))
    });

    Ok(Advice {
        assessment,
        method: options.method,
        weights,
        weight_source,
        ahp_cr,
        ranking,
        to_verify,
        questions,
        lead_on_gaps,
        most_robust,
        samples: options.samples,
        seed: options.seed,
        explanation,
    })
}

fn question(
    cmp: &Comparison<'_>,
    pos: usize,
    fact: QuestionFact,
    share_now: f64,
    at_best: &[f64],
    at_worst: &[f64],
) -> Question {
    let effect = at_best
        .iter()
        .zip(at_worst)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max);
    let names = cmp.names();
    let first = |s: &[f64]| {
        (0..s.len())
            .max_by(|&a, &b| s[a].total_cmp(&s[b]).then(b.cmp(&a)))
            .map(|k| names[k].clone())
            .unwrap_or_default()
    };
    let (wb, ww) = (first(at_best), first(at_worst));
    Question {
        provider: names[pos].clone(),
        fact,
        share_now,
        share_best: at_best[pos],
        share_worst: at_worst[pos],
        effect,
        winner_change: (wb != ww).then_some((wb, ww)),
    }
}

/// Whether the winner's lead over the runner-up rests mostly on criteria where the runner-up
/// has no fact (its value is the pessimistic bound), and name them.
fn lead_on_gaps_of(
    a: &Assessment,
    members: &[usize],
    winner: usize,
    runner: usize,
    contributions: &[Contribution],
) -> Option<LeadOnGaps> {
    let pw = &a.providers[members[winner]];
    let pr = &a.providers[members[runner]];
    let lead: f64 = contributions
        .iter()
        .map(|c| c.contribution)
        .filter(|c| *c > 0.0)
        .sum();
    if lead <= 0.0 {
        return None;
    }
    // A gap: the winner's value is known and the runner-up's rests on facts it lacks, enough
    // of them that its best plausible value would erase the difference. The current
    // provider's egress price is the same fact for every target, so it is no one's gap.
    let is_gap = |c: Criterion| {
        let (w, r) = (pw.criterion(c), pr.criterion(c));
        let own: f64 = r
            .unknowns
            .iter()
            .filter(|u| u.key != "migration:egress")
            .map(|u| u.span)
            .sum();
        !w.unknown && r.unknown && own > 0.0 && own >= (w.value - r.value).abs()
    };
    let gaps: Vec<&Contribution> = contributions
        .iter()
        .filter(|c| c.contribution > 0.0)
        .filter(|c| is_gap(c.criterion))
        .collect();
    let gap_lead: f64 = gaps.iter().map(|c| c.contribution).sum();
    if gaps.is_empty() || gap_lead <= 0.5 * lead {
        return None;
    }
    let first = gaps[0].criterion;
    let only_one = members
        .iter()
        .filter(|&&i| !a.providers[i].criterion(first).unknown)
        .count()
        == 1;
    Some(LeadOnGaps {
        winner: pw.id.clone(),
        runner_up: pr.id.clone(),
        criteria: gaps.iter().map(|c| c.criterion).collect(),
        only_one,
        share_of_lead: gap_lead / lead,
    })
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use rust_decimal::Decimal;

    use super::*;
    use crate::assess::{assess, Measurements};
    use crate::date::Date;
    use crate::fixtures::{catalog, profile};

    fn advise(extra: &str, method: RankMethod) -> Advice {
        advise_with(&catalog(), extra, method)
    }

    fn advise_with(cat: &cloudfit_catalog::Catalog, extra: &str, method: RankMethod) -> Advice {
        let p = profile(extra);
        let a = assess(
            cat,
            &p,
            &Measurements::default(),
            Date::parse("2026-01-01").unwrap(),
        )
        .unwrap();
        rank(
            a,
            &p,
            RankOptions {
                method,
                seed: 7,
                samples: 2000,
            },
        )
        .unwrap()
    }

    fn order(adv: &Advice) -> Vec<String> {
        adv.ranking
            .iter()
            .map(|r| adv.assessment.providers[r.index].id.clone())
            .collect()
    }

    const COST_ONLY: &str = "[weights]\ntype = \"exact\"\ncost = 1";

    #[test]
    fn with_cost_weight_one_the_cheapest_is_first() {
        for method in [RankMethod::Topsis, RankMethod::Wsm, RankMethod::Smaa] {
            let adv = advise(COST_ONLY, method);
            assert_eq!(order(&adv), ["cn-b", "cn-a", "us-c"], "{method:?}");
            assert_eq!(adv.ranking[0].first_rank_share, 1.0);
        }
    }

    #[test]
    fn ranks_are_deterministic_for_a_seed() {
        let a = advise("", RankMethod::Topsis);
        let b = advise("", RankMethod::Topsis);
        let shares = |x: &Advice| {
            x.ranking
                .iter()
                .map(|r| r.first_rank_share)
                .collect::<Vec<_>>()
        };
        assert_eq!(shares(&a), shares(&b));
        let total: f64 = shares(&a).iter().sum();
        assert!((total - 1.0).abs() < 1e-9);
    }

    #[test]
    fn explanation_names_leads_and_weight_margins() {
        let adv = advise(
            COST_ONLY
                .replace("cost = 1", "cost = 0.5\ncompliance = 0.5")
                .as_str(),
            RankMethod::Wsm,
        );
        let e = adv.explanation.as_ref().unwrap();
        assert_eq!(e.winner, order(&adv)[0]);
        assert_eq!(e.sensitivity.len(), 6);
        // contributions are sorted and sum to the WSM score difference of winner and runner-up
        assert!(e
            .contributions
            .windows(2)
            .all(|w| w[0].contribution >= w[1].contribution));
        let cost = e
            .sensitivity
            .iter()
            .find(|m| m.criterion == Criterion::Cost)
            .unwrap();
        assert!(cost.lower <= cost.weight && cost.weight <= cost.upper);
    }

    #[test]
    fn order_weights_follow_the_order() {
        let p = profile("[weights]\ntype = \"order\"\norder = \"compliance > stability > cost\"");
        let (w, info, label, _) = weight_model(&p, 1).unwrap();
        assert_eq!(label, "order");
        let c = |x: Criterion| w[x.index()];
        assert!(c(Criterion::Compliance) > c(Criterion::Stability));
        assert!(c(Criterion::Stability) > c(Criterion::Cost));
        assert!(c(Criterion::Cost) > c(Criterion::Migration));
        assert!((w.iter().sum::<f64>() - 1.0).abs() < 1e-9);
        // unnamed criteria form the last, tied group
        assert!(matches!(info, WeightInfo::Ordinal(ref g) if g.len() == 4 && g[3].len() == 3));
    }

    #[test]
    fn preset_becomes_intervals_around_its_centre() {
        let p = profile("");
        let (w, info, label, _) = weight_model(&p, 1).unwrap();
        assert_eq!(label, "preset:sme");
        assert_eq!(w, crate::profile::Segment::Sme.preset().weights);
        let WeightInfo::Intervals(iv) = info else {
            panic!("expected intervals")
        };
        for (x, (lo, hi)) in w.iter().zip(iv) {
            assert!(lo < *x && *x < hi);
        }
    }

    #[test]
    fn ahp_judgements_give_weights_and_cr() {
        let p = profile("[weights]\ntype = \"ahp\"\npairs = [{more = \"compliance\", less = \"cost\", ratio = 4}, {more = \"compliance\", less = \"stability\", ratio = 2}, {more = \"stability\", less = \"cost\", ratio = 2}]");
        let (w, _, label, cr) = weight_model(&p, 1).unwrap();
        assert_eq!(label, "ahp");
        // a consistent matrix: compliance : stability : cost = 4 : 2 : 1
        assert!((w[Criterion::Compliance.index()] - 4.0 / 7.0).abs() < 1e-9);
        assert!((w[Criterion::Cost.index()] - 1.0 / 7.0).abs() < 1e-9);
        assert_eq!(w[Criterion::Performance.index()], 0.0);
        assert!(cr.unwrap() < 1e-9);
    }

    #[test]
    fn one_provider_left_is_first_everywhere() {
        let adv = advise(
            "[constraints]\nrequired_capabilities = [\"vision\"]",
            RankMethod::Topsis,
        );
        assert_eq!(order(&adv), ["us-c"]);
        assert_eq!(adv.ranking[0].first_rank_share, 1.0);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]
        /// Raising one provider's prices never improves its rank when only cost matters.
        #[test]
        fn raising_prices_never_improves_rank(which in 0usize..3, factor in 1.0f64..20.0, method in 0usize..3) {
            let method = [RankMethod::Topsis, RankMethod::Wsm, RankMethod::Smaa][method];
            let before = advise_with(&catalog(), COST_ONLY, method);
            let mut cat = catalog();
            let id = ["cn-a", "cn-b", "us-c"][which];
            let f = Decimal::from_f64_retain(factor).unwrap();
            for m in &mut cat.providers.get_mut(id).unwrap().models {
                for p in &mut m.prices {
                    for t in &mut p.tiers {
                        t.input_per_mtok *= f;
                        t.output_per_mtok *= f;
                        t.cached_input_per_mtok = t.cached_input_per_mtok.map(|c| c * f);
                    }
                }
            }
            let after = advise_with(&cat, COST_ONLY, method);
            let rank_of = |adv: &Advice| adv.ranking.iter().find(|r| adv.assessment.providers[r.index].id == id).map(|r| r.rank);
            prop_assert!(rank_of(&after) >= rank_of(&before));
        }
    }
}
