//! Helpers of the command line's tests: the real `schemactl registry serve` on a free loopback
//! port (`serve`), and the repository's shared test helpers (`tests/support/` at the root),
//! included by path.
#![allow(dead_code)]

#[path = "../../../../tests/support/broker.rs"]
pub mod broker;
#[path = "../../../../tests/support/git.rs"]
mod git;
#[path = "../../../../tests/support/kafka.rs"]
pub mod kafka;
pub mod serve;
#[path = "../../../../tests/support/versions.rs"]
pub mod versions;
pub mod workspace;

#[allow(unused_imports)]
pub use git::git;
