#!/usr/bin/env bash
# The one test command (README "Tests"): formatting, clippy, and every test of the workspace.
# Idempotent. Installs what the tests need: the differential oracles (Java Avro 1.12.1 from
# PyPI's pyspark sdist, PyPI avro 1.12.1) via scripts/oracle.sh, cached in target/oracle.
set -euo pipefail
cd "$(dirname "$0")/.."

SC_ORACLE_CP=$(bash scripts/oracle.sh | tail -n 1)
export SC_ORACLE_CP

cargo fmt --all -- --check
cargo clippy --workspace --all-targets --locked -- -D warnings
if command -v cargo-nextest >/dev/null 2>&1; then
  cargo nextest run --workspace --locked --no-fail-fast
else
  if [ "${CI:-}" = "true" ]; then
    echo "cargo-nextest is missing on CI" >&2
    exit 1
  fi
  cargo test --workspace --locked --no-fail-fast
fi
# Doc tests (nextest does not run them): the crate-level examples must keep compiling.
cargo test --workspace --locked --doc
# The main job, as the README runs it.
cargo run --quiet --locked --bin schemactl -- lint schemas
