//! cloudfit-catalog
