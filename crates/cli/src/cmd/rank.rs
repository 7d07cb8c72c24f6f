//! `cloudfit rank`: which AI cloud fits the business described in a profile.

use std::path::PathBuf;

use cloudfit_advise::{assess, rank, Measurements, RankMethod, RankOptions};

use crate::failure::{CmdResult, Failure};
use crate::output::{emit, emit_json, Format};

use super::report::{self, advise_failure, load_profile, Common};

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum MethodArg {
    /// TOPSIS closeness to the ideal (vector normalisation)
    Topsis,
    /// Weighted sum of max-normalised values
    Wsm,
    /// Order by SMAA-2 holistic acceptability
    Smaa,
}

#[derive(clap::Args)]
#[command(after_help = "\
Criteria (units): cost (currency/month, monthly TCO of the workload on the model chosen per task), \
performance (output tokens/s: measured, else published), stability (expected h/month without \
service: observed downtime or model-API SLA allowance, never below incidents in the buyer's \
jurisdictions in the 24 months before --as-of, plus the wait for a first support response), \
compliance (points 0-100: certifications + residency + data use), ai_capability (points 0-100: task \
coverage and the chosen models' public quality scores), migration (one-time cost, or engineer-days \
without [current]). A number marked ? includes an unknown fact; `unknown` means no fact at all. An \
unknown counts at the worst value known in the catalog; SMAA samples its plausible range. A provider \
whose residency or required certification is unknown is listed to verify, with the rank it would \
take; the questions list the unknowns that move the result most. first_rank_share is always SMAA-2 \
under the profile's weight information. Profile keys: docs/profile.md.")]
pub struct Args {
    /// Business profile (TOML); see examples/profiles/
    #[arg(long, value_name = "P.toml")]
    profile: PathBuf,
    #[command(flatten)]
    common: Common,
    /// Ranking method
    #[arg(long, value_enum, default_value = "topsis")]
    method: MethodArg,
    /// Output format
    #[arg(long, value_enum, default_value = "table")]
    format: Format,
    /// Seed for SMAA sampling
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// SMAA samples
    #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(1..=10_000_000))]
    samples: u64,
}

pub fn run(args: Args) -> CmdResult {
    let mut profile = load_profile(&args.profile)?;
    let catalog = args.common.catalog()?;
    profile.resolve_names(&catalog).map_err(Failure::input)?;
    let as_of = args.common.as_of(Some(&profile), &catalog)?;
    let lang = args.common.lang();
    let assessment =
        assess(&catalog, &profile, &Measurements::default(), as_of).map_err(advise_failure)?;
    let options = RankOptions {
        method: match args.method {
            MethodArg::Topsis => RankMethod::Topsis,
            MethodArg::Wsm => RankMethod::Wsm,
            MethodArg::Smaa => RankMethod::Smaa,
        },
        seed: args.seed,
        samples: usize::try_from(args.samples)
            .map_err(|e| Failure::input(anyhow::Error::new(e)))?,
    };
    let advice = rank(assessment, &profile, options).map_err(advise_failure)?;
    match args.format {
        Format::Json => emit_json(&report::rank_json(&advice, lang)),
        Format::Table => emit(&report::rank_table(&advice, lang)),
        Format::Markdown => emit(&report::rank_markdown(&advice, &profile, lang)),
        Format::Html => emit(&report::rank_html(&advice, &profile, lang)),
    }
}
