//! Shared by `rank`, `tco` and `claims`: loading a profile with the catalog, and rendering
//! advice as JSON, a table, a Markdown report or a self-contained HTML report.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::anyhow;
use cloudfit_advise::i18n::{self, label, Lang};
use cloudfit_advise::tco::to_f64;
use cloudfit_advise::{
    catalog_as_of, Advice, AdviseError, Criterion, CriterionValue, Date, Evidence, Profile,
    ProfileError, ProviderAssessment, RankMethod, Tco,
};
use cloudfit_catalog::{Catalog, Money};
use comfy_table::{CellAlignment, ColumnConstraint, Table, Width as ComfyWidth};
use serde_json::{json, Map, Value};

use crate::cmd::catalog::CatalogArgs;
use crate::failure::Failure;

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

fn money_json(amount: f64, currency: impl std::fmt::Display) -> Value {
    json!({"amount": round(amount, 2), "currency": currency.to_string()})
}

fn evidence_json(e: &[Evidence]) -> Value {
    Value::Array(
        e.iter()
            .map(|e| json!({"fact": e.fact, "source": e.source, "as_of": e.as_of}))
            .collect(),
    )
}

fn provider_name(advice: &Advice, index: usize, lang: Lang) -> String {
    let p = &advice.assessment.providers[index];
    match (lang, &p.name_zh) {
        (Lang::Zh, Some(zh)) => zh.clone(),
        _ => p.name_en.clone(),
    }
}

/// The `rank --format json` document (keys fixed by docs/design.md; extra keys only added).
pub fn rank_json(advice: &Advice, lang: Lang) -> Value {
    let a = &advice.assessment;
    let ranking: Vec<Value> = advice
        .ranking
        .iter()
        .map(|r| {
            let p = &a.providers[r.index];
            let mut criteria = Map::new();
            let mut unknown = Map::new();
            let mut ranges = Map::new();
            let mut evidence = Map::new();
            let mut notes = Map::new();
            let mut fallback = Map::new();
            for v in &p.criteria {
                let key = v.criterion.key();
                // A criterion with no fact at all is null, never a made-up number; the value the
                // deterministic method scored it at is reported apart, as `fallback`.
                if knowledge(v) == Knowledge::Unknown {
                    criteria.insert(key.into(), Value::Null);
                    fallback.insert(key.into(), json!(round(v.value, 4)));
                } else {
                    criteria.insert(key.into(), json!(round(v.value, 4)));
                }
                unknown.insert(key.into(), json!(v.unknown));
                if let Some((lo, hi)) = v.range {
                    ranges.insert(key.into(), json!([round(lo, 4), round(hi, 4)]));
                }
                evidence.insert(key.into(), evidence_json(&v.evidence));
                if !v.note.is_empty() {
                    notes.insert(key.into(), json!(v.note));
                }
            }
            let cost = p.criterion(Criterion::Cost);
            json!({
                "provider": p.id,
                "name": provider_name(advice, r.index, lang),
                "rank": r.rank,
                "score": round(r.score, 6),
                "criteria": criteria,
                "monthly_cost": if knowledge(cost) == Knowledge::Unknown {
                    json!({"amount": Value::Null, "currency": a.currency.to_string()})
                } else {
                    money_json(cost.value, a.currency)
                },
                "first_rank_share": round(r.first_rank_share, 4),
                "rank_acceptability": r.rank_acceptability.iter().map(|x| round(*x, 4)).collect::<Vec<_>>(),
                "unknown": unknown,
                "fallback": fallback,
                "ranges": ranges,
                "notes": notes,
                "evidence": evidence,
            })
        })
        .collect();
    let excluded: Vec<Value> = a
        .excluded
        .iter()
        .map(|e| json!({"provider": e.provider, "reason": i18n::exclusion(&e.reason, lang)}))
        .collect();
    let units: Map<String, Value> = Criterion::ALL
        .iter()
        .map(|c| {
            let unit = a
                .providers
                .first()
                .map(|p| p.criterion(*c).unit.clone())
                .unwrap_or_default();
            (c.key().to_owned(), json!(unit))
        })
        .collect();
    let weights: Map<String, Value> = Criterion::ALL
        .iter()
        .map(|c| {
            (
                c.key().to_owned(),
                json!(round(advice.weights[c.index()], 4)),
            )
        })
        .collect();
    let explanation = advice.explanation.as_ref().map(|e| {
        json!({
            "winner": e.winner,
            "runner_up": e.runner_up,
            "text": explanation_lines(advice, lang),
            "contributions": e.contributions.iter().map(|c| json!({
                "criterion": c.criterion.key(), "contribution": round(c.contribution, 6)
            })).collect::<Vec<_>>(),
            "sensitivity": e.sensitivity.iter().map(|m| json!({
                "criterion": m.criterion.key(),
                "weight": round(m.weight, 4),
                "lower": round(m.lower, 4),
                "upper": round(m.upper, 4),
                "rival_below": m.rival_below,
                "rival_above": m.rival_above,
            })).collect::<Vec<_>>(),
        })
    });
    json!({
        "profile": a.profile,
        "method": advice.method.name(),
        "ranking": ranking,
        "excluded": excluded,
        "explanation": explanation,
        "as_of": a.as_of.to_string(),
        "currency": a.currency.to_string(),
        "units": units,
        "weights": weights,
        "weight_source": advice.weight_source,
        "ahp_consistency_ratio": advice.ahp_cr.map(|x| round(x, 4)),
        "smaa": {"samples": advice.samples, "seed": advice.seed},
        "quality_reference": a.quality_reference.as_ref().map(|q| json!({
            "benchmark": q.benchmark, "snapshot": q.snapshot, "min": q.min, "max": q.max
        })),
        "unpriced_everywhere": a.unpriced_everywhere.iter().map(|i| i.to_string()).collect::<Vec<_>>(),
        "lang": lang.code(),
    })
}

/// How explanation sentences name providers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Naming {
    /// Full display names everywhere (JSON `explanation.text`).
    Full,
    /// Full name with the id at the first mention, ids afterwards (tables, where the id is
    /// what the table shows).
    Short,
}

/// Plain sentences: what makes the winner win and how far weights must move.
pub fn explanation_lines(advice: &Advice, lang: Lang) -> Vec<String> {
    explanation_lines_named(advice, lang, Naming::Full)
}

/// [`explanation_lines`] with a choice of how providers are named.
pub fn explanation_lines_named(advice: &Advice, lang: Lang, naming: Naming) -> Vec<String> {
    let Some(e) = &advice.explanation else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let full = |id: &str| -> String {
        let name = advice
            .assessment
            .providers
            .iter()
            .position(|p| p.id == id)
            .map(|i| provider_name(advice, i, lang))
            .unwrap_or_else(|| id.to_owned());
        match naming {
            Naming::Full => name,
            Naming::Short if name == id => name,
            Naming::Short => format!("{name} ({id})"),
        }
    };
    let later = |id: &str| -> String {
        match naming {
            Naming::Full => full(id),
            Naming::Short => id.to_owned(),
        }
    };
    let runner = e.runner_up.as_deref().map(full).unwrap_or_default();
    let list = |pos: bool| -> String {
        e.contributions
            .iter()
            .filter(|c| {
                if pos {
                    c.contribution > 1e-9
                } else {
                    c.contribution < -1e-9
                }
            })
            .map(|c| {
                format!(
                    "{} ({:+.3})",
                    i18n::criterion(c.criterion, lang),
                    c.contribution
                )
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let (leads, trails) = (list(true), list(false));
    let winner = full(&e.winner);
    out.push(match lang {
        Lang::En => format!(
            "{winner} is first; against {runner} it leads on {} and trails on {} (weighted normalised difference per criterion).",
            if leads.is_empty() { "nothing".into() } else { leads },
            if trails.is_empty() { "nothing".into() } else { trails }
        ),
        Lang::Zh => format!(
            "{winner} 排名第一;与 {runner} 相比,领先于 {},落后于 {}(各准则加权归一化差值)。",
            if leads.is_empty() { "无".into() } else { leads },
            if trails.is_empty() { "无".into() } else { trails }
        ),
    });
    let winner = later(&e.winner);
    for m in &e.sensitivity {
        let c = i18n::criterion(m.criterion, lang);
        let line = match (m.margin(), lang) {
            (None, Lang::En) => format!(
                "{c}: weight {:.2}; moving it alone anywhere in [0, 1] keeps {winner} first.",
                m.weight
            ),
            (None, Lang::Zh) => format!("{c}:权重 {:.2};单独在 [0, 1] 内调整都不改变第一名。", m.weight),
            (Some(d), Lang::En) => format!(
                "{c}: weight {:.2}; {winner} stays first for {:.2}..{:.2}; a change of {:.2} puts {} first.",
                m.weight,
                m.lower,
                m.upper,
                d,
                later(closest_rival(m).unwrap_or_default())
            ),
            (Some(d), Lang::Zh) => format!(
                "{c}:权重 {:.2};在 {:.2}..{:.2} 内 {winner} 保持第一;变动 {:.2} 后 {} 变为第一。",
                m.weight,
                m.lower,
                m.upper,
                d,
                later(closest_rival(m).unwrap_or_default())
            ),
        };
        out.push(line);
    }
    out
}

fn closest_rival(m: &cloudfit_advise::WeightMove) -> Option<&str> {
    let down = m.rival_below.as_deref().map(|r| (m.weight - m.lower, r));
    let up = m.rival_above.as_deref().map(|r| (m.upper - m.weight, r));
    match (down, up) {
        (Some(a), Some(b)) => Some(if a.0 <= b.0 { a.1 } else { b.1 }),
        (a, b) => a.or(b).map(|x| x.1),
    }
}

// ---------------------------------------------------------------- text layout and numbers

/// Columns people-facing text is laid out for (tables shrink further when `COLUMNS` is less).
pub const WIDTH: usize = 120;

/// Columns a character takes in a terminal: East Asian wide and full-width forms take two.
fn char_width(c: char) -> usize {
    match u32::from(c) {
        0x1100..=0x115F
        | 0x2E80..=0x303E
        | 0x3041..=0x33FF
        | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF
        | 0xA000..=0xA4CF
        | 0xAC00..=0xD7A3
        | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F
        | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6
        | 0x20000..=0x3FFFD => 2,
        _ => 1,
    }
}

/// Display width of `s` in a terminal.
pub fn text_width(s: &str) -> usize {
    s.chars().map(char_width).sum()
}

/// Wide punctuation that must not start a line.
fn closes(piece: &str) -> bool {
    matches!(piece, "," | "。" | ":" | ";" | ")" | "、" | "!" | "?")
}

/// Separator of the items in a legend line; lines break between items before inside one.
const DOT: &str = " · ";

/// Word-wrap `text` to `width` columns: the first line starts with `first`, the others with
/// `rest`. Items separated by ` · ` are kept whole on a line when they fit; otherwise lines
/// break at spaces, and between wide (CJK) characters, which have no spaces. A word longer
/// than a line (a URL) keeps its own line rather than being cut.
pub fn wrap(text: &str, first: &str, rest: &str, width: usize) -> String {
    let mut lines = Lines {
        out: String::new(),
        line: String::new(),
        used: 0,
        empty: true,
        rest,
        width,
    };
    for (n, paragraph) in text.split('\n').enumerate() {
        if n > 0 {
            lines.out.push('\n');
        }
        let prefix = if n == 0 { first } else { rest };
        lines.line = prefix.to_owned();
        lines.used = text_width(prefix);
        lines.empty = true;
        for (k, item) in paragraph.split(DOT).enumerate() {
            if k > 0 {
                let dot = text_width(DOT);
                if lines.used + dot + text_width(item) > width {
                    // end the line with the separator only where it still fits
                    if lines.used + text_width(DOT.trim_end()) <= width {
                        lines.line.push_str(DOT.trim_end());
                    }
                    lines.newline();
                } else {
                    lines.line.push_str(DOT);
                    lines.used += dot;
                }
            }
            for (space, piece) in pieces(item) {
                lines.push(space, &piece);
            }
        }
        let last = std::mem::take(&mut lines.line);
        lines.out.push_str(last.trim_end());
    }
    lines.out
}

/// Words of `text`, each with whether a space precedes it; every wide character is a word.
fn pieces(text: &str) -> Vec<(bool, String)> {
    let mut pieces = Vec::new();
    let mut word = String::new();
    let mut space = false;
    for c in text.chars() {
        if c == ' ' {
            if !word.is_empty() {
                pieces.push((space, std::mem::take(&mut word)));
            }
            space = true;
        } else if char_width(c) == 2 {
            if !word.is_empty() {
                pieces.push((space, std::mem::take(&mut word)));
                space = false;
            }
            pieces.push((space, c.to_string()));
            space = false;
        } else {
            word.push(c);
        }
    }
    if !word.is_empty() {
        pieces.push((space, word));
    }
    pieces
}

/// The state of [`wrap`]: finished lines and the line being filled.
struct Lines<'a> {
    out: String,
    line: String,
    used: usize,
    empty: bool,
    rest: &'a str,
    width: usize,
}

impl Lines<'_> {
    fn newline(&mut self) {
        self.out.push_str(self.line.trim_end());
        self.out.push('\n');
        self.line = self.rest.to_owned();
        self.used = text_width(self.rest);
        self.empty = true;
    }

    fn push(&mut self, space: bool, piece: &str) {
        let w = text_width(piece);
        let gap = usize::from(space && !self.empty);
        if !self.empty && self.used + gap + w > self.width && !closes(piece) {
            self.newline();
        }
        if space && !self.empty {
            self.line.push(' ');
            self.used += 1;
        }
        self.line.push_str(piece);
        self.used += w;
        self.empty = false;
    }
}

/// `x` with `dp` decimals and thousands separators (`13,791`, `-0` printed as `0`).
pub fn grouped(x: f64, dp: usize) -> String {
    let x = round(x, i32::try_from(dp).unwrap_or(0));
    let text = format!("{:.*}", dp, x.abs());
    let (int, frac) = match text.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (text.as_str(), None),
    };
    let mut out = String::new();
    if x < 0.0 {
        out.push('-');
    }
    let digits = int.len();
    for (i, d) in int.chars().enumerate() {
        if i > 0 && (digits - i) % 3 == 0 {
            out.push(',');
        }
        out.push(d);
    }
    if let Some(f) = frac {
        out.push('.');
        out.push_str(f);
    }
    out
}

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

/// A table in the house style no wider than [`WIDTH`] (or `COLUMNS`, when narrower).
pub fn narrow_table() -> Table {
    let mut t = crate::output::table();
    let max = u16::try_from(WIDTH).unwrap_or(u16::MAX);
    let width = t.width().map_or(max, |w| w.min(max));
    t.set_width(width);
    t
}

/// Set `header` and `rows` on `t`, never splitting a word: each column is at least as wide
/// as its longest word, so only text with spaces (or CJK text) wraps.
pub fn fill_table(t: &mut Table, header: Vec<String>, rows: Vec<Vec<String>>) {
    let mut widths = vec![0usize; header.len()];
    for cells in std::iter::once(&header).chain(rows.iter()) {
        for (w, text) in widths.iter_mut().zip(cells) {
            let longest = text
                .lines()
                .flat_map(pieces)
                .map(|(_, word)| text_width(&word))
                .max()
                .unwrap_or(0);
            *w = (*w).max(longest);
        }
    }
    t.set_header(header);
    for r in rows {
        t.add_row(r);
    }
    for (col, w) in t.column_iter_mut().zip(widths) {
        // the constraint counts the padding, one column on each side
        let w = u16::try_from(w + 2).unwrap_or(u16::MAX);
        col.set_constraint(ColumnConstraint::LowerBoundary(ComfyWidth::Fixed(w)));
    }
}

/// The label separator: `: ` in English, a full-width colon in Chinese.
pub fn colon(lang: Lang) -> &'static str {
    match lang {
        Lang::En => ": ",
        Lang::Zh => ":",
    }
}

/// The default people-facing table.
/// The providers removed by hard constraints, each with its reason.
fn push_excluded(out: &mut String, advice: &Advice, lang: Lang) {
    let a = &advice.assessment;
    if a.excluded.is_empty() {
        return;
    }
    let c = colon(lang);
    let _ = writeln!(out, "\n{}{}", label("excluded", lang), c.trim_end());
    for e in &a.excluded {
        let _ = writeln!(
            out,
            "{}",
            wrap(
                &format!("{}{c}{}", e.provider, i18n::exclusion(&e.reason, lang)),
                "  ",
                "    ",
                WIDTH
            )
        );
    }
}

pub fn rank_table(advice: &Advice, lang: Lang) -> String {
    let a = &advice.assessment;
    let c = colon(lang);
    let mut out = wrap(
        &format!("{}{c}{}", label("title", lang), a.profile),
        "",
        "  ",
        WIDTH,
    );
    out.push('\n');
    out.push_str(&wrap(
        &format!(
            "{}{c}{} · {} ({}){c}{} · {}{c}{}",
            label("method", lang),
            advice.method.name(),
            label("weights", lang),
            advice.weight_source,
            weights_line(advice, lang, true),
            label("as_of", lang),
            a.as_of
        ),
        "",
        "  ",
        WIDTH,
    ));
    out.push('\n');
    if advice.ranking.is_empty() {
        // An empty table would read as a bug; say what happened and where the reasons are.
        let _ = writeln!(
            out,
            "\n{}",
            wrap(label("none_qualifies", lang), "", "  ", WIDTH)
        );
        push_excluded(&mut out, advice, lang);
        return out;
    }
    let columns = Columns::of(advice);
    let mut t = narrow_table();
    t.set_header(header(lang));
    for r in &advice.ranking {
        t.add_row(row(advice, r, &columns, lang));
    }
    for (i, col) in t.column_iter_mut().enumerate() {
        if numeric(i) {
            col.set_cell_alignment(CellAlignment::Right);
        }
    }
    let _ = writeln!(out, "{t}");
    for line in legend(advice, &columns, lang) {
        let _ = writeln!(out, "{}", wrap(&line, "", "  ", WIDTH));
    }
    if let Some(names) = names_line(advice, lang) {
        let _ = writeln!(
            out,
            "{}",
            wrap(
                &format!("{}{c}{names}", label("providers", lang)),
                "",
                "  ",
                WIDTH
            )
        );
    }
    if !advice.ranking.is_empty() {
        let _ = writeln!(out, "\n{}{}", label("explanation", lang), c.trim_end());
        for line in explanation_lines_named(advice, lang, Naming::Short) {
            let _ = writeln!(out, "{}", wrap(&line, "  ", "    ", WIDTH));
        }
    }
    if let Some(cr) = advice.ahp_cr.filter(|cr| *cr > 0.1) {
        let _ = writeln!(
            out,
            "{}",
            wrap(
                &format!("{} (CR = {cr:.3})", label("ahp_inconsistent", lang)),
                "  ",
                "    ",
                WIDTH
            )
        );
    }
    push_excluded(&mut out, advice, lang);
    if !a.unpriced_everywhere.is_empty() {
        let items: Vec<String> = a
            .unpriced_everywhere
            .iter()
            .map(|i| i18n::cost_item(i, lang))
            .collect();
        let _ = writeln!(
            out,
            "\n{}",
            wrap(
                &format!(
                    "{}{c}{}",
                    label("unpriced_everywhere", lang),
                    items.join(", ")
                ),
                "",
                "  ",
                WIDTH
            )
        );
    }
    out
}

const BAR: usize = 40;
/// Glyphs for rank 1, 2, 3 and 4-or-lower in the text chart.
const GLYPHS: [char; 4] = ['█', '▓', '▒', '░'];

/// Colour of rank `k` (0-based) of `m` in the SVG chart: dark green for first, through pale
/// grey, to purple for last (a diverging scale that reads without a legend's help).
fn colour(k: usize, m: usize) -> String {
    const STOPS: [(f64, [f64; 3]); 3] = [
        (0.0, [27.0, 120.0, 55.0]),
        (0.5, [217.0, 217.0, 217.0]),
        (1.0, [118.0, 42.0, 131.0]),
    ];
    let t = if m <= 1 {
        0.0
    } else {
        k as f64 / (m - 1) as f64
    };
    let (a, b) = if t <= STOPS[1].0 {
        (STOPS[0], STOPS[1])
    } else {
        (STOPS[1], STOPS[2])
    };
    let f = (t - a.0) / (b.0 - a.0);
    let c: Vec<u8> = (0..3)
        .map(|i| (a.1[i] + (b.1[i] - a.1[i]) * f).round().clamp(0.0, 255.0) as u8)
        .collect();
    format!("#{:02x}{:02x}{:02x}", c[0], c[1], c[2])
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Text for Markdown: characters that would start markup (a table cell end, an HTML tag,
/// emphasis) are backslash-escaped, so facts such as `https://<resource>.openai.azure.com`
/// render as written.
fn md_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '\\' | '|' | '<' | '>' | '*' | '`') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// `source, as of` for an evidence line (derived values have no date).
fn cited(e: &Evidence) -> String {
    if e.as_of.is_empty() {
        e.source.clone()
    } else {
        format!("{}, {}", e.source, e.as_of)
    }
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

/// The text chart of rank acceptabilities: one bar per provider, one glyph run per rank.
fn text_chart(advice: &Advice) -> String {
    let width = advice
        .ranking
        .iter()
        .map(|r| text_width(&advice.assessment.providers[r.index].id))
        .max()
        .unwrap_or(0);
    let mut out = String::new();
    for r in &advice.ranking {
        let mut bar = String::new();
        let mut used = 0usize;
        let mut cum = 0.0;
        for (k, share) in r.rank_acceptability.iter().enumerate() {
            cum += share;
            let end = ((cum * BAR as f64).round() as usize).min(BAR);
            for _ in used..end {
                bar.push(GLYPHS[k.min(GLYPHS.len() - 1)]);
            }
            used = used.max(end);
        }
        let _ = writeln!(
            out,
            "{:<width$} {:<BAR$} {:>5.1}%",
            advice.assessment.providers[r.index].id,
            bar,
            r.first_rank_share * 100.0
        );
    }
    out
}

fn chart_legend(m: usize, lang: Lang) -> String {
    let mut parts: Vec<String> = (0..m.min(GLYPHS.len() - 1))
        .map(|k| format!("{} = #{}", GLYPHS[k], k + 1))
        .collect();
    if m >= GLYPHS.len() {
        parts.push(match lang {
            Lang::En => format!("{} = #{} or lower", GLYPHS[3], GLYPHS.len()),
            Lang::Zh => format!("{} = 第 {} 名及以后", GLYPHS[3], GLYPHS.len()),
        });
    }
    format!(
        "{}; {} = {}",
        parts.join(", "),
        match lang {
            Lang::En => "% on the right",
            Lang::Zh => "右侧百分比",
        },
        label("first_rank_share", lang)
    )
}

/// The forwardable Markdown report.
/// The Markdown section listing providers removed by hard constraints.
fn md_excluded(out: &mut String, advice: &Advice, lang: Lang) {
    let a = &advice.assessment;
    if a.excluded.is_empty() {
        return;
    }
    let c = colon(lang);
    let _ = writeln!(out, "\n## {}\n", label("excluded", lang));
    for e in &a.excluded {
        let _ = writeln!(
            out,
            "- **{}**{c}{}",
            e.provider,
            md_escape(&i18n::exclusion(&e.reason, lang))
        );
    }
}

pub fn rank_markdown(advice: &Advice, profile: &Profile, lang: Lang) -> String {
    let a = &advice.assessment;
    let c = colon(lang);
    let mut out = format!("# {}{c}{}\n\n", label("title", lang), md_escape(&a.profile));
    let _ = writeln!(
        out,
        "- {}{c}`{}`\n- {} ({}){c}{}\n- {}{c}{}\n- {}{c}{} · {}{c}{}\n",
        label("method", lang),
        advice.method.name(),
        label("weights", lang),
        advice.weight_source,
        weights_line(advice, lang, false),
        label("as_of", lang),
        a.as_of,
        label("samples", lang),
        advice.samples,
        label("seed", lang),
        advice.seed
    );
    if let Some(source) = preset_source(profile, lang) {
        let _ = writeln!(
            out,
            "> {}{c}{}\n",
            label("preset_source", lang),
            md_escape(source)
        );
    }
    if advice.ranking.is_empty() {
        let _ = writeln!(out, "**{}**\n", md_escape(label("none_qualifies", lang)));
        md_excluded(&mut out, advice, lang);
        return out;
    }
    let columns = Columns::of(advice);
    let h = header(lang);
    let _ = writeln!(
        out,
        "| {} |",
        h.iter()
            .map(|x| md_escape(x))
            .collect::<Vec<_>>()
            .join(" | ")
    );
    let align: Vec<&str> = (0..h.len())
        .map(|i| if numeric(i) { "--:" } else { ":--" })
        .collect();
    let _ = writeln!(out, "|{}|", align.join("|"));
    for r in &advice.ranking {
        let cells = row(advice, r, &columns, lang);
        let _ = writeln!(
            out,
            "| {} |",
            cells
                .iter()
                .map(|x| md_escape(x))
                .collect::<Vec<_>>()
                .join(" | ")
        );
    }
    out.push('\n');
    let mut notes = legend(advice, &columns, lang);
    if let Some(names) = names_line(advice, lang) {
        notes.push(format!("{}{c}{names}", label("providers", lang)));
    }
    for line in notes {
        let _ = writeln!(out, "- {}", md_escape(&line));
    }

    let _ = writeln!(
        out,
        "\n## {}\n\n```text\n{}```\n\n{}\n",
        label("acceptability", lang),
        text_chart(advice),
        chart_legend(advice.ranking.len(), lang)
    );

    let _ = writeln!(out, "## {}\n", label("explanation", lang));
    for line in explanation_lines(advice, lang) {
        let _ = writeln!(out, "- {}", md_escape(&line));
    }
    if let Some(cr) = advice.ahp_cr.filter(|cr| *cr > 0.1) {
        let _ = writeln!(out, "- {} (CR = {cr:.3})", label("ahp_inconsistent", lang));
    }
    md_excluded(&mut out, advice, lang);
    if !a.unpriced_everywhere.is_empty() {
        let items: Vec<String> = a
            .unpriced_everywhere
            .iter()
            .map(|i| i18n::cost_item(i, lang))
            .collect();
        let _ = writeln!(
            out,
            "\n{}{c}{}",
            label("unpriced_everywhere", lang),
            items.join(", ")
        );
    }
    let _ = writeln!(out, "\n## {}\n", label("evidence", lang));
    for r in &advice.ranking {
        let p = &a.providers[r.index];
        let _ = writeln!(
            out,
            "### {}. {} (`{}`)\n",
            r.rank,
            md_escape(&provider_name(advice, r.index, lang)),
            p.id
        );
        for v in &p.criteria {
            let _ = writeln!(
                out,
                "- **{}** = {}{}",
                i18n::criterion(v.criterion, lang),
                value_with_unit(v, lang),
                if v.note.is_empty() {
                    String::new()
                } else {
                    format!(" — {}", md_escape(&v.note))
                }
            );
            for e in &v.evidence {
                let _ = writeln!(out, "  - {} ({})", md_escape(&e.fact), md_escape(&cited(e)));
            }
        }
        out.push('\n');
    }
    out
}

/// The rank-acceptability chart as inline SVG: one stacked bar per provider.
fn svg_chart(advice: &Advice, lang: Lang) -> String {
    let a = &advice.assessment;
    let m = advice.ranking.len();
    let label_w = 8.0
        * advice
            .ranking
            .iter()
            .map(|r| text_width(&a.providers[r.index].id) as f64)
            .fold(10.0, f64::max);
    let (bar_w, row_h, top) = (480.0, 26.0, 22.0);
    let legend_y = top + row_h * m as f64 + 8.0;
    let key_w = 44.0;
    let width = (label_w + bar_w + 60.0).max(label_w + key_w * m as f64);
    let height = legend_y + 24.0;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width:.0}\" height=\"{height:.0}\" viewBox=\"0 0 {width:.0} {height:.0}\" role=\"img\" aria-label=\"{}\" font-family=\"system-ui,sans-serif\">",
        escape(label("acceptability", lang))
    );
    // axis: 0, 25, 50, 75, 100 % of samples
    for q in 0..=4 {
        let x = label_w + bar_w * f64::from(q) / 4.0;
        let _ = writeln!(
            out,
            "<line x1=\"{x:.1}\" y1=\"{:.1}\" x2=\"{x:.1}\" y2=\"{:.1}\" stroke=\"#bbb\" stroke-width=\"0.5\"/><text x=\"{x:.1}\" y=\"12\" font-size=\"10\" text-anchor=\"middle\" fill=\"#555\">{}%</text>",
            top - 4.0,
            top + row_h * m as f64,
            q * 25
        );
    }
    for (i, r) in advice.ranking.iter().enumerate() {
        let y = top + i as f64 * row_h;
        let _ = writeln!(
            out,
            "<text x=\"0\" y=\"{:.1}\" font-size=\"12\"><title>{}</title>{}</text>",
            y + 15.0,
            escape(&provider_name(advice, r.index, lang)),
            escape(&a.providers[r.index].id)
        );
        let mut x = label_w;
        for (k, share) in r.rank_acceptability.iter().enumerate() {
            let w = share * bar_w;
            if w > 0.0 {
                let _ = writeln!(
                    out,
                    "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"{w:.1}\" height=\"{:.1}\" fill=\"{}\"><title>{}: #{} {:.1}%</title></rect>",
                    y + 3.0,
                    row_h - 8.0,
                    colour(k, m),
                    escape(&a.providers[r.index].id),
                    k + 1,
                    share * 100.0
                );
            }
            x += w;
        }
        let _ = writeln!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"12\">{:.1}%</text>",
            label_w + bar_w + 8.0,
            y + 15.0,
            r.first_rank_share * 100.0
        );
    }
    for k in 0..m {
        let lx = label_w + k as f64 * key_w;
        let _ = writeln!(
            out,
            "<rect x=\"{lx:.1}\" y=\"{legend_y:.1}\" width=\"12\" height=\"12\" fill=\"{}\" stroke=\"#999\" stroke-width=\"0.5\"/><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\">#{}</text>",
            colour(k, m),
            lx + 16.0,
            legend_y + 10.0,
            k + 1
        );
    }
    out.push_str("</svg>\n");
    out
}

const CSS: &str = "body{font-family:system-ui,sans-serif;line-height:1.45;max-width:70rem;margin:2rem auto;padding:0 1rem;color:#222}\
table{border-collapse:collapse;margin:1rem 0}td,th{border:1px solid #ccc;padding:.3rem .6rem;text-align:right;vertical-align:top}\
th{background:#f3f3f3}td.name,th.name{text-align:left}td.name small{display:block;color:#555}\
.unknown{color:#b35806}.legend{font-size:.9rem;color:#444}small{color:#555}\
blockquote{border-left:3px solid #ccc;margin:1rem 0;padding:.2rem 1rem;color:#444}";

/// The forwardable, self-contained HTML report with an inline SVG chart.
/// How every HTML report ends.
const HTML_END: &str = "</body>\n</html>\n";

/// The HTML section listing providers removed by hard constraints.
fn html_excluded(out: &mut String, advice: &Advice, lang: Lang) {
    let a = &advice.assessment;
    if a.excluded.is_empty() {
        return;
    }
    let c = colon(lang);
    let _ = writeln!(out, "<h2>{}</h2>\n<ul>", label("excluded", lang));
    for e in &a.excluded {
        let _ = writeln!(
            out,
            "<li><b>{}</b>{c}{}</li>",
            escape(&e.provider),
            escape(&i18n::exclusion(&e.reason, lang))
        );
    }
    out.push_str("</ul>\n");
}

pub fn rank_html(advice: &Advice, profile: &Profile, lang: Lang) -> String {
    let a = &advice.assessment;
    let c = colon(lang);
    let title = format!("{}{c}{}", label("title", lang), a.profile);
    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<h1>{}</h1>\n",
        lang.code(),
        escape(&title),
        escape(&title)
    );
    let _ = writeln!(
        out,
        "<p>{}{c}<code>{}</code> · {} ({}){c}{} · {}{c}{} · {}{c}{} · {}{c}{}</p>",
        label("method", lang),
        advice.method.name(),
        label("weights", lang),
        escape(&advice.weight_source),
        escape(&weights_line(advice, lang, false)),
        label("as_of", lang),
        a.as_of,
        label("samples", lang),
        advice.samples,
        label("seed", lang),
        advice.seed
    );
    if let Some(source) = preset_source(profile, lang) {
        let _ = writeln!(
            out,
            "<blockquote>{}{c}{}</blockquote>",
            label("preset_source", lang),
            escape(source)
        );
    }
    if advice.ranking.is_empty() {
        let _ = writeln!(
            out,
            "<p><b>{}</b></p>",
            escape(label("none_qualifies", lang))
        );
        html_excluded(&mut out, advice, lang);
        out.push_str(HTML_END);
        return out;
    }
    let columns = Columns::of(advice);
    out.push_str("<table>\n<thead><tr>");
    for (i, h) in header(lang).iter().enumerate() {
        let crit = i.checked_sub(3).and_then(|k| Criterion::ALL.get(k));
        match crit {
            Some(cr) => {
                let _ = write!(
                    out,
                    "<th title=\"{}: {}\">{}</th>",
                    escape(i18n::criterion(*cr, lang)),
                    escape(&i18n::unit(&unit_of(advice, *cr), lang)),
                    escape(h)
                );
            }
            None if i == 1 => {
                let _ = write!(out, "<th class=\"name\">{}</th>", escape(h));
            }
            None => {
                let _ = write!(out, "<th>{}</th>", escape(h));
            }
        }
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for r in &advice.ranking {
        out.push_str("<tr>");
        let p = &a.providers[r.index];
        for (k, text) in row(advice, r, &columns, lang).iter().enumerate() {
            let value = k.checked_sub(3).and_then(|i| p.criteria.get(i));
            match value {
                _ if k == 1 => {
                    let name = provider_name(advice, r.index, lang);
                    let full = if name == p.id {
                        String::new()
                    } else {
                        format!("<small>{}</small>", escape(&name))
                    };
                    let _ = write!(out, "<td class=\"name\"><b>{}</b>{full}</td>", escape(text));
                }
                Some(v) if v.unknown => {
                    let _ = write!(
                        out,
                        "<td class=\"unknown\" title=\"{}\">{}</td>",
                        escape(&v.note),
                        escape(text)
                    );
                }
                _ => {
                    let _ = write!(out, "<td>{}</td>", escape(text));
                }
            }
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n<ul class=\"legend\">\n");
    for line in legend(advice, &columns, lang) {
        let _ = writeln!(out, "<li>{}</li>", escape(&line));
    }
    out.push_str("</ul>\n");

    let _ = writeln!(out, "<h2>{}</h2>", label("acceptability", lang));
    out.push_str(&svg_chart(advice, lang));
    let _ = writeln!(
        out,
        "<p class=\"legend\">{}</p>",
        escape(label("chart_note", lang))
    );

    let _ = writeln!(out, "<h2>{}</h2>\n<ul>", label("explanation", lang));
    for line in explanation_lines(advice, lang) {
        let _ = writeln!(out, "<li>{}</li>", escape(&line));
    }
    if let Some(cr) = advice.ahp_cr.filter(|cr| *cr > 0.1) {
        let _ = writeln!(
            out,
            "<li>{} (CR = {cr:.3})</li>",
            escape(label("ahp_inconsistent", lang))
        );
    }
    out.push_str("</ul>\n");
    html_excluded(&mut out, advice, lang);
    if !a.unpriced_everywhere.is_empty() {
        let items: Vec<String> = a
            .unpriced_everywhere
            .iter()
            .map(|i| i18n::cost_item(i, lang))
            .collect();
        let _ = writeln!(
            out,
            "<p>{}{c}{}</p>",
            escape(label("unpriced_everywhere", lang)),
            escape(&items.join(", "))
        );
    }
    let _ = writeln!(out, "<h2>{}</h2>", label("evidence", lang));
    for r in &advice.ranking {
        let p = &a.providers[r.index];
        let _ = writeln!(
            out,
            "<details>\n<summary>{}. {} (<code>{}</code>)</summary>\n<ul>",
            r.rank,
            escape(&provider_name(advice, r.index, lang)),
            escape(&p.id)
        );
        for v in &p.criteria {
            let _ = write!(
                out,
                "<li><b>{}</b> = {}{}",
                escape(i18n::criterion(v.criterion, lang)),
                escape(&value_with_unit(v, lang)),
                if v.note.is_empty() {
                    String::new()
                } else {
                    format!(" — {}", escape(&v.note))
                }
            );
            if !v.evidence.is_empty() {
                out.push_str("<ul>");
                for e in &v.evidence {
                    let _ = write!(
                        out,
                        "<li>{} <small>({})</small></li>",
                        escape(&e.fact),
                        escape(&cited(e))
                    );
                }
                out.push_str("</ul>");
            }
            out.push_str("</li>\n");
        }
        out.push_str("</ul>\n</details>\n");
    }
    out.push_str(HTML_END);
    out
}

// ---------------------------------------------------------------- tco

fn money_text(m: &Money) -> String {
    format!("{} {}", m.amount.normalize(), m.currency)
}

/// One provider's bill as JSON.
pub fn tco_json(provider: &str, tco: &Tco) -> Value {
    let lines: Vec<Value> = tco
        .lines
        .iter()
        .map(|l| {
            let quantities: Map<String, Value> = l
                .quantities
                .iter()
                .map(|(k, v)| ((*k).to_owned(), json!(v)))
                .collect();
            json!({
                "item": l.item.to_string(),
                "choice": l.choice,
                "quantities": quantities,
                "unit_prices": l.unit_prices.iter().map(|u| json!({
                    "what": u.what, "per": u.per,
                    "amount": u.price.amount.normalize().to_string(),
                    "currency": u.price.currency.to_string(),
                })).collect::<Vec<_>>(),
                "amount": l.amount.map(|a| round(to_f64(a), 2)),
                "currency": tco.currency.to_string(),
                "unpriced": l.unpriced.as_ref().map(|u| u.to_string()),
                "source": evidence_json(&l.evidence),
            })
        })
        .collect();
    json!({
        "provider": provider,
        "lines": lines,
        "total_priced": money_json(to_f64(tco.known_total()), tco.currency),
        "complete": tco.lines.iter().all(|l| l.amount.is_some()),
    })
}

/// Numbered sources shared by the tables of one `tco` run, printed once at the end.
#[derive(Default)]
pub struct Sources {
    list: Vec<String>,
}

impl Sources {
    /// The 1-based number of `e`'s source, adding it when new.
    fn number(&mut self, e: &Evidence) -> usize {
        let text = cited(e);
        match self.list.iter().position(|s| *s == text) {
            Some(i) => i + 1,
            None => {
                self.list.push(text);
                self.list.len()
            }
        }
    }

    /// `[1] source, as of` lines, wrapped to [`WIDTH`].
    pub fn render(&self, lang: Lang) -> String {
        if self.list.is_empty() {
            return String::new();
        }
        let mut out = format!("{}{}\n", label("sources", lang), colon(lang).trim_end());
        let digits = self.list.len().to_string().len();
        for (i, s) in self.list.iter().enumerate() {
            let tag = format!("[{:>digits$}] ", i + 1);
            let rest = " ".repeat(tag.len());
            let _ = writeln!(out, "{}", wrap(s, &tag, &rest, WIDTH));
        }
        out
    }
}

/// A billed quantity for people: tokens in millions (`input: 6,000 Mtok`), shares in percent.
fn quantity_text(what: &str, x: f64, lang: Lang) -> String {
    let c = colon(lang);
    if let Some(kind) = what.strip_suffix(" tokens") {
        let name = match lang {
            Lang::En => kind.to_owned(),
            Lang::Zh => i18n::quantity(what, lang),
        };
        format!("{name}{c}{} Mtok", plain(x / 1e6, 3))
    } else if what.ends_with("share") {
        format!("{}{c}{}%", i18n::quantity(what, lang), plain(x * 100.0, 1))
    } else {
        format!("{}{c}{}", i18n::quantity(what, lang), plain(x, 2))
    }
}

/// Items of `lines` without an amount, for people.
fn unpriced_items(tco: &Tco, lang: Lang) -> Vec<String> {
    tco.lines
        .iter()
        .filter(|l| l.amount.is_none())
        .map(|l| i18n::cost_item(&l.item, lang))
        .collect()
}

/// One provider's bill as a table: `name` heads it, sources become numbers into `sources`.
pub fn tco_table(
    provider: &str,
    name: &str,
    tco: &Tco,
    sources: &mut Sources,
    lang: Lang,
) -> String {
    let c = colon(lang);
    let header = vec![
        label("item", lang).to_owned(),
        label("choice", lang).to_owned(),
        label("quantity", lang).to_owned(),
        label("unit_prices", lang).to_owned(),
        format!("{}/{}", tco.currency, month(lang)),
        label("source", lang).to_owned(),
    ];
    let mut rows = Vec::new();
    for l in &tco.lines {
        let quantity = l
            .quantities
            .iter()
            .map(|(k, v)| quantity_text(k, *v, lang))
            .collect::<Vec<_>>()
            .join("\n");
        let prices = match &l.unpriced {
            Some(u) if l.amount.is_none() => {
                format!("{}{c}{}", label("unknown", lang), i18n::unpriced(u, lang))
            }
            _ => l
                .unit_prices
                .iter()
                .map(|u| {
                    format!(
                        "{}{c}{}/{}",
                        i18n::quantity(u.what, lang),
                        money_text(&u.price),
                        u.per
                    )
                })
                .collect::<Vec<_>>()
                .join("\n"),
        };
        let amount = match l.amount {
            Some(a) => grouped(to_f64(a), 0),
            None => label("unknown", lang).to_owned(),
        };
        let refs = l
            .evidence
            .iter()
            .map(|e| format!("[{}]", sources.number(e)))
            .collect::<Vec<_>>()
            .join("");
        rows.push(vec![
            i18n::cost_item(&l.item, lang),
            l.choice.clone().unwrap_or_default(),
            quantity,
            prices,
            amount,
            refs,
        ]);
    }
    let mut t = narrow_table();
    fill_table(&mut t, header, rows);
    if let Some(col) = t.column_mut(4) {
        col.set_cell_alignment(CellAlignment::Right);
    }
    let unpriced = unpriced_items(tco, lang);
    let heading = if name == provider {
        provider.to_owned()
    } else {
        format!("{provider} — {name}")
    };
    let mut total = format!(
        "{}{c}{} {}/{}",
        label("priced_total", lang),
        grouped(to_f64(tco.known_total()), 0),
        tco.currency,
        month(lang)
    );
    if !unpriced.is_empty() {
        let _ = write!(
            total,
            "{DOT}{}{c}{}",
            label("unpriced_lines", lang),
            unpriced.join(", ")
        );
    }
    format!("{heading}\n{t}\n{}\n", wrap(&total, "", "  ", WIDTH))
}

fn month(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "month",
        Lang::Zh => "月",
    }
}

/// The `tco` overview: one row per provider, its priced total, what is unpriced, and the cost
/// criterion `rank` uses (unpriced lines filled from the other providers, marked `?`).
pub fn tco_summary(providers: &[&ProviderAssessment], lang: Lang) -> String {
    let currency = providers
        .first()
        .map(|p| p.tco.currency.to_string())
        .unwrap_or_default();
    let header = vec![
        label("provider", lang).to_owned(),
        format!(
            "{} ({currency}/{})",
            label("priced_total", lang),
            month(lang)
        ),
        label("unpriced_lines", lang).to_owned(),
        format!(
            "{} ({currency}/{})",
            label("cost_in_rank", lang),
            month(lang)
        ),
    ];
    let all_unknown = providers
        .iter()
        .all(|p| knowledge(p.criterion(Criterion::Cost)) == Knowledge::Unknown);
    let columns = Columns {
        all_unknown: [all_unknown, false, false, false, false, false],
        any_partly: false,
        any_unknown: false,
    };
    let rows = providers
        .iter()
        .map(|p| {
            let unpriced = unpriced_items(&p.tco, lang);
            vec![
                p.id.clone(),
                grouped(to_f64(p.tco.known_total()), 0),
                if unpriced.is_empty() {
                    "-".to_owned()
                } else {
                    unpriced.join(", ")
                },
                cell(p.criterion(Criterion::Cost), &columns, lang),
            ]
        })
        .collect();
    let mut t = narrow_table();
    fill_table(&mut t, header, rows);
    for i in [1, 3] {
        if let Some(col) = t.column_mut(i) {
            col.set_cell_alignment(CellAlignment::Right);
        }
    }
    format!("{t}\n")
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use cloudfit_advise::{assess, rank, Measurements, RankOptions};

    use super::*;

    fn value(criterion: Criterion, x: f64, unknown: bool, evidence: bool) -> CriterionValue {
        CriterionValue {
            criterion,
            value: x,
            unknown,
            range: unknown.then_some((x / 2.0, x)),
            unit: "USD/month".to_owned(),
            evidence: if evidence {
                vec![Evidence::derived("a fact", "a source")]
            } else {
                Vec::new()
            },
            note: String::new(),
        }
    }

    /// Every example profile, assessed and ranked against the built-in catalog.
    fn examples() -> Vec<(String, Profile, Advice)> {
        let catalog = Catalog::builtin().unwrap();
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/profiles");
        let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "toml"))
            .collect();
        paths.sort();
        assert_eq!(paths.len(), 5);
        paths
            .into_iter()
            .map(|path| {
                let profile = Profile::load(&path).unwrap();
                let as_of = profile.as_of.or_else(|| catalog_as_of(&catalog)).unwrap();
                let a = assess(&catalog, &profile, &Measurements::default(), as_of).unwrap();
                let options = RankOptions {
                    samples: 300,
                    ..RankOptions::default()
                };
                let advice = rank(a, &profile, options).unwrap();
                (path.display().to_string(), profile, advice)
            })
            .collect()
    }

    /// Tags of `html` balance (void elements and `/>` aside); returns the tag names opened.
    fn balanced(html: &str) -> Vec<String> {
        let mut stack: Vec<String> = Vec::new();
        let mut opened = Vec::new();
        let mut rest = html;
        while let Some(start) = rest.find('<') {
            let end = rest[start..].find('>').unwrap() + start;
            let tag = &rest[start + 1..end];
            rest = &rest[end + 1..];
            if tag.starts_with('!') || tag.ends_with('/') {
                continue;
            }
            let name: String = tag
                .trim_start_matches('/')
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric())
                .collect();
            if ["meta", "br"].contains(&name.as_str()) {
                continue;
            }
            if tag.starts_with('/') {
                assert_eq!(stack.pop().as_deref(), Some(name.as_str()), "at <{tag}>");
            } else {
                opened.push(name.clone());
                stack.push(name);
            }
        }
        assert!(stack.is_empty(), "unclosed: {stack:?}");
        opened
    }

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

    #[test]
    fn wrap_keeps_items_whole_and_fits_the_width() {
        let text = "cost: USD/month · perf: output tokens/s · stability: expected downtime h/month";
        let out = wrap(text, "", "  ", 45);
        assert_eq!(
            out,
            "cost: USD/month · perf: output tokens/s ·\n  stability: expected downtime h/month"
        );
        // a long item falls back to words; a word longer than the line keeps its own line
        let out = wrap(
            "see https://example.com/a/very/long/path/that/cannot/break now",
            "- ",
            "  ",
            20,
        );
        assert_eq!(
            out,
            "- see\n  https://example.com/a/very/long/path/that/cannot/break\n  now"
        );
        // CJK text breaks between characters, never before closing punctuation
        let zh = "在合理权重中该厂商排第一的比例,以及其余名次的分布";
        for line in wrap(zh, "", "", 20).lines() {
            assert!(text_width(line) <= 22, "{line}");
            assert!(!line.starts_with(','), "{line}");
        }
        assert_eq!(wrap(zh, "", "", 20).replace('\n', ""), zh);
        assert_eq!(text_width("成本 cost"), 9);
    }

    #[test]
    fn rank_tables_fit_120_columns_and_never_show_a_number_for_an_unknown_value() {
        for (path, _, advice) in examples() {
            let columns = Columns::of(&advice);
            for lang in [Lang::En, Lang::Zh] {
                let table = rank_table(&advice, lang);
                for line in table.lines() {
                    assert!(text_width(line) <= WIDTH, "{path} {lang:?}: {line}");
                }
                // one row per provider, each cell as `cell` renders it
                for r in &advice.ranking {
                    let p = &advice.assessment.providers[r.index];
                    let line = table
                        .lines()
                        .find(|l| l.split('┆').nth(1).is_some_and(|c| c.trim() == p.id))
                        .unwrap_or_else(|| panic!("{path}: no row for {}", p.id));
                    let cells: Vec<&str> = line.split('┆').map(|c| c.trim()).collect();
                    for v in &p.criteria {
                        let shown = cells[3 + v.criterion.index()];
                        match knowledge(v) {
                            Knowledge::Unknown => assert!(
                                shown == "?" || shown == label("unknown", lang),
                                "{path} {}: {shown}",
                                p.id
                            ),
                            Knowledge::Partly => assert!(shown.ends_with('?'), "{shown}"),
                            Knowledge::Known => assert!(!shown.contains('?'), "{shown}"),
                        }
                    }
                }
                assert_eq!(
                    table.contains(label("unknown_note", lang)),
                    columns.any_partly,
                    "{path}"
                );
            }
        }
    }

    #[test]
    fn markdown_and_html_reports_are_well_formed() {
        for (path, profile, advice) in examples() {
            for lang in [Lang::En, Lang::Zh] {
                let md = rank_markdown(&advice, &profile, lang);
                let rows: Vec<&str> = md.lines().filter(|l| l.starts_with("| ")).collect();
                assert_eq!(rows.len(), advice.ranking.len() + 1, "{path}");
                let pipes = |l: &str| l.matches('|').count() - l.matches("\\|").count();
                assert!(rows.iter().all(|r| pipes(r) == 11), "{path}: {rows:?}");
                assert_eq!(md.matches("```").count() % 2, 0);

                let html = rank_html(&advice, &profile, lang);
                assert!(html.starts_with("<!DOCTYPE html>\n<html lang="));
                assert!(
                    !html.contains("<script") && !html.contains(" src="),
                    "{path}"
                );
                let tags = balanced(&html);
                assert_eq!(tags.iter().filter(|t| *t == "svg").count(), 1);
                let bars = advice
                    .ranking
                    .iter()
                    .flat_map(|r| &r.rank_acceptability)
                    .filter(|s| **s > 0.0)
                    .count();
                // one rect (with a tooltip) per non-empty segment, one legend key per rank
                let rects = tags.iter().filter(|t| *t == "rect").count();
                assert_eq!(rects, bars, "{path}");
                assert_eq!(
                    html.matches("<rect ").count(),
                    bars + advice.ranking.len(),
                    "{path}"
                );
                assert_eq!(
                    tags.iter().filter(|t| *t == "tr").count(),
                    advice.ranking.len() + 1
                );
            }
        }
    }

    #[test]
    fn tco_tables_fit_120_columns_except_unbreakable_source_urls() {
        for (path, _, advice) in examples() {
            for lang in [Lang::En, Lang::Zh] {
                let providers: Vec<&ProviderAssessment> =
                    advice.assessment.providers.iter().collect();
                let mut out = tco_summary(&providers, lang);
                let mut sources = Sources::default();
                for p in &providers {
                    out.push_str(&tco_table(&p.id, &p.name_en, &p.tco, &mut sources, lang));
                }
                out.push_str(&sources.render(lang));
                for line in out.lines() {
                    let longest_word = line.split(' ').map(text_width).max().unwrap_or(0);
                    assert!(
                        text_width(line) <= WIDTH || longest_word > WIDTH - 10,
                        "{path} {lang:?}: {line}"
                    );
                }
                assert!(!out.contains("0.00?"), "{path}");
            }
        }
    }

    #[test]
    fn colours_run_from_green_to_purple() {
        assert_eq!(colour(0, 5), "#1b7837");
        assert_eq!(colour(2, 5), "#d9d9d9");
        assert_eq!(colour(4, 5), "#762a83");
        assert_eq!(colour(0, 1), "#1b7837");
    }
}
