//! The forwardable Markdown report.

use std::fmt::Write as _;

use cloudfit_advise::i18n::{self, label, Lang};
use cloudfit_advise::{Advice, Profile};

use super::explain::{explanation_lines, Findings};
use super::table::text_width;
use super::{
    ahp_inconsistent, cited, colon, header, legend, names_line, numeric, preset_source,
    provider_name, row, unpriced_everywhere, value_with_unit, weights_line, Columns,
};

const BAR: usize = 40;
/// Glyphs for rank 1, 2, 3 and 4-or-lower in the text chart.
const GLYPHS: [char; 4] = ['█', '▓', '▒', '░'];

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
            md_escape(&cloudfit_advise::assess::exclusion(&e.reason, lang))
        );
    }
}

/// Summary notes, providers to verify or the questions worth asking, as Markdown.
fn md_findings(out: &mut String, advice: &Advice, lang: Lang, part: Findings) {
    let lines = part.lines(advice, lang, 8);
    match part.heading() {
        _ if lines.is_empty() => {}
        None => {
            for line in lines {
                let _ = writeln!(out, "> {}\n", md_escape(&line));
            }
        }
        Some(key) => {
            let _ = writeln!(out, "\n## {}\n", label(key, lang));
            for line in lines {
                let _ = writeln!(out, "- {}", md_escape(&line));
            }
        }
    }
}

/// The forwardable Markdown report.
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
    md_findings(&mut out, advice, lang, Findings::Summary);
    if advice.ranking.is_empty() {
        let _ = writeln!(
            out,
            "**{}**\n",
            md_escape(label(
                if advice.to_verify.is_empty() {
                    "none_qualifies"
                } else {
                    "none_verified"
                },
                lang
            ))
        );
        md_findings(&mut out, advice, lang, Findings::ToVerify);
        md_findings(&mut out, advice, lang, Findings::Questions);
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
    if let Some(cr) = ahp_inconsistent(advice) {
        let _ = writeln!(out, "- {} (CR = {cr:.3})", label("ahp_inconsistent", lang));
    }
    md_findings(&mut out, advice, lang, Findings::ToVerify);
    md_findings(&mut out, advice, lang, Findings::Questions);
    md_excluded(&mut out, advice, lang);
    if let Some(items) = unpriced_everywhere(advice, lang) {
        let _ = writeln!(out, "\n{}{c}{items}", label("unpriced_everywhere", lang));
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
