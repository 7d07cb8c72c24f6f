//! cloudfit-catalog: sourced, dated facts about AI clouds; load, merge, validate; built-in data.

pub mod model;

pub use model::*;
