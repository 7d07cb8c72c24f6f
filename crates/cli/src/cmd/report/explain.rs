//! Plain-language explanation of a ranking, shared by every format.

use cloudfit_advise::i18n::{self, Lang};
use cloudfit_advise::Advice;

use super::provider_name;

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
