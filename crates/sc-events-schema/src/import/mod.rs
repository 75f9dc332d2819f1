//! Importers: schemas written in other languages turned into `.avsc` files the workspace
//! reads. [`jsonschema`] converts draft-07 JSON Schema, keeping its validation keywords as
//! `"constraints"` on each field; [`combine`] joins imported events into one domain of a
//! flat-envelope workspace.

pub mod combine;
pub mod jsonschema;
mod out;

pub use out::Out;
