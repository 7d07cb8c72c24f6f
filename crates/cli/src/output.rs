//! The one place that writes to stdout. Commands build a string (table, JSON, report)
//! and hand it here; a closed pipe (`cloudfit ... | head`) is not an error.

use std::io::{self, Write};

use clap::ValueEnum;
use serde::Serialize;

use crate::failure::Failure;

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Aligned tables for people
    Table,
    /// Machine-readable JSON for scripts
    Json,
    /// A Markdown report
    Markdown,
    /// A self-contained HTML report
    Html,
}

/// The formats of a command that prints data rather than a report: `--help` lists only these.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DataFormat {
    /// Aligned tables for people
    Table,
    /// Machine-readable JSON for scripts
    Json,
}

/// Write `text` to stdout, adding a final newline if missing.
pub fn emit(text: &str) -> Result<(), Failure> {
    let mut out = io::stdout().lock();
    let result = out.write_all(text.as_bytes()).and_then(|()| {
        if text.ends_with('\n') {
            Ok(())
        } else {
            out.write_all(b"\n")
        }
    });
    match result.and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Failure::runtime(
            anyhow::Error::new(e).context("writing to stdout"),
        )),
    }
}

/// Pretty-printed JSON on stdout.
pub fn emit_json<T: Serialize + ?Sized>(value: &T) -> Result<(), Failure> {
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| Failure::runtime(anyhow::Error::new(e).context("serialising JSON output")))?;
    emit(&text)
}

/// Width tables wrap to when stdout's width is not known: `COLUMNS` if set, else 140.
const DEFAULT_TABLE_WIDTH: u16 = 140;

/// A table in the house style: condensed UTF-8 borders, long cells wrapped so the table fits
/// the width in `COLUMNS` (or 140 columns) instead of running off the screen.
pub fn table() -> comfy_table::Table {
    let width = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<u16>().ok())
        .filter(|w| *w >= 40)
        .unwrap_or(DEFAULT_TABLE_WIDTH);
    let mut table = comfy_table::Table::new();
    table
        .load_preset(comfy_table::presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(comfy_table::ContentArrangement::Dynamic)
        .set_width(width);
    table
}
