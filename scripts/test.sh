#!/usr/bin/env bash
# The one test command (README "Tests"): formatting, clippy, every test of the workspace, and
# the main job. Idempotent. Installs what the tests need:
#   - the differential oracles (Java Avro 1.12.1 from PyPI's pyspark sdist, PyPI avro 1.12.1)
#     via scripts/oracle.sh, cached in target/oracle;
#   - Confluent's Python client (tests/interop/requirements.txt), for the interop tests against
#     `schemactl registry serve`;
#   - tansu 0.6.0 (a Kafka-protocol broker with in-memory storage), for the Kafka integration
#     tests; installed into ~/.cargo/bin once (12-20 minutes), skipped when already there;
#   - cargo-fuzz, for a bounded run of the decoder's fuzz target;
#   - Debian's neovim and chromium, and playwright-core from npm (into target/browser-tests),
#     for the editor test of `schemactl lsp` and the browser test of `schemactl docs`.
set -euo pipefail
# A fresh clone builds once: incremental state would only cost disk (gigabytes) and time.
[ "${CI:-}" = "true" ] && export CARGO_INCREMENTAL=0
cd "$(dirname "$0")/.."

SC_ORACLE_CP=$(bash scripts/oracle.sh | tail -n 1)
export SC_ORACLE_CP

want=$(sed -n 's/^confluent-kafka\[[a-z,]*\]==//p' tests/interop/requirements.txt)
python3 -c "import sys, confluent_kafka, confluent_kafka.schema_registry.rules.encryption.encrypt_executor; sys.exit(0 if confluent_kafka.version()[0] == '$want' else 1)" 2>/dev/null ||
  python3 -m pip install --quiet -r tests/interop/requirements.txt >&2

# The editor and the browser of the LSP and catalog tests (Debian's neovim and chromium), and
# playwright-core (pinned in crates/schemactl/tests/browser) to drive the browser, in target/.
need=()
command -v nvim >/dev/null 2>&1 || need+=(neovim)
[ -x /usr/bin/chromium ] || need+=(chromium)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing ${need[*]} (apt)" >&2
  sudo=""
  [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi
browser_tests=target/browser-tests
if ! cmp -s crates/schemactl/tests/browser/package-lock.json "$browser_tests/package-lock.json" ||
  [ ! -d "$browser_tests/node_modules/playwright-core" ]; then
  mkdir -p "$browser_tests"
  cp crates/schemactl/tests/browser/package.json crates/schemactl/tests/browser/package-lock.json "$browser_tests/"
  (cd "$browser_tests" && npm ci --no-audit --no-fund --silent) >&2
fi

tansu_bin="${TANSU:-${CARGO_HOME:-$HOME/.cargo}/bin/tansu}"
if ! "$tansu_bin" --version 2>/dev/null | grep -q '^tansu 0\.6\.0$'; then
  echo "installing tansu 0.6.0 (the test broker; 12-20 minutes, once)" >&2
  cargo install --quiet --locked tansu --version 0.6.0 --features dynostore
fi

cargo fmt --all -- --check
cargo clippy --workspace --all-targets --locked -- -D warnings

# The house rules: no module imports in a circle (in any crate), no source file over 600 lines.
for src in crates/*/src; do
  python3 scripts/import_cycles.py "$src" >/tmp/import_cycles.txt || { cat /tmp/import_cycles.txt >&2; exit 1; }
done
long=$(git ls-files '*.rs' | xargs wc -l | awk '$2 != "total" && $1 > 600 {print}')
[ -z "$long" ] || { echo "source files over 600 lines:" >&2; echo "$long" >&2; exit 1; }

# Each workspace crate builds on the runtime alone (no feature borrowed from the rest of the
# workspace), and the runtime builds (and its unit tests pass) without Kafka and without the
# ciphers, whose absence refuses an ENCRYPT rule instead of sending in clear.
cargo check --locked -p flowops-events -p data-platform-events -p product-events
cargo test --locked -p sc-events-runtime --no-default-features --lib
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

# The decoder's fuzz target, for a bounded time (cargo-fuzz needs nightly flags; the stable
# toolchain accepts them with RUSTC_BOOTSTRAP=1). Safe Rust needs no sanitizer: libFuzzer's
# coverage guidance is what matters; a panic, hang or allocation past -rss_limit_mb fails.
command -v cargo-fuzz >/dev/null 2>&1 || cargo install --quiet --locked cargo-fuzz --version 0.13.2
RUSTC_BOOTSTRAP=1 cargo fuzz run --sanitizer none --dev decode -- \
  -max_total_time="${SC_FUZZ_SECONDS:-60}" -rss_limit_mb=2048 -timeout=10 2>&1 | tail -n 3

# The main job, as the README runs it: the gate plus publish on a fresh embedded registry,
# twice; the second run must register nothing.
cargo run --quiet --locked --bin schemactl -- lint schemas
# Every .avsc in the one layout (schemactl fmt writes it).
cargo run --quiet --locked --bin schemactl -- fmt --check
reg=$(mktemp -d)
trap 'rm -rf "$reg"' EXIT
cargo run --quiet --locked --bin schemactl -- publish --against "embedded:$reg/registry.db"
again=$(cargo run --quiet --locked --bin schemactl -- publish --against "embedded:$reg/registry.db" 2>&1)
echo "$again"
echo "$again" | grep -q ': 0 registered, 8 unchanged' || { echo "second publish registered something" >&2; exit 1; }

# Every example workspace, as its users run it: lint, the gate and publish on a fresh embedded
# registry, twice; the second run must register nothing. (Their crates' tests ran above.)
for ws in examples/data-platform examples/product-events examples/flowops; do
  db="embedded:$reg/$(basename "$ws").db"
  cargo run --quiet --locked --bin schemactl -- --workspace "$ws" lint
  cargo run --quiet --locked --bin schemactl -- --workspace "$ws" fmt --check
  cargo run --quiet --locked --bin schemactl -- --workspace "$ws" catalog --format json >/dev/null
  cargo run --quiet --locked --bin schemactl -- --workspace "$ws" publish --against "$db"
  cargo run --quiet --locked --bin schemactl -- --workspace "$ws" check --against "$db"
  cargo run --quiet --locked --bin schemactl -- --workspace "$ws" docs --against "$db" --out "$reg/$(basename "$ws")-site"
  again=$(cargo run --quiet --locked --bin schemactl -- --workspace "$ws" publish --against "$db" 2>&1)
  echo "$again" | tail -n 1
  echo "$again" | grep -q ': 0 registered, ' || { echo "$ws: second publish registered something" >&2; exit 1; }
done
