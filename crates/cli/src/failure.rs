//! How a command fails: an error chain plus the exit code the contract gives it
//! (1 runtime failure, 2 bad input).

use std::fmt;

/// Exit code for a failure at run time (network, I/O after validation, a server that stopped).
pub const EXIT_RUNTIME: u8 = 1;
/// Exit code for input the user can fix (a file, a flag, a profile).
pub const EXIT_BAD_INPUT: u8 = 2;

pub struct Failure {
    pub code: u8,
    pub error: anyhow::Error,
}

impl Failure {
    /// The user's input is wrong; the message must say what, where and what was expected.
    pub fn input(error: impl Into<anyhow::Error>) -> Self {
        Self {
            code: EXIT_BAD_INPUT,
            error: error.into(),
        }
    }

    /// Something failed while running on valid input.
    pub fn runtime(error: impl Into<anyhow::Error>) -> Self {
        Self {
            code: EXIT_RUNTIME,
            error: error.into(),
        }
    }
}

impl fmt::Debug for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "exit {}: {:#}", self.code, self.error)
    }
}

/// Anything not explicitly classified as bad input is a runtime failure.
impl From<anyhow::Error> for Failure {
    fn from(error: anyhow::Error) -> Self {
        Self::runtime(error)
    }
}

pub type CmdResult = Result<(), Failure>;
