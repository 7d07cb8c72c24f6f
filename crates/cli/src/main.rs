//! `cloudfit`: parse arguments, set up tracing, call the command, turn its result into an
//! exit code (0 ok, 1 runtime failure, 2 bad input). Everything else lives in the library crates.

mod cmd;
mod failure;
mod output;

use std::io::Write;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "cloudfit",
    version,
    about = "Find the AI cloud that fits your business, on evidence, and keep the freedom to switch"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Rank the alternatives of a decision matrix (WSM, TOPSIS, VIKOR, PROMETHEE II)
    Mcda(cmd::mcda::Args),
    /// Criteria weights from an AHP pairwise comparison matrix, with a consistency check
    Ahp(cmd::ahp::Args),
    /// SMAA-2: rank acceptabilities when weights are only known roughly
    Smaa(cmd::smaa::Args),
    /// Rank AI clouds for the business described in a profile
    Rank(cmd::rank::Args),
    /// Monthly cost line items per provider for a profile's workload
    Tco(cmd::tco::Args),
    /// Every market "No. 1" claim beside the profile's first-rank share
    Claims(cmd::claims::Args),
    /// Start a profile from a commented template, or check one and show how it is read
    #[command(subcommand)]
    Profile(cmd::profile::Command),
    /// Inspect, validate and import catalog data
    #[command(subcommand)]
    Catalog(cmd::catalog::Command),
    /// Serve fake AI clouds on loopback (protocol-faithful, with fault injection)
    Emulate(cmd::emulate::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing();
    let result = match cli.command {
        Command::Mcda(args) => cmd::mcda::run(args),
        Command::Ahp(args) => cmd::ahp::run(args),
        Command::Smaa(args) => cmd::smaa::run(args),
        Command::Rank(args) => cmd::rank::run(args),
        Command::Tco(args) => cmd::tco::run(args),
        Command::Claims(args) => cmd::claims::run(args),
        Command::Profile(command) => cmd::profile::run(command),
        Command::Catalog(command) => cmd::catalog::run(command),
        Command::Emulate(args) => cmd::emulate::run(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            // Best effort: if stderr is gone there is nobody to tell.
            let _ = writeln!(std::io::stderr(), "cloudfit: error: {:#}", failure.error);
            ExitCode::from(failure.code)
        }
    }
}

/// Logs go to stderr so stdout stays clean for JSON; `CLOUDFIT_LOG` sets the filter.
fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("CLOUDFIT_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}
