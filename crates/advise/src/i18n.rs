//! People-facing text in Chinese and English. JSON keys never go through here.

use crate::assess::Exclusion;
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
        "unknown_note" => (
            "? = unknown fact: counted at the worst known value; SMAA samples its plausible range",
            "? = 事实未知:确定性方法按已知最差值计,SMAA 在合理区间内抽样",
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

/// Why a provider was excluded, in `lang`.
pub fn exclusion(e: &Exclusion, lang: Lang) -> String {
    let list = |v: &[String]| {
        if v.is_empty() {
            match lang {
                Lang::En => "none".to_owned(),
                Lang::Zh => "无".to_owned(),
            }
        } else {
            v.join(", ")
        }
    };
    match (e, lang) {
        (Exclusion::Jurisdiction { allowed, has }, Lang::En) => format!(
            "no region in an allowed jurisdiction (allowed: {}; has: {})",
            list(allowed),
            list(has)
        ),
        (Exclusion::Jurisdiction { allowed, has }, Lang::Zh) => format!(
            "没有位于允许司法辖区的地域(允许:{};现有:{})",
            list(allowed),
            list(has)
        ),
        (Exclusion::Certifications { missing, has }, Lang::En) => format!(
            "no evidence of required certification {} (catalog has: {})",
            list(missing),
            list(has)
        ),
        (Exclusion::Certifications { missing, has }, Lang::Zh) => format!(
            "缺少必需认证 {} 的证据(目录中有:{})",
            list(missing),
            list(has)
        ),
        (Exclusion::Capabilities { missing }, Lang::En) => format!(
            "no model with required capability {} priced in an allowed region",
            list(missing)
        ),
        (Exclusion::Capabilities { missing }, Lang::Zh) => {
            format!("在允许地域内没有具备必需能力 {} 的有价模型", list(missing))
        }
        (Exclusion::NoTaskServed, Lang::En) => {
            "no model that can serve any of the workload's task classes".to_owned()
        }
        (Exclusion::NoTaskServed, Lang::Zh) => "没有能承担工作负载中任何任务类别的模型".to_owned(),
        (Exclusion::OverBudget { at_least, budget }, Lang::En) => format!(
            "monthly cost at least {} {} exceeds the budget of {} {}",
            at_least.amount, at_least.currency, budget.amount, budget.currency
        ),
        (Exclusion::OverBudget { at_least, budget }, Lang::Zh) => format!(
            "月成本至少 {} {},超出预算 {} {}",
            at_least.amount, at_least.currency, budget.amount, budget.currency
        ),
    }
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
        ] {
            assert!(!label(key, Lang::En).is_empty(), "{key}");
            assert!(!label(key, Lang::Zh).is_empty(), "{key}");
        }
    }
}
