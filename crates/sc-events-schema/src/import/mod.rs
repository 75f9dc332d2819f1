//! Importers: schemas written in other languages turned into `.avsc` files the workspace
//! reads. [`jsonschema`] converts draft-07 JSON Schema, keeping its validation keywords as
//! `"constraints"` on each field.

pub mod jsonschema;
mod out;

pub use out::Out;
