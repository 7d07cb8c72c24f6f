//! Read helpers on the model that the advice and the CLI need. None of them invents a number:
//! anything not in the catalog comes back as `None`.

use std::collections::BTreeSet;

use rust_decimal::Decimal;

use crate::model::{
    Capability, Catalog, Currency, ExchangeRate, Jurisdiction, MarketClaim, ModelOffering, Money,
    PriceTier, Provider, Region, Source, TokenPrice,
};

impl Money {
    pub fn new(amount: Decimal, currency: Currency) -> Self {
        Self { amount, currency }
    }

    /// Sum of two amounts in the same currency; `None` when the currencies differ.
    pub fn checked_add(self, other: Money) -> Option<Money> {
        (self.currency == other.currency)
            .then(|| Money::new(self.amount + other.amount, self.currency))
    }

    /// The amount times a plain factor (tokens in millions, hours, gigabytes).
    pub fn scaled(self, factor: Decimal) -> Money {
        Money::new(self.amount * factor, self.currency)
    }
}

impl std::fmt::Display for Money {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.amount.normalize(), self.currency)
    }
}

/// Sortable key for an `as_of` text: a leading `YYYY`, `YYYY-MM` or `YYYY-MM-DD` gives
/// `(year, month, day)`; `2025H1` reads as June, `2025H2` as December; anything undated sorts
/// first.
pub(crate) fn date_key(as_of: &str) -> (u32, u32, u32) {
    let b = as_of.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let s = as_of.get(r)?;
        s.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| s.parse().ok())?
    };
    let Some(year) = num(0..4) else {
        return (0, 0, 0);
    };
    match (b.get(4), b.get(5)) {
        (Some(b'-'), _) => {
            let month = num(5..7).unwrap_or(0);
            let day = if b.get(7) == Some(&b'-') {
                num(8..10).unwrap_or(0)
            } else {
                0
            };
            (year, month, day)
        }
        (Some(b'H'), Some(b'1')) => (year, 6, 0),
        (Some(b'H'), Some(b'2')) => (year, 12, 0),
        _ => (year, 0, 0),
    }
}

impl Catalog {
    /// The provider with this id.
    /// A provider by id, English or Chinese name, or one of its aliases (`aliyun`, `阿里云`),
    /// ignoring case and surrounding space.
    pub fn find_provider(&self, name: &str) -> Option<&Provider> {
        let name = name.trim();
        if let Some(p) = self.providers.get(name) {
            return Some(p);
        }
        self.providers.values().find(|p| {
            p.id.eq_ignore_ascii_case(name)
                || p.name_en.eq_ignore_ascii_case(name)
                || p.name_zh.as_deref() == Some(name)
                || p.aliases.iter().any(|a| a.eq_ignore_ascii_case(name))
        })
    }

    /// Every name [`Catalog::find_provider`] accepts, for "did you mean" and error messages.
    pub fn provider_names(&self) -> Vec<&str> {
        let mut names = Vec::new();
        for p in self.providers.values() {
            names.push(p.id.as_str());
            names.extend(p.aliases.iter().map(String::as_str));
            names.extend(p.name_zh.as_deref());
        }
        names
    }

    pub fn provider(&self, id: &str) -> Option<&Provider> {
        self.providers.get(id)
    }

    /// Claims made for one provider.
    pub fn claims_for<'a>(
        &'a self,
        provider: &'a str,
    ) -> impl Iterator<Item = &'a MarketClaim> + 'a {
        self.claims.iter().filter(move |c| c.provider == provider)
    }

    pub fn model_count(&self) -> usize {
        self.providers.values().map(|p| p.models.len()).sum()
    }

    /// Number of price lists (one per model, region and currency).
    pub fn price_count(&self) -> usize {
        self.providers
            .values()
            .flat_map(|p| &p.models)
            .map(|m| m.prices.len())
            .sum()
    }

    /// The newest rate turning `from` into `to`: a `from→to` fact used directly or a `to→from`
    /// fact used inversely, whichever has the later `as_of` (a later file wins a tie). Returns
    /// the multiplier and the fact it comes from.
    pub fn exchange_rate(&self, from: Currency, to: Currency) -> Option<(Decimal, &ExchangeRate)> {
        let mut best: Option<((u32, u32, u32), Decimal, &ExchangeRate)> = None;
        for r in &self.exchange_rates {
            let factor = if r.from == from && r.to == to {
                r.rate
            } else if r.from == to && r.to == from && !r.rate.is_zero() {
                Decimal::ONE / r.rate
            } else {
                continue;
            };
            let key = date_key(&r.source.as_of);
            if best.as_ref().is_none_or(|(k, _, _)| key >= *k) {
                best = Some((key, factor, r));
            }
        }
        best.map(|(_, factor, r)| (factor, r))
    }

    /// `money` in `to`, through the newest dated rate; the same currency converts to itself.
    /// `None` when the catalog has no rate between the two.
    pub fn convert(&self, money: Money, to: Currency) -> Option<Money> {
        self.convert_sourced(money, to).map(|(m, _)| m)
    }

    /// Like [`Catalog::convert`], also naming the rate's source (`None` for same-currency).
    pub fn convert_sourced(&self, money: Money, to: Currency) -> Option<(Money, Option<&Source>)> {
        if money.currency == to {
            return Some((money, None));
        }
        let (factor, rate) = self.exchange_rate(money.currency, to)?;
        Some((Money::new(money.amount * factor, to), Some(&rate.source)))
    }
}

impl Provider {
    /// Every jurisdiction the provider has a region in.
    pub fn jurisdictions(&self) -> BTreeSet<Jurisdiction> {
        self.regions
            .iter()
            .filter_map(|r| r.jurisdiction.clone())
            .collect()
    }

    /// Regions in one jurisdiction.
    pub fn regions_in<'a>(
        &'a self,
        jurisdiction: &'a Jurisdiction,
    ) -> impl Iterator<Item = &'a Region> + 'a {
        self.regions
            .iter()
            .filter(move |r| r.jurisdiction.as_ref() == Some(jurisdiction))
    }

    pub fn region(&self, id: &str) -> Option<&Region> {
        self.regions.iter().find(|r| r.id == id)
    }

    pub fn model(&self, id: &str) -> Option<&ModelOffering> {
        self.models.iter().find(|m| m.id == id)
    }

    /// Whether a certification is on record as held: `name` case-insensitively (`iso27001`),
    /// and for a graded form (`MLPS3`) a record of at least that level. A record that says the
    /// certification is not held, or that covers another product of the provider, does not
    /// count; whether a platform certificate covers the model service is for the caller to weigh.
    pub fn has_certification(&self, name: &str) -> bool {
        let (name, level) = match crate::names::parse_certification(name) {
            Some((n, level)) => (n, level),
            None => (name, None),
        };
        self.certifications.iter().any(|c| {
            c.held
                && c.coverage != crate::model::CertCoverage::OtherProduct
                && c.name.eq_ignore_ascii_case(name)
                && level.is_none_or(|want| c.level.is_some_and(|have| have >= want))
        })
    }

    /// Published incidents that started on or after `since` (`YYYY-MM-DD`).
    pub fn incidents_since<'a>(
        &'a self,
        since: &'a str,
    ) -> impl Iterator<Item = &'a crate::model::Incident> + 'a {
        self.incidents
            .iter()
            .filter(move |i| i.started.as_str() >= since)
    }

    /// Display name in English, with the Chinese name when known.
    pub fn display_name(&self) -> String {
        match &self.name_zh {
            // Some providers publish the same name in both languages; say it once.
            Some(zh) if *zh != self.name_en => format!("{} ({zh})", self.name_en),
            _ => self.name_en.clone(),
        }
    }
}

/// Whether a GPU instance's `instance_gpu` is the `wanted` model: the same name, or `wanted` as
/// a family prefix up to a `-` (`H100` matches `H100-80G` and `H100-SXM`); case-insensitive.
pub fn gpu_matches(instance_gpu: &str, wanted: &str) -> bool {
    let (have, want) = (
        instance_gpu.to_ascii_uppercase(),
        wanted.trim().to_ascii_uppercase(),
    );
    have == want || have.starts_with(&format!("{want}-"))
}

impl ModelOffering {
    pub fn has(&self, capability: Capability) -> bool {
        self.capabilities.contains(&capability)
    }

    pub fn has_all<'a>(&self, required: impl IntoIterator<Item = &'a Capability>) -> bool {
        required.into_iter().all(|c| self.has(*c))
    }

    /// Price lists that apply in `region`: those for that region and those for all regions.
    /// With `region: None`, every price list.
    pub fn prices_for<'a>(
        &'a self,
        region: Option<&'a str>,
    ) -> impl Iterator<Item = &'a TokenPrice> + 'a {
        self.prices
            .iter()
            .filter(move |p| match (region, &p.region) {
                (None, _) | (_, None) => true,
                (Some(want), Some(have)) => want == have,
            })
    }

    /// The best-known score on one benchmark: the newest snapshot.
    pub fn quality(&self, benchmark: &str) -> Option<&crate::model::QualityScore> {
        self.quality
            .iter()
            .filter(|q| q.benchmark == benchmark)
            .max_by(|a, b| a.snapshot.cmp(&b.snapshot))
    }
}

impl TokenPrice {
    /// The band that prices a request whose prompt has `prompt_tokens` tokens: the first tier
    /// whose limit is at least that, or the unbounded last tier. `None` when the prompt is longer
    /// than every bounded tier (the model does not take such prompts at a known price).
    pub fn tier_for(&self, prompt_tokens: u64) -> Option<&PriceTier> {
        self.tiers.iter().find(|t| {
            t.up_to_prompt_tokens
                .is_none_or(|limit| prompt_tokens <= limit)
        })
    }

    /// The first (shortest-prompt) tier; the flat price when there is only one.
    pub fn base_tier(&self) -> Option<&PriceTier> {
        self.tiers.first()
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::model::{Reliability, Source};

    fn price(limits: &[u64], unbounded_last: bool) -> TokenPrice {
        let mut tiers: Vec<PriceTier> = limits
            .iter()
            .enumerate()
            .map(|(i, l)| PriceTier {
                up_to_prompt_tokens: Some(*l),
                input_per_mtok: Decimal::from(i),
                output_per_mtok: Decimal::from(i),
                cached_input_per_mtok: None,
                cache_write_per_mtok: None,
            })
            .collect();
        if unbounded_last {
            tiers.push(PriceTier {
                up_to_prompt_tokens: None,
                input_per_mtok: Decimal::from(limits.len()),
                output_per_mtok: Decimal::from(limits.len()),
                cached_input_per_mtok: None,
                cache_write_per_mtok: None,
            });
        }
        TokenPrice {
            region: None,
            currency: Currency::Usd,
            tiers,
            superseded: false,
            off_peak: false,
            source: Source {
                source: "test".into(),
                as_of: "2026-01-01".into(),
                reliability: Reliability::Primary,
            },
        }
    }

    proptest! {
        #[test]
        fn tier_for_is_the_first_band_that_holds_the_prompt(
            mut limits in proptest::collection::btree_set(1u64..1_000_000, 1..5),
            unbounded in any::<bool>(),
            prompt in 0u64..1_200_000,
        ) {
            let limits: Vec<u64> = std::mem::take(&mut limits).into_iter().collect();
            let p = price(&limits, unbounded);
            match p.tier_for(prompt) {
                Some(t) => {
                    let i = usize::try_from(t.input_per_mtok.mantissa()).unwrap();
                    // it holds the prompt ...
                    prop_assert!(t.up_to_prompt_tokens.is_none_or(|l| prompt <= l));
                    // ... and no earlier band does
                    prop_assert!(limits[..i.min(limits.len())].iter().all(|l| prompt > *l));
                }
                None => {
                    prop_assert!(!unbounded);
                    prop_assert!(prompt > *limits.last().unwrap());
                }
            }
        }

        #[test]
        fn conversion_there_and_back_is_identity(amount in 0i64..10_000_000, rate_milli in 1i64..100_000) {
            let catalog = Catalog {
                exchange_rates: vec![ExchangeRate {
                    from: Currency::Usd,
                    to: Currency::Cny,
                    rate: Decimal::new(rate_milli, 3),
                    source: Source { source: "t".into(), as_of: "2026-01-01".into(), reliability: Reliability::Primary },
                }],
                ..Catalog::default()
            };
            let m = Money::new(Decimal::new(amount, 2), Currency::Usd);
            let there = catalog.convert(m, Currency::Cny).unwrap();
            let back = catalog.convert(there, Currency::Usd).unwrap();
            prop_assert_eq!(back.amount.round_dp(6), m.amount.round_dp(6));
        }
    }

    #[test]
    fn date_keys_order_dates() {
        assert!(date_key("2026-07-24") > date_key("2026-07-01"));
        assert!(date_key("2026-01") > date_key("2025-12-31"));
        assert!(date_key("2025H2") > date_key("2025H1"));
        assert!(date_key("2025") > date_key("undated snapshot"));
        assert_eq!(date_key("undated snapshot"), (0, 0, 0));
    }
}
