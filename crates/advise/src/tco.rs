//! Monthly total cost of ownership (TCO) of a profile's workload at one provider.
//!
//! Formulas (all amounts converted to the workload's reporting currency with the catalog's
//! dated exchange rates, see [`crate::fx`]):
//!
//! - **Task class** `t` with monthly input `I`, output `O`, cache-hit share `h`: among the
//!   provider's models that have every capability the task needs, whose context window (when
//!   known) holds the typical prompt, whose Intelligence Index meets the task's minimum (when
//!   set) and that have a price usable in an allowed jurisdiction, take the cheapest
//!   `I/10⁶ × ((1−h)·p_in + h·p_cached) + O/10⁶ × p_out`, where the prices come from the
//!   price tier whose `up_to_prompt_tokens` is the first ≥ the typical prompt. When no cached
//!   price is published the full input price applies (no discount is assumed).
//! - **Embeddings**: cheapest embeddings-capable model, `E/10⁶ × p_in` of its first tier.
//! - **GPU**: cheapest instance with the requested GPU model ([`cloudfit_catalog::gpu_matches`]), per GPU-hour
//!   (`price_per_hour / gpu_count`) × hours.
//! - **Egress**: `max(0, GB − free GB) × first-tier egress price`.
//! - **Storage**: the catalog holds no storage prices yet, so storage is always unpriced.
//!
//! A line that cannot be priced is kept with `amount: None` and the reason; the advice turns it
//! into a range across the providers that can price it (see `assess`).

use std::fmt;

use cloudfit_catalog::{
    gpu_matches, Capability, Currency, Jurisdiction, ModelOffering, ModelPurpose, Money, PriceTier,
    Provider, Region, TokenPrice,
};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

use crate::criterion::Evidence;
use crate::date::Date;
use crate::fx::Fx;
use crate::i18n::Lang;
use crate::profile::{capability_key, Task, Workload};

/// Benchmark id the task's `min_quality_index` refers to.
pub const INDEX_BENCHMARK: &str = "aa-intelligence-index";

/// What a cost line pays for.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CostItem {
    /// A task class of the workload, by name.
    Task(String),
    Embeddings,
    Gpu,
    Egress,
    Storage,
}

impl fmt::Display for CostItem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CostItem::Task(name) => write!(f, "task:{name}"),
            CostItem::Embeddings => f.write_str("embeddings"),
            CostItem::Gpu => f.write_str("gpu"),
            CostItem::Egress => f.write_str("egress"),
            CostItem::Storage => f.write_str("storage"),
        }
    }
}

/// A unit price as published, in its own currency.
#[derive(Clone, Debug, PartialEq)]
pub struct UnitPrice {
    /// `input`, `cached input`, `output`, `GPU-hour`, `GB`.
    pub what: &'static str,
    /// `Mtok`, `GPU-h`, `GB`.
    pub per: &'static str,
    pub price: Money,
}

/// Why a line has no amount.
#[derive(Clone, Debug, PartialEq)]
pub enum Unpriced {
    /// No model meets the task's needs; `shortfall` names the requirement that left none.
    NoQualifyingModel {
        capabilities: Vec<Capability>,
        shortfall: Shortfall,
    },
    NoGpuPrice {
        gpu: String,
    },
    NoEgressPrice,
    NoStoragePrice,
    NoExchangeRate {
        from: Currency,
        to: Currency,
    },
}

impl fmt::Display for Unpriced {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unpriced::NoQualifyingModel { shortfall, .. } => shortfall.fmt(f),
            Unpriced::NoGpuPrice { gpu } => write!(f, "no {gpu} instance price"),
            Unpriced::NoEgressPrice => f.write_str("no egress price"),
            Unpriced::NoStoragePrice => f.write_str("no storage price in the catalog"),
            Unpriced::NoExchangeRate { from, to } => {
                write!(f, "no exchange rate from {from} to {to}")
            }
        }
    }
}

/// The requirement of a task that no model of a provider meets, checked in this order:
/// capabilities, purpose, lifecycle (deprecated or preview), context window, quality floor,
/// a price usable in an allowed region.
#[derive(Clone, Debug, PartialEq)]
pub enum Shortfall {
    /// No model has every capability the task needs; `missing` are those no model has at all
    /// (empty: each exists, but never all on one model).
    Capabilities {
        needed: Vec<Capability>,
        missing: Vec<Capability>,
    },
    /// Only special-purpose models (document, code, ...) have the capabilities.
    Purpose { purposes: Vec<ModelPurpose> },
    /// Only deprecated or preview models are left.
    Lifecycle {
        deprecated: Vec<String>,
        preview: Vec<String>,
    },
    /// No model's context window holds the task's prompt.
    Context { need: u64, largest: u64 },
    /// The best model left scores below the floor (`best: None` = none has a score).
    Quality {
        floor: f64,
        best: Option<(String, f64)>,
    },
    /// Models fit, but none has a current price in an allowed region.
    NoPriceInScope,
}

impl fmt::Display for Shortfall {
    /// English; [`shortfall`] renders Chinese.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&shortfall(self, Lang::En))
    }
}

/// One line of a provider's monthly bill.
#[derive(Clone, Debug, PartialEq)]
pub struct CostLine {
    pub item: CostItem,
    /// Model id or GPU instance chosen; `None` for egress/storage or when unpriced.
    pub choice: Option<String>,
    /// Quantities billed, e.g. `[("input tokens", 8e8), ("output tokens", 2e8)]`.
    pub quantities: Vec<(&'static str, f64)>,
    pub unit_prices: Vec<UnitPrice>,
    /// In the reporting currency, unrounded; `None` when unpriced.
    pub amount: Option<Decimal>,
    pub unpriced: Option<Unpriced>,
    /// The price fact(s) and exchange rates used.
    pub evidence: Vec<Evidence>,
    /// The chosen model's context window is unknown while the task needs this many tokens:
    /// whether it fits is a fact to verify.
    pub context_unknown: Option<u64>,
}

/// A provider's monthly bill for the workload.
#[derive(Clone, Debug, PartialEq)]
pub struct Tco {
    pub currency: Currency,
    pub lines: Vec<CostLine>,
}

impl CostLine {
    /// A line that cannot be priced, and why.
    fn unpriced(item: CostItem, quantities: Vec<(&'static str, f64)>, why: Unpriced) -> Self {
        Self {
            item,
            choice: None,
            quantities,
            unit_prices: Vec::new(),
            amount: None,
            unpriced: Some(why),
            evidence: Vec::new(),
            context_unknown: None,
        }
    }
}

impl Tco {
    /// Sum of the priced lines.
    pub fn known_total(&self) -> Decimal {
        self.lines.iter().filter_map(|l| l.amount).sum()
    }

    pub fn line(&self, item: &CostItem) -> Option<&CostLine> {
        self.lines.iter().find(|l| &l.item == item)
    }
}

/// What the buyer may use: which of a provider's regions data may go to, and which models may
/// be chosen on `as_of`.
#[derive(Clone, Copy, Debug)]
pub struct Scope<'a> {
    /// Allowed jurisdictions; empty = any.
    pub allowed: &'a [Jurisdiction],
    /// Models deprecated on or before this date are not chosen (unless allowed).
    pub as_of: Option<Date>,
    pub allow_preview: bool,
    pub allow_deprecated: bool,
}

impl Scope<'_> {
    /// Anywhere, any date, no previews or deprecated models.
    pub fn anywhere() -> Scope<'static> {
        Scope {
            allowed: &[],
            as_of: None,
            allow_preview: false,
            allow_deprecated: false,
        }
    }

    /// The currency a buyer confined to these jurisdictions is billed in, when it is clear:
    /// mainland China only → CNY (mainland price lists); no mainland → not CNY (the
    /// international lists). `None` = no preference.
    fn billing_preference(&self) -> Option<BillingPreference> {
        if self.allowed.is_empty() {
            return None;
        }
        if self
            .allowed
            .iter()
            .all(|j| *j == Jurisdiction::MainlandChina)
        {
            Some(BillingPreference::Cny)
        } else if !self.allowed.contains(&Jurisdiction::MainlandChina) {
            Some(BillingPreference::NotCny)
        } else {
            None
        }
    }

    fn lifecycle_ok(&self, m: &ModelOffering) -> Result<(), Lifecycle> {
        if m.preview && !self.allow_preview {
            return Err(Lifecycle::Preview);
        }
        let deprecated = match (&m.deprecated_from, self.as_of) {
            (Some(d), Some(as_of)) => Date::parse_prefix(d).is_some_and(|d| d <= as_of),
            (Some(_), None) => true,
            (None, _) => false,
        };
        if deprecated && !self.allow_deprecated {
            return Err(Lifecycle::Deprecated);
        }
        Ok(())
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum BillingPreference {
    Cny,
    NotCny,
}

enum Lifecycle {
    Preview,
    Deprecated,
}

impl Scope<'_> {
    pub fn region_allowed(&self, region: &Region) -> bool {
        self.allowed.is_empty()
            || region
                .jurisdiction
                .as_ref()
                .is_some_and(|j| self.allowed.contains(j))
    }

    /// A price (or instance) tied to `region` (None = all the provider's regions) is usable.
    /// Whether a price list (for `region`, or all regions when `None`) may be used. A provider
    /// with no region known to be allowed is assessed as if its regions of unknown jurisdiction
    /// (or, with none recorded, its unregioned prices) were allowed: it is "to verify", and its
    /// bill is what the buyer would pay if the residency question is answered yes.
    pub fn usable(&self, provider: &Provider, region: Option<&str>) -> bool {
        if self.allowed.is_empty() {
            return region.is_none_or(|id| provider.regions.iter().any(|r| r.id == id));
        }
        let known_ok = provider.regions.iter().any(|r| self.region_allowed(r));
        let open = |r: &Region| !known_ok && r.jurisdiction.is_none();
        match region {
            None => {
                known_ok
                    || provider.regions.is_empty()
                    || provider.regions.iter().any(|r| r.jurisdiction.is_none())
            }
            Some(id) => provider
                .regions
                .iter()
                .any(|r| r.id == id && (self.region_allowed(r) || open(r))),
        }
    }
}

pub fn tier_for(price: &TokenPrice, prompt_tokens: u64) -> Option<&PriceTier> {
    price
        .tiers
        .iter()
        .find(|t| t.up_to_prompt_tokens.is_none_or(|up| prompt_tokens <= up))
}

/// The model's latest score on `benchmark` (by snapshot date).
pub fn latest_score(model: &ModelOffering, benchmark: &str) -> Option<f64> {
    model
        .quality
        .iter()
        .filter(|q| q.benchmark == benchmark)
        .max_by(|a, b| a.snapshot.cmp(&b.snapshot))
        .map(|q| q.value)
}

/// True when `model` can serve `task` (capabilities, context window, minimum quality).
/// The models of `provider` a task may be served by, most specific problem first when none:
/// every capability, a purpose the task accepts, not deprecated/preview (unless allowed), a
/// context window that holds the task's largest prompt (unknown windows only when no known one
/// fits; the flag says so), the quality floor, and a current price in an allowed region.
/// Returns the models and whether their context window is unknown.
pub fn eligible_models<'p>(
    provider: &'p Provider,
    task: &Task,
    scope: Scope<'_>,
) -> Result<(Vec<&'p ModelOffering>, bool), Shortfall> {
    let needed: Vec<Capability> = task.capabilities.iter().copied().collect();
    let capable: Vec<&ModelOffering> = provider
        .models
        .iter()
        .filter(|m| task.capabilities.is_subset(&m.capabilities))
        .collect();
    if capable.is_empty() {
        let all: std::collections::BTreeSet<Capability> = provider
            .models
            .iter()
            .flat_map(|m| m.capabilities.iter().copied())
            .collect();
        return Err(Shortfall::Capabilities {
            missing: needed
                .iter()
                .copied()
                .filter(|c| !all.contains(c))
                .collect(),
            needed,
        });
    }
    let purposed: Vec<&ModelOffering> = capable
        .iter()
        .copied()
        .filter(|m| m.purpose == ModelPurpose::General || m.purpose == task.purpose)
        .collect();
    if purposed.is_empty() {
        let mut purposes: Vec<ModelPurpose> = capable.iter().map(|m| m.purpose).collect();
        purposes.sort();
        purposes.dedup();
        return Err(Shortfall::Purpose { purposes });
    }
    let current = current_models(&purposed, scope)?;
    let need = task.max_prompt_tokens.unwrap_or(task.typical_prompt_tokens);
    let known_fit: Vec<&ModelOffering> = current
        .iter()
        .copied()
        .filter(|m| m.context_window.is_some_and(|w| w >= need))
        .collect();
    let unknown_window: Vec<&ModelOffering> = current
        .iter()
        .copied()
        .filter(|m| m.context_window.is_none())
        .collect();
    let floor_and_price =
        |models: Vec<&'p ModelOffering>| -> Result<Vec<&'p ModelOffering>, Shortfall> {
            let good: Vec<&ModelOffering> = match task.min_quality_index {
                None => models,
                Some(floor) => {
                    let best = models
                        .iter()
                        .filter_map(|m| latest_score(m, INDEX_BENCHMARK).map(|q| (m.id.clone(), q)))
                        .max_by(|a, b| a.1.total_cmp(&b.1));
                    let good: Vec<&ModelOffering> = models
                        .into_iter()
                        .filter(|m| latest_score(m, INDEX_BENCHMARK).is_some_and(|q| q >= floor))
                        .collect();
                    if good.is_empty() {
                        return Err(Shortfall::Quality { floor, best });
                    }
                    good
                }
            };
            let priced: Vec<&ModelOffering> = good
                .into_iter()
                .filter(|m| {
                    m.prices.iter().any(|p| {
                        p.is_current_standard() && scope.usable(provider, p.region.as_deref())
                    })
                })
                .collect();
            if priced.is_empty() {
                return Err(Shortfall::NoPriceInScope);
            }
            Ok(priced)
        };
    if !known_fit.is_empty() {
        match floor_and_price(known_fit) {
            Ok(models) => return Ok((models, false)),
            Err(e) if unknown_window.is_empty() => return Err(e),
            Err(_) => {}
        }
    } else if unknown_window.is_empty() {
        let largest = current
            .iter()
            .filter_map(|m| m.context_window)
            .max()
            .unwrap_or(0);
        return Err(Shortfall::Context { need, largest });
    }
    floor_and_price(unknown_window).map(|models| (models, task.max_prompt_tokens.is_some()))
}

/// The models that are neither previews nor deprecated on `as_of` (unless the scope allows
/// them); none left is a [`Shortfall::Lifecycle`] naming which were set aside.
fn current_models<'p>(
    models: &[&'p ModelOffering],
    scope: Scope<'_>,
) -> Result<Vec<&'p ModelOffering>, Shortfall> {
    let (mut deprecated, mut preview) = (Vec::new(), Vec::new());
    let current: Vec<&ModelOffering> = models
        .iter()
        .copied()
        .filter(|m| match scope.lifecycle_ok(m) {
            Ok(()) => true,
            Err(Lifecycle::Preview) => {
                preview.push(m.id.clone());
                false
            }
            Err(Lifecycle::Deprecated) => {
                deprecated.push(m.id.clone());
                false
            }
        })
        .collect();
    if current.is_empty() {
        return Err(Shortfall::Lifecycle {
            deprecated,
            preview,
        });
    }
    Ok(current)
}

/// The usable current price lists of a model, in the buyer's billing currency when it has one.
fn usable_prices<'m>(
    provider: &Provider,
    model: &'m ModelOffering,
    scope: Scope<'_>,
) -> Vec<&'m TokenPrice> {
    let usable: Vec<&TokenPrice> = model
        .prices
        .iter()
        .filter(|p| p.is_current_standard())
        .filter(|p| scope.usable(provider, p.region.as_deref()))
        .collect();
    let preferred: Vec<&TokenPrice> = match scope.billing_preference() {
        Some(BillingPreference::Cny) => usable
            .iter()
            .copied()
            .filter(|p| p.currency == Currency::Cny)
            .collect(),
        Some(BillingPreference::NotCny) => usable
            .iter()
            .copied()
            .filter(|p| p.currency != Currency::Cny)
            .collect(),
        None => Vec::new(),
    };
    if preferred.is_empty() {
        usable
    } else {
        preferred
    }
}

const MILLION: Decimal = Decimal::from_parts(1_000_000, 0, 0, false, 0);

fn tokens(n: u64) -> Decimal {
    Decimal::from(n) / MILLION
}

fn dec(x: f64) -> Decimal {
    Decimal::from_f64_retain(x).unwrap_or(Decimal::ZERO)
}

/// Compute the bill of `provider` for `workload`.
pub fn tco(provider: &Provider, workload: &Workload, scope: Scope<'_>, fx: Fx<'_>) -> Tco {
    let to = workload.currency;
    let mut lines = Vec::new();
    for task in &workload.tasks {
        lines.push(task_line(provider, task, scope, fx, to));
    }
    if workload.monthly_embedding_tokens > 0 {
        lines.push(embedding_line(
            provider,
            workload.monthly_embedding_tokens,
            scope,
            fx,
            to,
        ));
    }
    if let Some(gpu) = &workload.gpu {
        if gpu.monthly_hours > 0.0 {
            lines.push(gpu_line(
                provider,
                &gpu.model,
                gpu.monthly_hours,
                scope,
                fx,
                to,
            ));
        }
    }
    if workload.monthly_egress_gb > 0.0 {
        lines.push(egress_line(provider, workload.monthly_egress_gb, fx, to));
    }
    if workload.storage_gb > 0.0 {
        lines.push(CostLine::unpriced(
            CostItem::Storage,
            vec![("GB stored", workload.storage_gb)],
            Unpriced::NoStoragePrice,
        ));
    }
    Tco {
        currency: to,
        lines,
    }
}

struct Candidate<'a> {
    model: &'a ModelOffering,
    price: &'a TokenPrice,
    tier: &'a PriceTier,
    amount: Decimal,
    fx: Vec<Evidence>,
}

fn task_line(
    provider: &Provider,
    task: &Task,
    scope: Scope<'_>,
    fx: Fx<'_>,
    to: Currency,
) -> CostLine {
    let h = dec(task.cache_hit_share);
    let input = tokens(task.monthly_input_tokens);
    let output = tokens(task.monthly_output_tokens);
    let mut missing_rate = None;
    let mut best: Option<Candidate<'_>> = None;
    let quantities = vec![
        ("input tokens", task.monthly_input_tokens as f64),
        ("output tokens", task.monthly_output_tokens as f64),
        ("cache-hit share", task.cache_hit_share),
    ];
    let (models, context_unknown) = match eligible_models(provider, task, scope) {
        Ok(found) => found,
        Err(shortfall) => {
            let mut line = CostLine::unpriced(
                CostItem::Task(task.name.clone()),
                quantities,
                Unpriced::NoQualifyingModel {
                    capabilities: task.capabilities.iter().copied().collect(),
                    shortfall: shortfall.clone(),
                },
            );
            // Models fit but their price in the allowed regions is unknown: the task can be
            // served there at a price to ask for; name the strongest fitting model.
            if shortfall == Shortfall::NoPriceInScope {
                let anywhere = Scope {
                    allowed: &[],
                    ..scope
                };
                if let Ok((models, _)) = eligible_models(provider, task, anywhere) {
                    line.choice = models
                        .iter()
                        .max_by(|a, b| {
                            latest_score(a, INDEX_BENCHMARK)
                                .unwrap_or(f64::MIN)
                                .total_cmp(&latest_score(b, INDEX_BENCHMARK).unwrap_or(f64::MIN))
                                .then(b.id.cmp(&a.id))
                        })
                        .map(|m| m.id.clone());
                }
            }
            return line;
        }
    };
    for model in models {
        for price in usable_prices(provider, model, scope) {
            let Some(tier) = tier_for(price, task.typical_prompt_tokens) else {
                continue;
            };
            let cached = tier.cached_input_per_mtok.unwrap_or(tier.input_per_mtok);
            let native = input * ((Decimal::ONE - h) * tier.input_per_mtok + h * cached)
                + output * tier.output_per_mtok;
            let Some(conv) = fx.convert(
                Money {
                    amount: native,
                    currency: price.currency,
                },
                to,
            ) else {
                missing_rate = Some(price.currency);
                continue;
            };
            let better = best
                .as_ref()
                .is_none_or(|b| (conv.amount, model.id.as_str()) < (b.amount, b.model.id.as_str()));
            if better {
                best = Some(Candidate {
                    model,
                    price,
                    tier,
                    amount: conv.amount,
                    fx: conv.evidence,
                });
            }
        }
    }
    let Some(c) = best else {
        return CostLine::unpriced(
            CostItem::Task(task.name.clone()),
            quantities,
            match missing_rate {
                Some(from) => Unpriced::NoExchangeRate { from, to },
                // Every eligible price list bands prompts shorter than the typical one.
                None => Unpriced::NoQualifyingModel {
                    capabilities: task.capabilities.iter().copied().collect(),
                    shortfall: Shortfall::Context {
                        need: task.typical_prompt_tokens,
                        largest: 0,
                    },
                },
            },
        );
    };
    let money = |amount| Money {
        amount,
        currency: c.price.currency,
    };
    let mut unit_prices = vec![UnitPrice {
        what: "input",
        per: "Mtok",
        price: money(c.tier.input_per_mtok),
    }];
    if let Some(cached) = c.tier.cached_input_per_mtok {
        unit_prices.push(UnitPrice {
            what: "cached input",
            per: "Mtok",
            price: money(cached),
        });
    }
    unit_prices.push(UnitPrice {
        what: "output",
        per: "Mtok",
        price: money(c.tier.output_per_mtok),
    });
    let band = match c.tier.up_to_prompt_tokens {
        Some(up) => format!(", prompt band up to {up} tokens"),
        None => String::new(),
    };
    let mut evidence = vec![Evidence::new(
        format!("{} price{band}", c.model.id),
        &c.price.source,
    )];
    evidence.extend(c.fx);
    CostLine {
        item: CostItem::Task(task.name.clone()),
        choice: Some(c.model.id.clone()),
        quantities,
        unit_prices,
        amount: Some(c.amount),
        unpriced: None,
        evidence,
        context_unknown: context_unknown
            .then_some(task.max_prompt_tokens.unwrap_or(task.typical_prompt_tokens)),
    }
}

pub(crate) fn embedding_line(
    provider: &Provider,
    n: u64,
    scope: Scope<'_>,
    fx: Fx<'_>,
    to: Currency,
) -> CostLine {
    let mut best: Option<(
        Decimal,
        &ModelOffering,
        &TokenPrice,
        &PriceTier,
        Vec<Evidence>,
    )> = None;
    let mut missing_rate = None;
    let embedders: Vec<&ModelOffering> = provider
        .models
        .iter()
        .filter(|m| m.capabilities.contains(&Capability::Embeddings))
        .collect();
    let current = current_models(&embedders, scope);
    for &model in current.as_deref().unwrap_or_default() {
        for price in usable_prices(provider, model, scope) {
            let Some(tier) = price.tiers.first() else {
                continue;
            };
            let Some(conv) = fx.convert(
                Money {
                    amount: tokens(n) * tier.input_per_mtok,
                    currency: price.currency,
                },
                to,
            ) else {
                missing_rate = Some(price.currency);
                continue;
            };
            if best
                .as_ref()
                .is_none_or(|b| (conv.amount, model.id.as_str()) < (b.0, b.1.id.as_str()))
            {
                best = Some((conv.amount, model, price, tier, conv.evidence));
            }
        }
    }
    let quantities = vec![("embedding tokens", n as f64)];
    match best {
        Some((amount, model, price, tier, fx_ev)) => {
            let mut evidence = vec![Evidence::new(format!("{} price", model.id), &price.source)];
            evidence.extend(fx_ev);
            CostLine {
                item: CostItem::Embeddings,
                choice: Some(model.id.clone()),
                quantities,
                unit_prices: vec![UnitPrice {
                    what: "input",
                    per: "Mtok",
                    price: Money {
                        amount: tier.input_per_mtok,
                        currency: price.currency,
                    },
                }],
                amount: Some(amount),
                unpriced: None,
                evidence,
                context_unknown: None,
            }
        }
        None => CostLine::unpriced(
            CostItem::Embeddings,
            quantities,
            match missing_rate {
                Some(from) => Unpriced::NoExchangeRate { from, to },
                None => Unpriced::NoQualifyingModel {
                    capabilities: vec![Capability::Embeddings],
                    shortfall: if embedders.is_empty() {
                        Shortfall::Capabilities {
                            needed: vec![Capability::Embeddings],
                            missing: vec![Capability::Embeddings],
                        }
                    } else if let Err(lifecycle) = current {
                        lifecycle
                    } else {
                        Shortfall::NoPriceInScope
                    },
                },
            },
        ),
    }
}

fn gpu_line(
    provider: &Provider,
    gpu: &str,
    hours: f64,
    scope: Scope<'_>,
    fx: Fx<'_>,
    to: Currency,
) -> CostLine {
    let mut best = None;
    let mut missing_rate = None;
    for inst in provider.gpu_instances.iter().filter(|i| {
        gpu_matches(&i.gpu, gpu) && i.gpu_count > 0 && scope.usable(provider, i.region.as_deref())
    }) {
        let per_gpu_hour = inst.price_per_hour.amount / Decimal::from(inst.gpu_count);
        let Some(conv) = fx.convert(
            Money {
                amount: per_gpu_hour * dec(hours),
                currency: inst.price_per_hour.currency,
            },
            to,
        ) else {
            missing_rate = Some(inst.price_per_hour.currency);
            continue;
        };
        if best.as_ref().is_none_or(
            |(a, i, _, _): &(Decimal, &cloudfit_catalog::GpuInstance, _, _)| {
                (conv.amount, inst.name.as_str()) < (*a, i.name.as_str())
            },
        ) {
            best = Some((conv.amount, inst, per_gpu_hour, conv.evidence));
        }
    }
    let quantities = vec![("GPU-hours", hours)];
    match best {
        Some((amount, inst, per_gpu_hour, fx_ev)) => {
            let mut evidence = vec![Evidence::new(
                format!(
                    "{} ({}×{}) hourly price",
                    inst.name, inst.gpu_count, inst.gpu
                ),
                &inst.source,
            )];
            evidence.extend(fx_ev);
            CostLine {
                item: CostItem::Gpu,
                choice: Some(inst.name.clone()),
                quantities,
                unit_prices: vec![UnitPrice {
                    what: "GPU-hour",
                    per: "GPU-h",
                    price: Money {
                        amount: per_gpu_hour,
                        currency: inst.price_per_hour.currency,
                    },
                }],
                amount: Some(amount),
                unpriced: None,
                evidence,
                context_unknown: None,
            }
        }
        None => CostLine::unpriced(
            CostItem::Gpu,
            quantities,
            match missing_rate {
                Some(from) => Unpriced::NoExchangeRate { from, to },
                None => Unpriced::NoGpuPrice {
                    gpu: gpu.to_owned(),
                },
            },
        ),
    }
}

/// Egress of `gb` at the provider's first-tier price, after its free allowance.
pub fn egress_cost(
    provider: &Provider,
    gb: f64,
    fx: Fx<'_>,
    to: Currency,
) -> Result<(Decimal, Vec<Evidence>), Unpriced> {
    let Some(e) = &provider.egress else {
        return Err(Unpriced::NoEgressPrice);
    };
    let billable = (gb - e.free_gb_per_month.unwrap_or(0.0)).max(0.0);
    let conv = fx
        .convert(
            Money {
                amount: e.price_per_gb.amount * dec(billable),
                currency: e.price_per_gb.currency,
            },
            to,
        )
        .ok_or(Unpriced::NoExchangeRate {
            from: e.price_per_gb.currency,
            to,
        })?;
    let mut evidence = vec![Evidence::new(
        format!(
            "egress {} {}/GB{}",
            e.price_per_gb.amount,
            e.price_per_gb.currency,
            e.free_gb_per_month
                .map(|f| format!(", first {f} GB free"))
                .unwrap_or_default()
        ),
        &e.source,
    )];
    evidence.extend(conv.evidence);
    Ok((conv.amount, evidence))
}

fn egress_line(provider: &Provider, gb: f64, fx: Fx<'_>, to: Currency) -> CostLine {
    let unit_prices = provider
        .egress
        .iter()
        .map(|e| UnitPrice {
            what: "GB",
            per: "GB",
            price: e.price_per_gb,
        })
        .collect();
    let (amount, unpriced, evidence) = match egress_cost(provider, gb, fx, to) {
        Ok((a, ev)) => (Some(a), None, ev),
        Err(u) => (None, Some(u), Vec::new()),
    };
    CostLine {
        item: CostItem::Egress,
        choice: None,
        quantities: vec![("GB out", gb)],
        unit_prices,
        amount,
        unpriced,
        evidence,
        context_unknown: None,
    }
}

/// Decimal → f64 for the decision matrix (amounts are far inside f64's exact range).
pub fn to_f64(d: Decimal) -> f64 {
    d.to_f64().unwrap_or(f64::NAN)
}
// People-facing text of the reasons this module gives.

/// A cost line's item (`task:agent`, `embeddings`, `gpu`, `egress`, `storage`) for people.
pub fn cost_item(item: &CostItem, lang: Lang) -> String {
    match (item, lang) {
        (_, Lang::En) => item.to_string(),
        // a space, not a full-width colon: tables wrap at spaces, and task names must stay whole
        (CostItem::Task(name), Lang::Zh) => format!("任务 {name}"),
        (CostItem::Embeddings, Lang::Zh) => "嵌入".to_owned(),
        (CostItem::Gpu, Lang::Zh) => "GPU".to_owned(),
        (CostItem::Egress, Lang::Zh) => "出网流量".to_owned(),
        (CostItem::Storage, Lang::Zh) => "存储".to_owned(),
    }
}

/// Why a cost line has no amount, in `lang`.
pub fn unpriced(u: &Unpriced, lang: Lang) -> String {
    match (u, lang) {
        (_, Lang::En) => u.to_string(),
        (Unpriced::NoQualifyingModel { shortfall: s, .. }, Lang::Zh) => shortfall(s, lang),
        (Unpriced::NoGpuPrice { gpu }, Lang::Zh) => format!("没有 {gpu} 实例价格"),
        (Unpriced::NoEgressPrice, Lang::Zh) => "没有出网流量价格".to_owned(),
        (Unpriced::NoStoragePrice, Lang::Zh) => "目录中没有存储价格".to_owned(),
        (Unpriced::NoExchangeRate { from, to }, Lang::Zh) => {
            format!("没有 {from} 到 {to} 的汇率")
        }
    }
}

fn caps(v: &[Capability]) -> String {
    v.iter()
        .map(|c| capability_key(*c))
        .collect::<Vec<_>>()
        .join("+")
}

fn purpose_name(p: ModelPurpose, lang: Lang) -> &'static str {
    match (p, lang) {
        (ModelPurpose::General, Lang::En) => "general",
        (ModelPurpose::Document, Lang::En) => "document",
        (ModelPurpose::Code, Lang::En) => "code",
        (ModelPurpose::Translation, Lang::En) => "translation",
        (ModelPurpose::Roleplay, Lang::En) => "role-play",
        (ModelPurpose::Image, Lang::En) => "image",
        (ModelPurpose::Search, Lang::En) => "search",
        (ModelPurpose::General, Lang::Zh) => "通用",
        (ModelPurpose::Document, Lang::Zh) => "文档",
        (ModelPurpose::Code, Lang::Zh) => "代码",
        (ModelPurpose::Translation, Lang::Zh) => "翻译",
        (ModelPurpose::Roleplay, Lang::Zh) => "角色扮演",
        (ModelPurpose::Image, Lang::Zh) => "图像",
        (ModelPurpose::Search, Lang::Zh) => "搜索",
    }
}

/// The task requirement no model met, in `lang`.
pub fn shortfall(s: &Shortfall, lang: Lang) -> String {
    match (s, lang) {
        (Shortfall::Capabilities { needed, missing }, Lang::En) if missing.is_empty() => {
            format!("no single model has all of {}", caps(needed))
        }
        (Shortfall::Capabilities { missing, .. }, Lang::En) => {
            format!("no model with {}", caps(missing))
        }
        (Shortfall::Capabilities { needed, missing }, Lang::Zh) if missing.is_empty() => {
            format!("没有同时具备 {} 的模型", caps(needed))
        }
        (Shortfall::Capabilities { missing, .. }, Lang::Zh) => {
            format!("没有具备 {} 能力的模型", caps(missing))
        }
        (Shortfall::Purpose { purposes }, _) => {
            let names: Vec<&str> = purposes.iter().map(|p| purpose_name(*p, lang)).collect();
            match lang {
                Lang::En => format!(
                    "only special-purpose models ({}) have the capabilities; set the task's purpose to use them",
                    names.join(", ")
                ),
                Lang::Zh => format!(
                    "只有专用模型({})具备所需能力;如需使用,请设置任务的 purpose",
                    names.join("、")
                ),
            }
        }
        (
            Shortfall::Lifecycle {
                deprecated,
                preview,
            },
            Lang::En,
        ) => {
            let mut parts = Vec::new();
            if !deprecated.is_empty() {
                parts.push(format!("deprecated: {}", deprecated.join(", ")));
            }
            if !preview.is_empty() {
                parts.push(format!("preview: {}", preview.join(", ")));
            }
            format!(
                "only deprecated or preview models are left ({}); allow them in [workload] to use them",
                parts.join("; ")
            )
        }
        (
            Shortfall::Lifecycle {
                deprecated,
                preview,
            },
            Lang::Zh,
        ) => {
            let mut parts = Vec::new();
            if !deprecated.is_empty() {
                parts.push(format!("已弃用:{}", deprecated.join("、")));
            }
            if !preview.is_empty() {
                parts.push(format!("预览版:{}", preview.join("、")));
            }
            format!(
                "只剩已弃用或预览版模型({});如需使用,请在 [workload] 中允许",
                parts.join(";")
            )
        }
        (Shortfall::Context { need, largest }, Lang::En) if *largest == 0 => {
            format!("no model with a known price band for prompts of {need} tokens")
        }
        (Shortfall::Context { need, largest }, Lang::En) => format!(
            "no model's context window holds {need}-token prompts (largest known: {largest})"
        ),
        (Shortfall::Context { need, largest }, Lang::Zh) if *largest == 0 => {
            format!("没有模型对 {need} token 的提示给出价格档")
        }
        (Shortfall::Context { need, largest }, Lang::Zh) => {
            format!("没有模型的上下文窗口能容纳 {need} token 的提示(已知最大:{largest})")
        }
        (
            Shortfall::Quality {
                floor,
                best: Some((m, q)),
            },
            Lang::En,
        ) => {
            format!("best model {m} scores {q} below the quality floor {floor}")
        }
        (Shortfall::Quality { floor, best: None }, Lang::En) => {
            format!("no model has a published Intelligence Index to meet the quality floor {floor}")
        }
        (
            Shortfall::Quality {
                floor,
                best: Some((m, q)),
            },
            Lang::Zh,
        ) => {
            format!("最好的模型 {m} 得分 {q},低于质量下限 {floor}")
        }
        (Shortfall::Quality { floor, best: None }, Lang::Zh) => {
            format!("没有模型公布智能指数,无法证明达到质量下限 {floor}")
        }
        (Shortfall::NoPriceInScope, Lang::En) => {
            "no current price in an allowed region for the models that fit".to_owned()
        }
        (Shortfall::NoPriceInScope, Lang::Zh) => {
            "符合条件的模型在允许地域内没有现行价格".to_owned()
        }
    }
}
