#!/usr/bin/env bash
# The engine benchmark (server/examples/engine_bench.rs) on both backends: first on a fresh
# SQLite file, then on a fresh database of the durable throw-away PostgreSQL cluster
# (`KONTOLINK_PG_DURABLE=1 scripts/postgres.sh`: fsync and synchronous_commit on, as in
# production; stopped at the end if started here), and both results side by side. The
# plain test cluster (fsync=off) is never used: a figure without durability does not count.
#
#   scripts/bench-engine.sh                    10,000 syncs per backend
#   BENCH_SYNCS=500 scripts/bench-engine.sh    a quick run
#
# BENCH_PRODUCERS, BENCH_CONCURRENCY, BENCH_LATENCY_MS and BENCH_SYNC_PERIOD pass through to
# the benchmark.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

export BENCH_SYNCS="${BENCH_SYNCS:-10000}"
profile="${BENCH_PROFILE:-server}"

log "building the benchmark (--profile $profile)"
cargo build --profile "$profile" -p kontolink-server --example engine_bench
bench="$target_dir/$profile/examples/engine_bench"

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

log "engine_bench on SQLite ($BENCH_SYNCS syncs)"
# SQLite has one writer at a time and its waiting writers retry on a busy timeout (10 s):
# until the store batches them through one writer, more than 16 producers next to 1,024
# jobs can starve one past that timeout ("database is locked").
(cd "$out" && BENCH_PRODUCERS="${BENCH_PRODUCERS:-16}" "$bench") | tee "$out/sqlite.txt"

log "engine_bench on PostgreSQL ($BENCH_SYNCS syncs)"
started_here=0
export KONTOLINK_PG_DURABLE=1
if ! pg_url="$("$root/scripts/postgres.sh" status 2>/dev/null)"; then
  pg_url="$("$root/scripts/postgres.sh" start)"
  started_here=1
fi
trap 'rm -rf "$out"; if [ "$started_here" = 1 ]; then "$root/scripts/postgres.sh" stop; fi' EXIT
(cd "$out" && "$bench" "$pg_url") | tee "$out/postgres.txt"

printf '\n== SQLite ==\n'
grep -E 'engine_bench|throughput|wall time|completed|peak RSS' "$out/sqlite.txt"
printf '\n== PostgreSQL ==\n'
grep -E 'engine_bench|throughput|wall time|completed|peak RSS' "$out/postgres.txt"
