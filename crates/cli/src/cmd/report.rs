//! Shared by `rank`, `tco` and `claims`: loading a profile with the catalog, and rendering
//! advice as JSON, a table, a Markdown report or a self-contained HTML report.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::anyhow;
use cloudfit_advise::i18n::{self, label, Lang};
use cloudfit_advise::tco::to_f64;
use cloudfit_advise::{
    catalog_as_of, Advice, AdviseError, Criterion, CriterionValue, Date, Evidence, Profile,
    ProfileError, Tco,
};
use cloudfit_catalog::{Catalog, Money};
use comfy_table::{presets::UTF8_FULL_CONDENSED, Table};
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
            for v in &p.criteria {
                let key = v.criterion.key();
                criteria.insert(key.into(), json!(round(v.value, 4)));
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
                "monthly_cost": money_json(cost.value, a.currency),
                "first_rank_share": round(r.first_rank_share, 4),
                "rank_acceptability": r.rank_acceptability.iter().map(|x| round(*x, 4)).collect::<Vec<_>>(),
                "unknown": unknown,
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

/// Plain sentences: what makes the winner win and how far weights must move.
pub fn explanation_lines(advice: &Advice, lang: Lang) -> Vec<String> {
    let Some(e) = &advice.explanation else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let name = |id: &str| -> String {
        advice
            .assessment
            .providers
            .iter()
            .position(|p| p.id == id)
            .map(|i| provider_name(advice, i, lang))
            .unwrap_or_else(|| id.to_owned())
    };
    let runner = e.runner_up.as_deref().map(name).unwrap_or_default();
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
    let winner = name(&e.winner);
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
                name(closest_rival(m).unwrap_or_default())
            ),
            (Some(d), Lang::Zh) => format!(
                "{c}:权重 {:.2};在 {:.2}..{:.2} 内 {winner} 保持第一;变动 {:.2} 后 {} 变为第一。",
                m.weight,
                m.lower,
                m.upper,
                d,
                name(closest_rival(m).unwrap_or_default())
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

/// A criterion value for people: number with `?` when unknown.
fn cell(v: &CriterionValue) -> String {
    let digits = if v.value.abs() >= 100.0 { 0 } else { 2 };
    let mut s = format!("{:.*}", digits, v.value);
    if v.unknown {
        s.push('?');
    }
    s
}

fn unit_suffix(advice: &Advice, c: Criterion) -> String {
    advice
        .assessment
        .providers
        .first()
        .map(|p| p.criterion(c).unit.clone())
        .unwrap_or_default()
}

fn header(advice: &Advice, lang: Lang) -> Vec<String> {
    let mut h = vec![
        label("rank", lang).to_owned(),
        label("provider", lang).to_owned(),
        label("score", lang).to_owned(),
    ];
    for c in Criterion::ALL {
        h.push(format!(
            "{} ({})",
            i18n::criterion(c, lang),
            unit_suffix(advice, c)
        ));
    }
    h.push(label("first_rank_share", lang).to_owned());
    h
}

fn row(advice: &Advice, r: &cloudfit_advise::Ranked, lang: Lang) -> Vec<String> {
    let p = &advice.assessment.providers[r.index];
    let mut row = vec![
        r.rank.to_string(),
        provider_name(advice, r.index, lang),
        format!("{:.3}", r.score),
    ];
    row.extend(p.criteria.iter().map(cell));
    row.push(format!("{:.1}%", r.first_rank_share * 100.0));
    row
}

fn weights_line(advice: &Advice, lang: Lang) -> String {
    Criterion::ALL
        .iter()
        .map(|c| {
            format!(
                "{} {:.2}",
                i18n::criterion(*c, lang),
                advice.weights[c.index()]
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The default people-facing table.
pub fn rank_table(advice: &Advice, lang: Lang) -> String {
    let a = &advice.assessment;
    let mut out = format!(
        "{}: {} — {} {}, {} {} ({}), {} {}\n",
        label("title", lang),
        a.profile,
        label("method", lang),
        advice.method.name(),
        label("weights", lang),
        weights_line(advice, lang),
        advice.weight_source,
        label("as_of", lang),
        a.as_of
    );
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED);
    t.set_header(header(advice, lang));
    for r in &advice.ranking {
        t.add_row(row(advice, r, lang));
    }
    let _ = writeln!(out, "{t}");
    let _ = writeln!(out, "{}", label("unknown_note", lang));
    if !advice.ranking.is_empty() {
        let _ = writeln!(out, "\n{}:", label("explanation", lang));
        for line in explanation_lines(advice, lang) {
            let _ = writeln!(out, "  {line}");
        }
    }
    if !a.excluded.is_empty() {
        let _ = writeln!(out, "\n{}:", label("excluded", lang));
        for e in &a.excluded {
            let _ = writeln!(
                out,
                "  {}: {}",
                e.provider,
                i18n::exclusion(&e.reason, lang)
            );
        }
    }
    if !a.unpriced_everywhere.is_empty() {
        let items: Vec<String> = a
            .unpriced_everywhere
            .iter()
            .map(|i| i.to_string())
            .collect();
        let _ = writeln!(
            out,
            "\n{}: {}",
            label("unpriced_everywhere", lang),
            items.join(", ")
        );
    }
    out
}

const BAR: usize = 40;
/// Glyphs for rank 1, 2, 3, ... in the text chart (repeating after the fourth).
const GLYPHS: [char; 4] = ['█', '▓', '▒', '░'];
/// Colours for ranks in the SVG chart (first rank strongest).
const COLOURS: [&str; 6] = [
    "#1b7837", "#5aae61", "#a6dba0", "#d9f0d3", "#e7d4e8", "#c2a5cf",
];

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn md_escape(s: &str) -> String {
    s.replace('|', "\\|")
}

/// The forwardable Markdown report.
pub fn rank_markdown(advice: &Advice, profile: &Profile, lang: Lang) -> String {
    let a = &advice.assessment;
    let mut out = format!("# {}: {}\n\n", label("title", lang), a.profile);
    let _ = writeln!(
        out,
        "- {}: `{}`\n- {}: {} ({})\n- {}: {}\n- {}: {} · {}: {}\n",
        label("method", lang),
        advice.method.name(),
        label("weights", lang),
        weights_line(advice, lang),
        advice.weight_source,
        label("as_of", lang),
        a.as_of,
        label("samples", lang),
        advice.samples,
        label("seed", lang),
        advice.seed
    );
    if let Some(s) = profile.segment {
        let p = s.preset();
        let _ = writeln!(
            out,
            "> {}: {}\n",
            label("preset_source", lang),
            match lang {
                Lang::Zh => p.source_zh,
                Lang::En => p.source_en,
            }
        );
    }
    let h = header(advice, lang);
    let _ = writeln!(
        out,
        "| {} |",
        h.iter()
            .map(|x| md_escape(x))
            .collect::<Vec<_>>()
            .join(" | ")
    );
    let _ = writeln!(out, "|{}", "---|".repeat(h.len()));
    for r in &advice.ranking {
        let cells = row(advice, r, lang);
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
    let _ = writeln!(out, "\n{}\n", label("unknown_note", lang));

    let _ = writeln!(out, "## {}\n\n```text", label("acceptability", lang));
    let width = advice
        .ranking
        .iter()
        .map(|r| advice.assessment.providers[r.index].id.chars().count())
        .max()
        .unwrap_or(0);
    for r in &advice.ranking {
        let mut bar = String::new();
        let mut used = 0usize;
        let mut cum = 0.0;
        for (k, share) in r.rank_acceptability.iter().enumerate() {
            cum += share;
            let end = ((cum * BAR as f64).round() as usize).min(BAR);
            for _ in used..end {
                bar.push(GLYPHS[k % GLYPHS.len()]);
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
    let legend: Vec<String> = (0..advice.ranking.len().min(4))
        .map(|k| format!("{} = #{}", GLYPHS[k], k + 1))
        .collect();
    let _ = writeln!(
        out,
        "```\n\n{} ({}: %)\n",
        legend.join(", "),
        label("first_rank_share", lang)
    );

    let _ = writeln!(out, "## {}\n", label("explanation", lang));
    for line in explanation_lines(advice, lang) {
        let _ = writeln!(out, "- {line}");
    }
    if let Some(cr) = advice.ahp_cr.filter(|cr| *cr > 0.1) {
        let _ = writeln!(out, "- {} (CR = {cr:.3})", label("ahp_inconsistent", lang));
    }
    if !a.excluded.is_empty() {
        let _ = writeln!(out, "\n## {}\n", label("excluded", lang));
        for e in &a.excluded {
            let _ = writeln!(
                out,
                "- **{}**: {}",
                e.provider,
                i18n::exclusion(&e.reason, lang)
            );
        }
    }
    let _ = writeln!(out, "\n## {}\n", label("evidence", lang));
    for r in &advice.ranking {
        let p = &a.providers[r.index];
        let _ = writeln!(
            out,
            "### {}. {}\n",
            r.rank,
            provider_name(advice, r.index, lang)
        );
        for v in &p.criteria {
            let _ = writeln!(
                out,
                "- **{}** = {} {}{}",
                i18n::criterion(v.criterion, lang),
                cell(v),
                v.unit,
                if v.note.is_empty() {
                    String::new()
                } else {
                    format!(" — {}", v.note)
                }
            );
            for e in &v.evidence {
                let _ = writeln!(out, "  - {} ({}, {})", e.fact, e.source, e.as_of);
            }
        }
        out.push('\n');
    }
    out
}

/// The forwardable, self-contained HTML report with an inline SVG chart.
pub fn rank_html(advice: &Advice, profile: &Profile, lang: Lang) -> String {
    let a = &advice.assessment;
    let title = format!("{}: {}", label("title", lang), a.profile);
    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"{}\"><head><meta charset=\"utf-8\"><title>{}</title>\n<style>body{{font-family:system-ui,sans-serif;max-width:70rem;margin:2rem auto;padding:0 1rem}}table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:.3rem .5rem;text-align:right}}td:nth-child(2),th:nth-child(2){{text-align:left}}.unknown{{color:#b35806}}small{{color:#555}}</style></head><body>\n<h1>{}</h1>\n",
        lang.code(),
        escape(&title),
        escape(&title)
    );
    let _ = writeln!(
        out,
        "<p>{}: <code>{}</code> · {}: {} ({}) · {}: {} · {}: {} · {}: {}</p>",
        label("method", lang),
        advice.method.name(),
        label("weights", lang),
        escape(&weights_line(advice, lang)),
        escape(&advice.weight_source),
        label("as_of", lang),
        a.as_of,
        label("samples", lang),
        advice.samples,
        label("seed", lang),
        advice.seed
    );
    if let Some(s) = profile.segment {
        let p = s.preset();
        let _ = writeln!(
            out,
            "<blockquote>{}: {}</blockquote>",
            label("preset_source", lang),
            escape(match lang {
                Lang::Zh => p.source_zh,
                Lang::En => p.source_en,
            })
        );
    }
    out.push_str("<table><thead><tr>");
    for h in header(advice, lang) {
        let _ = write!(out, "<th>{}</th>", escape(&h));
    }
    out.push_str("</tr></thead><tbody>\n");
    for r in &advice.ranking {
        out.push_str("<tr>");
        let p = &a.providers[r.index];
        for (k, c) in row(advice, r, lang).iter().enumerate() {
            let unknown = (3..9).contains(&k) && p.criteria[k - 3].unknown;
            if unknown {
                let _ = write!(
                    out,
                    "<td class=\"unknown\" title=\"{}\">{}</td>",
                    escape(&p.criteria[k - 3].note),
                    escape(c)
                );
            } else {
                let _ = write!(out, "<td>{}</td>", escape(c));
            }
        }
        out.push_str("</tr>\n");
    }
    let _ = writeln!(
        out,
        "</tbody></table>\n<p><small>{}</small></p>",
        escape(label("unknown_note", lang))
    );

    // Stacked bars: one row per provider, one segment per rank.
    let _ = writeln!(out, "<h2>{}</h2>", label("acceptability", lang));
    let (label_w, bar_w, row_h) = (160.0, 480.0, 26.0);
    let m = advice.ranking.len();
    let height = row_h * m as f64 + 30.0;
    let _ = writeln!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{height}\" role=\"img\" aria-label=\"{}\">",
        label_w + bar_w + 70.0,
        escape(label("acceptability", lang))
    );
    for (i, r) in advice.ranking.iter().enumerate() {
        let y = i as f64 * row_h;
        let _ = writeln!(
            out,
            "<text x=\"0\" y=\"{:.1}\" font-size=\"12\">{}</text>",
            y + 17.0,
            escape(&a.providers[r.index].id)
        );
        let mut x = label_w;
        for (k, share) in r.rank_acceptability.iter().enumerate() {
            let w = share * bar_w;
            if w > 0.0 {
                let _ = writeln!(
                    out,
                    "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"{w:.1}\" height=\"{:.1}\" fill=\"{}\"><title>#{}: {:.1}%</title></rect>",
                    y + 4.0,
                    row_h - 8.0,
                    COLOURS[k.min(COLOURS.len() - 1)],
                    k + 1,
                    share * 100.0
                );
            }
            x += w;
        }
        let _ = writeln!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"12\">{:.1}%</text>",
            label_w + bar_w + 6.0,
            y + 17.0,
            r.first_rank_share * 100.0
        );
    }
    let ly = row_h * m as f64 + 12.0;
    for (k, colour) in COLOURS.iter().enumerate().take(m) {
        let lx = label_w + k as f64 * 60.0;
        let _ = writeln!(
            out,
            "<rect x=\"{lx:.1}\" y=\"{ly:.1}\" width=\"12\" height=\"12\" fill=\"{}\"/><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\">#{}</text>",
            colour,
            lx + 16.0,
            ly + 10.0,
            k + 1
        );
    }
    out.push_str("</svg>\n");

    let _ = writeln!(out, "<h2>{}</h2><ul>", label("explanation", lang));
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
    if !a.excluded.is_empty() {
        let _ = writeln!(out, "<h2>{}</h2><ul>", label("excluded", lang));
        for e in &a.excluded {
            let _ = writeln!(
                out,
                "<li><b>{}</b>: {}</li>",
                escape(&e.provider),
                escape(&i18n::exclusion(&e.reason, lang))
            );
        }
        out.push_str("</ul>\n");
    }
    let _ = writeln!(out, "<h2>{}</h2>", label("evidence", lang));
    for r in &advice.ranking {
        let p = &a.providers[r.index];
        let _ = writeln!(
            out,
            "<details><summary>{}. {}</summary><ul>",
            r.rank,
            escape(&provider_name(advice, r.index, lang))
        );
        for v in &p.criteria {
            let _ = write!(
                out,
                "<li><b>{}</b> = {} {}{}<ul>",
                escape(i18n::criterion(v.criterion, lang)),
                escape(&cell(v)),
                escape(&v.unit),
                if v.note.is_empty() {
                    String::new()
                } else {
                    format!(" — {}", escape(&v.note))
                }
            );
            for e in &v.evidence {
                let _ = write!(
                    out,
                    "<li>{} <small>({}, {})</small></li>",
                    escape(&e.fact),
                    escape(&e.source),
                    escape(&e.as_of)
                );
            }
            out.push_str("</ul></li>\n");
        }
        out.push_str("</ul></details>\n");
    }
    out.push_str("</body></html>\n");
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

/// One provider's bill as a table.
pub fn tco_table(provider: &str, tco: &Tco, lang: Lang) -> String {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED);
    t.set_header(vec![
        label("item", lang),
        label("choice", lang),
        label("quantity", lang),
        label("unit_prices", lang),
        label("amount", lang),
        label("source", lang),
    ]);
    for l in &tco.lines {
        let quantity = l
            .quantities
            .iter()
            .map(|(k, v)| format!("{k}: {v}"))
            .collect::<Vec<_>>()
            .join("\n");
        let prices = l
            .unit_prices
            .iter()
            .map(|u| format!("{}: {}/{}", u.what, money_text(&u.price), u.per))
            .collect::<Vec<_>>()
            .join("\n");
        let amount = match (l.amount, &l.unpriced) {
            (Some(a), _) => format!("{:.2} {}", a.round_dp(2), tco.currency),
            (None, Some(u)) => format!("{}: {u}", label("unpriced", lang)),
            (None, None) => label("unpriced", lang).to_owned(),
        };
        let source = l
            .evidence
            .iter()
            .map(|e| format!("{} ({})", e.source, e.as_of))
            .collect::<Vec<_>>()
            .join("\n");
        t.add_row(vec![
            l.item.to_string(),
            l.choice.clone().unwrap_or_default(),
            quantity,
            prices,
            amount,
            source,
        ]);
    }
    let complete = tco.lines.iter().all(|l| l.amount.is_some());
    format!(
        "{provider}\n{t}\n{}: {:.2} {}{}\n",
        label("total", lang),
        tco.known_total().round_dp(2),
        tco.currency,
        if complete { "" } else { " (+ ?)" }
    )
}
