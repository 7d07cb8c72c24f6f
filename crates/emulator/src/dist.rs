//! Distributions for latency and output length, sampled per request from a seeded generator.

use rand::Rng;
use rand_distr::{Distribution, LogNormal, Normal};

/// z-score of the 99th percentile of a standard normal distribution.
const Z99: f64 = 2.326_347_874_040_841;

/// A non-negative quantity drawn per request. Units are the caller's (milliseconds or tokens).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Dist {
    Fixed(f64),
    Uniform {
        min: f64,
        max: f64,
    },
    Normal {
        mean: f64,
        stddev: f64,
    },
    /// Log-normal given by its median and 99th percentile.
    LogNormal {
        median: f64,
        p99: f64,
    },
}

impl Dist {
    /// One draw, never negative.
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        let value = match *self {
            Self::Fixed(v) => v,
            Self::Uniform { min, max } => {
                if max > min {
                    rng.random_range(min..max)
                } else {
                    min
                }
            }
            Self::Normal { mean, stddev } => match Normal::new(mean, stddev) {
                Ok(d) => d.sample(rng),
                Err(_) => mean,
            },
            Self::LogNormal { median, p99 } => {
                let mu = median.ln();
                let sigma = ((p99.ln() - mu) / Z99).max(0.0);
                match LogNormal::new(mu, sigma) {
                    Ok(d) => d.sample(rng),
                    Err(_) => median,
                }
            }
        };
        if value.is_finite() {
            value.max(0.0)
        } else {
            0.0
        }
    }
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    use super::*;

    fn quantiles(d: Dist) -> (f64, f64) {
        let mut rng = ChaCha8Rng::seed_from_u64(42);
        let mut xs: Vec<f64> = (0..20_000).map(|_| d.sample(&mut rng)).collect();
        xs.sort_by(f64::total_cmp);
        (xs[xs.len() / 2], xs[xs.len() * 99 / 100])
    }

    #[test]
    fn lognormal_hits_its_median_and_p99() {
        let (median, p99) = quantiles(Dist::LogNormal {
            median: 200.0,
            p99: 1000.0,
        });
        assert!((median - 200.0).abs() < 10.0, "median {median}");
        assert!((p99 - 1000.0).abs() < 100.0, "p99 {p99}");
    }

    #[test]
    fn uniform_and_normal_stay_in_range() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        for _ in 0..1000 {
            let u = Dist::Uniform {
                min: 10.0,
                max: 20.0,
            }
            .sample(&mut rng);
            assert!((10.0..20.0).contains(&u));
            let n = Dist::Normal {
                mean: 1.0,
                stddev: 5.0,
            }
            .sample(&mut rng);
            assert!(n >= 0.0);
        }
        assert_eq!(Dist::Fixed(5.0).sample(&mut rng), 5.0);
    }
}
