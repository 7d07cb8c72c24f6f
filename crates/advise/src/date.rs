//! Calendar dates as plain values: no clock is ever read; every "now" is passed in.

use std::fmt;

/// A civil date (proleptic Gregorian).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

impl Date {
    /// Parse `YYYY-MM-DD`; `None` for anything else or an impossible day.
    pub fn parse(text: &str) -> Option<Date> {
        let mut parts = text.trim().splitn(3, '-');
        let year: i32 = parts.next()?.parse().ok()?;
        let month_text = parts.next()?;
        let day_text = parts.next()?;
        if month_text.len() != 2 || day_text.len() != 2 {
            return None;
        }
        let month: u32 = month_text.parse().ok()?;
        let day: u32 = day_text.parse().ok()?;
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        Some(Date { year, month, day })
    }

    /// The first `YYYY-MM-DD` found at the start of `text` (`2025-10-20 (page updated)`).
    pub fn parse_prefix(text: &str) -> Option<Date> {
        text.get(..10).and_then(Date::parse)
    }

    /// The same day `months` months earlier, clamped to the month's last day.
    pub fn minus_months(self, months: u32) -> Date {
        let total = self.year * 12 + (self.month as i32 - 1) - months as i32;
        let year = total.div_euclid(12);
        let month = total.rem_euclid(12) as u32 + 1;
        let day = self.day.min(days_in_month(year, month));
        Date { year, month, day }
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// The newest `YYYY-MM-DD` date among the catalog's facts: the default "as of" of the advice,
/// so a run never depends on the clock.
pub fn catalog_as_of(catalog: &cloudfit_catalog::Catalog) -> Option<Date> {
    let mut dates: Vec<&str> = Vec::new();
    for p in catalog.providers.values() {
        dates.extend(p.regions.iter().map(|r| r.source.as_of.as_str()));
        dates.extend(p.endpoints.iter().map(|r| r.source.as_of.as_str()));
        dates.extend(p.certifications.iter().map(|r| r.source.as_of.as_str()));
        dates.extend(p.sla.iter().map(|r| r.source.as_of.as_str()));
        dates.extend(p.incidents.iter().map(|r| r.source.as_of.as_str()));
        dates.extend(p.gpu_instances.iter().map(|r| r.source.as_of.as_str()));
        dates.extend(p.egress.iter().map(|r| r.source.as_of.as_str()));
        dates.extend(p.support.iter().map(|r| r.source.as_of.as_str()));
        for m in &p.models {
            dates.push(m.source.as_of.as_str());
            dates.extend(m.prices.iter().map(|r| r.source.as_of.as_str()));
            dates.extend(m.quality.iter().map(|r| r.source.as_of.as_str()));
        }
    }
    dates.extend(catalog.claims.iter().map(|r| r.source.as_of.as_str()));
    dates.extend(
        catalog
            .exchange_rates
            .iter()
            .map(|r| r.source.as_of.as_str()),
    );
    dates.into_iter().filter_map(Date::parse_prefix).max()
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        _ => 28,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_rejects() {
        assert_eq!(
            Date::parse("2024-02-29"),
            Some(Date {
                year: 2024,
                month: 2,
                day: 29
            })
        );
        for bad in [
            "2023-02-29",
            "2024-13-01",
            "2024-1-01",
            "yesterday",
            "2024-00-10",
        ] {
            assert_eq!(Date::parse(bad), None, "{bad}");
        }
        assert_eq!(
            Date::parse_prefix("2025-09-08 (page updated)").map(|d| d.to_string()),
            Some("2025-09-08".to_owned())
        );
    }

    #[test]
    fn months_back_clamp_to_month_end() {
        let d = Date::parse("2026-03-31").unwrap();
        assert_eq!(d.minus_months(24).to_string(), "2024-03-31");
        assert_eq!(d.minus_months(1).to_string(), "2026-02-28");
        assert_eq!(d.minus_months(15).to_string(), "2024-12-31");
    }
}
