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
            .map(|c| match lang {
                Lang::En => format!(
                    "{} ({:+.3})",
                    i18n::criterion(c.criterion, lang),
                    c.contribution
                ),
                Lang::Zh => format!(
                    "{}({:+.3})",
                    i18n::criterion(c.criterion, lang),
                    c.contribution
                ),
            })
            .collect::<Vec<_>>()
            .join(if lang == Lang::Zh { "、" } else { ", " })
    };
    let (leads, trails) = (list(true), list(false));
    let winner = full(&e.winner);
    out.push(match lang {
        Lang::En => {
            let mut s = format!("{winner} is first; against {runner} it");
            match (leads.is_empty(), trails.is_empty()) {
                (false, false) => s.push_str(&format!(" leads on {leads} and trails on {trails}")),
                (false, true) => s.push_str(&format!(" leads on {leads}")),
                (true, false) => s.push_str(&format!(" trails on {trails}")),
                (true, true) => s.push_str(" is level on every criterion"),
            }
            s.push_str(" (weighted normalised difference per criterion).");
            s
        }
        Lang::Zh => {
            let mut s = format!("{winner} 排名第一;与 {runner} 相比");
            if !leads.is_empty() {
                s.push_str(&format!(",在{leads}上领先"));
            }
            if !trails.is_empty() {
                s.push_str(&format!(",在{trails}上落后"));
            }
            if leads.is_empty() && trails.is_empty() {
                s.push_str(",各准则均持平");
            }
            s.push_str("(各准则的加权归一化差值)。");
            s
        }
    });
    let winner = later(&e.winner);
    for m in &e.sensitivity {
        let c = i18n::criterion(m.criterion, lang);
        // A range spanning all of [0, 1] means no change alone moves first place, whatever
        // rival the search met at the edge.
        let whole = m.lower <= 1e-9 && m.upper >= 1.0 - 1e-9;
        let line = match (m.margin().filter(|_| !whole), lang) {
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

fn pct(x: f64) -> String {
    format!("{:.0}%", x * 100.0)
}

fn id_name(advice: &Advice, id: &str, lang: Lang) -> String {
    advice
        .assessment
        .providers
        .iter()
        .position(|p| p.id == id)
        .map(|i| provider_name(advice, i, lang))
        .unwrap_or_else(|| id.to_owned())
}

/// What a buyer must read before the table: the profile notices, a warning for every workload
/// line no provider prices, when the method's #1 is not the most robust choice, and when the
/// winner's lead rests on facts the others lack.
pub fn summary_lines(advice: &Advice, lang: Lang) -> Vec<String> {
    let mut out = Vec::new();
    for n in &advice.assessment.notices {
        out.push(match lang {
            Lang::En => format!("Note ({}): {}", n.key, n.en),
            Lang::Zh => format!("注意({}):{}", n.key, n.zh),
        });
    }
    for item in &advice.assessment.unpriced_everywhere {
        let name = cloudfit_advise::tco::cost_item(item, lang);
        out.push(match lang {
            Lang::En => format!(
                "Warning: no provider in the catalog prices {name}; it is counted as an unknown cost (0) for everyone, so every total is low by that line"
            ),
            Lang::Zh => format!(
                "警告:目录中没有任何厂商给出{name}的价格;该项按未知成本(计 0)计入所有厂商,因此各家合计都少算了这一项"
            ),
        });
    }
    for r in &advice.ranking {
        let p = &advice.assessment.providers[r.index];
        for line in &p.tco.lines {
            let (Some(need), Some(model)) = (line.context_unknown, line.choice.as_deref()) else {
                continue;
            };
            let item = cloudfit_advise::tco::cost_item(&line.item, lang);
            out.push(match lang {
                Lang::En => format!(
                    "Check: {} prices {item} on {model}, whose context window the catalog does not know; ask whether it takes {need}-token prompts",
                    p.id
                ),
                Lang::Zh => format!(
                    "请核实:{} 的{item}按 {model} 计价,目录中没有它的上下文窗口;请确认它能否处理 {need} token 的提示",
                    p.id
                ),
            });
        }
    }
    if let (Some(robust), Some(first)) = (advice.most_robust, advice.ranking.first()) {
        let rs = advice
            .ranking
            .iter()
            .find(|r| r.index == robust)
            .map_or(0.0, |r| r.first_rank_share);
        let (rn, fname) = (
            provider_name(advice, robust, lang),
            provider_name(advice, first.index, lang),
        );
        out.push(match lang {
            Lang::En => format!(
                "Most robust reading: {rn} is first in {} of plausible weightings; {} with the profile's central weights puts {fname} first, but it is first in only {}.",
                pct(rs),
                advice.method.name().to_uppercase(),
                pct(first.first_rank_share)
            ),
            Lang::Zh => format!(
                "更稳健的结论:在 {} 的合理权重下 {rn} 排第一;按画像中心权重,{} 把 {fname} 排第一,但它只在 {} 的权重下排第一。",
                pct(rs),
                advice.method.name().to_uppercase(),
                pct(first.first_rank_share)
            ),
        });
    }
    if let Some(g) = &advice.lead_on_gaps {
        let crit: Vec<&str> = g
            .criteria
            .iter()
            .map(|c| i18n::criterion(*c, lang))
            .collect();
        let (w, r) = (
            id_name(advice, &g.winner, lang),
            id_name(advice, &g.runner_up, lang),
        );
        out.push(match (lang, g.only_one) {
            (Lang::En, true) => format!(
                "Read with care: {w} leads mainly because it is the only ranked provider with a {} figure ({} of its lead over {r} rests on criteria where {r} has no fact: {}).",
                crit[0],
                pct(g.share_of_lead),
                crit.join(", ")
            ),
            (Lang::En, false) => format!(
                "Read with care: {} of {w}'s lead over {r} rests on criteria where {r} has no fact ({}); the questions below say what to ask.",
                pct(g.share_of_lead),
                crit.join(", ")
            ),
            (Lang::Zh, true) => format!(
                "请谨慎解读:{w} 领先主要是因为它是唯一有{}数据的厂商(它对 {r} 的领先中有 {} 来自 {r} 缺乏事实的准则:{})。",
                crit[0],
                pct(g.share_of_lead),
                crit.join("、")
            ),
            (Lang::Zh, false) => format!(
                "请谨慎解读:{w} 对 {r} 的领先中有 {} 来自 {r} 缺乏事实的准则({});下面的问题列出该问什么。",
                pct(g.share_of_lead),
                crit.join("、")
            ),
        });
    }
    out
}

/// Providers to verify: the rank they would take if their open constraints held, and why open.
pub fn to_verify_lines(advice: &Advice, lang: Lang) -> Vec<String> {
    advice
        .to_verify
        .iter()
        .map(|v| {
            let p = &advice.assessment.providers[v.index];
            let facts: Vec<&str> = p
                .open
                .iter()
                .map(|o| match lang {
                    Lang::En => o.fact_en.as_str(),
                    Lang::Zh => o.fact_zh.as_str(),
                })
                .collect();
            match lang {
                Lang::En => format!(
                    "{} ({}): would rank #{} (first in {} of weightings) if it holds; open: {}",
                    provider_name(advice, v.index, lang),
                    p.id,
                    v.rank_if_held,
                    pct(v.first_rank_share_if_held),
                    facts.join("; ")
                ),
                Lang::Zh => format!(
                    "{}({}):若约束成立,将排第 {} 名(在 {} 的权重下排第一);待核实:{}",
                    provider_name(advice, v.index, lang),
                    p.id,
                    v.rank_if_held,
                    pct(v.first_rank_share_if_held),
                    facts.join(";")
                ),
            }
        })
        .collect()
}

/// One question for the vendor with its effect, in the buyer's language.
pub fn question_text(advice: &Advice, q: &cloudfit_advise::Question, lang: Lang) -> String {
    use cloudfit_advise::QuestionFact;
    let name = id_name(advice, &q.provider, lang);
    let ask = match (&q.fact, lang) {
        (QuestionFact::Unknown { fact, .. }, Lang::En) => fact.ask_en.clone(),
        (QuestionFact::Unknown { fact, .. }, Lang::Zh) => fact.ask_zh.clone(),
        (QuestionFact::Constraint(o), Lang::En) => o.ask_en.clone(),
        (QuestionFact::Constraint(o), Lang::Zh) => o.ask_zh.clone(),
    };
    let ask = if ask.starts_with("Ask ") || ask.starts_with('问') {
        ask
    } else {
        match lang {
            Lang::En => format!("{name}: {ask}"),
            Lang::Zh => format!("{name}:{ask}"),
        }
    };
    let winner = q
        .winner_change
        .as_ref()
        .map(|(b, w)| (id_name(advice, b, lang), id_name(advice, w, lang)));
    let effect = match (&q.fact, lang) {
        (QuestionFact::Constraint(_), Lang::En) => format!(
            "if yes, {name} is first in {} of weightings instead of being unranked",
            pct(q.share_best)
        ),
        (QuestionFact::Constraint(_), Lang::Zh) => format!(
            "若答案是肯定的,{name} 将在 {} 的权重下排第一,而不是不参与排名",
            pct(q.share_best)
        ),
        (QuestionFact::Unknown { .. }, Lang::En) => format!(
            "at the best plausible answer {name} is first in {} of weightings, at the worst in {} (now {})",
            pct(q.share_best),
            pct(q.share_worst),
            pct(q.share_now)
        ),
        (QuestionFact::Unknown { .. }, Lang::Zh) => format!(
            "若答案最好,{name} 在 {} 的权重下排第一;最差则为 {}(目前 {})",
            pct(q.share_best),
            pct(q.share_worst),
            pct(q.share_now)
        ),
    };
    let winner = match (winner, lang) {
        (Some((b, w)), Lang::En) => format!(
            "; it decides who is most often first ({b} at the best answer, {w} at the worst)"
        ),
        (Some((b, w)), Lang::Zh) => format!(";它决定谁最常排第一(答案最好时为 {b},最差时为 {w})"),
        (None, _) => String::new(),
    };
    match lang {
        Lang::En => format!("{ask} — {effect}{winner}."),
        Lang::Zh => format!("{ask}——{effect}{winner}。"),
    }
}

/// The questions worth asking, most effect first, then one line on the rest.
pub fn question_lines(advice: &Advice, lang: Lang, limit: usize) -> Vec<String> {
    let worth: Vec<&cloudfit_advise::Question> = advice
        .questions
        .iter()
        .filter(|q| q.effect >= cloudfit_advise::QUESTION_MIN_EFFECT)
        .collect();
    let mut out: Vec<String> = worth
        .iter()
        .take(limit)
        .enumerate()
        .map(|(i, q)| format!("{}. {}", i + 1, question_text(advice, q, lang)))
        .collect();
    let more = worth.len().saturating_sub(limit);
    let idle = advice.questions.len() - worth.len();
    if more > 0 {
        out.push(match lang {
            Lang::En => format!("{more} more questions with smaller effects are in --format json."),
            Lang::Zh => format!("另有 {more} 个影响较小的问题,见 --format json。"),
        });
    }
    if idle > 0 {
        out.push(match lang {
            Lang::En => format!(
                "The other {idle} unknown facts cannot change the outcome (each moves first-rank shares by less than 1 point)."
            ),
            Lang::Zh => format!("其余 {idle} 个未知事实不会改变结论(各自对第一名占比的影响不到 1 个百分点)。"),
        });
    }
    out
}

/// Which block of findings a report shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Findings {
    /// Notes to read before the table (no heading).
    Summary,
    ToVerify,
    Questions,
}

impl Findings {
    /// The block's heading label key, `None` for the summary.
    pub fn heading(self) -> Option<&'static str> {
        match self {
            Findings::Summary => None,
            Findings::ToVerify => Some("to_verify"),
            Findings::Questions => Some("questions"),
        }
    }

    /// The block's lines; reports list at most `questions` questions.
    pub fn lines(self, advice: &Advice, lang: Lang, questions: usize) -> Vec<String> {
        match self {
            Findings::Summary => summary_lines(advice, lang),
            Findings::ToVerify => to_verify_lines(advice, lang),
            Findings::Questions => question_lines(advice, lang, questions),
        }
    }
}
