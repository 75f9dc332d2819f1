//! `schemactl registry serve` as a process: concurrent writers (in one process and in two
//! processes on the same SQLite file), `kill -9` mid-stream, SIGTERM (`durability`), hostile
//! requests and the loopback default (`hostile`), a Prometheus scrape (`metrics`). Every
//! server runs on 127.0.0.1 with an ephemeral port and dies with its handle (`harness`).

mod abuse;
mod durability;
mod harness;
mod hostile;
mod integrity;
mod limits;
mod metrics;
mod web;
