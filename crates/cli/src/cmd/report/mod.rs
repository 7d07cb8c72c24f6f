//! Shared by `rank`, `tco` and `claims`: loading a profile with the catalog, and rendering
//! advice as JSON, a table, a Markdown report or a self-contained HTML report.
//!
//! This module holds what every format shares (arguments, value formatting, the columns and
//! legend of the ranking); each format has its own file.

use std::path::Path;

use anyhow::anyhow;
use cloudfit_advise::i18n::{self, label, Lang};
use cloudfit_advise::{
    catalog_as_of, Advice, AdviseError, Criterion, CriterionValue, Date, Evidence, Profile,
    ProfileError, RankMethod,
};
use cloudfit_catalog::Catalog;

use crate::cmd::catalog::CatalogArgs;
use crate::failure::Failure;

mod explain;
#[cfg(test)]
mod fixtures;
mod html;
mod json;
mod markdown;
mod table;
mod tco;

pub use html::rank_html;
pub use json::rank_json;
pub use markdown::rank_markdown;
pub use table::{fill_table, keep_words_whole, narrow_table, rank_table, wrap, WIDTH};
pub use tco::{tco_json, tco_summary, tco_table, Sources};

/// Catalog overlays and language, flattened into `rank`, `tco` and `claims`.
#[derive(clap::Args, Clone, Debug)]
pub struct Common {
    #[command(flatten)]
    pub catalog: CatalogArgs,
    /// Language of people-facing text (default: zh when LC_ALL/LANG starts with "zh", else en)
    #[arg(long, value_enum)]
    pub lang: Option<LangArg>,
    /// Date the advice is for (ends the 24-month incident window); default: the profile's
    /// `as_of`, else the newest dated fact in the catalog
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub as_of: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum LangArg {
    Zh,
    En,
}

impl Common {
    pub fn lang(&self) -> Lang {
        match self.lang {
            Some(LangArg::Zh) => Lang::Zh,
            Some(LangArg::En) => Lang::En,
            None => Lang::from_locale(
                std::env::var("LC_ALL").ok().as_deref(),
                std::env::var("LANG").ok().as_deref(),
            ),
        }
    }

    /// The built-in catalog plus overlays; every problem is bad input.
    pub fn catalog(&self) -> Result<Catalog, Failure> {
        self.catalog.load()
    }

    pub fn as_of(&self, profile: Option<&Profile>, catalog: &Catalog) -> Result<Date, Failure> {
        if let Some(text) = &self.as_of {
            return Date::parse(text).ok_or_else(|| {
                Failure::input(anyhow!(
                    "--as-of: expected a date YYYY-MM-DD, found {text:?}"
                ))
            });
        }
        profile
            .and_then(|p| p.as_of)
            .or_else(|| catalog_as_of(catalog))
            .ok_or_else(|| {
                Failure::input(anyhow!(
                    "--as-of: the catalog has no dated fact; pass --as-of YYYY-MM-DD"
                ))
            })
    }
}

pub fn load_profile(path: &Path) -> Result<Profile, Failure> {
    Profile::load(path).map_err(|e| match e {
        ProfileError::Read { .. } => Failure::input(e),
        ProfileError::Invalid { .. } => Failure::input(e),
    })
}

/// Profile/catalog mismatches are the user's to fix (exit 2); decide failures are ours.
pub fn advise_failure(e: AdviseError) -> Failure {
    match e {
        AdviseError::Decide(_) => Failure::runtime(e),
        _ => Failure::input(e),
    }
}

/// Round for output: stable across platforms and readable.
pub fn round(x: f64, dp: i32) -> f64 {
    let f = 10f64.powi(dp);
    let r = (x * f).round() / f;
    if r == 0.0 {
        0.0
    } else {
        r
    }
}

fn provider_name(advice: &Advice, index: usize, lang: Lang) -> String {
    let p = &advice.assessment.providers[index];
    match (lang, &p.name_zh) {
        (Lang::Zh, Some(zh)) => zh.clone(),
        _ => p.name_en.clone(),
    }
}

/// The label separator: `: ` in English, a full-width colon in Chinese.
pub fn colon(lang: Lang) -> &'static str {
    match lang {
        Lang::En => ": ",
        Lang::Zh => ":",
    }
}

// ---------------------------------------------------------------- numbers and values

pub use cloudfit_advise::i18n::grouped;

/// A number without trailing zeros after the point, grouped (`6,000`, `0.5`, `0.075`).
fn plain(x: f64, max_dp: usize) -> String {
    let s = grouped(x, max_dp);
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        s
    }
}

/// A criterion value's number in its house format: money without decimals and with
/// thousands separators, downtime hours with two decimals, points and tokens/s with one.
fn number(v: &CriterionValue) -> String {
    match v.criterion {
        Criterion::Cost => grouped(v.value, 0),
        Criterion::Migration if v.unit == "engineer-days" => plain(v.value, 1),
        Criterion::Migration => grouped(v.value, 0),
        Criterion::Stability => grouped(v.value, 2),
        Criterion::Performance | Criterion::Compliance | Criterion::AiCapability => {
            grouped(v.value, 1)
        }
    }
}

/// How much of a criterion value rests on facts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Knowledge {
    Known,
    /// Some facts known, some not: the number is the worst case of the unknown part.
    Partly,
    /// No fact behind it at all: the number is a fallback taken from other providers.
    Unknown,
}

fn knowledge(v: &CriterionValue) -> Knowledge {
    match (v.unknown, v.evidence.is_empty()) {
        (false, _) => Knowledge::Known,
        (true, false) => Knowledge::Partly,
        (true, true) => Knowledge::Unknown,
    }
}

/// What the table says about each criterion, over all ranked providers.
struct Columns {
    /// Per criterion: every provider's value is [`Knowledge::Unknown`].
    all_unknown: [bool; 6],
    any_partly: bool,
    /// Some value is unknown in a column that is not wholly unknown.
    any_unknown: bool,
}

impl Columns {
    fn of(advice: &Advice) -> Self {
        let providers: Vec<_> = advice
            .ranking
            .iter()
            .map(|r| &advice.assessment.providers[r.index])
            .collect();
        let mut all_unknown = [false; 6];
        let (mut any_partly, mut any_unknown) = (false, false);
        for c in Criterion::ALL {
            let ks: Vec<Knowledge> = providers
                .iter()
                .map(|p| knowledge(p.criterion(c)))
                .collect();
            all_unknown[c.index()] = !ks.is_empty() && ks.iter().all(|k| *k == Knowledge::Unknown);
            any_partly |= ks.contains(&Knowledge::Partly);
            any_unknown |= !all_unknown[c.index()] && ks.contains(&Knowledge::Unknown);
        }
        Columns {
            all_unknown,
            any_partly,
            any_unknown,
        }
    }
}

/// A criterion value for people: the number; the number with `?` when part of it rests on an
/// unknown fact; `unknown` when no fact is behind it (`?` alone when the whole column is).
fn cell(v: &CriterionValue, columns: &Columns, lang: Lang) -> String {
    match knowledge(v) {
        Knowledge::Known => number(v),
        Knowledge::Partly => format!("{}?", number(v)),
        Knowledge::Unknown if columns.all_unknown[v.criterion.index()] => "?".to_owned(),
        Knowledge::Unknown => label("unknown", lang).to_owned(),
    }
}

/// The value with its unit for the evidence lists (`13,791 USD/month`, `unknown`).
fn value_with_unit(v: &CriterionValue, lang: Lang) -> String {
    match knowledge(v) {
        Knowledge::Known => format!("{} {}", number(v), i18n::unit(&v.unit, lang)),
        Knowledge::Partly => format!("{}? {}", number(v), i18n::unit(&v.unit, lang)),
        Knowledge::Unknown => label("unknown", lang).to_owned(),
    }
}

fn unit_of(advice: &Advice, c: Criterion) -> String {
    advice
        .assessment
        .providers
        .first()
        .map(|p| p.criterion(c).unit.clone())
        .unwrap_or_default()
}

fn header(lang: Lang) -> Vec<String> {
    let mut h = vec![
        "#".to_owned(),
        label("provider", lang).to_owned(),
        label("score", lang).to_owned(),
    ];
    h.extend(
        Criterion::ALL
            .iter()
            .map(|c| i18n::criterion_short(*c, lang).to_owned()),
    );
    h.push(label("first_rank_share", lang).to_owned());
    h
}

/// Columns of [`header`] that hold numbers (right-aligned).
fn numeric(column: usize) -> bool {
    column != 1
}

fn row(advice: &Advice, r: &cloudfit_advise::Ranked, columns: &Columns, lang: Lang) -> Vec<String> {
    let p = &advice.assessment.providers[r.index];
    let mut row = vec![r.rank.to_string(), p.id.clone(), format!("{:.3}", r.score)];
    row.extend(p.criteria.iter().map(|v| cell(v, columns, lang)));
    row.push(format!("{:.1}%", r.first_rank_share * 100.0));
    row
}

fn weights_line(advice: &Advice, lang: Lang, short: bool) -> String {
    Criterion::ALL
        .iter()
        .map(|c| {
            let name = if short {
                i18n::criterion_short(*c, lang)
            } else {
                i18n::criterion(*c, lang)
            };
            format!("{name} {:.2}", advice.weights[c.index()])
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The lines printed under the ranking table: units once, then what `?` and `unknown` mean.
fn legend(advice: &Advice, columns: &Columns, lang: Lang) -> Vec<String> {
    let sep = match lang {
        Lang::En => ": ",
        Lang::Zh => ":",
    };
    let units: Vec<String> = Criterion::ALL
        .iter()
        .map(|c| {
            format!(
                "{}{sep}{}",
                i18n::criterion_short(*c, lang),
                i18n::unit(&unit_of(advice, *c), lang)
            )
        })
        .collect();
    let mut out = vec![
        units.join(" · "),
        format!(
            "{}{sep}{} · {}{sep}{}",
            label("score", lang),
            label(
                match advice.method {
                    RankMethod::Topsis => "score_topsis",
                    RankMethod::Wsm => "score_wsm",
                    RankMethod::Smaa => "score_smaa",
                },
                lang
            ),
            label("first_rank_share", lang),
            label("share_legend", lang)
        ),
    ];
    if columns.any_partly {
        out.push(label("unknown_note", lang).to_owned());
    }
    if columns.any_unknown {
        out.push(label("unknown_value_note", lang).to_owned());
    }
    for c in Criterion::ALL {
        if !columns.all_unknown[c.index()] {
            continue;
        }
        let hint = match (c, lang) {
            (Criterion::Performance, Lang::En) => format!(" ({})", label("performance_hint", lang)),
            (Criterion::Performance, Lang::Zh) => format!("({})", label("performance_hint", lang)),
            _ => String::new(),
        };
        out.push(format!(
            "{} ? = {}{hint}{sep}{}",
            i18n::criterion_short(c, lang),
            label("unknown_column", lang),
            label("unknown_column_effect", lang)
        ));
    }
    out
}

/// `id = full name` for every ranked provider whose table id differs from its name.
fn names_line(advice: &Advice, lang: Lang) -> Option<String> {
    let names: Vec<String> = advice
        .ranking
        .iter()
        .filter_map(|r| {
            let id = &advice.assessment.providers[r.index].id;
            let name = provider_name(advice, r.index, lang);
            (name != *id).then(|| format!("{id} = {name}"))
        })
        .collect();
    (!names.is_empty()).then(|| names.join(" · "))
}

/// The items no provider can price, for people; `None` when every item has a price somewhere.
fn unpriced_everywhere(advice: &Advice, lang: Lang) -> Option<String> {
    let items = &advice.assessment.unpriced_everywhere;
    (!items.is_empty()).then(|| {
        items
            .iter()
            .map(|i| cloudfit_advise::tco::cost_item(i, lang))
            .collect::<Vec<_>>()
            .join(", ")
    })
}

/// The AHP consistency ratio when it is above 0.1, where the judgements deserve a warning.
fn ahp_inconsistent(advice: &Advice) -> Option<f64> {
    advice.ahp_cr.filter(|cr| *cr > 0.1)
}

/// `source, as of` for an evidence line (derived values have no date).
/// Source, date and reliability of a fact, for reports.
fn cited(e: &Evidence) -> String {
    let mut out = e.source.clone();
    if !e.as_of.is_empty() {
        out.push_str(&format!(", {}", e.as_of));
    }
    if let Some(r) = e.reliability {
        out.push_str(&format!(", {r}"));
    }
    out
}

fn preset_source(profile: &Profile, lang: Lang) -> Option<&'static str> {
    profile.segment.map(|s| {
        let p = s.preset();
        match lang {
            Lang::Zh => p.source_zh,
            Lang::En => p.source_en,
        }
    })
}

#[cfg(test)]
mod tests {
    use cloudfit_advise::i18n::Lang;
    use cloudfit_advise::Criterion;

    use super::fixtures::value;
    use super::*;

    #[test]
    fn money_and_numbers_read_well() {
        for (x, dp, text) in [
            (13_791.4, 0, "13,791"),
            (999.5, 0, "1,000"),
            (1_234_567.891, 2, "1,234,567.89"),
            (-0.001, 2, "0.00"),
            (-1234.0, 0, "-1,234"),
            (0.0, 1, "0.0"),
            (100.0, 0, "100"),
        ] {
            assert_eq!(grouped(x, dp), text, "{x} with {dp} decimals");
        }
        assert_eq!(plain(6000.0, 3), "6,000");
        assert_eq!(plain(0.075, 3), "0.075");
        assert_eq!(plain(0.5, 3), "0.5");
    }

    #[test]
    fn unknown_is_a_word_partly_known_is_a_number_with_a_question_mark() {
        let mut columns = Columns {
            all_unknown: [false; 6],
            any_partly: true,
            any_unknown: true,
        };
        let cost = |unknown, evidence| value(Criterion::Cost, 19_075.2, unknown, evidence);
        assert_eq!(cell(&cost(false, true), &columns, Lang::En), "19,075");
        assert_eq!(cell(&cost(true, true), &columns, Lang::En), "19,075?");
        assert_eq!(cell(&cost(true, false), &columns, Lang::En), "unknown");
        assert_eq!(cell(&cost(true, false), &columns, Lang::Zh), "未知");
        columns.all_unknown[Criterion::Cost.index()] = true;
        assert_eq!(cell(&cost(true, false), &columns, Lang::En), "?");
        let stability = value(Criterion::Stability, 0.7304, false, true);
        assert_eq!(cell(&stability, &columns, Lang::En), "0.73");
        let points = value(Criterion::Compliance, 85.0, false, true);
        assert_eq!(cell(&points, &columns, Lang::En), "85.0");
        let mut days = value(Criterion::Migration, 3.0, false, true);
        days.unit = "engineer-days".to_owned();
        assert_eq!(cell(&days, &columns, Lang::En), "3");
    }
}
