//! Shared test helpers: realistic sample events generated from the schema model.
#![allow(dead_code)]

pub mod broker;
pub mod kafka;
pub mod sample;
pub mod schema_gen;
pub mod versions;

mod git;
#[allow(unused_imports)]
pub use git::git;
