#!/usr/bin/env bash
# The main job: set up, build the widget, start kontolink-server on SQLite with the demo
# client and the sandbox bank, and print the demo URL. Ctrl-C stops it.
#
# For a FinTS connection on this machine, the demo also starts the scripted FinTS test bank
# (server/examples/fints_test_bank.rs) on loopback and points the catalog's "Bundesbank"
# (BLZ 10000000, no FinTS server of its own) at it.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$root"

"$root/scripts/setup.sh"
load_toolchain
build_widget
log "building the server (the widget compiled in) and the FinTS test bank"
cargo build -p kontolink-server --profile server --locked --bin kontolink-server --example fints_test_bank

bank_out="$(mktemp)"
"$target_dir/server/examples/fints_test_bank" 127.0.0.1:0 >"$bank_out" &
bank_pid=$!
trap 'kill "$bank_pid" 2>/dev/null; rm -f "$bank_out"' EXIT
for _ in $(seq 100); do grep -q '^LISTENING ' "$bank_out" && break; sleep 0.1; done
bank_url="$(sed -n 's/^LISTENING //p' "$bank_out")"
[ -n "$bank_url" ] || { log "the FinTS test bank did not start"; exit 1; }

listen="${KONTOLINK_LISTEN:-127.0.0.1:8080}"
log "Kontolink demo: http://$listen/demo   (widget at http://$listen/ , API spec at http://$listen/openapi.json)"
log "FinTS demo: search 'Bundesbank' (BLZ 10000000), served by the local FinTS test bank at $bank_url:"
log "  any login, any PIN but 'wrong'/'locked'; chipTAN TAN 123456, or pushTAN (approved on the second check)"
"$target_dir/server/kontolink-server" serve --demo --listen "$listen" \
  --fints-product-id "${KONTOLINK_FINTS_PRODUCT_ID:-KONTOLINKDEMO}" --fints-url "10000000=$bank_url"
