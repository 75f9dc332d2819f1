//! Shared test helpers: realistic sample events generated from the schema model.

pub mod sample;
