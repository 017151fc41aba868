# Shared by the server benchmarks (sourced, not run): one example program run on a fresh
# SQLite file, then on a fresh database of the durable PostgreSQL cluster
# (KONTOLINK_PG_DURABLE=1 scripts/postgres.sh: fsync, synchronous_commit and
# full_page_writes on, as in production), stopped at the end if started here.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# bench_both_backends EXAMPLE SUMMARY_REGEX
bench_both_backends() {
  local example="$1" summary="$2" profile="${BENCH_PROFILE:-server}"
  log "building $example (--profile $profile)"
  (cd "$root" && cargo build --profile "$profile" -p kontolink-server --example "$example")
  local bench="$target_dir/$profile/examples/$example"
  bench_out="$(mktemp -d)"
  bench_pg_started=0
  trap 'rm -rf "$bench_out"; if [ "$bench_pg_started" = 1 ]; then KONTOLINK_PG_DURABLE=1 "$root/scripts/postgres.sh" stop; fi' EXIT

  log "$example on SQLite"
  (cd "$bench_out" && "$bench") | tee "$bench_out/sqlite.txt"

  log "$example on PostgreSQL (durable cluster)"
  local pg_url
  if ! pg_url="$(KONTOLINK_PG_DURABLE=1 "$root/scripts/postgres.sh" status 2>/dev/null)"; then
    pg_url="$(KONTOLINK_PG_DURABLE=1 "$root/scripts/postgres.sh" start)"
    bench_pg_started=1
  fi
  (cd "$bench_out" && "$bench" "$pg_url") | tee "$bench_out/postgres.txt"

  printf '\n== SQLite (synchronous=FULL) ==\n'
  grep -E "$summary" "$bench_out/sqlite.txt"
  printf '\n== PostgreSQL (fsync=on, synchronous_commit=on) ==\n'
  grep -E "$summary" "$bench_out/postgres.txt"
}
