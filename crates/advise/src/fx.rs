//! Currency conversion through the catalog's dated exchange-rate facts.

use cloudfit_catalog::{Currency, ExchangeRate, Money};
use rust_decimal::Decimal;

use crate::criterion::Evidence;

/// Converts money with the catalog's rates: a direct rate, the inverse of the opposite rate, or
/// a cross rate through a third currency. When several facts give the same pair, the one with
/// the latest `as_of` wins (ties: the later entry).
#[derive(Clone, Copy, Debug)]
pub struct Fx<'a> {
    rates: &'a [ExchangeRate],
}

/// A converted amount and the rate facts used.
#[derive(Clone, Debug, PartialEq)]
pub struct Converted {
    pub amount: Decimal,
    pub evidence: Vec<Evidence>,
}

impl<'a> Fx<'a> {
    pub fn new(rates: &'a [ExchangeRate]) -> Self {
        Fx { rates }
    }

    /// `money` in `to`; `None` when no rate (direct, inverse or cross) connects the currencies.
    pub fn convert(&self, money: Money, to: Currency) -> Option<Converted> {
        if money.currency == to {
            return Some(Converted {
                amount: money.amount,
                evidence: Vec::new(),
            });
        }
        if let Some((factor, ev)) = self.factor(money.currency, to) {
            return Some(Converted {
                amount: money.amount * factor,
                evidence: vec![ev],
            });
        }
        for via in [Currency::Usd, Currency::Cny, Currency::Eur] {
            if via == money.currency || via == to {
                continue;
            }
            if let (Some((a, ea)), Some((b, eb))) =
                (self.factor(money.currency, via), self.factor(via, to))
            {
                return Some(Converted {
                    amount: money.amount * a * b,
                    evidence: vec![ea, eb],
                });
            }
        }
        None
    }

    /// Multiplier from one currency to another with one fact, direct or inverted.
    fn factor(&self, from: Currency, to: Currency) -> Option<(Decimal, Evidence)> {
        let newest = |pick: &dyn Fn(&ExchangeRate) -> bool| {
            self.rates
                .iter()
                .filter(|r| pick(r) && r.rate > Decimal::ZERO)
                .max_by(|a, b| a.source.as_of.cmp(&b.source.as_of))
        };
        if let Some(r) = newest(&|r| r.from == from && r.to == to) {
            return Some((
                r.rate,
                Evidence::new(format!("1 {} = {} {}", r.from, r.rate, r.to), &r.source),
            ));
        }
        let r = newest(&|r| r.from == to && r.to == from)?;
        let factor = Decimal::ONE.checked_div(r.rate)?;
        Some((
            factor,
            Evidence::new(format!("1 {} = {} {}", r.from, r.rate, r.to), &r.source),
        ))
    }
}

#[cfg(test)]
mod tests {
    use cloudfit_catalog::{Reliability, Source};

    use super::*;

    fn rate(from: Currency, to: Currency, rate: i64, scale: u32, as_of: &str) -> ExchangeRate {
        ExchangeRate {
            from,
            to,
            rate: Decimal::new(rate, scale),
            source: Source {
                source: "test".into(),
                as_of: as_of.into(),
                reliability: Reliability::Primary,
            },
        }
    }

    fn usd(amount: i64) -> Money {
        Money {
            amount: Decimal::from(amount),
            currency: Currency::Usd,
        }
    }

    #[test]
    fn direct_inverse_cross_and_newest() {
        let rates = [
            rate(Currency::Usd, Currency::Cny, 70, 1, "2024-01-01"),
            rate(Currency::Usd, Currency::Cny, 72, 1, "2026-01-01"),
            rate(Currency::Eur, Currency::Usd, 11, 1, "2026-01-01"),
        ];
        let fx = Fx::new(&rates);
        let c = fx.convert(usd(10), Currency::Cny).unwrap();
        assert_eq!(c.amount, Decimal::from(72));
        assert_eq!(c.evidence[0].as_of, "2026-01-01");
        let back = fx
            .convert(
                Money {
                    amount: Decimal::from(72),
                    currency: Currency::Cny,
                },
                Currency::Usd,
            )
            .unwrap();
        assert_eq!(back.amount.round_dp(10), Decimal::from(10));
        let cross = fx
            .convert(
                Money {
                    amount: Decimal::from(10),
                    currency: Currency::Eur,
                },
                Currency::Cny,
            )
            .unwrap();
        assert_eq!(cross.amount, Decimal::new(792, 1));
        assert_eq!(cross.evidence.len(), 2);
        assert!(Fx::new(&rates[..1])
            .convert(
                Money {
                    amount: Decimal::ONE,
                    currency: Currency::Eur
                },
                Currency::Cny
            )
            .is_none());
        assert_eq!(
            fx.convert(usd(5), Currency::Usd).unwrap().amount,
            Decimal::from(5)
        );
    }
}
