#!/usr/bin/env bash
# Trunk's post-build hook (Trunk.toml): in a release build, writes NAME.br (brotli, quality
# 11) and NAME.gz (gzip -9) beside every file of the widget, so the server can answer
# `Accept-Encoding` with bytes compressed once at build time. Then marks the server for
# re-embedding (server/build.rs watches dist/ only once it exists).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
staging="${TRUNK_STAGING_DIR:?run by trunk as a post_build hook}"
if [ "${TRUNK_PROFILE:-}" = "release" ]; then
  find "$staging" -maxdepth 1 -type f ! -name '.*' ! -name '*.br' ! -name '*.gz' -print0 |
    while IFS= read -r -d '' file; do
      brotli --quality=11 --force --keep --output="$file.br" "$file"
      gzip -9 --no-name --force --keep "$file"
    done
fi
touch "$root/server/build.rs"
