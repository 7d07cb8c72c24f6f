//! People-facing text in Chinese and English: the language, labels, units and money. It knows
//! no domain type, so every module may use it; each module renders its own reasons
//! (`tco::unpriced`, `assess::exclusion`). JSON keys never go through here.

use crate::criterion::Criterion;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
}

impl Lang {
    /// Chinese when the locale value (`LC_ALL`, else `LANG`) starts with `zh`, else English.
    pub fn from_locale(lc_all: Option<&str>, lang: Option<&str>) -> Lang {
        let value = lc_all.filter(|v| !v.is_empty()).or(lang).unwrap_or("");
        if value.starts_with("zh") {
            Lang::Zh
        } else {
            Lang::En
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }
}

/// The criterion's name as the report's six criteria are called.
pub fn criterion(c: Criterion, lang: Lang) -> &'static str {
    match (c, lang) {
        (Criterion::Cost, Lang::En) => "cost",
        (Criterion::Performance, Lang::En) => "performance",
        (Criterion::Stability, Lang::En) => "stability",
        (Criterion::Compliance, Lang::En) => "security & compliance",
        (Criterion::AiCapability, Lang::En) => "AI capability",
        (Criterion::Migration, Lang::En) => "migration",
        (Criterion::Cost, Lang::Zh) => "成本",
        (Criterion::Performance, Lang::Zh) => "性能",
        (Criterion::Stability, Lang::Zh) => "稳定性",
        (Criterion::Compliance, Lang::Zh) => "安全合规",
        (Criterion::AiCapability, Lang::Zh) => "AI 能力",
        (Criterion::Migration, Lang::Zh) => "迁移难度",
    }
}

/// The criterion's short name for a table header (the full name is in [`criterion`]).
pub fn criterion_short(c: Criterion, lang: Lang) -> &'static str {
    match (c, lang) {
        (Criterion::Cost, Lang::En) => "cost",
        (Criterion::Performance, Lang::En) => "perf",
        (Criterion::Stability, Lang::En) => "stability",
        (Criterion::Compliance, Lang::En) => "compliance",
        (Criterion::AiCapability, Lang::En) => "AI",
        (Criterion::Migration, Lang::En) => "migration",
        (Criterion::Cost, Lang::Zh) => "成本",
        (Criterion::Performance, Lang::Zh) => "性能",
        (Criterion::Stability, Lang::Zh) => "稳定性",
        (Criterion::Compliance, Lang::Zh) => "合规",
        (Criterion::AiCapability, Lang::Zh) => "AI",
        (Criterion::Migration, Lang::Zh) => "迁移",
    }
}

/// A criterion unit as the advise crate writes it (`USD/month`, `output tokens/s`,
/// `expected downtime h/month`, `points (0-100)`, `CNY one-time`, `engineer-days`), for people.
/// Units it does not know are returned unchanged.
pub fn unit(unit: &str, lang: Lang) -> String {
    if lang == Lang::En {
        return unit.to_owned();
    }
    if let Some(currency) = unit.strip_suffix("/month").filter(|c| is_currency(c)) {
        return format!("{currency}/月");
    }
    if let Some(currency) = unit.strip_suffix(" one-time").filter(|c| is_currency(c)) {
        return format!("{currency}(一次性)");
    }
    match unit {
        "output tokens/s" => "输出 token/秒".to_owned(),
        "expected downtime h/month" => "预计停机小时/月".to_owned(),
        "expected h/month without service" => "预计无服务小时/月".to_owned(),
        "points (0-100)" => "分(0-100)".to_owned(),
        "engineer-days" => "人天".to_owned(),
        other => other.to_owned(),
    }
}

fn is_currency(s: &str) -> bool {
    s.len() == 3 && s.bytes().all(|b| b.is_ascii_uppercase())
}

/// Fixed labels used by tables and reports.
pub fn label(key: &str, lang: Lang) -> &'static str {
    let (en, zh) = match key {
        "title" => ("Which AI cloud fits", "哪朵 AI 云适合"),
        "rank" => ("rank", "排名"),
        "provider" => ("provider", "厂商"),
        "score" => ("score", "得分"),
        "monthly_cost" => ("monthly cost", "月成本"),
        "first_rank_share" => ("first-rank share", "第一名占比"),
        "excluded" => ("Excluded before ranking", "排名前已排除"),
        "to_verify" => (
            "To verify (a hard constraint is unknown, not known to fail; ranked as if it held)",
            "待核实(硬约束未知而非已知不满足;按约束成立时的名次列出)",
        ),
        "questions" => (
            "Questions worth asking (the unknowns that move the result most)",
            "值得问的问题(对结论影响最大的未知事实)",
        ),
        "reason" => ("reason", "原因"),
        "explanation" => ("Why the winner wins", "第一名为何胜出"),
        "leads" => ("leads on", "领先于"),
        "trails" => ("trails on", "落后于"),
        "sensitivity" => (
            "How far each weight must move before first place changes",
            "各权重需变动多少第一名才会改变",
        ),
        "weight" => ("weight", "权重"),
        "stays_first" => ("stays first for weights in", "保持第一的权重区间"),
        "never_changes" => (
            "no weight change alone changes first place",
            "单独调整任何权重都不会改变第一名",
        ),
        "acceptability" => ("Rank acceptabilities (SMAA-2)", "排名可接受度(SMAA-2)"),
        "unknown" => ("unknown", "未知"),
        "none_verified" => (
            "No provider is shown to meet every hard constraint of this profile; those listed to verify would, if the questions below are answered yes.",
            "没有厂商被证明满足该画像的全部硬性约束;下列待核实的厂商在问题得到肯定答复后即可参与排名。",
        ),
        "none_qualifies" => (
            "No provider meets every hard constraint of this profile; the reasons are below. Loosen a constraint or add a provider with --catalog.",
            "没有厂商满足该画像的全部硬性约束,原因见下。请放宽某项约束,或用 --catalog 加入厂商。",
        ),
        "unknown_note" => (
            "? = includes an unknown fact: counted at the worst value known in the catalog; SMAA samples its range",
            "? = 含未知事实:按目录中已知的最差值计,SMAA 在其合理区间内抽样",
        ),
        "unknown_value_note" => (
            "unknown = no fact at all: counted at the worst value known for any provider in the catalog; SMAA samples the span from the best known to that",
            "未知 = 完全没有事实:按目录中任一厂商的已知最差值计,SMAA 在已知最好值到该值之间抽样",
        ),
        "unknown_column" => (
            "unknown for every compared provider",
            "所有候选厂商均未知",
        ),
        "unknown_column_effect" => (
            "counted the same for all, so it cannot change the ranking",
            "各家按同一值计,不影响排名",
        ),
        "performance_hint" => (
            "no measurements and no published speed figures for the chosen models; measure them with `cloudfit bench` or add [[performance]] in an overlay",
            "所选模型尚无实测数据,也无公开速度数据;可用 `cloudfit bench` 实测,或在覆盖文件中加入 [[performance]]",
        ),
        "share_legend" => (
            "share of plausible weightings (SMAA-2) in which the provider is first",
            "在合理权重(SMAA-2)中该厂商排第一的比例",
        ),
        "chart_note" => (
            "Each bar splits the SMAA-2 samples by the rank the provider takes (#1 darkest green); the figure on the right is the first-rank share.",
            "每条横条按该厂商在 SMAA-2 样本中所得名次划分(#1 为深绿色);右侧数字为第一名占比。",
        ),
        "score_topsis" => (
            "TOPSIS closeness to the ideal, 0-1 (higher is better)",
            "TOPSIS 与理想解的贴近度,0-1(越高越好)",
        ),
        "score_wsm" => (
            "weighted sum of max-normalised values, 0-1 (higher is better)",
            "按最大值归一化后的加权和,0-1(越高越好)",
        ),
        "score_smaa" => (
            "SMAA-2 holistic acceptability, 0-1 (higher is better)",
            "SMAA-2 综合可接受度,0-1(越高越好)",
        ),
        "better_lower" => ("lower is better", "越低越好"),
        "better_higher" => ("higher is better", "越高越好"),
        "providers" => ("Providers", "厂商"),
        "units" => ("Units", "单位"),
        "sources" => ("Sources", "来源"),
        "priced_total" => ("priced lines", "有价项合计"),
        "unpriced_lines" => ("unpriced lines", "无价格项"),
        "cost_in_rank" => ("cost as ranked", "排名所用成本"),
        "tco_note" => (
            "unknown = the catalog has no price of this provider for this line: left out of its priced total; `cloudfit rank` counts it at the highest price any provider in the catalog asks for it (shown with ?)",
            "未知 = 目录中该厂商此项无价格:不计入有价项合计;`cloudfit rank` 按目录中任一厂商对该项的最高价计(标 ?)",
        ),
        "excluded_short" => ("excluded", "已排除"),
        "not_compared" => ("not compared", "未参与比较"),
        "claims_share_note" => (
            "first for you = share of plausible weightings (SMAA-2) in which the provider is first for this profile · excluded = removed by a hard constraint (reasons below)",
            "你的第一占比 = 在合理权重(SMAA-2)下该厂商对此画像排第一的比例 · 已排除 = 被硬约束排除(原因见下)",
        ),
        "method" => ("method", "方法"),
        "weights" => ("weights", "权重"),
        "samples" => ("SMAA samples", "SMAA 样本数"),
        "seed" => ("seed", "随机种子"),
        "as_of" => ("as of", "截至"),
        "evidence" => ("Evidence", "证据"),
        "cost_lines" => ("Monthly cost line items", "月成本明细"),
        "item" => ("item", "项目"),
        "choice" => ("model / instance", "模型/实例"),
        "quantity" => ("quantity", "用量"),
        "unit_prices" => ("unit prices", "单价"),
        "amount" => ("amount", "金额"),
        "source" => ("source", "来源"),
        "unpriced" => ("unpriced", "无价格"),
        "total" => ("total", "合计"),
        "claims" => (
            "Everyone is first at something: market \"No. 1\" claims",
            "人均第一:各家的“第一”",
        ),
        "claim" => ("claim", "声称"),
        "measure" => ("measure", "衡量口径"),
        "scope" => ("scope", "范围"),
        "period" => ("period", "时期"),
        "value" => ("value", "数值"),
        "report" => ("report", "报告"),
        "your_share" => ("first for your profile", "按你的画像排第一的占比"),
        "your_share_short" => ("first for you", "你的第一占比"),
        "unpriced_everywhere" => (
            "Not priced by any compared provider (left out of totals)",
            "所有候选厂商均无价格(未计入合计)",
        ),
        "ahp_inconsistent" => (
            "AHP judgements are inconsistent (CR > 0.1); weights used anyway",
            "AHP 判断不一致(CR > 0.1),仍使用其权重",
        ),
        "preset_source" => (
            "Preset weighting from the market report",
            "市场报告中的预设权重依据",
        ),
        _ => ("", ""),
    };
    match lang {
        Lang::En => en,
        Lang::Zh => zh,
    }
}

/// The name of a billed quantity or a priced unit as the TCO lines write it (`input tokens`,
/// `cache-hit share`, `GPU-hours`, `GB out`, `cached input`, ...), in `lang`; unknown names
/// are returned unchanged.
pub fn quantity(what: &str, lang: Lang) -> String {
    if lang == Lang::En {
        return what.to_owned();
    }
    match what {
        "input tokens" | "input" => "输入",
        "output tokens" | "output" => "输出",
        "cached input" => "缓存输入",
        "embedding tokens" => "嵌入",
        "cache-hit share" => "缓存命中率",
        "GPU-hours" | "GPU-hour" => "GPU 小时",
        "GB out" => "出网 GB",
        "GB stored" => "存储 GB",
        other => other,
    }
    .to_owned()
}

/// An amount of money for people: thousands separated, whole units, currency after
/// (`3,498 CNY`); amounts under 100 keep two decimals.
pub fn money(amount: rust_decimal::Decimal, currency: cloudfit_catalog::Currency) -> String {
    use rust_decimal::prelude::ToPrimitive;
    let v = amount.to_f64().unwrap_or(0.0);
    format!(
        "{} {currency}",
        grouped(v, if v.abs() < 100.0 { 2 } else { 0 })
    )
}

/// `x` with `dp` decimals and thousands separators (`13,791`, `-0` printed as `0`).
pub fn grouped(x: f64, dp: usize) -> String {
    let f = 10f64.powi(i32::try_from(dp).unwrap_or(0));
    let x = (x * f).round() / f;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locale_picks_language() {
        assert_eq!(
            Lang::from_locale(Some("zh_CN.UTF-8"), Some("en_US")),
            Lang::Zh
        );
        assert_eq!(Lang::from_locale(None, Some("zh_TW")), Lang::Zh);
        assert_eq!(Lang::from_locale(Some(""), Some("en_GB.UTF-8")), Lang::En);
        assert_eq!(Lang::from_locale(None, None), Lang::En);
    }

    #[test]
    fn units_read_in_chinese() {
        for (en, zh) in [
            ("CNY/month", "CNY/月"),
            ("USD one-time", "USD(一次性)"),
            ("engineer-days", "人天"),
            ("expected downtime h/month", "预计停机小时/月"),
            ("points (0-100)", "分(0-100)"),
            ("output tokens/s", "输出 token/秒"),
            ("furlongs", "furlongs"),
        ] {
            assert_eq!(unit(en, Lang::Zh), zh);
            assert_eq!(unit(en, Lang::En), en);
        }
        assert_eq!(quantity("cache-hit share", Lang::Zh), "缓存命中率");
    }

    #[test]
    fn every_label_has_both_languages() {
        for key in [
            "title",
            "rank",
            "provider",
            "score",
            "monthly_cost",
            "first_rank_share",
            "excluded",
            "explanation",
            "sensitivity",
            "acceptability",
            "cost_lines",
            "claims",
            "your_share",
            "your_share_short",
            "unknown_note",
            "unknown_value_note",
            "unknown_column",
            "unknown_column_effect",
            "performance_hint",
            "share_legend",
            "score_topsis",
            "score_wsm",
            "score_smaa",
            "chart_note",
            "providers",
            "sources",
            "priced_total",
            "unpriced_lines",
            "cost_in_rank",
            "tco_note",
            "excluded_short",
            "not_compared",
            "claims_share_note",
        ] {
            assert!(!label(key, Lang::En).is_empty(), "{key}");
            assert!(!label(key, Lang::Zh).is_empty(), "{key}");
        }
    }
}
