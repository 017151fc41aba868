#!/usr/bin/env bash
# The main job: set up, build the widget, start kontolink-server on SQLite with the demo
# client and the sandbox bank, and print the demo URL. Ctrl-C stops it.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$root"

"$root/scripts/setup.sh"
load_toolchain
build_widget
log "building the server"
cargo build -p kontolink-server --profile server --locked

listen="${KONTOLINK_LISTEN:-127.0.0.1:8080}"
log "Kontolink demo: http://$listen/demo   (widget at http://$listen/ , API spec at http://$listen/openapi.json)"
exec "$target_dir/server/kontolink-server" serve --demo --listen "$listen" --widget-dir "$root/dist"
