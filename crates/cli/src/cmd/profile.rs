//! `cloudfit profile init|check`: start a profile from a commented template, and show what a
//! profile is read as after exactly the checks `rank` runs on it.

use std::fs::OpenOptions;
use std::io::Write as _;
use std::path::PathBuf;

use anyhow::anyhow;
use cloudfit_advise::assess::{REASSESSMENT_DEFAULT_CNY, REGRESSION_DAYS_PER_TASK};
use cloudfit_advise::i18n::{self, Lang};
use cloudfit_advise::profile::capability_key;
use cloudfit_advise::rank::weight_model;
use cloudfit_advise::{
    assess, CertRequirement, Criterion, Measurements, Profile, Segment, Unverified, WeightSpec,
};
use cloudfit_catalog::{Catalog, Currency, Decimal, Jurisdiction, Money, CERTIFICATIONS};
use cloudfit_decide::WeightInfo;
use serde_json::{json, Value};

use crate::failure::{CmdResult, Failure};
use crate::output::{emit, emit_json, DataFormat};

use super::report::{self, advise_failure, load_profile, Common, LangArg};

#[derive(clap::Subcommand)]
pub enum Command {
    /// Write a commented starting profile: every key with its unit, allowed values and default
    Init(InitArgs),
    /// Run the checks `rank` runs on a profile and show what it is read as
    Check(CheckArgs),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum SegmentArg {
    /// AI-native companies and R&D-heavy teams: cheap, fast, capable tokens
    AiNative,
    /// Government, finance, large state-owned firms: compliance and stability
    Regulated,
    /// SMEs and traditional industries: someone answers when things break
    Sme,
}

impl SegmentArg {
    fn segment(self) -> Segment {
        match self {
            SegmentArg::AiNative => Segment::AiNative,
            SegmentArg::Regulated => Segment::Regulated,
            SegmentArg::Sme => Segment::Sme,
        }
    }
}

#[derive(clap::Args)]
pub struct InitArgs {
    /// Segment whose preset weights and certifications the profile starts from
    #[arg(long, value_enum, default_value = "sme")]
    segment: SegmentArg,
    /// Language of the comments (default: zh when LC_ALL/LANG starts with "zh", else en)
    #[arg(long, value_enum)]
    lang: Option<LangArg>,
    /// Write the profile to this file instead of stdout (an existing file is never overwritten)
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

#[derive(clap::Args)]
pub struct CheckArgs {
    /// The profile to check
    #[arg(value_name = "P.toml")]
    profile: PathBuf,
    #[command(flatten)]
    common: Common,
    /// Output format: table (for people) or json (for scripts)
    #[arg(long, value_enum, default_value = "table")]
    format: DataFormat,
    /// Seed for the centre of an order or ranges weighting (as `rank --seed`)
    #[arg(long, default_value_t = 42)]
    seed: u64,
}

pub fn run(command: Command) -> CmdResult {
    match command {
        Command::Init(args) => init(&args),
        Command::Check(args) => check(&args),
    }
}

fn lang_of(arg: Option<LangArg>) -> Lang {
    match arg {
        Some(LangArg::Zh) => Lang::Zh,
        Some(LangArg::En) => Lang::En,
        None => Lang::from_locale(
            std::env::var("LC_ALL").ok().as_deref(),
            std::env::var("LANG").ok().as_deref(),
        ),
    }
}

fn init(args: &InitArgs) -> CmdResult {
    let lang = lang_of(args.lang);
    let file = args
        .out
        .as_ref()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| "profile.toml".to_owned());
    let text = starting_profile(args.segment.segment(), lang, &file);
    let Some(path) = &args.out else {
        return emit(&text);
    };
    let mut out = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => Failure::input(anyhow!(
                "--out {file}: the file exists; cloudfit does not overwrite it (choose another name or remove it)"
            )),
            _ => Failure::input(anyhow!(
                "--out {file}: cannot create: {}",
                e.to_string().to_lowercase()
            )),
        })?;
    out.write_all(text.as_bytes())
        .map_err(|e| Failure::runtime(anyhow::Error::new(e).context(format!("writing {file}"))))?;
    emit(&match lang {
        Lang::En => format!(
            "wrote {file}; edit it, then run `cloudfit profile check {file}` and `cloudfit rank --profile {file}`"
        ),
        Lang::Zh => format!(
            "已写入 {file};修改后运行 `cloudfit profile check {file}` 和 `cloudfit rank --profile {file}`"
        ),
    })
}

// ---------------------------------------------------------------- check

/// What `check` found: the profile as read, with the weights rank will use.
struct Reading<'a> {
    profile: &'a Profile,
    catalog: &'a Catalog,
    as_of: String,
    as_of_from_profile: bool,
    weights: [f64; 6],
    info: WeightInfo,
    form: String,
    cr: Option<f64>,
}

fn check(args: &CheckArgs) -> CmdResult {
    let lang = args.common.lang();
    // Exactly what `rank` does before it ranks: load, resolve names, weights, assess.
    let mut profile = load_profile(&args.profile)?;
    let catalog = args.common.catalog()?;
    profile.resolve_names(&catalog).map_err(Failure::input)?;
    let as_of = args.common.as_of(Some(&profile), &catalog)?;
    let (weights, info, form, cr) = weight_model(&profile, args.seed).map_err(advise_failure)?;
    assess(&catalog, &profile, &Measurements::default(), as_of).map_err(advise_failure)?;
    let reading = Reading {
        profile: &profile,
        catalog: &catalog,
        as_of: as_of.to_string(),
        as_of_from_profile: args.common.as_of.is_none() && profile.as_of.is_some(),
        weights,
        info,
        form,
        cr,
    };
    match args.format {
        DataFormat::Json => emit_json(&check_json(&reading)),
        _ => emit(&check_text(&reading, lang)),
    }
}

/// The items joined with commas, or `empty` when there are none.
fn listed(items: impl Iterator<Item = String>, empty: &str) -> String {
    let items: Vec<String> = items.collect();
    if items.is_empty() {
        empty.to_owned()
    } else {
        items.join(", ")
    }
}

fn t(lang: Lang, en: &'static str, zh: &'static str) -> &'static str {
    match lang {
        Lang::En => en,
        Lang::Zh => zh,
    }
}

fn money(m: &Money) -> String {
    i18n::money(m.amount, m.currency)
}

fn tokens(n: u64) -> String {
    report::grouped(n as f64, 0)
}

fn cert_meaning(c: &CertRequirement, lang: Lang) -> String {
    let what = CERTIFICATIONS
        .iter()
        .find(|v| v.name == c.name)
        .map(|v| t(lang, v.en, v.zh))
        .unwrap_or_default();
    match (c.min_level, lang) {
        (Some(l), Lang::En) => format!("{}: level {l} or higher; {what}", c.label()),
        (Some(l), Lang::Zh) => format!("{}:{l} 级或更高;{what}", c.label()),
        (None, Lang::En) => format!("{}: {what}", c.label()),
        (None, Lang::Zh) => format!("{}:{what}", c.label()),
    }
}

/// The key as the profile writes it; in Chinese with its name beside it.
fn criterion_name(c: Criterion, lang: Lang) -> String {
    match lang {
        Lang::En => c.key().to_owned(),
        Lang::Zh => format!("{}({})", c.key(), i18n::criterion(c, lang)),
    }
}

/// `cn (mainland China)`, `cn(中国大陆)`.
fn jurisdiction_name(j: &Jurisdiction, lang: Lang) -> String {
    let zh = match j {
        Jurisdiction::MainlandChina => Some("中国大陆"),
        Jurisdiction::HongKong => Some("香港"),
        Jurisdiction::Singapore => Some("新加坡"),
        Jurisdiction::UnitedStates => Some("美国"),
        Jurisdiction::EuropeanUnion => Some("欧盟"),
        Jurisdiction::UnitedKingdom => Some("英国"),
        Jurisdiction::Japan => Some("日本"),
        Jurisdiction::Other(_) => None,
    };
    match (lang, zh) {
        (Lang::Zh, Some(name)) => format!("{}({name})", j.code()),
        (Lang::Zh, None) => j.code().to_owned(),
        (Lang::En, _) if j.name_en() == j.code() => j.code().to_owned(),
        (Lang::En, _) => format!("{} ({})", j.code(), j.name_en()),
    }
}

/// What SMAA samples for one criterion, beside its deterministic weight.
fn smaa_cell(info: &WeightInfo, i: usize, lang: Lang) -> String {
    match info {
        WeightInfo::Exact(_) => t(lang, "exact", "精确").to_owned(),
        WeightInfo::Uniform => t(lang, "any", "任意").to_owned(),
        WeightInfo::Intervals(r) => r
            .get(i)
            .map(|(lo, hi)| format!("{lo:.3} .. {hi:.3}"))
            .unwrap_or_default(),
        WeightInfo::Ordinal(groups) => {
            let n = groups.len();
            let g = groups.iter().position(|g| g.contains(&i)).unwrap_or(0) + 1;
            match lang {
                Lang::En => format!("group {g} of {n}"),
                Lang::Zh => format!("第 {g} 组(共 {n} 组)"),
            }
        }
    }
}

fn smaa_sentence(r: &Reading<'_>, lang: Lang) -> String {
    match (&r.profile.weights, lang) {
        (WeightSpec::Exact(_), Lang::En) => "SMAA uses these exact weights: the first-rank shares vary only with the unknown facts.".to_owned(),
        (WeightSpec::Exact(_), Lang::Zh) => "SMAA 使用这组精确权重:第一名占比只随未知事实变化。".to_owned(),
        (WeightSpec::Ahp(_), Lang::En) => "The weights are the AHP eigenvector of your judgements; SMAA uses them as exact weights.".to_owned(),
        (WeightSpec::Ahp(_), Lang::Zh) => "权重为你的 AHP 判断矩阵的特征向量;SMAA 将其作为精确权重使用。".to_owned(),
        (WeightSpec::Preset(_), Lang::En) => format!("The preset is a split, not exact numbers: TOPSIS/WSM use its centre; SMAA samples every weighting within ±{:.0}% of each preset weight.", cloudfit_advise::profile::PRESET_SPREAD * 100.0),
        (WeightSpec::Preset(_), Lang::Zh) => format!("预设是一种比例而非精确数值:TOPSIS/WSM 使用其中心值;SMAA 在每个预设权重的 ±{:.0}% 内抽样所有权重组合。", cloudfit_advise::profile::PRESET_SPREAD * 100.0),
        (WeightSpec::Ranges(_), Lang::En) => "SMAA samples every weighting inside your ranges (summing to 1); TOPSIS/WSM use the centre of that region, shown as the weight.".to_owned(),
        (WeightSpec::Ranges(_), Lang::Zh) => "SMAA 在你给出的区间内(权重和为 1)抽样所有权重组合;TOPSIS/WSM 使用该区域的中心,即表中的权重。".to_owned(),
        (WeightSpec::Order(_), Lang::En) => "SMAA samples every weighting that keeps your order (criteria not named come last, tied); TOPSIS/WSM use the centre of that region, shown as the weight.".to_owned(),
        (WeightSpec::Order(_), Lang::Zh) => "SMAA 抽样所有保持你给出顺序的权重组合(未列出的准则并列排在最后);TOPSIS/WSM 使用该区域的中心,即表中的权重。".to_owned(),
    }
}

fn form_label(r: &Reading<'_>, lang: Lang) -> String {
    let mut out = r.form.clone();
    if let Some(cr) = r.cr {
        let verdict = if cr <= 0.1 {
            t(lang, "consistent", "一致")
        } else {
            t(
                lang,
                "inconsistent: revisit the judgements",
                "不一致:请重新审视判断",
            )
        };
        out.push_str(&format!(", CR {cr:.3} ({verdict})"));
    }
    out
}

fn check_text(r: &Reading<'_>, lang: Lang) -> String {
    let p = r.profile;
    let c = report::colon(lang);
    let width = report::WIDTH;
    let mut out = String::new();
    let line = |out: &mut String, label: &str, value: &str| {
        out.push_str(&report::wrap(
            &format!("{label}{c}{value}"),
            "  ",
            "      ",
            width,
        ));
        out.push('\n');
    };
    out.push_str(&report::wrap(
        &match lang {
            Lang::En => format!(
                "Profile {}: \"{}\" passes every check `rank` runs; it is read as follows.",
                p.file, p.name
            ),
            Lang::Zh => format!(
                "画像 {}:“{}”通过了 `rank` 的全部检查,读取结果如下。",
                p.file, p.name
            ),
        },
        "",
        "  ",
        width,
    ));
    out.push('\n');
    if !p.notices.is_empty() {
        out.push_str(&format!(
            "\n{}{}\n",
            t(lang, "Notices", "提示"),
            c.trim_end()
        ));
        for n in &p.notices {
            let text = match lang {
                Lang::En => &n.en,
                Lang::Zh => &n.zh,
            };
            out.push_str(&report::wrap(&format!("! {text}"), "  ", "    ", width));
            out.push('\n');
        }
    }
    out.push('\n');
    line(
        &mut out,
        t(lang, "segment", "客户类型"),
        &match p.segment {
            Some(s) => {
                let preset = s.preset();
                format!(
                    "{} — {}",
                    s.key(),
                    t(lang, preset.source_en, preset.source_zh)
                )
            }
            None => t(lang, "none", "未设置").to_owned(),
        },
    );
    line(
        &mut out,
        t(lang, "as of", "评估日期"),
        &match (r.as_of_from_profile, lang) {
            (true, Lang::En) => format!("{} (the profile's as_of)", r.as_of),
            (true, Lang::Zh) => format!("{}(画像中的 as_of)", r.as_of),
            (false, Lang::En) => format!(
                "{} (--as-of, else the newest dated fact in the catalog)",
                r.as_of
            ),
            (false, Lang::Zh) => format!("{}(--as-of,否则为目录中最新的日期)", r.as_of),
        },
    );

    // weights
    out.push_str(&format!(
        "\n{}{c}{}\n",
        t(lang, "Weights", "权重"),
        form_label(r, lang)
    ));
    let mut tw = report::narrow_table();
    report::fill_table(
        &mut tw,
        vec![
            t(lang, "criterion", "准则").to_owned(),
            t(lang, "weight (TOPSIS/WSM)", "权重(TOPSIS/WSM)").to_owned(),
            t(lang, "SMAA samples", "SMAA 抽样范围").to_owned(),
        ],
        Criterion::ALL
            .iter()
            .enumerate()
            .map(|(i, crit)| {
                vec![
                    criterion_name(*crit, lang),
                    format!("{:.3}", r.weights[i]),
                    smaa_cell(&r.info, i, lang),
                ]
            })
            .collect(),
    );
    if let Some(col) = tw.column_mut(1) {
        col.set_cell_alignment(comfy_table::CellAlignment::Right);
    }
    out.push_str(&format!("{tw}\n"));
    out.push_str(&report::wrap(&smaa_sentence(r, lang), "", "  ", width));
    out.push('\n');

    // constraints
    let k = &p.constraints;
    out.push_str(&format!(
        "\n{}{}\n",
        t(lang, "Hard constraints", "硬性约束"),
        c.trim_end()
    ));
    line(
        &mut out,
        t(lang, "data jurisdictions", "数据所在法域"),
        &listed(
            k.data_jurisdictions
                .iter()
                .map(|j| jurisdiction_name(j, lang)),
            t(lang, "anywhere", "不限"),
        ),
    );
    let certs = |list: &[CertRequirement]| -> String {
        if list.is_empty() {
            t(lang, "none", "无").to_owned()
        } else {
            list.iter()
                .map(|x| format!("\n{}", cert_meaning(x, lang)))
                .collect()
        }
    };
    line(
        &mut out,
        t(lang, "required certifications", "必需认证"),
        &certs(&k.required_certifications),
    );
    line(
        &mut out,
        t(lang, "required capabilities", "必需能力"),
        &listed(
            k.required_capabilities
                .iter()
                .map(|c| capability_key(*c).to_owned()),
            t(lang, "none", "无"),
        ),
    );
    line(
        &mut out,
        t(lang, "monthly budget", "月度预算"),
        &k.monthly_budget
            .as_ref()
            .map(money)
            .unwrap_or_else(|| t(lang, "none", "无").to_owned()),
    );
    line(
        &mut out,
        "unverified",
        &match (k.unverified, lang) {
            (Unverified::ToVerify, Lang::En) => "to-verify: a provider whose residency or required certification is unknown (no record either way) is listed apart, with the rank it would take and what to ask".to_owned(),
            (Unverified::ToVerify, Lang::Zh) => "to-verify:数据驻留或必需认证未知(目录中既无持有也无未持有的记录)的厂商单独列出,给出其假设满足时的名次和应问的问题".to_owned(),
            (Unverified::Exclude, Lang::En) => "exclude: a provider whose residency or required certification is unknown is excluded".to_owned(),
            (Unverified::Exclude, Lang::Zh) => "exclude:数据驻留或必需认证未知的厂商被排除".to_owned(),
        },
    );
    let desired_from = if k.desired_certifications.is_empty() {
        match (p.segment, lang) {
            (Some(s), Lang::En) => format!(" (the {} preset's list)", s.key()),
            (Some(s), Lang::Zh) => format!("({} 预设清单)", s.key()),
            (None, Lang::En) => " (the default list)".to_owned(),
            (None, Lang::Zh) => "(默认清单)".to_owned(),
        }
    } else {
        String::new()
    };
    line(
        &mut out,
        &format!(
            "{}{desired_from}",
            t(
                lang,
                "certifications the compliance criterion counts",
                "合规准则计入的认证"
            )
        ),
        &certs(&p.counted_certifications()),
    );
    out.push_str(&report::wrap(
        t(
            lang,
            "A certification the catalog has no record of is to verify, not failed; a higher MLPS level satisfies a lower one.",
            "目录中没有记录的认证为“待核实”,而非不满足;等保高等级满足低等级要求。",
        ),
        "  ",
        "    ",
        width,
    ));
    out.push('\n');

    // workload
    let w = &p.workload;
    out.push_str(&format!(
        "\n{}{c}{}\n",
        t(lang, "Workload", "工作负载"),
        match lang {
            Lang::En => format!("amounts in {}", w.currency),
            Lang::Zh => format!("金额以 {} 计", w.currency),
        }
    ));
    let mut tt = report::narrow_table();
    let mut rows = Vec::new();
    for task in &w.tasks {
        rows.push(vec![
            task.name.clone(),
            tokens(task.monthly_input_tokens),
            tokens(task.monthly_output_tokens),
            tokens(task.typical_prompt_tokens),
            task.max_prompt_tokens
                .map(tokens)
                .unwrap_or_else(|| t(lang, "= typical", "= 典型值").to_owned()),
            task.capabilities
                .iter()
                .map(|c| capability_key(*c))
                .collect::<Vec<_>>()
                .join(", "),
            task.purpose.name().to_owned(),
            task.min_quality_index
                .map(|q| format!("AA {q}"))
                .unwrap_or_else(|| t(lang, "none", "无").to_owned()),
            format!("{:.0}%", task.cache_hit_share * 100.0),
        ]);
    }
    report::fill_table(
        &mut tt,
        [
            t(lang, "task", "任务"),
            t(lang, "input / month", "输入/月"),
            t(lang, "output / month", "输出/月"),
            t(lang, "typical prompt", "典型提示长度"),
            t(lang, "largest prompt", "最大提示长度"),
            t(lang, "capabilities", "能力"),
            t(lang, "purpose", "用途"),
            t(lang, "min quality", "质量下限"),
            t(lang, "cache hits", "缓存命中"),
        ]
        .map(str::to_owned)
        .to_vec(),
        rows,
    );
    for i in 1..=4 {
        if let Some(col) = tt.column_mut(i) {
            col.set_cell_alignment(comfy_table::CellAlignment::Right);
        }
    }
    if w.tasks.is_empty() {
        line(&mut out, t(lang, "tasks", "任务"), t(lang, "none", "无"));
    } else {
        out.push_str(&format!("{tt}\n"));
        out.push_str(&report::wrap(
            t(
                lang,
                "tokens per month; the typical (median) prompt picks the price tier, the largest (= typical when not set) must fit the model's context window; min quality is the Artificial Analysis Intelligence Index (0-100)",
                "token/月;典型(中位)提示长度决定价格档位,最大提示长度(未设置时等于典型值)须在模型上下文窗口之内;质量下限为 Artificial Analysis 智能指数(0-100)",
            ),
            "",
            "  ",
            width,
        ));
        out.push('\n');
    }
    line(
        &mut out,
        t(lang, "embedding tokens / month", "嵌入 token/月"),
        &tokens(w.monthly_embedding_tokens),
    );
    line(
        &mut out,
        "GPU",
        &match &w.gpu {
            Some(g) => match lang {
                Lang::En => format!("{}, {} GPU-hours / month", g.model, g.monthly_hours),
                Lang::Zh => format!("{},{} GPU 小时/月", g.model, g.monthly_hours),
            },
            None => t(lang, "none", "无").to_owned(),
        },
    );
    line(
        &mut out,
        t(lang, "storage", "存储"),
        &format!("{} GB", w.storage_gb),
    );
    line(
        &mut out,
        t(lang, "egress", "出网流量"),
        &match lang {
            Lang::En => format!("{} GB / month", w.monthly_egress_gb),
            Lang::Zh => format!("{} GB/月", w.monthly_egress_gb),
        },
    );
    let yes_no = |b: bool| {
        if b {
            t(lang, "allowed", "允许")
        } else {
            t(lang, "not chosen", "不选用")
        }
    };
    line(
        &mut out,
        t(lang, "preview models", "预览版模型"),
        yes_no(w.allow_preview_models),
    );
    line(
        &mut out,
        t(lang, "deprecated models", "已弃用模型"),
        yes_no(w.allow_deprecated_models),
    );

    // current
    out.push_str(&format!(
        "\n{}{}\n",
        t(lang, "Current provider (migration)", "现有厂商(迁移)"),
        c.trim_end()
    ));
    match &p.current {
        None => line(
            &mut out,
            "[current]",
            t(
                lang,
                "none: a new build; migration is counted in engineer-days",
                "无:新建系统;迁移以人天计",
            ),
        ),
        Some(cur) => {
            let name = r
                .catalog
                .provider(&cur.provider)
                .map(|pr| match (lang, &pr.name_zh) {
                    (Lang::Zh, Some(zh)) => zh.clone(),
                    _ => pr.name_en.clone(),
                })
                .unwrap_or_default();
            line(
                &mut out,
                t(lang, "provider", "厂商"),
                &format!("{} ({name})", cur.provider),
            );
            line(
                &mut out,
                t(lang, "data to move", "待迁移数据"),
                &format!("{} GB", cur.data_to_move_gb),
            );
            line(
                &mut out,
                t(lang, "engineer-day rate", "人天单价"),
                &money(&cur.engineer_day_rate),
            );
            line(
                &mut out,
                t(lang, "corpus to re-embed", "需重新嵌入的语料"),
                &format!("{} tokens", tokens(cur.embedded_corpus_tokens)),
            );
            line(
                &mut out,
                t(lang, "regression testing", "回归测试"),
                &match (cur.regression_test_days_per_task, lang) {
                    (Some(d), Lang::En) => format!("{d} engineer-days per task class"),
                    (Some(d), Lang::Zh) => format!("每类任务 {d} 人天"),
                    (None, Lang::En) => format!("{REGRESSION_DAYS_PER_TASK} engineer-days per task class (default, an assumption)"),
                    (None, Lang::Zh) => format!("每类任务 {REGRESSION_DAYS_PER_TASK} 人天(默认值,为假设)"),
                },
            );
            line(
                &mut out,
                t(lang, "compliance re-assessment", "合规重新测评"),
                &match (&cur.compliance_reassessment, p.segment, lang) {
                    (Some(m), _, _) => money(m),
                    (None, Some(Segment::Regulated), Lang::En) => format!(
                        "{} (default for the regulated segment, an assumption: set current.compliance_reassessment)",
                        money(&Money::new(Decimal::from(REASSESSMENT_DEFAULT_CNY), Currency::Cny))
                    ),
                    (None, Some(Segment::Regulated), Lang::Zh) => format!(
                        "{}(受监管行业的默认值,为假设:可设置 current.compliance_reassessment)",
                        money(&Money::new(Decimal::from(REASSESSMENT_DEFAULT_CNY), Currency::Cny))
                    ),
                    (None, _, _) => t(lang, "none", "无").to_owned(),
                },
            );
        }
    }
    out
}

fn cert_json(c: &CertRequirement) -> Value {
    json!({ "name": c.name, "min_level": c.min_level, "label": c.label(), "line": c.line })
}

fn money_json(m: &Money) -> Value {
    json!({ "amount": m.amount.normalize().to_string(), "currency": m.currency.code() })
}

fn check_json(r: &Reading<'_>) -> Value {
    let p = r.profile;
    let keyed = |values: &[f64]| -> Value {
        Criterion::ALL
            .iter()
            .zip(values)
            .map(|(c, w)| (c.key().to_owned(), json!(report::round(*w, 4))))
            .collect::<serde_json::Map<_, _>>()
            .into()
    };
    let smaa = match &r.info {
        WeightInfo::Exact(_) => json!({ "kind": "exact" }),
        WeightInfo::Uniform => json!({ "kind": "uniform" }),
        WeightInfo::Intervals(iv) => json!({
            "kind": "intervals",
            "intervals": Criterion::ALL.iter().zip(iv).map(|(c, (lo, hi))| {
                (c.key().to_owned(), json!([report::round(*lo, 4), report::round(*hi, 4)]))
            }).collect::<serde_json::Map<_, _>>(),
        }),
        WeightInfo::Ordinal(groups) => json!({
            "kind": "order",
            "groups": groups.iter().map(|g| g.iter().map(|i| Criterion::ALL[*i].key()).collect::<Vec<_>>()).collect::<Vec<_>>(),
        }),
    };
    let k = &p.constraints;
    let w = &p.workload;
    json!({
        "profile": p.file,
        "name": p.name,
        "ok": true,
        "segment": p.segment.map(Segment::key),
        "as_of": r.as_of,
        "notices": p.notices.iter().map(|n| json!({ "key": n.key, "en": n.en, "zh": n.zh })).collect::<Vec<_>>(),
        "weights": {
            "form": r.form,
            "cr": r.cr.map(|x| report::round(x, 4)),
            "values": keyed(&r.weights),
            "smaa": smaa,
        },
        "constraints": {
            "data_jurisdictions": k.data_jurisdictions.iter().map(|j| j.code().to_owned()).collect::<Vec<_>>(),
            "required_certifications": k.required_certifications.iter().map(cert_json).collect::<Vec<_>>(),
            "desired_certifications": k.desired_certifications.iter().map(cert_json).collect::<Vec<_>>(),
            "counted_certifications": p.counted_certifications().iter().map(cert_json).collect::<Vec<_>>(),
            "required_capabilities": k.required_capabilities.iter().map(|c| capability_key(*c)).collect::<Vec<_>>(),
            "monthly_budget": k.monthly_budget.as_ref().map(money_json),
            "unverified": k.unverified.key(),
        },
        "workload": {
            "currency": w.currency.code(),
            "tasks": w.tasks.iter().map(|t| json!({
                "name": t.name,
                "monthly_input_tokens": t.monthly_input_tokens,
                "monthly_output_tokens": t.monthly_output_tokens,
                "typical_prompt_tokens": t.typical_prompt_tokens,
                "max_prompt_tokens": t.max_prompt_tokens,
                "capabilities": t.capabilities.iter().map(|c| capability_key(*c)).collect::<Vec<_>>(),
                "purpose": t.purpose.name(),
                "min_quality_index": t.min_quality_index,
                "cache_hit_share": t.cache_hit_share,
            })).collect::<Vec<_>>(),
            "monthly_embedding_tokens": w.monthly_embedding_tokens,
            "gpu": w.gpu.as_ref().map(|g| json!({ "model": g.model, "monthly_hours": g.monthly_hours })),
            "storage_gb": w.storage_gb,
            "monthly_egress_gb": w.monthly_egress_gb,
            "allow_preview_models": w.allow_preview_models,
            "allow_deprecated_models": w.allow_deprecated_models,
        },
        "current": p.current.as_ref().map(|c| json!({
            "provider": c.provider,
            "data_to_move_gb": c.data_to_move_gb,
            "engineer_day_rate": money_json(&c.engineer_day_rate),
            "embedded_corpus_tokens": c.embedded_corpus_tokens,
            "regression_test_days_per_task": c.regression_test_days_per_task,
            "compliance_reassessment": c.compliance_reassessment.as_ref().map(money_json),
        })),
    })
}

// ---------------------------------------------------------------- init

/// The segment-specific parts of a starting profile.
struct Start {
    segment: Segment,
    jurisdictions: &'static str,
    required: &'static str,
    budget: &'static str,
    current: bool,
}

fn start(segment: Segment) -> Start {
    match segment {
        Segment::AiNative => Start {
            segment,
            jurisdictions: "[]",
            required: "[]",
            budget: "",
            current: false,
        },
        Segment::Regulated => Start {
            segment,
            jurisdictions: "[\"cn\"]",
            required: "[\"GENAI-FILING\", \"MLPS3\"]",
            budget: "",
            current: true,
        },
        Segment::Sme => Start {
            segment,
            jurisdictions: "[\"cn\"]",
            required: "[]",
            budget: "monthly_budget = \"30000 CNY\"",
            current: true,
        },
    }
}

fn preset_weights(segment: Segment) -> String {
    let w = segment.preset().weights;
    Criterion::ALL
        .iter()
        .zip(w)
        .map(|(c, x)| format!("{} {x:.2}", c.key()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A commented profile for `segment` that parses and ranks as it is; `file` is the name the
/// comments tell the user to check.
fn starting_profile(segment: Segment, lang: Lang, file: &str) -> String {
    let s = start(segment);
    let preset = segment.preset();
    let desired = preset.desired_certifications.join(", ");
    let weights = preset_weights(segment);
    let key = s.segment.key();
    let (jurisdictions, required) = (s.jurisdictions, s.required);
    let segment_line = format!("{:<35}", format!("segment = \"{key}\""));
    let budget_line = |commented: &str| {
        if s.budget.is_empty() {
            format!("# monthly_budget = \"30000 CNY\"{commented}")
        } else {
            format!("{}{commented}", s.budget)
        }
    };
    let current_hash = if s.current { "" } else { "# " };
    match lang {
        Lang::En => format!(
            r#"# A cloudfit profile: who you are, what you must have, what matters how much, what you run.
# Every key is documented in docs/profile.md. Check this file with `cloudfit profile check {file}`,
# then rank with `cloudfit rank --profile {file}`. Key names carry their unit (_tokens, _gb, _hours);
# money is written "30000 CNY" or {{ amount = 30000, currency = "CNY" }}.

name = "My company"                # shown in every report
{segment_line}# ai-native | regulated | sme: sets the preset weights and certifications
# The {key} preset is read from the market report (its three kinds of buyer):
{sentence}
# Preset weights: {weights}.
# TOPSIS/WSM use them as they are; SMAA samples within ±50% of each. A [weights] table (at the end) replaces them.
# as_of = "2026-11-01"             # the date the advice is for (YYYY-MM-DD); default: the newest dated fact in the catalog

[constraints]
# Where data may be processed and stored: two-letter codes, cn = mainland China, hk, sg, us, eu, uk, jp, ...
# [] = anywhere. Regions all known to be elsewhere exclude; unknown residency is to verify. Default: [].
data_jurisdictions = {jurisdictions}
# Certifications a provider must hold, from the catalog's vocabulary: MLPS2 / MLPS3 / MLPS4 (等保 level; a higher
# level satisfies a lower one), GENAI-FILING, ISO27001, ISO27017, ISO27018, ISO27701, SOC1, SOC2, SOC3, CSA-STAR,
# PCI-DSS, TRUSTED-CLOUD (可信云), FINANCIAL-CLOUD, ... A certification the catalog has no record of is
# "to verify", never a pass and never a failure. Default: [].
required_certifications = {required}
# Certifications the compliance criterion counts besides the required ones.
# Default: the {key} preset's list: {desired}.
# desired_certifications = ["ISO27001"]
# Capabilities every provider must offer (none of its models having one excludes it): chat, tools, vision, reasoning,
# embeddings, json-mode, audio, image-generation. Default: [].
required_capabilities = ["chat"]
# A provider whose lowest plausible monthly cost is above the budget is excluded. Default: no budget.
{budget}
# A provider whose residency or required certification is unknown (no record either way):
# "to-verify" = listed apart with the rank it would take and what to ask; "exclude" = left out. Default: "to-verify".
unverified = "to-verify"

[workload]
currency = "CNY"                   # reporting currency for every amount: CNY, USD or EUR
monthly_embedding_tokens = 0       # tokens embedded per month (search, RAG); default 0
# gpu_model = "H100"               # GPU model or family the catalog prices (A10, A100, H100, H200, ...); default none
# monthly_gpu_hours = 100          # GPU-hours per month; needs gpu_model; default 0
storage_gb = 0                     # data stored, GB; default 0
monthly_egress_gb = 0              # data sent to the internet, GB per month; default 0
allow_preview_models = false       # may a preview/experimental model (no guarantees) be chosen? default false
allow_deprecated_models = false    # may a model past its deprecation date be chosen? default false

# One [[workload.task]] per class of model calls with the same needs; repeat the table for each.
[[workload.task]]
name = "assistant"                 # unique per task
monthly_input_tokens = 100_000_000 # prompt tokens per month
monthly_output_tokens = 20_000_000 # generated tokens per month
typical_prompt_tokens = 2_000      # the typical (median) prompt: picks the price tier
max_prompt_tokens = 8_000          # the largest prompt: the model's context window must hold it; default: typical_prompt_tokens
capabilities = ["chat"]            # what the model must do (names as in required_capabilities)
purpose = "general"                # general | document | code | translation | roleplay | image | search; default general
# min_quality_index = 40           # floor on the Artificial Analysis Intelligence Index (0-100) of the model; default none
cache_hit_share = 0.3              # share of input tokens served from the prompt cache, 0 to 1; default 0

# Where you run today; without [current] the system is a new build and migration counts engineer-days.
{current_hash}[current]
{current_hash}provider = "aliyun"                # an id (alibaba-cloud) or a name users say (aliyun, 阿里云, 华为云, 腾讯云,
{current_hash}                                   # 火山引擎, 百度智能云, ...): `cloudfit catalog list providers`
{current_hash}data_to_move_gb = 500              # data to move out, GB, at the current provider's egress price; default 0
{current_hash}engineer_day_rate = "2500 CNY"     # cost of one engineer-day (integration and testing work)
{current_hash}embedded_corpus_tokens = 0         # tokens of your corpus to re-embed at the new provider; default 0
# regression_test_days_per_task = {regression}  # engineer-days of regression tests per task class; default {regression} (an assumption)
# compliance_reassessment = "{reassessment} CNY" # a new compliance assessment (e.g. 等保测评) on moving;
#   default {reassessment_money} for the regulated segment (an assumption), none for the others

# [weights] replaces the segment preset. One of four forms; criteria: cost, performance, stability, compliance,
# ai_capability, migration.
# [weights]
# type = "exact"                   # cost = 0.3, stability = 0.3, ...: rescaled to sum to 1 (and said so)
# type = "order"                   # order = "compliance > stability = cost > migration" (= ties; unnamed come last)
# type = "ranges"                  # cost = [0.1, 0.3], ...: minimums sum to <= 1, maximums to >= 1
# type = "ahp"                     # pairs = [{{ more = "compliance", less = "cost", ratio = 3 }}, ...]: every pair named
"#,
            sentence = report::wrap(preset.source_en, "#   ", "#   ", 100),
            budget = budget_line(""),
            regression = REGRESSION_DAYS_PER_TASK,
            reassessment = REASSESSMENT_DEFAULT_CNY,
            reassessment_money = money(&Money::new(
                Decimal::from(REASSESSMENT_DEFAULT_CNY),
                Currency::Cny
            )),
        ),
        Lang::Zh => format!(
            r#"# cloudfit 画像:你是谁、必须满足什么、各方面多重要、运行什么负载。
# 每个键的说明见 docs/profile.md。用 `cloudfit profile check {file}` 检查本文件,
# 再用 `cloudfit rank --profile {file}` 排名。键名带单位(_tokens、_gb、_hours);
# 金额写作 "30000 CNY" 或 {{ amount = 30000, currency = "CNY" }}。

name = "我的公司"                # 显示在每份报告中
{segment_line}# ai-native | regulated | sme:决定预设权重和认证清单
# {key} 预设依据市场报告(三类买家):
{sentence}
# 预设权重:{weights}。
# TOPSIS/WSM 直接使用;SMAA 在每个权重的 ±50% 内抽样。文末的 [weights] 表可替换预设。
# as_of = "2026-11-01"             # 评估日期(YYYY-MM-DD);默认为目录中最新的日期

[constraints]
# 数据可处理和存储的法域:两字母代码,cn = 中国大陆,hk、sg、us、eu、uk、jp 等;
# [] = 不限。地域全部已知在别处的厂商被排除;数据驻留未知的列为待核实。默认 []。
data_jurisdictions = {jurisdictions}
# 厂商必须持有的认证,名称取自目录词表:MLPS2 / MLPS3 / MLPS4(等保级别,高等级满足低等级要求)、
# GENAI-FILING(生成式 AI 服务备案)、ISO27001、ISO27017、ISO27018、ISO27701、SOC1、SOC2、SOC3、CSA-STAR、
# PCI-DSS、TRUSTED-CLOUD(可信云)、FINANCIAL-CLOUD(金融云资质)等。目录中没有记录的认证为“待核实”,
# 既不算满足也不算不满足。默认 []。
required_certifications = {required}
# 合规准则在必需认证之外计入的认证。
# 默认:{key} 预设清单:{desired}。
# desired_certifications = ["ISO27001"]
# 每个厂商必须具备的能力(其模型都不具备即排除):chat、tools、vision、reasoning、embeddings、json-mode、audio、
# image-generation。默认 []。
required_capabilities = ["chat"]
# 最低可能月成本高于预算的厂商被排除。默认无预算。
{budget}
# 数据驻留或必需认证未知(既无持有也无未持有记录)的厂商:
# "to-verify" = 单独列出,给出假设满足时的名次和应问的问题;"exclude" = 排除。默认 "to-verify"。
unverified = "to-verify"

[workload]
currency = "CNY"                   # 所有金额的报告币种:CNY、USD 或 EUR
monthly_embedding_tokens = 0       # 每月嵌入的 token 数(搜索、RAG);默认 0
# gpu_model = "H100"               # 目录中有价格的 GPU 型号或系列(A10、A100、H100、H200 等);默认无
# monthly_gpu_hours = 100          # 每月 GPU 小时数;需设置 gpu_model;默认 0
storage_gb = 0                     # 存储数据量,GB;默认 0
monthly_egress_gb = 0              # 每月发往公网的数据,GB;默认 0
allow_preview_models = false       # 是否可选用预览/实验模型(无保障)?默认 false
allow_deprecated_models = false    # 是否可选用已过弃用日期的模型?默认 false

# 每类需求相同的模型调用写一个 [[workload.task]];有几类就重复几次。
[[workload.task]]
name = "assistant"                 # 任务名,不可重复
monthly_input_tokens = 100_000_000 # 每月输入(提示)token 数
monthly_output_tokens = 20_000_000 # 每月输出(生成)token 数
typical_prompt_tokens = 2_000      # 典型(中位)提示长度:决定价格档位
max_prompt_tokens = 8_000          # 最大提示长度:模型上下文窗口必须容纳;默认等于 typical_prompt_tokens
capabilities = ["chat"]            # 模型必须具备的能力(名称同 required_capabilities)
purpose = "general"                # general | document | code | translation | roleplay | image | search;默认 general
# min_quality_index = 40           # 模型 Artificial Analysis 智能指数(0-100)的下限;默认无
cache_hit_share = 0.3              # 命中提示缓存的输入 token 比例,0 到 1;默认 0

# 当前使用的厂商;没有 [current] 表示新建系统,迁移以人天计。
{current_hash}[current]
{current_hash}provider = "阿里云"                # 目录 id(alibaba-cloud)或常用名称(aliyun、阿里云、华为云、腾讯云、
{current_hash}                                   # 火山引擎、百度智能云等),见 `cloudfit catalog list providers`
{current_hash}data_to_move_gb = 500              # 需迁出的数据,GB,按现有厂商的出网价格计;默认 0
{current_hash}engineer_day_rate = "2500 CNY"     # 一个人天的成本(集成和测试工作)
{current_hash}embedded_corpus_tokens = 0         # 迁移后需在新厂商重新嵌入的语料 token 数;默认 0
# regression_test_days_per_task = {regression}  # 每类任务的回归测试人天;默认 {regression}(假设值)
# compliance_reassessment = "{reassessment} CNY" # 迁移时新的合规测评(如等保测评)费用;
#   受监管行业默认 {reassessment_money}(假设值),其他行业默认无

# [weights] 替换行业预设。四种写法任选其一;准则:cost(成本)、performance(性能)、stability(稳定性)、
# compliance(合规)、ai_capability(AI 能力)、migration(迁移)。
# [weights]
# type = "exact"                   # cost = 0.3, stability = 0.3, ...:按比例缩放为和为 1(并会提示)
# type = "order"                   # order = "compliance > stability = cost > migration"(= 表示并列;未列出的排最后)
# type = "ranges"                  # cost = [0.1, 0.3], ...:下限之和 <= 1,上限之和 >= 1
# type = "ahp"                     # pairs = [{{ more = "compliance", less = "cost", ratio = 3 }}, ...]:所列准则两两都要给出
"#,
            sentence = report::wrap(preset.source_zh, "#   ", "#   ", 100),
            budget = budget_line(""),
            regression = REGRESSION_DAYS_PER_TASK,
            reassessment = REASSESSMENT_DEFAULT_CNY,
            reassessment_money = money(&Money::new(
                Decimal::from(REASSESSMENT_DEFAULT_CNY),
                Currency::Cny
            )),
        ),
    }
}
