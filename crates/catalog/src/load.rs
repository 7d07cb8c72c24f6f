//! Loading: read files, parse them into raw types, check every fact, merge overlays in order,
//! check cross-references, and either return the [`Catalog`] or every problem found.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use toml::Spanned;

use crate::error::{CatalogError, Diagnostic};
use crate::model::{
    AuthScheme, Availability, Capability, Catalog, CertCoverage, Certification, Currency, DataUse,
    EgressPrice, Endpoint, ExchangeRate, GpuInstance, Incident, Jurisdiction, MarketClaim,
    ModelOffering, ModelPurpose, Money, PriceTier, ProtocolFamily, Provider, PublishedPerformance,
    QualityScore, Region, Reliability, Sla, Source, SupportCommitment, TokenPrice,
};
use crate::names::{self, one_of, suggest, CERTIFICATIONS, CERTIFICATION_LEVELS};
use crate::raw::{self, Lines, Num, RawFile, RawSourceRef};

mod builtin_files {
    include!(concat!(env!("OUT_DIR"), "/builtin_files.rs"));
}

/// The files compiled into the binary: `(path relative to data/catalog/, text)`, sorted by path.
pub fn builtin_files() -> &'static [(&'static str, &'static str)] {
    builtin_files::BUILTIN_FILES
}

/// Name under which built-in files appear in diagnostics.
const BUILTIN_PREFIX: &str = "builtin:";

enum Input {
    Path(PathBuf),
    Text { name: String, text: String },
}

/// Builds a [`Catalog`] from the built-in data and any number of overlays, applied in the order
/// given (later wins). See `data/catalog/FORMAT.md` for the overlay rules.
pub struct CatalogLoader {
    builtin: bool,
    inputs: Vec<Input>,
}

impl Default for CatalogLoader {
    fn default() -> Self {
        Self::new()
    }
}

impl CatalogLoader {
    /// Starts with the built-in catalog and no overlays.
    pub fn new() -> Self {
        Self {
            builtin: true,
            inputs: Vec::new(),
        }
    }

    /// Whether to start from the built-in catalog (default true).
    pub fn with_builtin(mut self, builtin: bool) -> Self {
        self.builtin = builtin;
        self
    }

    /// Adds an overlay: a `.toml` file, or a directory whose `*.toml` files (recursively) are
    /// applied in sorted path order.
    pub fn overlay_path(mut self, path: impl Into<PathBuf>) -> Self {
        self.inputs.push(Input::Path(path.into()));
        self
    }

    /// Adds an overlay given as text; `name` is used in diagnostics.
    pub fn overlay_text(mut self, name: impl Into<String>, text: impl Into<String>) -> Self {
        self.inputs.push(Input::Text {
            name: name.into(),
            text: text.into(),
        });
        self
    }

    /// Reads, validates and merges everything; fails with every problem found.
    pub fn load(&self) -> Result<Catalog, CatalogError> {
        let mut diags = Vec::new();
        let mut files: Vec<(String, String)> = Vec::new();
        if self.builtin {
            for (path, text) in builtin_files() {
                files.push((format!("{BUILTIN_PREFIX}{path}"), (*text).to_owned()));
            }
        }
        for input in &self.inputs {
            match input {
                Input::Text { name, text } => files.push((name.clone(), text.clone())),
                Input::Path(path) => read_path(path, &mut files, &mut diags),
            }
        }
        let mut draft = Draft::default();
        for (name, text) in &files {
            let lines = Lines::new(text);
            let (raw, problems) = raw::parse_file(text, &lines);
            for p in problems {
                diags.push(Diagnostic {
                    file: name.clone(),
                    line: p.line,
                    key_path: p.key_path,
                    message: p.message,
                });
            }
            let mut cx = Cx {
                file: name,
                lines: &lines,
                diags: &mut diags,
            };
            let patch = convert_file(&mut cx, raw);
            draft.apply(patch);
        }
        let catalog = draft.finish(&mut diags);
        let order: BTreeMap<&str, usize> = files
            .iter()
            .enumerate()
            .map(|(i, (name, _))| (name.as_str(), i))
            .collect();
        diags.sort_by_key(|d| {
            (
                order.get(d.file.as_str()).copied().unwrap_or(0),
                d.line.unwrap_or(0),
            )
        });
        if diags.is_empty() {
            Ok(catalog)
        } else {
            Err(CatalogError { diagnostics: diags })
        }
    }
}

impl Catalog {
    /// The built-in catalog alone, validated.
    pub fn builtin() -> Result<Catalog, CatalogError> {
        CatalogLoader::new().load()
    }
}

fn read_path(path: &Path, files: &mut Vec<(String, String)>, diags: &mut Vec<Diagnostic>) {
    let shown = path.display().to_string();
    let file_error = |message: String| Diagnostic {
        file: shown.clone(),
        line: None,
        key_path: String::new(),
        message,
    };
    if path.is_dir() {
        let mut found = Vec::new();
        if let Err(e) = collect_toml(path, &mut found) {
            diags.push(file_error(format!("cannot read directory: {e}")));
            return;
        }
        found.sort();
        if found.is_empty() {
            diags.push(file_error(
                "directory holds no `*.toml` catalog files".to_owned(),
            ));
        }
        for file in found {
            read_path(&file, files, diags);
        }
        return;
    }
    match fs::read_to_string(path) {
        Ok(text) => files.push((shown, text)),
        Err(e) => diags.push(file_error(format!(
            "cannot read catalog file: {}",
            e.to_string().to_lowercase()
        ))),
    }
}

fn collect_toml(dir: &Path, found: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect_toml(&path, found)?;
        } else if path.extension().is_some_and(|e| e == "toml") {
            found.push(path);
        }
    }
    Ok(())
}

/// Where an entry came from, for problems found after merging.
#[derive(Clone, Debug)]
struct Origin {
    file: String,
    line: Option<usize>,
    path: String,
}

impl Origin {
    fn diag(&self, key: &str, message: String) -> Diagnostic {
        Diagnostic {
            file: self.file.clone(),
            line: self.line,
            key_path: if key.is_empty() {
                self.path.clone()
            } else {
                format!("{}.{key}", self.path)
            },
            message,
        }
    }
}

/// Conversion context for one file.
struct Cx<'a> {
    file: &'a str,
    lines: &'a Lines,
    diags: &'a mut Vec<Diagnostic>,
}

impl Cx<'_> {
    fn line_of<T>(&self, s: &Spanned<T>) -> Option<usize> {
        Some(self.lines.line(s.span().start))
    }

    fn err(&mut self, line: Option<usize>, path: &str, message: impl Into<String>) {
        self.diags.push(Diagnostic {
            file: self.file.to_owned(),
            line,
            key_path: path.to_owned(),
            message: message.into(),
        });
    }

    fn origin(&self, line: Option<usize>, path: &str) -> Origin {
        Origin {
            file: self.file.to_owned(),
            line,
            path: path.to_owned(),
        }
    }

    fn count(&self) -> usize {
        self.diags.len()
    }

    /// `v` read by `parse`, or a diagnostic at `v`: an unknown `what`, with the accepted `names`.
    fn known<T>(
        &mut self,
        v: &Spanned<String>,
        path: &str,
        what: &str,
        parse: fn(&str) -> Option<T>,
        names: &[&str],
    ) -> Option<T> {
        let parsed = parse(v.get_ref());
        if parsed.is_none() {
            self.err(
                self.line_of(v),
                path,
                format!(
                    "unknown {what} `{}`, expected {}",
                    v.get_ref(),
                    one_of(names)
                ),
            );
        }
        parsed
    }

    fn source(&mut self, r: RawSourceRef<'_>, line: Option<usize>, path: &str) -> Option<Source> {
        let source = self.required_text(
            r.source,
            "source",
            line,
            path,
            "a source (URL, `github:` reference or report name); every fact needs one",
        );
        let as_of = self.required_text(
            r.as_of,
            "as_of",
            line,
            path,
            "the date the fact holds for (`as_of`); every fact needs one",
        );
        let reliability = match r.reliability {
            None => Some(Reliability::Secondary),
            Some(s) => self.known(
                s,
                &format!("{path}.reliability"),
                "reliability",
                Reliability::parse,
                &Reliability::ALL.map(Reliability::name),
            ),
        };
        Some(Source {
            source: source?,
            as_of: as_of?,
            reliability: reliability?,
        })
    }

    fn required_text(
        &mut self,
        value: &Option<Spanned<String>>,
        key: &str,
        line: Option<usize>,
        path: &str,
        expected: &str,
    ) -> Option<String> {
        match value {
            Some(v) if !v.get_ref().trim().is_empty() => Some(v.get_ref().clone()),
            Some(v) => {
                self.err(
                    self.line_of(v),
                    &format!("{path}.{key}"),
                    format!("empty `{key}`, expected {expected}"),
                );
                None
            }
            None => {
                self.err(line, path, format!("missing `{key}`: expected {expected}"));
                None
            }
        }
    }

    fn id(&mut self, v: &Spanned<String>, path: &str, key: &str) -> Option<String> {
        let s = v.get_ref();
        if s.trim().is_empty() || s.trim() != s {
            self.err(
                self.line_of(v),
                &format!("{path}.{key}"),
                format!("expected a non-empty `{key}` without surrounding spaces, found {s:?}"),
            );
            return None;
        }
        Some(s.clone())
    }

    fn currency(&mut self, v: &Spanned<String>, path: &str) -> Option<Currency> {
        self.known(
            v,
            path,
            "currency",
            Currency::parse,
            &Currency::ALL.map(Currency::code),
        )
    }

    fn jurisdiction(&mut self, v: &Spanned<String>, path: &str) -> Option<Jurisdiction> {
        let parsed = Jurisdiction::parse(v.get_ref());
        if parsed.is_none() {
            self.err(
                self.line_of(v),
                path,
                format!(
                    "unknown jurisdiction `{}`, expected `cn`, `hk`, `sg`, `us`, `eu`, `uk`, `jp` \
                     or another two-letter lowercase code",
                    v.get_ref()
                ),
            );
        }
        parsed
    }

    /// A money amount or price: zero or more.
    fn non_negative(&mut self, v: &Spanned<Num>, path: &str) -> Option<Decimal> {
        let d = v.get_ref().0;
        if d.is_sign_negative() && !d.is_zero() {
            self.err(
                self.line_of(v),
                path,
                format!("expected a price of zero or more, found {d}"),
            );
            return None;
        }
        Some(d.normalize())
    }

    fn positive_int(&mut self, v: &Spanned<i64>, path: &str, what: &str) -> Option<u64> {
        let n = *v.get_ref();
        if n <= 0 {
            self.err(
                self.line_of(v),
                path,
                format!("expected {what} greater than zero, found {n}"),
            );
            return None;
        }
        u64::try_from(n).ok()
    }

    fn date(&mut self, v: &Spanned<String>, path: &str) -> Option<String> {
        let s = v.get_ref();
        if !is_iso_date(s) {
            self.err(
                self.line_of(v),
                path,
                format!("expected a date `YYYY-MM-DD`, found {s:?}"),
            );
            return None;
        }
        Some(s.clone())
    }

    /// A measured quantity (a speed, a latency): finite and above zero.
    fn positive(&mut self, v: &Spanned<Num>, path: &str, what: &str) -> Option<f64> {
        let d = v.get_ref().0;
        let f = d.to_f64().filter(|f| f.is_finite() && *f > 0.0);
        if f.is_none() {
            self.err(
                self.line_of(v),
                path,
                format!("expected {what} greater than zero, found {d}"),
            );
        }
        f
    }

    /// The normalised name and level of a `[[certification]]`: a name of the vocabulary (a
    /// legacy graded form such as `MLPS3` gives the level), and a `level` only for graded schemes.
    fn certification(
        &mut self,
        c: &raw::RawCertification,
        path: &str,
    ) -> Option<(&'static str, Option<u8>)> {
        let written = c.name.get_ref();
        let Some((name, named_level)) = names::parse_certification(written) else {
            let known = CERTIFICATIONS.iter().map(|c| c.name);
            let hint = suggest(written, known)
                .map(|s| format!(" (did you mean `{s}`?)"))
                .unwrap_or_default();
            let all: Vec<&str> = CERTIFICATIONS.iter().map(|c| c.name).collect();
            self.err(
                self.line_of(&c.name),
                &format!("{path}.name"),
                format!(
                    "unknown certification `{written}`{hint}, expected {}",
                    one_of(&all)
                ),
            );
            return None;
        };
        let Some(level) = &c.level else {
            return Some((name, named_level));
        };
        let lpath = format!("{path}.level");
        let line = self.line_of(level);
        let graded = names::certification(name).is_some_and(|c| c.graded);
        if !graded {
            let graded: Vec<&str> = CERTIFICATIONS
                .iter()
                .filter(|c| c.graded)
                .map(|c| c.name)
                .collect();
            self.err(
                line,
                &lpath,
                format!(
                    "`{name}` has no levels; `level` is only for graded schemes ({})",
                    one_of(&graded)
                ),
            );
            return None;
        }
        let n = *level.get_ref();
        let Some(n) = u8::try_from(n)
            .ok()
            .filter(|n| CERTIFICATION_LEVELS.contains(n))
        else {
            self.err(
                line,
                &lpath,
                format!(
                    "expected a level from {} to {}, found {n}",
                    CERTIFICATION_LEVELS.start(),
                    CERTIFICATION_LEVELS.end()
                ),
            );
            return None;
        };
        if let Some(named) = named_level.filter(|l| *l != n) {
            self.err(
                line,
                &lpath,
                format!("level {n} contradicts the name `{written}` (level {named})"),
            );
            return None;
        }
        Some((name, Some(n)))
    }

    fn finite(&mut self, v: &Spanned<Num>, path: &str) -> Option<f64> {
        let f = v.get_ref().0.to_f64();
        if f.is_none() {
            self.err(self.line_of(v), path, "expected a finite number");
        }
        f
    }
}

/// `YYYY-MM-DD` with a plausible month and day.
pub(crate) fn is_iso_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    if !(digits(0..4) && digits(5..7) && digits(8..10)) {
        return false;
    }
    let month: u32 = s[5..7].parse().unwrap_or(0);
    let day: u32 = s[8..10].parse().unwrap_or(0);
    (1..=12).contains(&month) && (1..=31).contains(&day)
}

/// Everything one file contributes, checked on its own.
#[derive(Default)]
struct FilePatch {
    provider: Option<ProviderPatch>,
    claims: Vec<(MarketClaim, Origin)>,
    rates: Vec<(ExchangeRate, Origin)>,
}

struct ProviderPatch {
    id: String,
    origin: Origin,
    name_en: Option<String>,
    name_zh: Option<String>,
    /// `aliases` as written in this file, each with where it was; a later file's list replaces.
    aliases: Option<Vec<(String, Origin)>>,
    headquarters: Option<Jurisdiction>,
    /// `headquarters` was written, even if it failed to parse (then it is reported already).
    headquarters_given: bool,
    regions: Vec<(Region, Origin)>,
    endpoints: Vec<(Endpoint, Origin)>,
    certifications: Vec<(Certification, Origin)>,
    sla: Option<Sla>,
    incidents: Vec<(Incident, Origin)>,
    availability: Vec<(Availability, Origin)>,
    data_use: Option<DataUse>,
    models: Vec<(ModelDraft, Origin)>,
    /// Published speeds by model id, kept apart from the models so an overlay can add one to a
    /// model without restating the model, and replacing a model keeps its figure.
    performance: Vec<(PerformanceDraft, Origin)>,
    gpu_instances: Vec<(GpuInstance, Origin)>,
    egress: Option<EgressPrice>,
    support: Option<SupportCommitment>,
}

impl ProviderPatch {
    /// A provider with nothing known yet: the start of the merge of its patches.
    fn empty(id: String, origin: Origin) -> Self {
        Self {
            id,
            origin,
            name_en: None,
            name_zh: None,
            aliases: None,
            headquarters: None,
            headquarters_given: false,
            regions: Vec::new(),
            endpoints: Vec::new(),
            certifications: Vec::new(),
            sla: None,
            incidents: Vec::new(),
            availability: Vec::new(),
            data_use: None,
            models: Vec::new(),
            performance: Vec::new(),
            gpu_instances: Vec::new(),
            egress: None,
            support: None,
        }
    }
}

#[derive(Clone)]
struct PerformanceDraft {
    /// The model id the figure is for; checked against the merged models.
    model: String,
    figure: PublishedPerformance,
}

#[derive(Clone)]
struct ModelDraft {
    model: ModelOffering,
    /// Line and key path of each price's `region`, for the cross-reference check.
    price_regions: Vec<Option<(Origin, String)>>,
}

/// Reports the second of two entries sharing a key within one file.
struct Dupes<K: Ord> {
    seen: BTreeMap<K, Option<usize>>,
}

impl<K: Ord + std::fmt::Display> Dupes<K> {
    fn new() -> Self {
        Self {
            seen: BTreeMap::new(),
        }
    }

    fn check(
        &mut self,
        cx: &mut Cx<'_>,
        key: K,
        line: Option<usize>,
        path: &str,
        what: &str,
    ) -> bool {
        if let Some(first) = self.seen.get(&key) {
            let at = first
                .map(|l| format!(" (first at line {l})"))
                .unwrap_or_default();
            cx.err(
                line,
                path,
                format!("duplicate {what} `{key}` in this file{at}"),
            );
            return false;
        }
        self.seen.insert(key, line);
        true
    }
}

impl Dupes<String> {
    /// [`Dupes::check`] for an entry keyed by its own field `key` (`id`, `name`), reported at
    /// that field; nothing to check when the field itself was invalid (`value` is `None`).
    fn check_field(
        &mut self,
        cx: &mut Cx<'_>,
        value: Option<&String>,
        field: &Spanned<String>,
        path: &str,
        key: &str,
        what: &str,
    ) {
        if let Some(value) = value {
            let line = cx.line_of(field);
            self.check(cx, value.clone(), line, &format!("{path}.{key}"), what);
        }
    }
}

fn convert_file(cx: &mut Cx<'_>, raw: RawFile) -> FilePatch {
    let mut patch = FilePatch::default();
    let has_provider_entries = !(raw.region.is_empty()
        && raw.endpoint.is_empty()
        && raw.certification.is_empty()
        && raw.sla.is_none()
        && raw.incident.is_empty()
        && raw.availability.is_empty()
        && raw.data_use.is_none()
        && raw.gpu_instance.is_empty()
        && raw.egress.is_none()
        && raw.support.is_none()
        && raw.model.is_empty()
        && raw.performance.is_empty());
    match raw.provider {
        Some((p, line)) => {
            let id = cx.id(&p.id, "provider", "id");
            if let Some(id) = &id {
                if !id
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                {
                    cx.err(
                        cx.line_of(&p.id),
                        "provider.id",
                        format!("expected a lowercase id of letters, digits and `-`, found {id:?}"),
                    );
                }
            }
            let headquarters = p
                .headquarters
                .as_ref()
                .and_then(|h| cx.jurisdiction(h, "provider.headquarters"));
            let aliases = p.aliases.as_ref().map(|a| convert_aliases(cx, a));
            let mut pp = ProviderPatch {
                name_en: p.name_en,
                name_zh: p.name_zh,
                aliases,
                headquarters,
                ..ProviderPatch::empty(id.clone().unwrap_or_default(), cx.origin(line, "provider"))
            };
            convert_provider_entries(
                cx,
                &raw.region,
                &raw.endpoint,
                &raw.certification,
                &raw.incident,
                &raw.gpu_instance,
                &raw.model,
                &mut pp,
            );
            convert_performance(cx, &raw.performance, &mut pp);
            convert_availability(cx, &raw.availability, &mut pp);
            if let Some((d, line)) = &raw.data_use {
                pp.data_use = convert_data_use(cx, d, *line);
            }
            if let Some((s, line)) = &raw.sla {
                pp.sla = convert_sla(cx, s, *line);
            }
            if let Some((e, line)) = &raw.egress {
                pp.egress = convert_egress(cx, e, *line);
            }
            if let Some((s, line)) = &raw.support {
                pp.support = convert_support(cx, s, *line);
            }
            // Keep the provider even when some of its entries failed, so claims naming it do
            // not add noise to the problems already reported.
            pp.headquarters_given = p.headquarters.is_some();
            if id.is_some() {
                patch.provider = Some(pp);
            }
        }
        None if has_provider_entries => {
            cx.err(Some(1), "provider", "missing `[provider]` table: a file with regions, endpoints, models or other provider facts must say which provider they belong to (`[provider] id = \"...\"`)");
        }
        None => {}
    }
    let mut claim_ids = Dupes::new();
    for (c, line, path) in &raw.claim {
        let path = path.as_str();
        let start = cx.count();
        let id = cx.id(&c.id, path, "id");
        let provider = cx.id(&c.provider, path, "provider");
        let value = c
            .value
            .as_ref()
            .and_then(|v| cx.finite(v, &format!("{path}.value")));
        let source = cx.source(c.source_ref(), *line, path);
        claim_ids.check_field(cx, id.as_ref(), &c.id, path, "id", "claim id");
        if let (Some(id), Some(provider), Some(source), true) =
            (id, provider, source, cx.count() == start)
        {
            let mut origin = cx.origin(cx.line_of(&c.provider), path);
            origin.line = cx.line_of(&c.provider).or(*line);
            patch.claims.push((
                MarketClaim {
                    id,
                    provider,
                    claim_en: c.claim_en.clone(),
                    claim_zh: c.claim_zh.clone(),
                    measure: c.measure.clone(),
                    measure_zh: c.measure_zh.clone(),
                    scope: c.scope.clone(),
                    scope_zh: c.scope_zh.clone(),
                    period: c.period.clone(),
                    period_zh: c.period_zh.clone(),
                    value,
                    unit: c.unit.clone(),
                    report: c.report.clone(),
                    source,
                },
                origin,
            ));
        }
    }
    let mut rate_keys = Dupes::new();
    for (r, line, path) in &raw.rate {
        let path = path.as_str();
        let start = cx.count();
        let from = cx.currency(&r.from, &format!("{path}.from"));
        let to = cx.currency(&r.to, &format!("{path}.to"));
        let rate = r.rate.get_ref().0;
        if rate <= Decimal::ZERO {
            cx.err(
                cx.line_of(&r.rate),
                &format!("{path}.rate"),
                format!("expected an exchange rate greater than zero, found {rate}"),
            );
        }
        if from.is_some() && from == to {
            cx.err(
                cx.line_of(&r.to),
                &format!("{path}.to"),
                "expected a currency different from `from`",
            );
        }
        let source = cx.source(r.source_ref(), *line, path);
        if let (Some(from), Some(to), Some(source)) = (from, to, source) {
            let key = format!("{from}->{to} as of {}", source.as_of);
            if rate_keys.check(cx, key, *line, path, "rate") && cx.count() == start {
                patch.rates.push((
                    ExchangeRate {
                        from,
                        to,
                        rate: rate.normalize(),
                        source,
                    },
                    cx.origin(*line, path),
                ));
            }
        }
    }
    patch
}

#[allow(
    clippy::too_many_arguments,
    reason = "one slice per kind of provider entry"
)]
fn convert_provider_entries(
    cx: &mut Cx<'_>,
    regions: &[raw::Entry<raw::RawRegion>],
    endpoints: &[raw::Entry<raw::RawEndpoint>],
    certifications: &[raw::Entry<raw::RawCertification>],
    incidents: &[raw::Entry<raw::RawIncident>],
    gpus: &[raw::Entry<raw::RawGpuInstance>],
    models: &[raw::Entry<raw::RawModel>],
    pp: &mut ProviderPatch,
) {
    let mut keys = Dupes::new();
    for (r, line, path) in regions {
        let path = path.as_str();
        let start = cx.count();
        let id = cx.id(&r.id, path, "id");
        // absent = no source says where data sent to the region is processed
        let jurisdiction = r
            .jurisdiction
            .as_ref()
            .and_then(|j| cx.jurisdiction(j, &format!("{path}.jurisdiction")));
        let source = cx.source(r.source_ref(), *line, path);
        keys.check_field(cx, id.as_ref(), &r.id, path, "id", "region id");
        if let (Some(id), Some(source), true) = (id, source, cx.count() == start) {
            pp.regions.push((
                Region {
                    id,
                    name: r.name.clone(),
                    jurisdiction,
                    residency: r.residency.clone(),
                    source,
                },
                cx.origin(*line, path),
            ));
        }
    }

    let mut keys = Dupes::new();
    for (e, line, path) in endpoints {
        let path = path.as_str();
        let start = cx.count();
        let region = cx.id(&e.region, path, "region");
        let protocol = cx.known(
            &e.protocol,
            &format!("{path}.protocol"),
            "protocol",
            ProtocolFamily::parse,
            &ProtocolFamily::ALL.map(ProtocolFamily::name),
        );
        let auth = cx.known(
            &e.auth,
            &format!("{path}.auth"),
            "auth scheme",
            AuthScheme::parse,
            &AuthScheme::ALL.map(AuthScheme::name),
        );
        let dialect = cx.id(&e.dialect, path, "dialect");
        let url = e.base_url.get_ref();
        if !(url.starts_with("https://") || url.starts_with("http://")) {
            cx.err(
                cx.line_of(&e.base_url),
                &format!("{path}.base_url"),
                format!("expected an http(s) URL, found {url:?}"),
            );
        }
        let source = cx.source(e.source_ref(), *line, path);
        if let (Some(region), Some(protocol)) = (&region, protocol) {
            keys.check(
                cx,
                format!("{region}/{protocol}"),
                *line,
                path,
                "endpoint (region/protocol)",
            );
        }
        if let (Some(region), Some(protocol), Some(auth), Some(dialect), Some(source), true) =
            (region, protocol, auth, dialect, source, cx.count() == start)
        {
            let region_line = cx.line_of(&e.region);
            pp.endpoints.push((
                Endpoint {
                    region,
                    protocol,
                    dialect,
                    base_url: url.clone(),
                    auth,
                    source,
                },
                cx.origin(region_line.or(*line), path),
            ));
        }
    }

    let mut keys = Dupes::new();
    for (c, line, path) in certifications {
        let path = path.as_str();
        let start = cx.count();
        let named = cx.certification(c, path);
        let coverage = match &c.coverage {
            None => Some(CertCoverage::Unstated),
            Some(v) => cx.known(
                v,
                &format!("{path}.coverage"),
                "coverage",
                CertCoverage::parse,
                &CertCoverage::ALL.map(CertCoverage::name),
            ),
        };
        let source = cx.source(c.source_ref(), *line, path);
        let name = named.map(|(n, _)| n.to_owned());
        keys.check_field(cx, name.as_ref(), &c.name, path, "name", "certification");
        if let (Some((name, level)), Some(coverage), Some(source), true) =
            (named, coverage, source, cx.count() == start)
        {
            pp.certifications.push((
                Certification {
                    name: name.to_owned(),
                    scope: c.scope.clone(),
                    level,
                    coverage,
                    held: c.held.unwrap_or(true),
                    source,
                },
                cx.origin(*line, path),
            ));
        }
    }

    let mut keys = Dupes::new();
    for (inc, line, path) in incidents {
        let path = path.as_str();
        let start = cx.count();
        let id = cx.id(&inc.id, path, "id");
        let started = cx.date(&inc.started, &format!("{path}.started"));
        let hours = inc.duration_hours.get_ref().0;
        if hours <= Decimal::ZERO {
            cx.err(
                cx.line_of(&inc.duration_hours),
                &format!("{path}.duration_hours"),
                format!("expected a duration greater than zero hours, found {hours}"),
            );
        }
        let jurisdictions: Vec<Jurisdiction> = inc
            .jurisdictions
            .iter()
            .enumerate()
            .filter_map(|(j, code)| cx.jurisdiction(code, &format!("{path}.jurisdictions[{j}]")))
            .collect();
        let source = cx.source(inc.source_ref(), *line, path);
        keys.check_field(cx, id.as_ref(), &inc.id, path, "id", "incident id");
        if let (Some(id), Some(started), Some(duration_hours), Some(source), true) =
            (id, started, hours.to_f64(), source, cx.count() == start)
        {
            pp.incidents.push((
                Incident {
                    id,
                    started,
                    duration_hours,
                    scope: inc.scope.clone(),
                    root_cause: inc.root_cause.clone(),
                    jurisdictions,
                    affects_model_api: inc.affects_model_api.unwrap_or(true),
                    source,
                },
                cx.origin(*line, path),
            ));
        }
    }

    let mut keys = Dupes::new();
    for (g, line, path) in gpus {
        let path = path.as_str();
        let start = cx.count();
        let name = cx.id(&g.name, path, "name");
        let count = cx.positive_int(&g.gpu_count, &format!("{path}.gpu_count"), "a GPU count");
        let region = g.region.as_ref().and_then(|r| cx.id(r, path, "region"));
        let price = cx.non_negative(&g.price_per_hour, &format!("{path}.price_per_hour"));
        let currency = cx.currency(&g.currency, &format!("{path}.currency"));
        let source = cx.source(g.source_ref(), *line, path);
        keys.check_field(cx, name.as_ref(), &g.name, path, "name", "gpu instance");
        if let (Some(name), Some(count), Some(amount), Some(currency), Some(source), true) =
            (name, count, price, currency, source, cx.count() == start)
        {
            let origin_line = g.region.as_ref().map(|r| cx.line_of(r)).unwrap_or(*line);
            pp.gpu_instances.push((
                GpuInstance {
                    name,
                    gpu: g.gpu.clone(),
                    gpu_count: u32::try_from(count).unwrap_or(u32::MAX),
                    region,
                    price_per_hour: Money { amount, currency },
                    source,
                },
                cx.origin(origin_line, path),
            ));
        }
    }

    let mut keys = Dupes::new();
    for (m, line, path) in models {
        let path = path.as_str();
        let id = cx.id(&m.id, path, "id");
        keys.check_field(cx, id.as_ref(), &m.id, path, "id", "model id");
        if let Some(draft) = convert_model(cx, m, *line, path) {
            pp.models.push((draft, cx.origin(*line, path)));
        }
    }
}

/// `[provider] aliases`: non-empty names without surrounding spaces, each once. Whether an
/// alias names another provider is checked after all files are merged.
fn convert_aliases(
    cx: &mut Cx<'_>,
    aliases: &Spanned<Vec<Spanned<String>>>,
) -> Vec<(String, Origin)> {
    let mut out: Vec<(String, Origin)> = Vec::new();
    for (i, a) in aliases.get_ref().iter().enumerate() {
        let path = format!("provider.aliases[{i}]");
        let s = a.get_ref();
        if s.trim().is_empty() || s.trim() != s {
            cx.err(
                cx.line_of(a),
                &path,
                format!("expected a non-empty alias without surrounding spaces, found {s:?}"),
            );
        } else if out
            .iter()
            .any(|(o, _)| o.to_lowercase() == s.to_lowercase())
        {
            cx.err(cx.line_of(a), &path, format!("duplicate alias `{s}`"));
        } else {
            out.push((s.clone(), cx.origin(cx.line_of(a), &path)));
        }
    }
    out
}

/// An alias names one provider: after merging, none may equal another provider's id or alias
/// (compared case-insensitively, as profiles match them).
fn check_aliases(providers: &BTreeMap<String, ProviderPatch>, diags: &mut Vec<Diagnostic>) {
    let mut taken: BTreeMap<String, (&str, &str)> = providers
        .keys()
        .map(|id| (id.to_lowercase(), (id.as_str(), "id")))
        .collect();
    for (id, p) in providers {
        for (alias, origin) in p.aliases.iter().flatten() {
            let key = alias.to_lowercase();
            match taken.get(&key) {
                Some((owner, _)) if owner == id => {}
                Some((owner, what)) => diags.push(origin.diag(
                    "",
                    format!(
                        "alias `{alias}` of provider `{id}` is already the {what} of provider \
                         `{owner}`; an alias must name one provider only"
                    ),
                )),
                None => {
                    taken.insert(key, (id.as_str(), "alias"));
                }
            }
        }
    }
}

/// `[[availability]]` entries: observed uptime in (0, 100], a period, a source; one entry per
/// service and model per file.
fn convert_availability(
    cx: &mut Cx<'_>,
    entries: &[raw::Entry<raw::RawAvailability>],
    pp: &mut ProviderPatch,
) {
    let mut keys = Dupes::new();
    for (a, line, path) in entries {
        let path = path.as_str();
        let start = cx.count();
        let service = cx.id(&a.service, path, "service");
        let model = a.model.as_ref().and_then(|m| cx.id(m, path, "model"));
        let pct = a.uptime_percent.get_ref().0;
        if pct <= Decimal::ZERO || pct > Decimal::ONE_HUNDRED {
            cx.err(
                cx.line_of(&a.uptime_percent),
                &format!("{path}.uptime_percent"),
                format!("expected a percentage above 0 and at most 100, found {pct}"),
            );
        }
        let period = cx.id(&a.period, path, "period");
        let measured_from = a
            .measured_from
            .as_ref()
            .and_then(|v| cx.id(v, path, "measured_from"));
        let source = cx.source(a.source_ref(), *line, path);
        if let Some(service) = &service {
            let key = match &model {
                Some(m) => format!("{service}` for model `{m}"),
                None => service.clone(),
            };
            let l = cx.line_of(&a.service);
            keys.check(cx, key, l, &format!("{path}.service"), "availability of");
        }
        if let (Some(service), Some(uptime_percent), Some(period), Some(source), true) =
            (service, pct.to_f64(), period, source, cx.count() == start)
        {
            pp.availability.push((
                Availability {
                    service,
                    model,
                    uptime_percent,
                    period,
                    measured_from,
                    source,
                },
                cx.origin(*line, path),
            ));
        }
    }
}

fn convert_data_use(cx: &mut Cx<'_>, d: &raw::RawDataUse, line: Option<usize>) -> Option<DataUse> {
    let start = cx.count();
    let statement = cx.required_text(
        &Some(d.statement.clone()),
        "statement",
        line,
        "data_use",
        "what the source says about training on API data",
    );
    let source = cx.source(d.source_ref(), line, "data_use");
    if cx.count() != start {
        return None;
    }
    Some(DataUse {
        trains_on_api_data_by_default: d.trains_on_api_data_by_default,
        statement: statement?,
        source: source?,
    })
}

/// `[[performance]]` entries: positive finite figures, a source, one entry per model per file.
fn convert_performance(
    cx: &mut Cx<'_>,
    entries: &[raw::Entry<raw::RawPerformance>],
    pp: &mut ProviderPatch,
) {
    let mut keys = Dupes::new();
    for (f, line, path) in entries {
        let path = path.as_str();
        let start = cx.count();
        let model = cx.id(&f.model, path, "model");
        let speed = cx.positive(
            &f.median_output_tokens_per_second,
            &format!("{path}.median_output_tokens_per_second"),
            "a speed in output tokens per second",
        );
        let ttft = f.median_time_to_first_token_ms.as_ref().map(|v| {
            cx.positive(
                v,
                &format!("{path}.median_time_to_first_token_ms"),
                "a time to first token in milliseconds",
            )
        });
        let measured_from = f
            .measured_from
            .as_ref()
            .and_then(|v| cx.id(v, path, "measured_from"));
        let source = cx.source(f.source_ref(), *line, path);
        keys.check_field(
            cx,
            model.as_ref(),
            &f.model,
            path,
            "model",
            "performance figure for model",
        );
        if let (Some(model), Some(speed), Some(source), true) =
            (model, speed, source, cx.count() == start)
        {
            pp.performance.push((
                PerformanceDraft {
                    model,
                    figure: PublishedPerformance {
                        output_tokens_per_second: speed,
                        time_to_first_token_ms: ttft.flatten(),
                        measured_from,
                        source,
                    },
                },
                cx.origin(cx.line_of(&f.model), path),
            ));
        }
    }
}

fn convert_model(
    cx: &mut Cx<'_>,
    m: &raw::RawModel,
    line: Option<usize>,
    path: &str,
) -> Option<ModelDraft> {
    let start = cx.count();
    let id = m.id.get_ref().clone();
    let mut capabilities = BTreeSet::new();
    if m.capabilities.get_ref().is_empty() {
        cx.err(
            cx.line_of(&m.capabilities),
            &format!("{path}.capabilities"),
            "expected at least one capability",
        );
    }
    for (j, c) in m.capabilities.get_ref().iter().enumerate() {
        if let Some(cap) = cx.known(
            c,
            &format!("{path}.capabilities[{j}]"),
            "capability",
            Capability::parse,
            &Capability::ALL.map(Capability::name),
        ) {
            capabilities.insert(cap);
        }
    }
    let context_window = match &m.context_window {
        Some(v) => {
            let n = cx.positive_int(v, &format!("{path}.context_window"), "a context window");
            n.map(Some)
        }
        None => Some(None),
    };
    let deprecated_from = m
        .deprecated_from
        .as_ref()
        .and_then(|d| cx.date(d, &format!("{path}.deprecated_from")));
    let purpose = match &m.purpose {
        None => Some(ModelPurpose::General),
        Some(v) => cx.known(
            v,
            &format!("{path}.purpose"),
            "model purpose",
            ModelPurpose::parse,
            &ModelPurpose::ALL.map(ModelPurpose::name),
        ),
    };
    let source = cx.source(m.source_ref(), line, path);
    let mut prices = Vec::new();
    let mut price_regions = Vec::new();
    for (j, p) in m.price.iter().enumerate() {
        let ppath = format!("{path}.price[{j}]");
        let pline = cx.line_of(&p.currency);
        let pstart = cx.count();
        let currency = cx.currency(&p.currency, &format!("{ppath}.currency"));
        let region = p.region.as_ref().and_then(|r| cx.id(r, &ppath, "region"));
        let psource = cx.source(p.source_ref(), pline, &ppath);
        let tiers = convert_tiers(cx, &p.tier, pline, &ppath);
        if let (Some(currency), Some(source), Some(tiers), true) =
            (currency, psource, tiers, cx.count() == pstart)
        {
            price_regions.push(p.region.as_ref().map(|r| {
                (
                    cx.origin(cx.line_of(r), &ppath),
                    region.clone().unwrap_or_default(),
                )
            }));
            prices.push(TokenPrice {
                region,
                currency,
                tiers,
                superseded: p.superseded,
                off_peak: p.off_peak,
                source,
            });
        }
    }
    let mut quality = Vec::new();
    for (j, q) in m.quality.iter().enumerate() {
        let qpath = format!("{path}.quality[{j}]");
        let qline = cx.line_of(&q.benchmark);
        let benchmark = cx.id(&q.benchmark, &qpath, "benchmark");
        let snapshot = cx.date(&q.snapshot, &format!("{qpath}.snapshot"));
        let value = cx.finite(&q.value, &format!("{qpath}.value"));
        let source = cx.source(q.source_ref(), qline, &qpath);
        if let (Some(benchmark), Some(snapshot), Some(value), Some(source)) =
            (benchmark, snapshot, value, source)
        {
            quality.push(QualityScore {
                benchmark,
                snapshot,
                value,
                source,
            });
        }
    }
    if cx.count() != start {
        return None;
    }
    Some(ModelDraft {
        model: ModelOffering {
            id,
            name: m.name.clone(),
            family: m.family.clone(),
            capabilities,
            context_window: context_window?,
            deprecated_from,
            preview: m.preview.unwrap_or(false),
            purpose: purpose?,
            source: source?,
            prices,
            quality,
            performance: None,
        },
        price_regions,
    })
}

fn convert_tiers(
    cx: &mut Cx<'_>,
    tiers: &[raw::RawTier],
    line: Option<usize>,
    path: &str,
) -> Option<Vec<PriceTier>> {
    let start = cx.count();
    if tiers.is_empty() {
        cx.err(line, path, "expected at least one `[[model.price.tier]]` with `input_per_mtok` and `output_per_mtok`");
        return None;
    }
    let mut out = Vec::new();
    let mut previous: Option<u64> = None;
    for (k, t) in tiers.iter().enumerate() {
        let tpath = format!("{path}.tier[{k}]");
        let up_to = t.up_to_prompt_tokens.as_ref().and_then(|v| {
            cx.positive_int(
                v,
                &format!("{tpath}.up_to_prompt_tokens"),
                "a prompt-token limit",
            )
        });
        if let (Some(limit), Some(prev)) = (up_to, previous) {
            if limit <= prev {
                let l = t.up_to_prompt_tokens.as_ref().and_then(|v| cx.line_of(v));
                cx.err(l, &format!("{tpath}.up_to_prompt_tokens"), format!("tiers must be in ascending order of `up_to_prompt_tokens`: {limit} follows {prev}"));
            }
        }
        if t.up_to_prompt_tokens.is_none() && k + 1 < tiers.len() {
            let l = cx.line_of(&t.input_per_mtok);
            cx.err(
                l,
                &tpath,
                "only the last tier may leave out `up_to_prompt_tokens` (no limit)",
            );
        }
        previous = up_to.or(previous);
        let input = cx.non_negative(&t.input_per_mtok, &format!("{tpath}.input_per_mtok"));
        let output = cx.non_negative(&t.output_per_mtok, &format!("{tpath}.output_per_mtok"));
        let cached = t
            .cached_input_per_mtok
            .as_ref()
            .map(|v| cx.non_negative(v, &format!("{tpath}.cached_input_per_mtok")));
        let write = t
            .cache_write_per_mtok
            .as_ref()
            .map(|v| cx.non_negative(v, &format!("{tpath}.cache_write_per_mtok")));
        if let (Some(input_per_mtok), Some(output_per_mtok)) = (input, output) {
            out.push(PriceTier {
                up_to_prompt_tokens: up_to,
                input_per_mtok,
                output_per_mtok,
                cached_input_per_mtok: cached.flatten(),
                cache_write_per_mtok: write.flatten(),
            });
        }
    }
    (cx.count() == start).then_some(out)
}

fn convert_sla(cx: &mut Cx<'_>, s: &raw::RawSla, line: Option<usize>) -> Option<Sla> {
    let start = cx.count();
    let pct = s.monthly_uptime_percent.get_ref().0;
    if pct <= Decimal::ZERO || pct > Decimal::ONE_HUNDRED {
        cx.err(
            cx.line_of(&s.monthly_uptime_percent),
            "sla.monthly_uptime_percent",
            format!("expected a percentage above 0 and at most 100, found {pct}"),
        );
    }
    let service = cx.id(&s.service, "sla", "service");
    let source = cx.source(s.source_ref(), line, "sla");
    if cx.count() != start {
        return None;
    }
    Some(Sla {
        service: service?,
        monthly_uptime_percent: pct.to_f64()?,
        covers_model_api: s.covers_model_api,
        source: source?,
    })
}

fn convert_egress(cx: &mut Cx<'_>, e: &raw::RawEgress, line: Option<usize>) -> Option<EgressPrice> {
    let start = cx.count();
    let amount = cx.non_negative(&e.price_per_gb, "egress.price_per_gb");
    let currency = cx.currency(&e.currency, "egress.currency");
    let free = match &e.free_gb_per_month {
        Some(v) => cx
            .non_negative(v, "egress.free_gb_per_month")
            .and_then(|d| d.to_f64()),
        None => None,
    };
    let source = cx.source(e.source_ref(), line, "egress");
    if cx.count() != start {
        return None;
    }
    Some(EgressPrice {
        price_per_gb: Money {
            amount: amount?,
            currency: currency?,
        },
        free_gb_per_month: free,
        source: source?,
    })
}

fn convert_support(
    cx: &mut Cx<'_>,
    s: &raw::RawSupport,
    line: Option<usize>,
) -> Option<SupportCommitment> {
    let start = cx.count();
    let minutes = cx.positive_int(
        &s.response_minutes,
        "support.response_minutes",
        "a response time in minutes",
    );
    let source = cx.source(s.source_ref(), line, "support");
    if cx.count() != start {
        return None;
    }
    Some(SupportCommitment {
        tier: s.tier.clone(),
        response_minutes: u32::try_from(minutes?).ok()?,
        source: source?,
    })
}

/// The merged state while files are applied in order.
#[derive(Default)]
struct Draft {
    providers: BTreeMap<String, ProviderPatch>,
    claims: Vec<(MarketClaim, Origin)>,
    rates: Vec<(ExchangeRate, Origin)>,
}

/// Replaces the entry with the same key, or appends.
fn upsert<T, K: PartialEq>(
    list: &mut Vec<(T, Origin)>,
    items: Vec<(T, Origin)>,
    key: impl Fn(&T) -> K,
) {
    for item in items {
        let k = key(&item.0);
        match list.iter_mut().find(|(old, _)| key(old) == k) {
            Some(slot) => *slot = item,
            None => list.push(item),
        }
    }
}

impl Draft {
    fn apply(&mut self, patch: FilePatch) {
        if let Some(p) = patch.provider {
            let d = self
                .providers
                .entry(p.id.clone())
                .or_insert_with(|| ProviderPatch::empty(p.id.clone(), p.origin.clone()));
            if p.name_en.is_some() {
                d.name_en = p.name_en;
            }
            if p.name_zh.is_some() {
                d.name_zh = p.name_zh;
            }
            if p.aliases.is_some() {
                d.aliases = p.aliases;
            }
            if p.data_use.is_some() {
                d.data_use = p.data_use;
            }
            if p.headquarters.is_some() {
                d.headquarters = p.headquarters;
            }
            d.headquarters_given |= p.headquarters_given;
            if p.sla.is_some() {
                d.sla = p.sla;
            }
            if p.egress.is_some() {
                d.egress = p.egress;
            }
            if p.support.is_some() {
                d.support = p.support;
            }
            upsert(&mut d.regions, p.regions, |r| r.id.clone());
            upsert(&mut d.endpoints, p.endpoints, |e| {
                (e.region.clone(), e.protocol)
            });
            upsert(&mut d.certifications, p.certifications, |c| c.name.clone());
            upsert(&mut d.incidents, p.incidents, |i| i.id.clone());
            upsert(&mut d.availability, p.availability, |a| {
                (a.service.clone(), a.model.clone())
            });
            upsert(&mut d.models, p.models, |m| m.model.id.clone());
            upsert(&mut d.performance, p.performance, |f| f.model.clone());
            upsert(&mut d.gpu_instances, p.gpu_instances, |g| g.name.clone());
        }
        upsert(&mut self.claims, patch.claims, |c| c.id.clone());
        upsert(&mut self.rates, patch.rates, |r| {
            (r.from, r.to, r.source.as_of.clone())
        });
    }

    fn finish(self, diags: &mut Vec<Diagnostic>) -> Catalog {
        check_aliases(&self.providers, diags);
        let mut catalog = Catalog::default();
        for (id, d) in self.providers {
            if d.name_en.is_none() {
                diags.push(d.origin.diag(
                    "",
                    format!("provider `{id}` is new here, so it needs `name_en`"),
                ));
            }
            if d.headquarters.is_none() && !d.headquarters_given {
                diags.push(d.origin.diag("", format!("provider `{id}` is new here, so it needs `headquarters` (a jurisdiction code such as `cn` or `us`)")));
            }
            let region_ids: BTreeSet<&str> = d.regions.iter().map(|(r, _)| r.id.as_str()).collect();
            let declared = || {
                if region_ids.is_empty() {
                    "none are declared".to_owned()
                } else {
                    let ids: Vec<&str> = region_ids.iter().copied().collect();
                    format!("declared: {}", one_of(&ids))
                }
            };
            for (e, origin) in &d.endpoints {
                if e.region != "global" && !region_ids.contains(e.region.as_str()) {
                    diags.push(origin.diag("region", format!("endpoint region `{}` is not a region of provider `{id}`; expected `global` or a `[[region]]` id ({})", e.region, declared())));
                }
            }
            for (g, origin) in &d.gpu_instances {
                if let Some(r) = &g.region {
                    if !region_ids.contains(r.as_str()) {
                        diags.push(origin.diag(
                            "region",
                            format!(
                                "gpu instance region `{r}` is not a region of provider `{id}` ({})",
                                declared()
                            ),
                        ));
                    }
                }
            }
            for (m, _) in &d.models {
                for (origin, region) in m.price_regions.iter().flatten() {
                    if !region_ids.contains(region.as_str()) {
                        diags.push(origin.diag(
                            "region",
                            format!(
                                "price region `{region}` is not a region of provider `{id}` ({})",
                                declared()
                            ),
                        ));
                    }
                }
            }
            let mut models: Vec<ModelOffering> =
                d.models.into_iter().map(|(m, _)| m.model).collect();
            for (f, origin) in d.performance {
                match models.iter_mut().find(|m| m.id == f.model) {
                    Some(m) => m.performance = Some(f.figure),
                    None => {
                        let ids: Vec<&str> = models.iter().map(|m| m.id.as_str()).collect();
                        let expected = if ids.is_empty() {
                            "it has no models".to_owned()
                        } else {
                            format!("expected one of {}", one_of(&ids))
                        };
                        diags.push(origin.diag(
                            "model",
                            format!(
                                "published performance for model `{}`, which is not a model of provider `{id}`; {expected}",
                                f.model
                            ),
                        ));
                    }
                }
            }
            let provider = Provider {
                id: id.clone(),
                name_en: d.name_en.unwrap_or_default(),
                name_zh: d.name_zh,
                aliases: d.aliases.into_iter().flatten().map(|(a, _)| a).collect(),
                headquarters: d.headquarters.unwrap_or(Jurisdiction::Other(String::new())),
                regions: d.regions.into_iter().map(|(r, _)| r).collect(),
                endpoints: d.endpoints.into_iter().map(|(e, _)| e).collect(),
                certifications: d.certifications.into_iter().map(|(c, _)| c).collect(),
                sla: d.sla,
                incidents: d.incidents.into_iter().map(|(i, _)| i).collect(),
                availability: d.availability.into_iter().map(|(a, _)| a).collect(),
                data_use: d.data_use,
                models,
                gpu_instances: d.gpu_instances.into_iter().map(|(g, _)| g).collect(),
                egress: d.egress,
                support: d.support,
            };
            catalog.providers.insert(id, provider);
        }
        for (c, origin) in self.claims {
            if !catalog.providers.contains_key(&c.provider) {
                let known: Vec<&str> = catalog.providers.keys().map(String::as_str).collect();
                let expected = if known.is_empty() {
                    "no providers are loaded".to_owned()
                } else {
                    format!("expected one of {}", one_of(&known))
                };
                diags.push(origin.diag(
                    "provider",
                    format!("claim names unknown provider `{}`; {expected}", c.provider),
                ));
            }
            catalog.claims.push(c);
        }
        catalog.exchange_rates = self.rates.into_iter().map(|(r, _)| r).collect();
        catalog
    }
}
