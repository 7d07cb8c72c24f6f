//! The forwardable, self-contained HTML report with an inline SVG chart.

use std::fmt::Write as _;

use cloudfit_advise::i18n::{self, label, Lang};
use cloudfit_advise::{Advice, Criterion, Profile};

use super::explain::{explanation_lines, Findings};
use super::table::text_width;
use super::{
    ahp_inconsistent, cited, colon, header, legend, preset_source, provider_name, row, unit_of,
    unpriced_everywhere, value_with_unit, weights_line, Columns,
};

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
            escape(&cloudfit_advise::assess::exclusion(&e.reason, lang))
        );
    }
    out.push_str("</ul>\n");
}

/// Summary notes, providers to verify or the questions worth asking, as HTML.
fn html_findings(out: &mut String, advice: &Advice, lang: Lang, part: Findings) {
    let lines = part.lines(advice, lang, 8);
    match part.heading() {
        _ if lines.is_empty() => {}
        None => {
            for line in lines {
                let _ = writeln!(out, "<p class=\"note\">{}</p>", escape(&line));
            }
        }
        Some(key) => {
            let _ = writeln!(out, "<h2>{}</h2>\n<ul>", label(key, lang));
            for line in lines {
                let _ = writeln!(out, "<li>{}</li>", escape(&line));
            }
            out.push_str("</ul>\n");
        }
    }
}

/// The forwardable, self-contained HTML report with an inline SVG chart.
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
    html_findings(&mut out, advice, lang, Findings::Summary);
    if advice.ranking.is_empty() {
        let _ = writeln!(
            out,
            "<p><b>{}</b></p>",
            escape(label(
                if advice.to_verify.is_empty() {
                    "none_qualifies"
                } else {
                    "none_verified"
                },
                lang
            ))
        );
        html_findings(&mut out, advice, lang, Findings::ToVerify);
        html_findings(&mut out, advice, lang, Findings::Questions);
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
    if let Some(cr) = ahp_inconsistent(advice) {
        let _ = writeln!(
            out,
            "<li>{} (CR = {cr:.3})</li>",
            escape(label("ahp_inconsistent", lang))
        );
    }
    out.push_str("</ul>\n");
    html_findings(&mut out, advice, lang, Findings::ToVerify);
    html_findings(&mut out, advice, lang, Findings::Questions);
    html_excluded(&mut out, advice, lang);
    if let Some(items) = unpriced_everywhere(advice, lang) {
        let _ = writeln!(
            out,
            "<p>{}{c}{}</p>",
            escape(label("unpriced_everywhere", lang)),
            escape(&items)
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

#[cfg(test)]
mod tests {
    use cloudfit_advise::i18n::Lang;

    use super::super::fixtures::examples;
    use super::super::markdown::rank_markdown;
    use super::*;

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
    fn colours_run_from_green_to_purple() {
        assert_eq!(colour(0, 5), "#1b7837");
        assert_eq!(colour(2, 5), "#d9d9d9");
        assert_eq!(colour(4, 5), "#762a83");
        assert_eq!(colour(0, 1), "#1b7837");
    }
}
