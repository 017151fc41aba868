#!/usr/bin/env bash
# Runs every test: formatting, lints, the server's tests (SQLite and PostgreSQL),
# schemathesis and openapi-spec-validator over /openapi.json on both backends, the
# widget's wasm-bindgen tests in headless Chromium, and the browser end-to-end tests
# against a real server. Does all set-up itself (scripts/setup.sh). Exits non-zero on the
# first failure.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$root"

"$root/scripts/setup.sh"
load_toolchain
# The live FinTS peer (python-fints's test bank, installed by setup.sh) for the FinTS tests.
export KONTOLINK_FINTS_PEER="$root/scripts/fints-peer.sh"
# python-fints's sample messages (from the same sdist) for the codec round-trip test.
export KONTOLINK_PYFINTS_MESSAGES="$root/.build/fints-peer/fints-5.0.1/tests/messages"

log "formatting (cargo fmt --check)"
cargo +stable fmt --all -- --check

# The widget first: the server compiles it into its binary (server/build.rs), and the
# server's tests check the binary serves it (KONTOLINK_REQUIRE_EMBEDDED_WIDGET).
build_widget
export KONTOLINK_REQUIRE_EMBEDDED_WIDGET=1

log "lints (clippy, warnings are errors)"
cargo +stable clippy -p kontolink-api -p kontolink-fints -p kontolink-server --all-targets --features kontolink-fints/testbank --locked -- -D warnings
if [ "$KONTOLINK_WASM_TOOLCHAIN" = "stable" ]; then
  cargo +stable clippy -p kontolink-widget --target wasm32-unknown-unknown --all-targets --locked -- -D warnings
else
  # Debian's toolchain has no clippy; the widget also compiles natively, so lint it there.
  cargo +stable clippy -p kontolink-widget --all-targets --locked -- -D warnings
fi

log "server, FinTS client and wire-type tests"
cargo test -p kontolink-api -p kontolink-fints -p kontolink-server --features kontolink-fints/testbank --locked

log "the API against its OpenAPI document on SQLite (openapi-spec-validator, schemathesis)"
cargo build -p kontolink-server --bin kontolink-server --locked
"$root/scripts/schemathesis.sh"

log "server tests again on PostgreSQL (scripts/postgres.sh)"
trap '"$root/scripts/postgres.sh" stop' EXIT
pg_url="$("$root/scripts/postgres.sh" start)"
KONTOLINK_TEST_DATABASE_URL="$pg_url" cargo test -p kontolink-server --locked
log "the API against its OpenAPI document on PostgreSQL"
"$root/scripts/schemathesis.sh" "$pg_url"
"$root/scripts/postgres.sh" stop

log "widget tests (wasm-bindgen-test in headless Chromium)"
CHROMEDRIVER=/usr/bin/chromedriver WASM_BINDGEN_TEST_TIMEOUT=180 \
  "${wasm_env[@]}" cargo test -p kontolink-widget --target wasm32-unknown-unknown --locked

log "building the server (with the widget inside) and the FinTS test bank for the end-to-end tests"
cargo build -p kontolink-server --bin kontolink-server --example fints_test_bank --locked

log "browser end-to-end tests (playwright-core + Chromium against a real server, its embedded widget)"
KONTOLINK_SERVER_BIN="$target_dir/debug/kontolink-server" \
  KONTOLINK_FINTS_TEST_BANK_BIN="$target_dir/debug/examples/fints_test_bank" \
  npm --prefix "$root/tests/e2e" test

log "all tests passed"
