//! The schema side of sc-events: `.avsc` files parsed into a model that keeps source positions,
//! the topic/event catalog built from them, the rules that check them, and the diagnostics that
//! point at the offending line.
//!
//! Data flow, each module importing only those before it: [`json`] / [`source`] (spans) →
//! [`model`] (Avro types) → [`config`] (`schemactl.toml`) → [`layout`] → [`topics`] (the topic
//! file) → [`catalog`] (envelope, domains, events, topics) → [`consumers`] → [`rules`] (lint,
//! compat, policy) → [`diag`] rendering (human, coloured or not / JSON / GitHub / JUnit /
//! SARIF); [`format`] (the `.avsc` layout, over [`json`]) serves `schemactl fmt` and the
//! importers. [`diag`]'s types, [`text`]
//! and [`retry`] are leaves every stage may use.

pub mod catalog;
pub mod config;
pub mod consumers;
pub mod diag;
pub mod format;
pub mod import;
pub mod json;
pub mod layout;
pub mod model;
pub mod parallel;
pub mod redact;
pub mod retry;
pub mod rules;
pub mod source;
pub mod text;
pub mod topics;

pub use catalog::{Catalog, Domain, Event, PrivacyTier, Topic};
pub use consumers::Consumer;
pub use diag::{Diagnostic, Format, Level, RenderOptions, Style};
pub use layout::Layout;
pub use retry::{JitterStyle, RetryPolicy};
