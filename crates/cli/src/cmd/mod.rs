//! One module per command: its clap `Args` and a `run` that calls the library crates.

pub mod ahp;
pub mod catalog;
pub mod claims;
pub mod decide_input;
pub mod emulate;
pub mod mcda;
pub mod profile;
pub mod rank;
pub mod report;
pub mod smaa;
pub mod tco;
