//! Catalog errors: every problem found while loading, each naming file, line and key path.

use std::fmt;

/// One problem in one catalog file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// The file as the user named it (`data/catalog/...` for built-in files are shown as
    /// `builtin:providers/aws.toml`).
    pub file: String,
    /// 1-based line, when the problem can be pinned to one.
    pub line: Option<usize>,
    /// Dotted key path inside the file (`model[2].price[0].tier[1].input_per_mtok`); empty for
    /// problems with the whole file.
    pub key_path: String,
    /// What is wrong and what was expected.
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        f.write_str(": ")?;
        if !self.key_path.is_empty() {
            write!(f, "{}: ", self.key_path)?;
        }
        f.write_str(&self.message)
    }
}

/// A serde/TOML message in words a user of a config file knows: Rust type names such as `u64`
/// mean nothing to someone editing a profile or a catalog file. Shared with the profile reader.
pub fn plain_serde_message(message: &str) -> String {
    message
        .lines()
        .next()
        .unwrap_or("")
        .trim_end_matches('.')
        .replace("expected u64", "expected a whole number (0 or more)")
        .replace("expected u32", "expected a whole number (0 or more)")
        .replace("expected i64", "expected an integer")
        .replace("expected f64", "expected a number")
        .replace("expected a boolean", "expected `true` or `false`")
}

/// Loading failed; holds every diagnostic found, not just the first.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct CatalogError {
    pub diagnostics: Vec<Diagnostic>,
}

impl fmt::Display for CatalogError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.diagnostics.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{d}")?;
        }
        Ok(())
    }
}
