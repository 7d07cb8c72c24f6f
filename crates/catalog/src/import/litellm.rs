//! LiteLLM's `model_prices_and_context_window.json` → catalog overlay files, one per provider.
//!
//! Prices are read from the JSON number text as exact decimals (`5e-08` USD per token becomes
//! `0.05` per million tokens, with no float noise). Only `chat` and `embedding` entries are
//! imported. An entry whose input and output prices are both zero keeps its model but leaves
//! the price out: LiteLLM uses 0.0 both for free tiers and for placeholders, so the price is
//! unknown. Every model and price is sourced to LiteLLM and the file, reliability `secondary`.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use serde_json::value::RawValue;

use crate::raw::parse_decimal;

/// LiteLLM `litellm_provider` names → our provider ids, in priority order: when two LiteLLM
/// entries give the same model id for one of our providers, the earlier name wins.
pub const PROVIDER_MAP: &[(&str, &str)] = &[
    ("dashscope", "alibaba-cloud"),
    ("volcengine", "volcengine"),
    ("deepseek", "deepseek"),
    ("moonshot", "moonshot"),
    ("zai", "zhipu"),
    ("tencent", "tencent-cloud"),
    ("bedrock_converse", "aws"),
    ("bedrock", "aws"),
    ("azure", "azure"),
    ("azure_ai", "azure"),
    ("gemini", "google-cloud"),
    ("vertex_ai-language-models", "google-cloud"),
    ("vertex_ai-embedding-models", "google-cloud"),
    ("vertex_ai", "google-cloud"),
    ("openai", "openai"),
    ("anthropic", "anthropic"),
];

/// Names and home jurisdiction written for a provider the base catalog does not have yet
/// (an overlay that adds a provider must give them).
const PROVIDER_NAMES: &[(&str, &str, Option<&str>, &str)] = &[
    (
        "alibaba-cloud",
        "Alibaba Cloud Model Studio (Bailian)",
        Some("阿里云百炼"),
        "cn",
    ),
    (
        "volcengine",
        "Volcengine Ark / BytePlus ModelArk",
        Some("火山引擎 火山方舟"),
        "cn",
    ),
    (
        "deepseek",
        "DeepSeek Open Platform",
        Some("深度求索 DeepSeek 开放平台"),
        "cn",
    ),
    (
        "moonshot",
        "Moonshot AI (Kimi)",
        Some("月之暗面 Kimi 开放平台"),
        "cn",
    ),
    (
        "zhipu",
        "Zhipu BigModel / Z.ai",
        Some("智谱 BigModel 开放平台"),
        "cn",
    ),
    (
        "tencent-cloud",
        "Tencent Cloud Hunyuan / TokenHub",
        Some("腾讯云 混元 / TokenHub"),
        "cn",
    ),
    ("aws", "Amazon Bedrock (AWS)", None, "us"),
    ("azure", "Microsoft Azure OpenAI / AI Foundry", None, "us"),
    (
        "google-cloud",
        "Google Cloud (Gemini API / Vertex AI)",
        None,
        "us",
    ),
    ("openai", "OpenAI", None, "us"),
    ("anthropic", "Anthropic", None, "us"),
];

/// One LiteLLM entry's fields, values kept as raw JSON text.
type Fields<'a> = BTreeMap<String, &'a RawValue>;

/// Our provider id for a LiteLLM provider name.
pub fn provider_for(litellm_provider: &str) -> Option<&'static str> {
    PROVIDER_MAP
        .iter()
        .find(|(l, _)| *l == litellm_provider)
        .map(|(_, ours)| *ours)
}

/// Our provider ids the importer can produce.
pub fn importable_providers() -> BTreeSet<&'static str> {
    PROVIDER_MAP.iter().map(|(_, ours)| *ours).collect()
}

/// The first `YYYY-MM-DD` in a file name (`litellm-model-prices-2026-07-24.json`).
pub fn date_in_file_name(name: &str) -> Option<String> {
    (0..name.len().saturating_sub(9)).find_map(|i| {
        let candidate = name.get(i..i + 10)?;
        crate::load::is_iso_date(candidate).then(|| candidate.to_owned())
    })
}

#[derive(Clone, Debug)]
pub struct ImportOptions {
    /// File name recorded in every `source` (`model_prices_and_context_window.json`).
    pub file_name: String,
    /// Date recorded as `as_of`.
    pub as_of: String,
    /// Restrict to these of our provider ids; `None` = every mapped provider.
    pub providers: Option<BTreeSet<String>>,
    /// Models the base catalog already has, per provider id; providers in here are not given
    /// names (they exist), and their listed models are skipped unless `replace_existing`.
    pub existing: BTreeMap<String, BTreeSet<String>>,
    /// Write models the base catalog already has (the overlay then replaces them).
    pub replace_existing: bool,
}

/// One overlay file's worth of imported data.
#[derive(Clone, Debug)]
pub struct ImportedProvider {
    pub provider_id: String,
    /// Suggested file name (`litellm-<provider>.toml`).
    pub file_name: String,
    /// The file's TOML text, in the format of `data/catalog/FORMAT.md`.
    pub toml: String,
    pub models: usize,
    pub prices: usize,
}

#[derive(Clone, Debug, Default)]
pub struct ImportReport {
    pub providers: Vec<ImportedProvider>,
    /// LiteLLM keys of mapped providers that were not imported, with the reason.
    pub skipped: Vec<(String, String)>,
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{line}:{column}: invalid JSON: {message}")]
    Json {
        line: usize,
        column: usize,
        message: String,
    },
    #[error("unknown provider `{0}` in --providers, expected some of {1}")]
    UnknownProvider(String, String),
}

/// Converts the JSON text into one overlay per provider (sorted by provider id).
pub fn import(json: &str, options: &ImportOptions) -> Result<ImportReport, ImportError> {
    if let Some(wanted) = &options.providers {
        let known = importable_providers();
        for p in wanted {
            if !known.contains(p.as_str()) {
                let list: Vec<&str> = known.iter().copied().collect();
                return Err(ImportError::UnknownProvider(
                    p.clone(),
                    crate::names::one_of(&list),
                ));
            }
        }
    }
    let entries: Fields<'_> = serde_json::from_str(json).map_err(|e| ImportError::Json {
        line: e.line(),
        column: e.column(),
        message: e
            .to_string()
            .split(" at line ")
            .next()
            .unwrap_or("")
            .to_owned(),
    })?;

    let mut report = ImportReport::default();
    // (our provider, model id) → (priority, prefixed?, key, entry)
    type Candidate<'a> = (usize, bool, String, Fields<'a>);
    let mut chosen: BTreeMap<(String, String), Candidate<'_>> = BTreeMap::new();
    for (key, raw) in &entries {
        let Ok(fields) = serde_json::from_str::<Fields<'_>>(raw.get()) else {
            continue;
        };
        let Some(litellm_provider) = fields.get("litellm_provider").and_then(|v| as_str(v)) else {
            continue;
        };
        let Some(priority) = PROVIDER_MAP
            .iter()
            .position(|(l, _)| *l == litellm_provider)
        else {
            continue;
        };
        let ours = PROVIDER_MAP[priority].1;
        if options
            .providers
            .as_ref()
            .is_some_and(|w| !w.contains(ours))
        {
            continue;
        }
        let mode = fields
            .get("mode")
            .and_then(|v| as_str(v))
            .unwrap_or_default();
        if mode != "chat" && mode != "embedding" {
            report.skipped.push((
                key.clone(),
                format!("mode `{mode}` is not chat or embedding"),
            ));
            continue;
        }
        let (model_id, prefixed) = strip_prefix(key, &litellm_provider);
        if model_id.contains('/') || model_id.is_empty() {
            report.skipped.push((
                key.clone(),
                "region-, commitment- or variant-specific key".to_owned(),
            ));
            continue;
        }
        if !options.replace_existing
            && options
                .existing
                .get(ours)
                .is_some_and(|models| models.contains(model_id))
        {
            report.skipped.push((
                key.clone(),
                format!("`{ours}` already has model `{model_id}` in the base catalog"),
            ));
            continue;
        }
        let slot = (ours.to_owned(), model_id.to_owned());
        let candidate = (priority, !prefixed, key.clone(), fields);
        match chosen.get(&slot) {
            Some(old) if (old.0, old.1, &old.2) <= (candidate.0, candidate.1, &candidate.2) => {
                report
                    .skipped
                    .push((key.clone(), format!("same model id as `{}`", old.2)));
            }
            Some(old) => {
                report
                    .skipped
                    .push((old.2.clone(), format!("same model id as `{key}`")));
                chosen.insert(slot, candidate);
            }
            None => {
                chosen.insert(slot, candidate);
            }
        }
    }

    let mut per_provider: BTreeMap<String, Vec<(String, String, Fields<'_>)>> = BTreeMap::new();
    for ((ours, model_id), (_, _, key, fields)) in chosen {
        per_provider
            .entry(ours)
            .or_default()
            .push((model_id, key, fields));
    }
    let source = format!(
        "LiteLLM model_prices_and_context_window.json ({})",
        options.file_name
    );
    for (ours, models) in per_provider {
        let mut text = String::new();
        let _ = writeln!(
            text,
            "# Imported by `cloudfit catalog import litellm` from {}.",
            options.file_name
        );
        let _ = writeln!(text, "# Prices are LiteLLM's USD per-token figures times one million; reliability secondary.");
        let _ = writeln!(
            text,
            "# A model without a price had none (or only 0.0 placeholders) in LiteLLM: unknown.\n"
        );
        let _ = writeln!(text, "[provider]\nid = {}", quote(&ours));
        if !options.existing.contains_key(&ours) {
            if let Some((_, en, zh, hq)) = PROVIDER_NAMES.iter().find(|(id, ..)| *id == ours) {
                let _ = writeln!(text, "name_en = {}", quote(en));
                if let Some(zh) = zh {
                    let _ = writeln!(text, "name_zh = {}", quote(zh));
                }
                let _ = writeln!(text, "headquarters = {}", quote(hq));
            }
        }
        let mut prices = 0;
        for (model_id, key, fields) in &models {
            prices += write_model(&mut text, model_id, key, fields, &source, &options.as_of);
        }
        report.providers.push(ImportedProvider {
            file_name: format!("litellm-{ours}.toml"),
            provider_id: ours,
            toml: text,
            models: models.len(),
            prices,
        });
    }
    Ok(report)
}

/// `dashscope/qwen-max` → (`qwen-max`, true); `claude-3-haiku` → (`claude-3-haiku`, false).
fn strip_prefix<'a>(key: &'a str, litellm_provider: &str) -> (&'a str, bool) {
    let mut prefixes: Vec<&str> = vec![litellm_provider];
    if let Some(base) = litellm_provider.split('-').next() {
        prefixes.push(base); // vertex_ai-language-models → vertex_ai
    }
    if litellm_provider == "bedrock_converse" {
        prefixes.push("bedrock");
    }
    for p in prefixes {
        if let Some(rest) = key.strip_prefix(p).and_then(|r| r.strip_prefix('/')) {
            return (rest, true);
        }
    }
    (key, false)
}

fn as_str(v: &RawValue) -> Option<String> {
    serde_json::from_str::<String>(v.get()).ok()
}

fn as_bool(v: Option<&&RawValue>) -> bool {
    v.is_some_and(|v| v.get().trim() == "true")
}

/// A JSON number as an exact decimal; `None` for anything else.
fn as_decimal(v: Option<&&RawValue>) -> Option<Decimal> {
    let text = v?.get().trim();
    if text.starts_with('"') {
        return None;
    }
    parse_decimal(text)
}

fn per_mtok(per_token: Decimal) -> Decimal {
    (per_token * Decimal::from(1_000_000)).normalize()
}

struct Tier {
    up_to: Option<u64>,
    input: Decimal,
    output: Decimal,
    cached: Option<Decimal>,
    cache_write: Option<Decimal>,
}

/// Writes one `[[model]]`; returns the number of price lists written (0 or 1).
fn write_model(
    text: &mut String,
    model_id: &str,
    key: &str,
    f: &Fields<'_>,
    source: &str,
    as_of: &str,
) -> usize {
    let mode = f.get("mode").and_then(|v| as_str(v)).unwrap_or_default();
    let mut caps = BTreeSet::new();
    if mode == "embedding" {
        caps.insert("embeddings");
    } else {
        caps.insert("chat");
    }
    for (flag, cap) in [
        ("supports_function_calling", "tools"),
        ("supports_vision", "vision"),
        ("supports_reasoning", "reasoning"),
        ("supports_response_schema", "json-mode"),
        ("supports_audio_input", "audio"),
        ("supports_audio_output", "audio"),
    ] {
        if as_bool(f.get(flag)) {
            caps.insert(cap);
        }
    }
    let _ = writeln!(text, "\n# LiteLLM key: {key}");
    if let Some(vendor) = f.get("source").and_then(|v| as_str(v)) {
        let _ = writeln!(text, "# vendor page cited by LiteLLM: {vendor}");
    }
    let _ = writeln!(
        text,
        "[[model]]\nid = {}\nname = {}",
        quote(model_id),
        quote(model_id)
    );
    let caps: Vec<String> = caps.iter().map(|c| quote(c)).collect();
    let _ = writeln!(text, "capabilities = [{}]", caps.join(", "));
    if let Some(window) = as_decimal(f.get("max_input_tokens"))
        .and_then(|d| d.to_u64())
        .filter(|n| *n > 0)
    {
        let _ = writeln!(text, "context_window = {window}");
    }
    let _ = writeln!(
        text,
        "source = {}\nas_of = {}\nreliability = \"secondary\"",
        quote(source),
        quote(as_of)
    );

    let Some(tiers) = tiers(f) else {
        return 0;
    };
    if tiers
        .iter()
        .all(|t| t.input.is_zero() && t.output.is_zero())
    {
        let _ = writeln!(
            text,
            "# LiteLLM lists 0.0 prices (a placeholder or a free tier): price left out as unknown"
        );
        return 0;
    }
    let _ = writeln!(text, "\n[[model.price]]\ncurrency = \"USD\"\nsource = {}\nas_of = {}\nreliability = \"secondary\"", quote(source), quote(as_of));
    for t in tiers {
        let _ = writeln!(text, "\n[[model.price.tier]]");
        if let Some(up_to) = t.up_to {
            let _ = writeln!(text, "up_to_prompt_tokens = {up_to}");
        }
        let _ = writeln!(text, "input_per_mtok = {}", number(t.input));
        let _ = writeln!(text, "output_per_mtok = {}", number(t.output));
        if let Some(c) = t.cached {
            let _ = writeln!(text, "cached_input_per_mtok = {}", number(c));
        }
        if let Some(c) = t.cache_write {
            let _ = writeln!(text, "cache_write_per_mtok = {}", number(c));
        }
    }
    1
}

/// The price tiers of an entry, or `None` when its token prices are not known.
fn tiers(f: &Fields<'_>) -> Option<Vec<Tier>> {
    let cached = as_decimal(f.get("cache_read_input_token_cost"))
        .or_else(|| as_decimal(f.get("input_cost_per_token_cache_hit")))
        .map(per_mtok);
    let cache_write = as_decimal(f.get("cache_creation_input_token_cost")).map(per_mtok);

    // Generic list form: [{range: [lo, hi], input_cost_per_token, output_cost_per_token, ...}]
    if let Some(list) = f
        .get("tiered_pricing")
        .and_then(|v| serde_json::from_str::<Vec<Fields<'_>>>(v.get()).ok())
    {
        let mut out = Vec::new();
        for band in &list {
            let range: Vec<&RawValue> = band
                .get("range")
                .and_then(|r| serde_json::from_str(r.get()).ok())
                .unwrap_or_default();
            let up_to = range
                .get(1)
                .and_then(|hi| parse_decimal(hi.get().trim()))
                .and_then(|d| d.to_u64());
            out.push(Tier {
                up_to,
                input: per_mtok(as_decimal(band.get("input_cost_per_token"))?),
                output: per_mtok(as_decimal(band.get("output_cost_per_token"))?),
                cached: as_decimal(band.get("cache_read_input_token_cost")).map(per_mtok),
                cache_write: None,
            });
        }
        out.sort_by_key(|t| t.up_to.unwrap_or(u64::MAX));
        return (!out.is_empty()).then_some(out);
    }

    let input = per_mtok(as_decimal(f.get("input_cost_per_token"))?);
    let output = per_mtok(as_decimal(f.get("output_cost_per_token"))?);
    // `*_above_<N>k_tokens` thresholds, ascending.
    let mut thresholds: Vec<u64> = f
        .keys()
        .filter_map(|k| {
            k.strip_prefix("input_cost_per_token_above_")?
                .strip_suffix("k_tokens")?
                .parse()
                .ok()
        })
        .collect();
    thresholds.sort_unstable();
    thresholds.dedup();
    let mut out = vec![Tier {
        up_to: None,
        input,
        output,
        cached,
        cache_write,
    }];
    for n in thresholds {
        let above_in = as_decimal(f.get(&format!("input_cost_per_token_above_{n}k_tokens")));
        let above_out = as_decimal(f.get(&format!("output_cost_per_token_above_{n}k_tokens")));
        let limit = n * 1000;
        if let Some(last) = out.last_mut() {
            last.up_to = Some(limit);
        }
        let (Some(i), Some(o)) = (above_in, above_out) else {
            // The long-prompt price is only half known: leave prompts above the limit unpriced.
            break;
        };
        out.push(Tier {
            up_to: None,
            input: per_mtok(i),
            output: per_mtok(o),
            cached: as_decimal(f.get(&format!("cache_read_input_token_cost_above_{n}k_tokens")))
                .map(per_mtok),
            cache_write: as_decimal(f.get(&format!(
                "cache_creation_input_token_cost_above_{n}k_tokens"
            )))
            .map(per_mtok),
        });
    }
    Some(out)
}

/// A TOML basic string.
fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A decimal as a TOML number when a float reads it back exactly, else as a string.
fn number(d: Decimal) -> String {
    let text = d.normalize().to_string();
    let round_trips = text
        .parse::<f64>()
        .ok()
        .map(|f| format!("{f}"))
        .is_some_and(|back| parse_decimal(&back) == Some(d.normalize()));
    if !round_trips {
        return quote(&text);
    }
    if text.contains('.') {
        text
    } else {
        format!("{text}.0")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts() -> ImportOptions {
        ImportOptions {
            file_name: "prices-2026-07-24.json".into(),
            as_of: "2026-07-24".into(),
            providers: None,
            existing: BTreeMap::new(),
            replace_existing: false,
        }
    }

    #[test]
    fn per_token_prices_become_exact_per_million() {
        assert_eq!(
            per_mtok(parse_decimal("5e-08").unwrap()).to_string(),
            "0.05"
        );
        assert_eq!(
            per_mtok(parse_decimal("3.625e-09").unwrap()).to_string(),
            "0.003625"
        );
        assert_eq!(
            per_mtok(parse_decimal("1.4e-06").unwrap()).to_string(),
            "1.4"
        );
        assert_eq!(number(Decimal::from(2)), "2.0");
        assert_eq!(number(parse_decimal("0.003625").unwrap()), "0.003625");
    }

    #[test]
    fn dates_are_found_in_file_names() {
        assert_eq!(
            date_in_file_name("litellm-model-prices-2026-07-24.json").as_deref(),
            Some("2026-07-24")
        );
        assert_eq!(
            date_in_file_name("model_prices_and_context_window.json"),
            None
        );
    }

    #[test]
    fn entries_map_to_providers_tiers_and_capabilities() {
        let json = r#"{
          "sample_spec": {"litellm_provider": "one of x", "mode": "chat"},
          "dashscope/qwen-flash": {"litellm_provider":"dashscope","max_input_tokens":997952,"mode":"chat",
             "supports_function_calling": true,
             "tiered_pricing":[{"input_cost_per_token":5e-08,"output_cost_per_token":4e-07,"range":[0,256000.0]},
                               {"input_cost_per_token":2.5e-07,"output_cost_per_token":2e-06,"range":[256000.0,1000000.0]}]},
          "gemini/gemini-x": {"litellm_provider":"gemini","mode":"chat","input_cost_per_token":1.25e-06,
             "output_cost_per_token":1e-05,"input_cost_per_token_above_200k_tokens":2.5e-06,
             "output_cost_per_token_above_200k_tokens":1.5e-05,"cache_read_input_token_cost":1.25e-07,
             "supports_vision":true,"supports_reasoning":true,"supports_response_schema":true},
          "deepseek-chat": {"litellm_provider":"deepseek","mode":"chat","input_cost_per_token":2.8e-07,"output_cost_per_token":4.2e-07},
          "deepseek/deepseek-chat": {"litellm_provider":"deepseek","mode":"chat","input_cost_per_token":2.8e-07,"output_cost_per_token":4.2e-07},
          "volcengine/placeholder": {"litellm_provider":"volcengine","mode":"chat","input_cost_per_token":0.0,"output_cost_per_token":0.0},
          "azure/eu/gpt-4o": {"litellm_provider":"azure","mode":"chat","input_cost_per_token":1e-06,"output_cost_per_token":1e-06},
          "dall-e-3": {"litellm_provider":"openai","mode":"image_generation"},
          "mistral/x": {"litellm_provider":"mistral","mode":"chat"}
        }"#;
        let report = import(json, &opts()).unwrap();
        let ids: Vec<&str> = report
            .providers
            .iter()
            .map(|p| p.provider_id.as_str())
            .collect();
        assert_eq!(
            ids,
            ["alibaba-cloud", "deepseek", "google-cloud", "volcengine"]
        );
        let ali = &report.providers[0].toml;
        assert!(ali.contains("id = \"qwen-flash\""), "{ali}");
        assert!(
            ali.contains("capabilities = [\"chat\", \"tools\"]"),
            "{ali}"
        );
        assert!(ali.contains("context_window = 997952"), "{ali}");
        assert!(
            ali.contains(
                "up_to_prompt_tokens = 256000\ninput_per_mtok = 0.05\noutput_per_mtok = 0.4"
            ),
            "{ali}"
        );
        assert!(
            ali.contains(
                "up_to_prompt_tokens = 1000000\ninput_per_mtok = 0.25\noutput_per_mtok = 2.0"
            ),
            "{ali}"
        );
        assert!(ali.contains("name_en = \"Alibaba Cloud Model Studio (Bailian)\""));
        let g = &report.providers[2].toml;
        assert!(
            g.contains("capabilities = [\"chat\", \"json-mode\", \"reasoning\", \"vision\"]"),
            "{g}"
        );
        assert!(g.contains("up_to_prompt_tokens = 200000\ninput_per_mtok = 1.25\noutput_per_mtok = 10.0\ncached_input_per_mtok = 0.125"), "{g}");
        assert!(
            g.contains("[[model.price.tier]]\ninput_per_mtok = 2.5\noutput_per_mtok = 15.0"),
            "{g}"
        );
        let ds = &report.providers[1];
        assert_eq!(
            ds.models, 1,
            "deepseek-chat and deepseek/deepseek-chat are one model"
        );
        assert!(
            ds.toml.contains("# LiteLLM key: deepseek/deepseek-chat"),
            "the prefixed key wins"
        );
        let v = &report.providers[3];
        assert_eq!(
            (v.models, v.prices),
            (1, 0),
            "zero placeholder prices are unknown"
        );
        assert!(report.skipped.iter().any(|(k, _)| k == "azure/eu/gpt-4o"));
        assert!(report.skipped.iter().any(|(k, _)| k == "dall-e-3"));
    }

    #[test]
    fn existing_models_are_skipped_and_existing_providers_get_no_names() {
        let json = r#"{"deepseek-chat": {"litellm_provider":"deepseek","mode":"chat","input_cost_per_token":2.8e-07,"output_cost_per_token":4.2e-07},
                       "deepseek-x": {"litellm_provider":"deepseek","mode":"chat","input_cost_per_token":2.8e-07,"output_cost_per_token":4.2e-07}}"#;
        let mut o = opts();
        o.existing.insert(
            "deepseek".into(),
            BTreeSet::from(["deepseek-chat".to_owned()]),
        );
        let report = import(json, &o).unwrap();
        assert_eq!(report.providers[0].models, 1);
        assert!(!report.providers[0].toml.contains("name_en"));
        o.replace_existing = true;
        assert_eq!(import(json, &o).unwrap().providers[0].models, 2);
    }

    #[test]
    fn malformed_json_names_line_and_column() {
        let err = import("{\n  \"a\": {\n    \"mode\": chat\n  }\n}", &opts()).unwrap_err();
        match err {
            ImportError::Json { line, column, .. } => assert_eq!((line, column), (3, 13)),
            other => panic!("unexpected {other}"),
        }
    }

    #[test]
    fn unknown_provider_filter_is_rejected() {
        let mut o = opts();
        o.providers = Some(BTreeSet::from(["nope".to_owned()]));
        assert!(matches!(
            import("{}", &o),
            Err(ImportError::UnknownProvider(..))
        ));
    }
}
