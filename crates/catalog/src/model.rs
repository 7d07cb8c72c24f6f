//! The validated, in-memory catalog: what the rest of cloudfit reads.
//!
//! These are runtime types, not file types: the TOML shapes live in `raw` and are converted
//! here after validation. Every number a user might act on carries a [`Source`]; a fact that
//! is not known is `None` / absent and must be shown as unknown, never replaced by a default.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use rust_decimal::Decimal;

/// Where a fact comes from and the date it holds for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Source {
    /// A URL, a `github:owner/repo@commit path` reference or a report name.
    pub source: String,
    /// The date the fact holds for, as written by the source (`2026-07-24`, `2025H1`, `undated snapshot`).
    pub as_of: String,
    pub reliability: Reliability,
}

/// How far to trust a source; lower reliability widens the uncertainty the advice assigns.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Reliability {
    /// The vendor's own page or document.
    Primary,
    /// A maintained registry that tracks vendor pages (LiteLLM, models.dev).
    Secondary,
    /// A third-party article or compilation, unverified.
    ThirdParty,
}

/// ISO 4217 codes we price in. Conversions go through dated [`ExchangeRate`] facts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Currency {
    Usd,
    Cny,
    Eur,
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Currency::Usd => "USD",
            Currency::Cny => "CNY",
            Currency::Eur => "EUR",
        })
    }
}

/// An amount of money in a known currency. Never a float of unknown unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Money {
    pub amount: Decimal,
    pub currency: Currency,
}

/// Legal area whose rules govern data stored in a region.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Jurisdiction {
    /// Mainland China (`cn`).
    MainlandChina,
    HongKong,
    Singapore,
    UnitedStates,
    EuropeanUnion,
    UnitedKingdom,
    Japan,
    /// Any other, by its lowercase code (`au`, `br`, `in`, ...).
    Other(String),
}

/// The protocol family an endpoint speaks; drives API compatibility in the migration criterion.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ProtocolFamily {
    /// OpenAI Chat Completions or a compatible dialect.
    OpenAi,
    Anthropic,
    BedrockConverse,
    Gemini,
    /// The provider's own, non-compatible API.
    Native,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AuthScheme {
    /// `Authorization: Bearer <key>`
    Bearer,
    /// `api-key: <key>` (Azure)
    ApiKeyHeader,
    /// `x-api-key: <key>` (Anthropic)
    XApiKey,
    /// `x-goog-api-key: <key>` (Gemini)
    GoogApiKey,
    /// AWS Signature Version 4
    SigV4,
    /// Another request-signing scheme (Volcengine/Baidu AK/SK)
    AkSkSignature,
}

/// What a model is built for. `General` serves any task; the others serve tasks that name the
/// same purpose.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum ModelPurpose {
    #[default]
    General,
    /// Document parsing / long-document QA models.
    Document,
    Code,
    Translation,
    /// Role-play / character models.
    Roleplay,
    /// Image or video understanding/generation models.
    Image,
    Search,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Capability {
    Chat,
    Tools,
    Vision,
    Reasoning,
    Embeddings,
    JsonMode,
    Audio,
    ImageGeneration,
}

/// The whole catalog after built-in data and user overlays are merged and validated.
#[derive(Clone, Debug, Default)]
pub struct Catalog {
    /// Keyed by provider id (`alibaba-cloud`, `aws`, ...).
    pub providers: BTreeMap<String, Provider>,
    pub claims: Vec<MarketClaim>,
    pub exchange_rates: Vec<ExchangeRate>,
}

#[derive(Clone, Debug)]
pub struct Provider {
    /// Stable lowercase id used in profiles, overlays and JSON output.
    pub id: String,
    pub name_en: String,
    pub name_zh: Option<String>,
    /// Other names users say for the provider, in any language (`aliyun`, `阿里云`); matched
    /// case-insensitively by profiles, never shown as the id.
    pub aliases: Vec<String>,
    /// Jurisdiction of the company's home (for "local service" and legal exposure).
    pub headquarters: Jurisdiction,
    pub regions: Vec<Region>,
    pub endpoints: Vec<Endpoint>,
    pub certifications: Vec<Certification>,
    /// Published SLA; `None` = unknown. Only one with `covers_model_api` says anything about
    /// the model API; a compute SLA is context.
    pub sla: Option<Sla>,
    pub incidents: Vec<Incident>,
    /// Observed uptime of the model API published by someone who watches it (a status page,
    /// OpenRouter's per-endpoint uptime): observed downtime, not a commitment.
    pub availability: Vec<Availability>,
    /// Whether the provider trains on API inputs/outputs by default; `None` = unknown.
    pub data_use: Option<DataUse>,
    pub models: Vec<ModelOffering>,
    pub gpu_instances: Vec<GpuInstance>,
    /// First-tier internet egress price; `None` = unknown.
    pub egress: Option<EgressPrice>,
    /// Fastest published support response for the most severe case; `None` = unknown.
    pub support: Option<SupportCommitment>,
}

#[derive(Clone, Debug)]
pub struct Region {
    /// Provider's own region id (`cn-beijing`, `us-east-1`).
    pub id: String,
    pub name: String,
    /// Where data sent to this region is processed and stored; `None` = no source says (a
    /// contracting entity's seat is not where data is processed).
    pub jurisdiction: Option<Jurisdiction>,
    /// What the provider says about where data stays, if anything.
    pub residency: Option<String>,
    pub source: Source,
}

#[derive(Clone, Debug)]
pub struct Endpoint {
    /// Region id this endpoint serves (one of the provider's regions), or `global`.
    pub region: String,
    pub protocol: ProtocolFamily,
    /// Dialect name understood by `cloudfit-providers` (`dashscope`, `ark`, `deepseek`, `azure`, ...).
    pub dialect: String,
    pub base_url: String,
    pub auth: AuthScheme,
    pub source: Source,
}

#[derive(Clone, Debug)]
pub struct Certification {
    /// Normalised name from the closed vocabulary [`crate::CERTIFICATIONS`]: `ISO27001`, `SOC2`,
    /// `MLPS` (等级保护, with `level`), `GENAI-FILING` (生成式人工智能服务备案), `TRUSTED-CLOUD`
    /// (可信云), ...
    pub name: String,
    /// What it covers when the source says (`platform`, `model service`, a product name).
    pub scope: Option<String>,
    /// Level for graded schemes (MLPS 等级保护: 2, 3, 4); `None` = not graded or not stated.
    pub level: Option<u8>,
    /// Whether the certificate is known to cover the model service the buyer calls.
    pub coverage: CertCoverage,
    /// `false` when a source says the provider does *not* hold it (a known absence); an
    /// absent record is unknown, never a known absence.
    pub held: bool,
    pub source: Source,
}

/// What a certification is known to cover.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CertCoverage {
    /// The model service itself (MaaS, the model API).
    ModelService,
    /// The cloud platform as a whole; whether the model service is in scope is not stated.
    Platform,
    /// Another product of the provider (e.g. CloudBase), not the model service.
    OtherProduct,
    /// The source does not say.
    Unstated,
}

/// Published statement on training with API data.
#[derive(Clone, Debug)]
pub struct DataUse {
    /// True when API inputs/outputs may be used to train models unless the customer opts out.
    pub trains_on_api_data_by_default: bool,
    /// What the source says, briefly.
    pub statement: String,
    pub source: Source,
}

/// Observed uptime of a provider's model API over a period.
#[derive(Clone, Debug)]
pub struct Availability {
    /// What was watched (`deepseek-v4-flash endpoint`, `API status page`).
    pub service: String,
    /// The model, when the figure is per model.
    pub model: Option<String>,
    /// Observed uptime in percent over the period (mean of the published daily figures).
    pub uptime_percent: f64,
    /// The period observed (`2026-08-30..2026-09-01`, `90 days to 2026-04`).
    pub period: String,
    /// Where the watcher ran or which endpoint it called (`OpenRouter, international endpoint`).
    pub measured_from: Option<String>,
    pub source: Source,
}

#[derive(Clone, Debug)]
pub struct Sla {
    /// The service the commitment is for (`Bedrock`, `Azure OpenAI`, `ECS` when only compute has one).
    pub service: String,
    /// Monthly uptime commitment, in percent (99.9).
    pub monthly_uptime_percent: f64,
    /// True when the SLA covers the model API itself rather than general compute.
    pub covers_model_api: bool,
    pub source: Source,
}

#[derive(Clone, Debug)]
pub struct Incident {
    pub id: String,
    /// Start date `YYYY-MM-DD`.
    pub started: String,
    /// Duration in hours as published (the longest published figure when a range is given).
    pub duration_hours: f64,
    pub scope: String,
    pub root_cause: Option<String>,
    /// Jurisdictions of the regions it hit; empty = not stated or global (counts everywhere).
    pub jurisdictions: Vec<Jurisdiction>,
    /// Whether it took down or degraded the model API (a cloud-wide outage in a region does,
    /// an outage of another product does not).
    pub affects_model_api: bool,
    pub source: Source,
}

#[derive(Clone, Debug)]
pub struct ModelOffering {
    /// The API model id (`qwen3-max`, `deepseek-chat`).
    pub id: String,
    pub name: String,
    /// Model family for grouping (`qwen`, `doubao`, `gpt`, `claude`).
    pub family: Option<String>,
    pub capabilities: BTreeSet<Capability>,
    /// Context window in tokens; `None` = unknown.
    pub context_window: Option<u64>,
    /// Date (`YYYY-MM-DD`) from which the provider deprecates the model; not chosen for
    /// costs on or after it.
    pub deprecated_from: Option<String>,
    /// A preview or experimental model (often free, without guarantees); not chosen for
    /// production workloads unless a profile allows previews.
    pub preview: bool,
    /// What the model is for; special-purpose models serve only tasks of that purpose.
    pub purpose: ModelPurpose,
    /// Covers capabilities and context window.
    pub source: Source,
    pub prices: Vec<TokenPrice>,
    pub quality: Vec<QualityScore>,
    /// Speed someone else published for this model at this provider; `None` = not published.
    /// cloudfit's own measurements, when there are any, take precedence over it.
    pub performance: Option<PublishedPerformance>,
}

/// A price list for one model in one region and currency. Prices are per million tokens.
#[derive(Clone, Debug)]
pub struct TokenPrice {
    /// Region id the price applies to; `None` = all of the provider's regions.
    pub region: Option<String>,
    pub currency: Currency,
    /// Prompt-length bands, ascending by `up_to_prompt_tokens`; the last may be unbounded.
    /// A flat price is one tier with `up_to_prompt_tokens: None`.
    pub tiers: Vec<PriceTier>,
    /// Kept as history: the provider has replaced this price list. Never used for costs.
    pub superseded: bool,
    /// A discounted time-of-day rate (off-peak hours). Costs use the provider's standard rate,
    /// since business traffic cannot be assumed to fall outside peak hours.
    pub off_peak: bool,
    pub source: Source,
}

impl TokenPrice {
    /// Whether costs may be computed with this price list today.
    pub fn is_current_standard(&self) -> bool {
        !self.superseded && !self.off_peak
    }
}

#[derive(Clone, Debug)]
pub struct PriceTier {
    /// This band applies to requests whose prompt has at most this many tokens; `None` = no limit.
    pub up_to_prompt_tokens: Option<u64>,
    pub input_per_mtok: Decimal,
    pub output_per_mtok: Decimal,
    /// Price of prompt tokens served from cache; `None` = no cache discount known.
    pub cached_input_per_mtok: Option<Decimal>,
    pub cache_write_per_mtok: Option<Decimal>,
}

#[derive(Clone, Debug)]
pub struct QualityScore {
    /// `aa-intelligence-index` (0–100) or `lmarena-text` (Elo-like); compare only within one
    /// benchmark and snapshot.
    pub benchmark: String,
    /// Snapshot date of the leaderboard, `YYYY-MM-DD`.
    pub snapshot: String,
    pub value: f64,
    pub source: Source,
}

/// A published speed figure for one model at one provider (a benchmark site's or the vendor's).
#[derive(Clone, Debug, PartialEq)]
pub struct PublishedPerformance {
    /// Median output tokens per second while streaming; always above zero.
    pub output_tokens_per_second: f64,
    /// Median time to first token in milliseconds, when published; above zero.
    pub time_to_first_token_ms: Option<f64>,
    /// Where the measuring client ran (`us-east`, `Beijing`), when the source says; speeds
    /// depend on the distance to the endpoint, so a figure from far away may not hold for you.
    pub measured_from: Option<String>,
    pub source: Source,
}

#[derive(Clone, Debug)]
pub struct GpuInstance {
    pub name: String,
    /// GPU model (`H100`, `A100-80G`, `A10`, `L20`).
    pub gpu: String,
    pub gpu_count: u32,
    pub region: Option<String>,
    pub price_per_hour: Money,
    pub source: Source,
}

#[derive(Clone, Debug)]
pub struct EgressPrice {
    pub price_per_gb: Money,
    pub free_gb_per_month: Option<f64>,
    pub source: Source,
}

#[derive(Clone, Debug)]
pub struct SupportCommitment {
    /// Plan or tier name.
    pub tier: String,
    pub response_minutes: u32,
    pub source: Source,
}

/// A market "No. 1" claim and the measure behind it.
#[derive(Clone, Debug)]
pub struct MarketClaim {
    pub id: String,
    pub provider: String,
    pub claim_en: String,
    pub claim_zh: Option<String>,
    /// What was measured (`AI cloud revenue share`, `LLM token-call share`).
    pub measure: String,
    /// The same in Chinese, when the catalog gives it (also for scope and period).
    pub measure_zh: Option<String>,
    /// Market the measure covers (`China AI cloud`, `global cloud infrastructure`).
    pub scope: String,
    pub scope_zh: Option<String>,
    /// Period measured (`1H 2025`, `2025H1`, `Q2 2025`).
    pub period: String,
    pub period_zh: Option<String>,
    pub value: Option<f64>,
    /// Unit of `value` (`percent`, `rank`).
    pub unit: Option<String>,
    /// Who published the measure (`Omdia`, `IDC`, `Canalys`).
    pub report: String,
    pub source: Source,
}

/// `1 from = rate × to`, as of a date.
#[derive(Clone, Debug)]
pub struct ExchangeRate {
    pub from: Currency,
    pub to: Currency,
    pub rate: Decimal,
    pub source: Source,
}
