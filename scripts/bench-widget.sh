#!/usr/bin/env bash
# Benchmark of the widget (not a test): size of what the browser loads (wasm, JS, CSS: raw,
# gzip, brotli), the bytes the real server sends with `Accept-Encoding: br` (page + JS +
# wasm + CSS, the widget compiled into the binary), and the time to mount in headless
# Chromium against that server (fresh profiles), and the bank search: input event → first
# result on screen.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$root"
"$root/scripts/setup.sh"
load_toolchain
build_widget
# The optimised server, as a user would run it (scripts/run.sh builds the same profile).
cargo build -p kontolink-server --profile server --bin kontolink-server --locked
server_bin="$target_dir/server/kontolink-server"

printf '\n%-44s %10s %10s %10s\n' "file (dist/)" "raw B" "gzip B" "brotli B"
total_raw=0; total_gz=0; total_br=0
for file in dist/*.wasm dist/*.js dist/*.css dist/index.html; do
  raw=$(stat -c %s "$file")
  gz=$(gzip -9 -c "$file" | wc -c)
  br=$(brotli -q 11 -c "$file" | wc -c)
  total_raw=$((total_raw + raw)); total_gz=$((total_gz + gz)); total_br=$((total_br + br))
  printf '%-44s %10d %10d %10d\n' "$(basename "$file")" "$raw" "$gz" "$br"
done
printf '%-44s %10d %10d %10d\n\n' "total" "$total_raw" "$total_gz" "$total_br"

KONTOLINK_SERVER_BIN="$server_bin" node "$root/tests/e2e/bench/transfer.mjs"
KONTOLINK_SERVER_BIN="$server_bin" node "$root/tests/e2e/bench/mount.mjs"
KONTOLINK_SERVER_BIN="$server_bin" node "$root/tests/e2e/bench/search.mjs"
