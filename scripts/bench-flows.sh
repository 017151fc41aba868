#!/usr/bin/env bash
# The end-user flow benchmark (server/examples/flow_bench.rs) on both backends, durable:
# 1,000 flows started at once through the widget's HTTP API (one server on SQLite, two
# servers on one PostgreSQL database); flow duration p50/p95, queue wait, failures, 5xx.
#
#   scripts/bench-flows.sh
#   BENCH_FLOWS=200 BENCH_LATENCY_MS=200 BENCH_SERVERS=2 scripts/bench-flows.sh
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/bench-lib.sh"
bench_both_backends flow_bench 'flow_bench:'
