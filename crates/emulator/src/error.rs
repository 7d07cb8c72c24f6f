//! Errors of the emulator library.

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;

/// One problem in a configuration: the key path and what was expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigIssue {
    pub key: String,
    pub message: String,
}

impl fmt::Display for ConfigIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.key, self.message)
    }
}

/// A configuration that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("reading {}", file.display())]
    Read {
        file: PathBuf,
        source: std::io::Error,
    },
    #[error("{}{}: {key}: {message}", file.display(), line.map(|l| format!(" line {l}")).unwrap_or_default())]
    Parse {
        file: PathBuf,
        line: Option<usize>,
        key: String,
        message: String,
    },
    #[error("{}: {} problem(s):\n{}", file.display(), issues.len(), issues.iter().map(|i| format!("  {i}")).collect::<Vec<_>>().join("\n"))]
    Invalid {
        file: PathBuf,
        issues: Vec<ConfigIssue>,
    },
}

/// Why an emulator could not start.
#[derive(Debug, thiserror::Error)]
pub enum EmulatorError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("provider {provider}: binding {addr}")]
    Bind {
        provider: String,
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("no emulated provider named {0:?}")]
    UnknownProvider(String),
    #[error("invalid faults: {}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    InvalidFaults(Vec<ConfigIssue>),
}
