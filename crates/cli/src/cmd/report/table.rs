//! Text layout for terminals (display width, word wrap, tables no wider than [`WIDTH`]) and
//! the people-facing ranking table.

use std::fmt::Write as _;

use cloudfit_advise::i18n::{label, Lang};
use cloudfit_advise::Advice;
use comfy_table::{CellAlignment, ColumnConstraint, Table, Width as ComfyWidth};

use super::explain::{explanation_lines_named, Findings, Naming};
use super::{
    ahp_inconsistent, colon, header, legend, names_line, numeric, row, unpriced_everywhere,
    weights_line, Columns,
};

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
pub(super) const DOT: &str = " · ";

/// Word-wrap `text` to `width` columns: the first line starts with `first`, the others with
/// `rest`. Items separated by ` · ` are kept whole on a line when they fit; otherwise lines
/// break at spaces, and between wide (CJK) characters, which have no spaces. A word longer
/// than a line (a URL) keeps its own line rather than being cut.
pub fn wrap(text: &str, first: &str, rest: &str, width: usize) -> String {
    let mut lines = Lines {
        out: String::new(),
        line: String::new(),
        last: 0,
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
        lines.last = lines.line.len();
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
    /// Byte offset in `line` where the last piece (with its space) starts.
    last: usize,
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
        self.last = self.line.len();
        self.used = text_width(self.rest);
        self.empty = true;
    }

    fn push(&mut self, space: bool, piece: &str) {
        let w = text_width(piece);
        let gap = usize::from(space && !self.empty);
        if !self.empty && self.used + gap + w > self.width {
            if closes(piece) && !space {
                // Punctuation may not start a line: carry the word before it down with it.
                let tail = self.line.split_off(self.last);
                self.used -= text_width(&tail);
                self.newline();
                let tail = tail.trim_start();
                self.line.push_str(tail);
                self.used += text_width(tail);
                self.empty = tail.is_empty();
            } else {
                self.newline();
            }
        }
        self.last = self.line.len();
        if space && !self.empty {
            self.line.push(' ');
            self.used += 1;
        }
        self.line.push_str(piece);
        self.used += w;
        self.empty = false;
    }
}

/// A table in the house style no wider than [`WIDTH`] (or `COLUMNS`, when narrower).
pub fn narrow_table() -> Table {
    let mut t = crate::output::table();
    let max = u16::try_from(WIDTH).unwrap_or(u16::MAX);
    let width = t.width().map_or(max, |w| w.min(max));
    t.set_width(width);
    t
}

/// Set `header` and `rows` on `t`, never splitting a word (see [`keep_words_whole`]).
pub fn fill_table(t: &mut Table, header: Vec<String>, rows: Vec<Vec<String>>) {
    t.set_header(header);
    for r in rows {
        t.add_row(r);
    }
    keep_words_whole(t);
}

/// Makes each column at least as wide as its longest word, so only text with spaces (or CJK
/// text) wraps: comfy-table would otherwise split ids like `deepseek-v4-pro` mid-word.
pub fn keep_words_whole(t: &mut Table) {
    let mut widths: Vec<usize> = Vec::new();
    for row in t.header().into_iter().chain(t.row_iter()) {
        for (i, cell) in row.cell_iter().enumerate() {
            let longest = cell
                .content()
                .lines()
                .flat_map(pieces)
                .map(|(_, word)| text_width(&word))
                .max()
                .unwrap_or(0);
            if widths.len() <= i {
                widths.resize(i + 1, 0);
            }
            widths[i] = widths[i].max(longest);
        }
    }
    for (col, w) in t.column_iter_mut().zip(widths) {
        // the constraint counts the padding, one column on each side
        let w = u16::try_from(w + 2).unwrap_or(u16::MAX);
        col.set_constraint(ColumnConstraint::LowerBoundary(ComfyWidth::Fixed(w)));
    }
}

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
                &format!(
                    "{}{c}{}",
                    e.provider,
                    cloudfit_advise::assess::exclusion(&e.reason, lang)
                ),
                "  ",
                "    ",
                WIDTH
            )
        );
    }
}

/// The default people-facing table.
/// Providers to verify or the questions worth asking, under their heading.
fn push_findings(out: &mut String, advice: &Advice, lang: Lang, part: Findings) {
    let lines = part.lines(advice, lang, 5);
    let Some(key) = part.heading().filter(|_| !lines.is_empty()) else {
        return;
    };
    let _ = writeln!(out, "\n{}{}", label(key, lang), colon(lang).trim_end());
    for line in lines {
        let _ = writeln!(out, "{}", wrap(&line, "  ", "     ", WIDTH));
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
    for line in Findings::Summary.lines(advice, lang, 0) {
        let _ = writeln!(out, "{}", wrap(&line, "", "  ", WIDTH));
    }
    if advice.ranking.is_empty() {
        // An empty table would read as a bug; say what happened and where the reasons are.
        let _ = writeln!(
            out,
            "\n{}",
            wrap(
                label(
                    if advice.to_verify.is_empty() {
                        "none_qualifies"
                    } else {
                        "none_verified"
                    },
                    lang
                ),
                "",
                "  ",
                WIDTH
            )
        );
        push_findings(&mut out, advice, lang, Findings::ToVerify);
        push_findings(&mut out, advice, lang, Findings::Questions);
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
    if let Some(cr) = ahp_inconsistent(advice) {
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
    push_findings(&mut out, advice, lang, Findings::ToVerify);
    push_findings(&mut out, advice, lang, Findings::Questions);
    push_excluded(&mut out, advice, lang);
    if let Some(items) = unpriced_everywhere(advice, lang) {
        let _ = writeln!(
            out,
            "\n{}",
            wrap(
                &format!("{}{c}{items}", label("unpriced_everywhere", lang)),
                "",
                "  ",
                WIDTH
            )
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use cloudfit_advise::i18n::{label, Lang};

    use super::super::fixtures::examples;
    use super::super::{knowledge, Columns, Knowledge};
    use super::*;

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
}
