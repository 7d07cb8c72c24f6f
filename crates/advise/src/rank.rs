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
    /// Best first; ties share a rank.
    pub ranking: Vec<Ranked>,
    pub samples: usize,
    pub seed: u64,
    pub explanation: Option<Explanation>,
}

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

/// Rank the assessed providers.
pub fn rank(
    assessment: Assessment,
    profile: &Profile,
    options: RankOptions,
) -> Result<Advice, AdviseError> {
    let (weights, info, weight_source, ahp_cr) = weight_model(profile, options.seed)?;
    let n = assessment.providers.len();
    let mut advice = Advice {
        assessment,
        method: options.method,
        weights,
        weight_source,
        ahp_cr,
        ranking: Vec::new(),
        samples: options.samples,
        seed: options.seed,
        explanation: None,
    };
    if n == 0 {
        return Ok(advice);
    }
    if n == 1 {
        advice.ranking.push(Ranked {
            index: 0,
            rank: 1,
            score: 1.0,
            first_rank_share: 1.0,
            rank_acceptability: vec![1.0],
        });
        return Ok(advice);
    }
    let providers = &advice.assessment.providers;
    let names: Vec<String> = providers.iter().map(|p| p.id.clone()).collect();
    let criteria: Vec<cloudfit_decide::Criterion> = Criterion::ALL
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
        .collect();
    let mut values: Vec<Vec<f64>> = providers
        .iter()
        .map(|p| p.criteria.iter().map(|v| v.value).collect())
        .collect();
    for j in 0..6 {
        let first = values[0][j];
        if values.iter().all(|row| row[j] == first) {
            for row in &mut values {
                row[j] = 1.0;
            }
        }
    }
    let matrix = DecisionMatrix::new(names.clone(), criteria.clone(), values)?;
    let w = Weights::normalize(&weights)?;
    let method = options.method.deterministic();
    let det = decide_rank(&matrix, &w, &method)?;

    let uncertain: Vec<Vec<Value>> = providers
        .iter()
        .map(|p| {
            p.criteria
                .iter()
                .map(|v| match v.range {
                    Some((lo, hi)) if hi > lo => Value::Uniform(lo, hi),
                    _ => Value::Exact(v.value),
                })
                .collect()
        })
        .collect();
    let smaa = smaa2(
        &SmaaInput::new(names.clone(), criteria, uncertain, info)?,
        &SmaaOptions {
            samples: options.samples,
            seed: options.seed,
        },
    )?;

    let scores: Vec<f64> = match options.method {
        RankMethod::Smaa => smaa.holistic_acceptability.clone(),
        _ => det.scores.clone(),
    };
    let ranks = cloudfit_decide::competition_ranks(&scores, true);
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| ranks[a].cmp(&ranks[b]).then(names[a].cmp(&names[b])));
    advice.ranking = order
        .iter()
        .map(|&i| Ranked {
            index: i,
            rank: ranks[i],
            score: scores[i],
            first_rank_share: smaa.rank_acceptability[i][0],
            rank_acceptability: smaa.rank_acceptability[i].clone(),
        })
        .collect();

    // Explanation: contributions on max-normalised values, then sensitivity.
    let winner = order[0];
    let runner = order[1];
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
    advice.explanation = Some(Explanation {
        winner: names[winner].clone(),
        runner_up: Some(names[runner].clone()),
        contributions,
        sensitivity,
    });
    Ok(advice)
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
