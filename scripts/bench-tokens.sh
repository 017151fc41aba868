#!/usr/bin/env bash
# The token endpoint benchmark (server/examples/token_bench.rs) on both backends, durable:
# refresh-token rotations over loopback HTTP at 1, 8, 32 and 64 rotating chains; grants/s,
# median and p99 per level.
#
#   scripts/bench-tokens.sh                          2,000 rotations per level
#   BENCH_ROTATIONS=10000 BENCH_CHAINS=64 scripts/bench-tokens.sh
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/bench-lib.sh"
bench_both_backends token_bench 'token_bench:'
