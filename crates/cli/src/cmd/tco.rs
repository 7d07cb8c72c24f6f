//! `cloudfit tco` (being built; see the issue for its contract).

use crate::failure::{CmdResult, Failure};

#[derive(clap::Args)]
pub struct Args {}

pub fn run(_args: Args) -> CmdResult {
    Err(Failure::runtime(anyhow::anyhow!(
        "`cloudfit tco` is not built yet"
    )))
}
