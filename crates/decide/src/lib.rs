//! cloudfit-decide
