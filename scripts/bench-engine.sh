#!/usr/bin/env bash
# The engine benchmark (server/examples/engine_bench.rs) on both backends: a fresh SQLite
# file, then a fresh database of the durable throw-away PostgreSQL cluster
# (`KONTOLINK_PG_DURABLE=1 scripts/postgres.sh`: fsync and synchronous_commit on, as in
# production), and both results side by side (scripts/bench-lib.sh). The plain test cluster
# (fsync=off) is never used: a figure without durability does not count.
#
#   scripts/bench-engine.sh                    10,000 syncs per backend
#   BENCH_SYNCS=500 scripts/bench-engine.sh    a quick run
#
# BENCH_PRODUCERS, BENCH_CONCURRENCY, BENCH_LATENCY_MS and BENCH_SYNC_PERIOD pass through to
# the benchmark.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/bench-lib.sh"
export BENCH_SYNCS="${BENCH_SYNCS:-10000}"
bench_both_backends engine_bench 'engine_bench|throughput|wall time|completed|peak RSS'
