//! The `tco` bills: JSON, one table per provider with numbered sources, and the overview.

use std::fmt::Write as _;

use cloudfit_advise::i18n::{self, label, Lang};
use cloudfit_advise::tco::to_f64;
use cloudfit_advise::{Criterion, Evidence, ProviderAssessment, Tco};
use cloudfit_catalog::Money;
use comfy_table::CellAlignment;
use serde_json::{json, Map, Value};

use super::json::{evidence_json, money_json};
use super::table::{fill_table, narrow_table, wrap, DOT, WIDTH};
use super::{cell, cited, colon, grouped, knowledge, plain, round, Columns, Knowledge};

fn money_text(m: &Money) -> String {
    format!("{} {}", m.amount.normalize(), m.currency)
}

/// One provider's bill as JSON.
pub fn tco_json(p: &cloudfit_advise::ProviderAssessment) -> Value {
    let (provider, tco) = (&p.id, &p.tco);
    let cost = p.criterion(cloudfit_advise::Criterion::Cost);
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
                "context_unknown": l.context_unknown,
                "source": evidence_json(&l.evidence),
            })
        })
        .collect();
    json!({
        "provider": provider,
        "lines": lines,
        "total_priced": money_json(to_f64(tco.known_total()), tco.currency),
        "complete": tco.lines.iter().all(|l| l.amount.is_some()),
        // What `rank` scores: unpriced lines at the highest price in the catalog.
        "cost_as_ranked": {
            "amount": round(cost.value, 2),
            "currency": tco.currency.to_string(),
            "unknown": cost.unknown,
            "range": cost.range.map(|(lo, hi)| [round(lo, 2), round(hi, 2)]),
        },
        "to_verify": p.to_verify(),
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
        .map(|l| cloudfit_advise::tco::cost_item(&l.item, lang))
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
                format!(
                    "{}{c}{}",
                    label("unknown", lang),
                    cloudfit_advise::tco::unpriced(u, lang)
                )
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
            cloudfit_advise::tco::cost_item(&l.item, lang),
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
    use cloudfit_advise::i18n::Lang;
    use cloudfit_advise::ProviderAssessment;

    use super::super::fixtures::examples;
    use super::super::table::text_width;
    use super::*;

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
}
