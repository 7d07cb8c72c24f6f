//! `cloudfit claims`: every market "No. 1" claim with the measure behind it, beside the share of
//! plausible weightings in which the provider is first *for this profile* ("人均第一").

use std::collections::BTreeMap;
use std::path::PathBuf;

use cloudfit_advise::{assess, i18n, rank, Measurements, RankOptions};
use comfy_table::CellAlignment;
use serde_json::{json, Value};

use crate::failure::{CmdResult, Failure};
use crate::output::{emit, emit_json, DataFormat};

use super::report::{self, advise_failure, load_profile, round, Common};

#[derive(clap::Args)]
pub struct Args {
    /// Business profile; adds its SMAA first-rank share beside each claim
    #[arg(long, value_name = "P.toml")]
    profile: Option<PathBuf>,
    #[command(flatten)]
    common: Common,
    /// Output format: table (for people) or json (for scripts)
    #[arg(long, value_enum, default_value = "table")]
    format: DataFormat,
    /// Seed for SMAA sampling
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// SMAA samples
    #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(1..=10_000_000))]
    samples: u64,
}

/// Per provider: (rank, first-rank share) or the exclusion reason.
type Standing = BTreeMap<String, Result<(usize, f64), String>>;

pub fn run(args: Args) -> CmdResult {
    let catalog = args.common.catalog()?;
    let lang = args.common.lang();
    let mut standing: Option<(String, Standing)> = None;
    if let Some(path) = &args.profile {
        let mut profile = load_profile(path)?;
        profile.resolve_names(&catalog).map_err(Failure::input)?;
        let as_of = args.common.as_of(Some(&profile), &catalog)?;
        let a =
            assess(&catalog, &profile, &Measurements::default(), as_of).map_err(advise_failure)?;
        let advice = rank(
            a,
            &profile,
            RankOptions {
                samples: usize::try_from(args.samples)
                    .map_err(|e| Failure::input(anyhow::Error::new(e)))?,
                seed: args.seed,
                ..RankOptions::default()
            },
        )
        .map_err(advise_failure)?;
        let mut map = Standing::new();
        for r in &advice.ranking {
            let id = advice.assessment.providers[r.index].id.clone();
            map.insert(id, Ok((r.rank, r.first_rank_share)));
        }
        for e in &advice.assessment.excluded {
            map.insert(
                e.provider.clone(),
                Err(cloudfit_advise::assess::exclusion(&e.reason, lang)),
            );
        }
        for v in &advice.to_verify {
            let id = advice.assessment.providers[v.index].id.clone();
            let share = v.first_rank_share_if_held * 100.0;
            map.insert(
                id,
                Err(match lang {
                    i18n::Lang::En => format!(
                        "to verify: a hard constraint is unknown; if it holds, first in {share:.0}% of weightings"
                    ),
                    i18n::Lang::Zh => {
                        format!("待核实:硬约束未知;若成立,在 {share:.0}% 的权重下排第一")
                    }
                }),
            );
        }
        standing = Some((profile.name.clone(), map));
    }
    let claims: Vec<Value> = catalog
        .claims
        .iter()
        .map(|c| {
            let text = match (lang, &c.claim_zh) {
                (i18n::Lang::Zh, Some(zh)) => zh.clone(),
                _ => c.claim_en.clone(),
            };
            let zh = |en: &String, zh: &Option<String>| match (lang, zh) {
                (i18n::Lang::Zh, Some(z)) => z.clone(),
                _ => en.clone(),
            };
            let mut v = json!({
                "id": c.id, "provider": c.provider, "claim": text,
                "measure": zh(&c.measure, &c.measure_zh),
                "scope": zh(&c.scope, &c.scope_zh),
                "period": zh(&c.period, &c.period_zh),
                "value": c.value, "unit": c.unit,
                "report": c.report, "source": c.source.source, "as_of": c.source.as_of,
            });
            if let Some((_, map)) = &standing {
                let (rank, share, excluded) = match map.get(&c.provider) {
                    Some(Ok((rank, share))) => (json!(rank), json!(round(*share, 4)), Value::Null),
                    Some(Err(reason)) => (Value::Null, json!(0.0), json!(reason)),
                    None => (Value::Null, Value::Null, Value::Null),
                };
                v["rank"] = rank;
                v["first_rank_share"] = share;
                v["excluded"] = excluded;
            }
            v
        })
        .collect();
    if args.format == DataFormat::Json {
        return emit_json(&json!({
            "profile": standing.as_ref().map(|s| s.0.clone()),
            "claims": claims,
        }));
    }
    emit(&claims_table(&claims, standing.as_ref(), lang))
}

/// The people-facing claims table: at most [`report::WIDTH`] columns, long cells wrapped,
/// exclusion reasons listed once under the table.
fn claims_table(
    claims: &[Value],
    standing: Option<&(String, Standing)>,
    lang: i18n::Lang,
) -> String {
    let l = |k| i18n::label(k, lang);
    let c = report::colon(lang);
    let mut t = report::narrow_table();
    let mut header = vec![
        l("provider"),
        l("claim"),
        l("measure"),
        l("value"),
        l("report"),
    ];
    if standing.is_some() {
        header.push(l("your_share_short"));
    }
    let mut rows = Vec::new();
    for claim in claims {
        let s = |k: &str| claim[k].as_str().unwrap_or_default().to_owned();
        let value = match (claim["value"].as_f64(), claim["unit"].as_str()) {
            (Some(v), Some("percent")) => format!("{v}%"),
            (Some(v), Some("rank")) => format!("#{v}"),
            (Some(v), Some(u)) => format!("{v} {u}"),
            (Some(v), None) => v.to_string(),
            (None, _) => l("unknown").to_owned(),
        };
        let mut measure = s("measure");
        for key in ["scope", "period"] {
            if let Some(x) = claim[key].as_str().filter(|x| !x.is_empty()) {
                measure.push_str(&format!("\n{}{c}{x}", l(key)));
            }
        }
        let mut row = vec![s("provider"), s("claim"), measure, value, s("report")];
        if standing.is_some() {
            row.push(
                match (
                    claim["first_rank_share"].as_f64(),
                    claim["excluded"].as_str(),
                ) {
                    (_, Some(_)) => l("excluded_short").to_owned(),
                    (Some(share), None) => format!("{:.1}%", share * 100.0),
                    (None, None) => l("not_compared").to_owned(),
                },
            );
        }
        rows.push(row);
    }
    report::fill_table(
        &mut t,
        header.iter().map(|h| (*h).to_owned()).collect(),
        rows,
    );
    for i in [3, 5] {
        if let Some(col) = t.column_mut(i) {
            col.set_cell_alignment(CellAlignment::Right);
        }
    }
    let mut out = report::wrap(l("claims"), "", "  ", report::WIDTH);
    out.push('\n');
    if let Some((name, _)) = standing {
        out.push_str(&report::wrap(
            &format!("{}{c}{name}", l("your_share")),
            "",
            "  ",
            report::WIDTH,
        ));
        out.push('\n');
    }
    out.push_str(&format!("{t}\n"));
    if let Some((_, map)) = standing {
        out.push_str(&report::wrap(
            l("claims_share_note"),
            "",
            "  ",
            report::WIDTH,
        ));
        out.push('\n');
        let excluded: Vec<(&String, &String)> = map
            .iter()
            .filter_map(|(id, s)| s.as_ref().err().map(|why| (id, why)))
            .filter(|(id, _)| {
                claims
                    .iter()
                    .any(|c| c["provider"].as_str() == Some(id.as_str()))
            })
            .collect();
        if !excluded.is_empty() {
            out.push_str(&format!("\n{}{}\n", l("excluded"), c.trim_end()));
            for (id, why) in excluded {
                out.push_str(&report::wrap(
                    &format!("{id}{c}{why}"),
                    "  ",
                    "    ",
                    report::WIDTH,
                ));
                out.push('\n');
            }
        }
    }
    out
}
