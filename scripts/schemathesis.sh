#!/usr/bin/env bash
# The API as third-party clients see it: openapi-spec-validator over /openapi.json, then
# schemathesis with every check it has, against a real server on loopback (started and
# stopped here, on a fresh database) for each kind of caller: the integrator (HTTP Basic),
# an access token, a widget session (data, catalog, then the widget endpoints that end the
# flow), and the endpoints without authentication.
#
#   scripts/schemathesis.sh                      on a fresh SQLite file
#   scripts/schemathesis.sh postgres://…/db      on that (empty) PostgreSQL database
#
# Needs the debug server binary (cargo build -p kontolink-server) and scripts/setup.sh's venv.
# SCHEMATHESIS_EXAMPLES (default 30) bounds the examples per operation and phase.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

venv="${XDG_CACHE_HOME:-$HOME/.cache}/kontolink/schemathesis-venv"
server="${KONTOLINK_SERVER_BIN:-$target_dir/debug/kontolink-server}"
[ -x "$server" ] || { log "no server binary at $server (cargo build -p kontolink-server)"; exit 1; }
work="$(mktemp -d)"
database="${1:-sqlite://$work/kontolink.db}"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
base="http://127.0.0.1:$port"

"$server" serve --listen "127.0.0.1:$port" --database-url "$database" \
  --vault-key-file "$work/vault.key" --widget-dir "$work" --demo \
  --rate-limit-widget 1000000/100000 --rate-limit-token 1000000/100000 \
  --rate-limit-access 1000000/100000 --rate-limit-credentials-client 1000000/100000 \
  --rate-limit-credentials-flow 1000000/100000 >"$work/server.log" 2>&1 &
server_pid=$!
stop() {
  kill "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap stop EXIT
for _ in $(seq 1 100); do
  curl -fsS "$base/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done
curl -fsS "$base/openapi.json" >"$work/openapi.json"

log "openapi-spec-validator over /openapi.json"
"$venv/bin/openapi-spec-validator" "$work/openapi.json"

eval "$("$venv/bin/python" "$root/tests/schemathesis/credentials.py" "$base")"
st() {
  log "schemathesis: $1"
  shift
  "$venv/bin/st" --config-file "$root/tests/schemathesis/schemathesis.toml" run "$base/openapi.json" \
    --checks all --phases examples,coverage,fuzzing --continue-on-failure \
    --max-examples "${SCHEMATHESIS_EXAMPLES:-30}" --workers 1 --seed 1 "$@" \
    || { log "schemathesis failed; the server's log: $work/server.log"; tail -n 20 "$work/server.log" >&2; return 1; }
}
status=0
st "integrator (HTTP Basic)" -a demo:demo-secret --include-tag integrator --include-tag oauth || status=1
st "access token" -H "Authorization: Bearer $ACCESS_TOKEN" --include-tag data --include-tag catalog || status=1
st "widget session: data and catalog" -H "Authorization: Bearer $SESSION_TOKEN" \
  --include-tag data --include-tag catalog || status=1
st "widget session: the widget's endpoints" -H "Authorization: Bearer $SESSION_TOKEN" \
  --include-tag widget || status=1
st "without authentication" --include-tag sandbox --include-tag operations || status=1
exit "$status"
