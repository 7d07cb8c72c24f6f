//! `cloudfit catalog` (being built; see the issue for its contract).

use crate::failure::{CmdResult, Failure};

#[derive(clap::Subcommand)]
pub enum Command {
    /// Check catalog files
    Validate,
}

pub fn run(_command: Command) -> CmdResult {
    Err(Failure::runtime(anyhow::anyhow!(
        "`cloudfit catalog` is not built yet"
    )))
}
