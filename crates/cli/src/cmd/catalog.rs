//! `cloudfit catalog validate|list|import`: check, show and extend the catalog of AI clouds.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{anyhow, Context as _};
use clap::builder::{PossibleValuesParser, TypedValueParser as _};
use cloudfit_advise::i18n::Lang;
use cloudfit_catalog::import::litellm::{self, ImportOptions};
use cloudfit_catalog::{
    Catalog, CatalogError, CatalogLoader, ModelOffering, Provider, Source, TokenPrice,
};
use comfy_table::Table;
use serde_json::{json, Value};

use crate::failure::{CmdResult, Failure};
use crate::output::{emit, emit_json, DataFormat};

#[derive(clap::Subcommand)]
pub enum Command {
    /// Load the built-in catalog and overlays exactly as other commands do; list every problem
    Validate(ValidateArgs),
    /// List providers, models or market claims
    List(ListArgs),
    /// Turn another price database into catalog overlay files
    #[command(subcommand)]
    Import(ImportCommand),
}

/// Where catalog data comes from; other commands can flatten this into their own arguments.
#[derive(clap::Args, Clone, Debug, Default)]
pub struct CatalogArgs {
    /// Overlay catalog file or directory of *.toml, applied in order after the built-in data
    #[arg(long = "catalog", value_name = "PATH")]
    pub catalog: Vec<PathBuf>,
    /// Do not start from the built-in catalog
    #[arg(long)]
    pub no_builtin: bool,
}

impl CatalogArgs {
    /// Loads and validates; every problem is bad input (exit 2).
    pub fn load(&self) -> Result<Catalog, Failure> {
        let mut loader = CatalogLoader::new().with_builtin(!self.no_builtin);
        for path in &self.catalog {
            loader = loader.overlay_path(path);
        }
        loader.load().map_err(catalog_failure)
    }
}

/// A [`CatalogError`] as bad input, one problem per line.
pub fn catalog_failure(error: CatalogError) -> Failure {
    let n = error.diagnostics.len();
    let noun = if n == 1 { "problem" } else { "problems" };
    Failure::input(anyhow!("catalog is invalid ({n} {noun}):\n{error}"))
}

#[derive(clap::Args)]
pub struct ValidateArgs {
    #[command(flatten)]
    catalog: CatalogArgs,
    /// Language of people-facing text (default: zh when LC_ALL/LANG starts with "zh", else en)
    #[arg(long, value_parser = lang_parser())]
    lang: Option<Lang>,
}

/// `--lang zh|en` for the catalog commands, which do not take the profile commands' options.
fn lang_parser() -> impl clap::builder::TypedValueParser<Value = Lang> {
    PossibleValuesParser::new(["zh", "en"]).map(|s| if s == "zh" { Lang::Zh } else { Lang::En })
}

/// The `--lang` given, else the locale's.
fn lang_or_locale(lang: Option<Lang>) -> Lang {
    lang.unwrap_or_else(|| {
        Lang::from_locale(
            std::env::var("LC_ALL").ok().as_deref(),
            std::env::var("LANG").ok().as_deref(),
        )
    })
}

/// `en` or `zh` by language.
fn w(lang: Lang, en: &'static str, zh: &'static str) -> &'static str {
    match lang {
        Lang::En => en,
        Lang::Zh => zh,
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ListKind {
    Providers,
    Models,
    Claims,
}

#[derive(clap::Args)]
pub struct ListArgs {
    /// What to list
    #[arg(value_enum, default_value = "providers")]
    what: ListKind,
    #[command(flatten)]
    catalog: CatalogArgs,
    /// Only this provider (its id, as in `cloudfit catalog list providers`)
    #[arg(long, value_name = "ID")]
    provider: Option<String>,
    /// Output format: table (for people) or json (for scripts)
    #[arg(long, value_enum, default_value = "table")]
    format: DataFormat,
    /// Language of people-facing text (default: zh when LC_ALL/LANG starts with "zh", else en)
    #[arg(long, value_parser = lang_parser())]
    lang: Option<Lang>,
}

#[derive(clap::Subcommand)]
pub enum ImportCommand {
    /// LiteLLM's model_prices_and_context_window.json → one overlay file per provider
    Litellm(LitellmArgs),
}

#[derive(clap::Args)]
pub struct LitellmArgs {
    /// The JSON file
    file: PathBuf,
    /// Only these of our provider ids (comma-separated), e.g. alibaba-cloud,deepseek
    #[arg(long, value_delimiter = ',', value_name = "IDS")]
    providers: Vec<String>,
    /// Directory to write the files into (created if missing)
    #[arg(long, value_name = "DIR", default_value = ".")]
    out: PathBuf,
    /// Date the prices hold for (default: the YYYY-MM-DD in the file name)
    #[arg(long, value_name = "DATE")]
    as_of: Option<String>,
    /// Also write models the built-in catalog already has (the overlay then replaces them)
    #[arg(long)]
    replace_existing: bool,
    /// Language of people-facing text (default: zh when LC_ALL/LANG starts with "zh", else en)
    #[arg(long, value_parser = lang_parser())]
    lang: Option<Lang>,
}

pub fn run(command: Command) -> CmdResult {
    match command {
        Command::Validate(args) => validate(&args),
        Command::List(args) => list(&args),
        Command::Import(ImportCommand::Litellm(args)) => import_litellm(&args),
    }
}

fn validate(args: &ValidateArgs) -> CmdResult {
    let catalog = args.catalog.load()?;
    let (providers, models, prices, claims) = (
        catalog.providers.len(),
        catalog.model_count(),
        catalog.price_count(),
        catalog.claims.len(),
    );
    emit(&match lang_or_locale(args.lang) {
        Lang::En => format!(
            "{providers} providers, {models} models, {prices} prices, {claims} claims, all facts sourced"
        ),
        Lang::Zh => format!(
            "{providers} 家厂商、{models} 个模型、{prices} 条价格、{claims} 条市场声明,每条事实都有来源"
        ),
    })
}

fn list(args: &ListArgs) -> CmdResult {
    let catalog = args.catalog.load()?;
    if let Some(id) = &args.provider {
        if catalog.provider(id).is_none() {
            let known: Vec<&str> = catalog.providers.keys().map(String::as_str).collect();
            return Err(Failure::input(anyhow!(
                "--provider {id}: unknown provider, expected one of: {}",
                known.join(", ")
            )));
        }
    }
    let providers: Vec<&Provider> = catalog
        .providers
        .values()
        .filter(|p| args.provider.as_ref().is_none_or(|id| &p.id == id))
        .collect();
    let json = args.format == DataFormat::Json;
    let lang = lang_or_locale(args.lang);
    match args.what {
        ListKind::Providers if json => emit_json(
            &providers
                .iter()
                .map(|p| provider_json(p))
                .collect::<Vec<_>>(),
        ),
        ListKind::Providers => emit(&providers_table(&providers, lang)),
        ListKind::Models if json => emit_json(
            &providers
                .iter()
                .flat_map(|p| p.models.iter().map(move |m| model_json(p, m)))
                .collect::<Vec<_>>(),
        ),
        ListKind::Models => emit(&models_table(&providers, lang)),
        ListKind::Claims => {
            let claims: Vec<_> = catalog
                .claims
                .iter()
                .filter(|c| args.provider.as_ref().is_none_or(|id| &c.provider == id))
                .collect();
            if json {
                emit_json(
                    &claims
                        .iter()
                        .map(|c| {
                            json!({
                                "id": c.id, "provider": c.provider, "claim_en": c.claim_en,
                                "claim_zh": c.claim_zh, "measure": c.measure, "scope": c.scope,
                                "period": c.period, "value": c.value, "unit": c.unit,
                                "report": c.report, "source": source_json(&c.source),
                            })
                        })
                        .collect::<Vec<_>>(),
                )
            } else {
                let mut t = table(&[
                    w(lang, "provider", "厂商"),
                    w(lang, "claim", "声明"),
                    w(lang, "measure", "衡量指标"),
                    w(lang, "scope", "范围"),
                    w(lang, "period", "期间"),
                    w(lang, "value", "数值"),
                    w(lang, "report", "报告"),
                    w(lang, "as of", "日期"),
                ]);
                for c in claims {
                    let value = match (c.value, &c.unit) {
                        (Some(v), Some(u)) if u == "percent" => format!("{v}%"),
                        (Some(v), Some(u)) => format!("{v} {u}"),
                        (Some(v), None) => v.to_string(),
                        (None, _) => unknown(lang),
                    };
                    t.add_row(vec![
                        c.provider.clone(),
                        match (lang, &c.claim_zh) {
                            (Lang::Zh, Some(zh)) => zh.clone(),
                            _ => c.claim_en.clone(),
                        },
                        c.measure.clone(),
                        c.scope.clone(),
                        c.period.clone(),
                        value,
                        c.report.clone(),
                        c.source.as_of.clone(),
                    ]);
                }
                super::report::keep_words_whole(&mut t);
                emit(&t.to_string())
            }
        }
    }
}

fn table(header: &[&str]) -> Table {
    let mut t = crate::output::table();
    t.set_header(header.to_vec());
    t
}

fn unknown(lang: Lang) -> String {
    w(lang, "unknown", "未知").to_owned()
}

fn providers_table(providers: &[&Provider], lang: Lang) -> String {
    let mut t = table(&[
        "id",
        w(lang, "name", "名称"),
        w(lang, "hq", "总部"),
        w(lang, "data in", "数据所在地"),
        w(lang, "models", "模型数"),
        w(lang, "certifications", "认证"),
        "SLA",
        w(lang, "incidents", "故障"),
        w(lang, "egress / GB", "出网/GB"),
        w(lang, "support", "支持响应"),
    ]);
    for p in providers {
        let mut juris: Vec<String> = p.jurisdictions().iter().map(ToString::to_string).collect();
        // a region no source places is shown, so it is not read as absent
        if p.regions.iter().any(|r| r.jurisdiction.is_none()) {
            juris.push(unknown(lang));
        }
        let certs: Vec<&str> = p.certifications.iter().map(|c| c.name.as_str()).collect();
        t.add_row(vec![
            p.id.clone(),
            match (lang, &p.name_zh) {
                (Lang::Zh, Some(zh)) => format!("{zh} ({})", p.name_en),
                _ => p.display_name(),
            },
            p.headquarters.to_string(),
            if juris.is_empty() {
                unknown(lang)
            } else {
                juris.join(", ")
            },
            p.models.len().to_string(),
            if certs.is_empty() {
                unknown(lang)
            } else {
                certs.join(", ")
            },
            p.sla
                .as_ref()
                .map(|s| format!("{}% {}", s.monthly_uptime_percent, s.service))
                .unwrap_or_else(|| unknown(lang)),
            p.incidents.len().to_string(),
            p.egress
                .as_ref()
                .map(|e| e.price_per_gb.to_string())
                .unwrap_or_else(|| unknown(lang)),
            p.support
                .as_ref()
                .map(|s| match lang {
                    Lang::En => format!("{} min ({})", s.response_minutes, s.tier),
                    Lang::Zh => format!("{} 分钟({})", s.response_minutes, s.tier),
                })
                .unwrap_or_else(|| unknown(lang)),
        ]);
    }
    super::report::keep_words_whole(&mut t);
    t.to_string()
}

fn models_table(providers: &[&Provider], lang: Lang) -> String {
    let mut t = table(&[
        w(lang, "provider", "厂商"),
        w(lang, "model", "模型"),
        w(lang, "capabilities", "能力"),
        w(lang, "context", "上下文"),
        w(lang, "price list", "价格表"),
        w(lang, "input / Mtok", "输入/百万 token"),
        w(lang, "output / Mtok", "输出/百万 token"),
        w(lang, "cached / Mtok", "缓存命中/百万 token"),
        w(lang, "as of", "日期"),
        w(lang, "speed", "速度"),
    ]);
    for p in providers {
        for m in &p.models {
            let caps: Vec<&str> = m.capabilities.iter().map(|c| c.name()).collect();
            let context = m
                .context_window
                .map(|c| c.to_string())
                .unwrap_or_else(|| unknown(lang));
            let speed = speed_column(m, lang);
            let base = vec![p.id.clone(), m.id.clone(), caps.join(", "), context];
            if m.prices.is_empty() {
                let mut row = base;
                row.extend([
                    unknown(lang),
                    unknown(lang),
                    unknown(lang),
                    unknown(lang),
                    m.source.as_of.clone(),
                    speed,
                ]);
                t.add_row(row);
                continue;
            }
            for price in &m.prices {
                let mut row = base.clone();
                row.push(format!(
                    "{} {}{}",
                    price
                        .region
                        .as_deref()
                        .unwrap_or(w(lang, "all regions", "全部地域")),
                    price.currency,
                    match (price.superseded, price.off_peak) {
                        (true, _) => w(lang, " (superseded)", "(已被取代)"),
                        (false, true) => w(lang, " (off-peak)", "(闲时)"),
                        (false, false) => "",
                    }
                ));
                row.push(tier_column(price, |t| Some(t.input_per_mtok), lang));
                row.push(tier_column(price, |t| Some(t.output_per_mtok), lang));
                row.push(tier_column(price, |t| t.cached_input_per_mtok, lang));
                row.push(price.source.as_of.clone());
                row.push(speed.clone());
                t.add_row(row);
            }
        }
    }
    super::report::keep_words_whole(&mut t);
    t.to_string()
}

/// The published speed: `42.5 tok/s`, with the time to first token on its own line (the JSON
/// listing has its source and date).
fn speed_column(m: &ModelOffering, lang: Lang) -> String {
    let Some(f) = &m.performance else {
        return unknown(lang);
    };
    let mut lines = vec![format!("{} tok/s", f.output_tokens_per_second)];
    if let Some(ttft) = f.time_to_first_token_ms {
        lines.push(format!("TTFT {ttft} ms"));
    }
    lines.join("\n")
}

/// One line per tier: `0.05 (≤256000)`, `0.25` for the unbounded tier.
fn tier_column(
    price: &TokenPrice,
    pick: impl Fn(&cloudfit_catalog::PriceTier) -> Option<cloudfit_catalog::Decimal>,
    lang: Lang,
) -> String {
    let lines: Vec<String> = price
        .tiers
        .iter()
        .map(|t| {
            let v = pick(t)
                .map(|d| d.normalize().to_string())
                .unwrap_or_else(|| unknown(lang));
            match (price.tiers.len(), t.up_to_prompt_tokens) {
                (1, _) | (_, None) => v,
                (_, Some(limit)) => format!("{v} (≤{limit})"),
            }
        })
        .collect();
    lines.join("\n")
}

fn source_json(s: &Source) -> Value {
    json!({ "source": s.source, "as_of": s.as_of, "reliability": s.reliability.name() })
}

fn provider_json(p: &Provider) -> Value {
    json!({
        "id": p.id,
        "name_en": p.name_en,
        "name_zh": p.name_zh,
        "headquarters": p.headquarters.code(),
        "jurisdictions": p.jurisdictions().iter().map(|j| j.code().to_owned()).collect::<Vec<_>>(),
        "regions": p.regions.iter().map(|r| json!({
            "id": r.id, "name": r.name, "jurisdiction": r.jurisdiction.as_ref().map(|j| j.code()),
            "residency": r.residency, "source": source_json(&r.source),
        })).collect::<Vec<_>>(),
        "endpoints": p.endpoints.iter().map(|e| json!({
            "region": e.region, "protocol": e.protocol.name(), "dialect": e.dialect,
            "base_url": e.base_url, "auth": e.auth.name(), "source": source_json(&e.source),
        })).collect::<Vec<_>>(),
        "certifications": p.certifications.iter().map(|c| json!({
            "name": c.name, "scope": c.scope, "source": source_json(&c.source),
        })).collect::<Vec<_>>(),
        "sla": p.sla.as_ref().map(|s| json!({
            "service": s.service, "monthly_uptime_percent": s.monthly_uptime_percent,
            "covers_model_api": s.covers_model_api, "source": source_json(&s.source),
        })),
        "incidents": p.incidents.iter().map(|i| json!({
            "id": i.id, "started": i.started, "duration_hours": i.duration_hours, "scope": i.scope,
            "root_cause": i.root_cause, "source": source_json(&i.source),
        })).collect::<Vec<_>>(),
        "gpu_instances": p.gpu_instances.iter().map(|g| json!({
            "name": g.name, "gpu": g.gpu, "gpu_count": g.gpu_count, "region": g.region,
            "price_per_hour": money_json(&g.price_per_hour), "source": source_json(&g.source),
        })).collect::<Vec<_>>(),
        "egress": p.egress.as_ref().map(|e| json!({
            "price_per_gb": money_json(&e.price_per_gb), "free_gb_per_month": e.free_gb_per_month,
            "source": source_json(&e.source),
        })),
        "support": p.support.as_ref().map(|s| json!({
            "tier": s.tier, "response_minutes": s.response_minutes, "source": source_json(&s.source),
        })),
        "models": p.models.iter().map(|m| m.id.clone()).collect::<Vec<_>>(),
    })
}

fn money_json(m: &cloudfit_catalog::Money) -> Value {
    json!({ "amount": m.amount.normalize().to_string(), "currency": m.currency.code() })
}

fn model_json(p: &Provider, m: &ModelOffering) -> Value {
    json!({
        "provider": p.id,
        "id": m.id,
        "name": m.name,
        "family": m.family,
        "capabilities": m.capabilities.iter().map(|c| c.name()).collect::<Vec<_>>(),
        "context_window": m.context_window,
        "source": source_json(&m.source),
        "prices": m.prices.iter().map(|price| json!({
            "region": price.region,
            "currency": price.currency.code(),
            "superseded": price.superseded,
            "off_peak": price.off_peak,
            "tiers": price.tiers.iter().map(|t| json!({
                "up_to_prompt_tokens": t.up_to_prompt_tokens,
                "input_per_mtok": t.input_per_mtok.normalize().to_string(),
                "output_per_mtok": t.output_per_mtok.normalize().to_string(),
                "cached_input_per_mtok": t.cached_input_per_mtok.map(|d| d.normalize().to_string()),
                "cache_write_per_mtok": t.cache_write_per_mtok.map(|d| d.normalize().to_string()),
            })).collect::<Vec<_>>(),
            "source": source_json(&price.source),
        })).collect::<Vec<_>>(),
        "quality": m.quality.iter().map(|q| json!({
            "benchmark": q.benchmark, "snapshot": q.snapshot, "value": q.value,
            "source": source_json(&q.source),
        })).collect::<Vec<_>>(),
        "performance": m.performance.as_ref().map(|f| json!({
            "median_output_tokens_per_second": f.output_tokens_per_second,
            "median_time_to_first_token_ms": f.time_to_first_token_ms,
            "measured_from": f.measured_from,
            "source": source_json(&f.source),
        })),
    })
}

fn import_litellm(args: &LitellmArgs) -> CmdResult {
    let shown = args.file.display().to_string();
    let text = fs::read_to_string(&args.file).map_err(|e| {
        Failure::input(anyhow!(
            "{shown}: cannot read: {}",
            e.to_string().to_lowercase()
        ))
    })?;
    let file_name = args
        .file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| shown.clone());
    let as_of = match &args.as_of {
        Some(d) => d.clone(),
        None => litellm::date_in_file_name(&file_name).ok_or_else(|| {
            Failure::input(anyhow!(
                "{shown}: no YYYY-MM-DD date in the file name; give the date the prices hold for with --as-of"
            ))
        })?,
    };
    let base = Catalog::builtin().map_err(catalog_failure)?;
    let existing: BTreeMap<String, BTreeSet<String>> = base
        .providers
        .values()
        .map(|p| {
            (
                p.id.clone(),
                p.models.iter().map(|m| m.id.clone()).collect(),
            )
        })
        .collect();
    let options = ImportOptions {
        file_name,
        as_of,
        providers: (!args.providers.is_empty()).then(|| args.providers.iter().cloned().collect()),
        existing,
        replace_existing: args.replace_existing,
    };
    let report =
        litellm::import(&text, &options).map_err(|e| Failure::input(anyhow!("{shown}:{e}")))?;
    fs::create_dir_all(&args.out)
        .with_context(|| format!("creating {}", args.out.display()))
        .map_err(Failure::runtime)?;
    let mut written = Vec::new();
    for p in &report.providers {
        let path = args.out.join(&p.file_name);
        fs::write(&path, &p.toml)
            .with_context(|| format!("writing {}", path.display()))
            .map_err(Failure::runtime)?;
        written.push(path);
    }
    check_written(&written)?;
    let lang = lang_or_locale(args.lang);
    let mut t = table(&[
        w(lang, "provider", "厂商"),
        w(lang, "file", "文件"),
        w(lang, "models", "模型数"),
        w(lang, "prices", "价格数"),
    ]);
    for (p, path) in report.providers.iter().zip(&written) {
        t.add_row(vec![
            p.provider_id.clone(),
            path.display().to_string(),
            p.models.to_string(),
            p.prices.to_string(),
        ]);
    }
    let skipped = report.skipped.len();
    let files = written.len();
    emit(&match lang {
        Lang::En => format!(
            "{t}\n{files} files written; {skipped} LiteLLM entries of these providers skipped (not chat/embedding, region-specific, duplicate or already in the built-in catalog)"
        ),
        Lang::Zh => format!(
            "{t}\n已写入 {files} 个文件;跳过这些厂商的 {skipped} 条 LiteLLM 记录(非对话/嵌入模型、限定地域、重复或内置目录已有)"
        ),
    })
}

/// The files just written must load over the built-in catalog; anything else is our bug.
fn check_written(paths: &[PathBuf]) -> Result<(), Failure> {
    let mut loader = CatalogLoader::new();
    for p in paths {
        loader = loader.overlay_path(Path::new(p));
    }
    loader.load().map(|_| ()).map_err(|e| {
        Failure::runtime(anyhow!(
            "imported files do not load (a bug in the importer):\n{e}"
        ))
    })
}
