# Shared by run.sh and test.sh (sourced, not run).
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$HOME/.cargo/bin:$PATH"
# CI clones the repository afresh for every run: there, keep Cargo's build output in one
# place outside the clone so a run after the first rebuilds only the workspace's own crates.
if [ "${CI:-}" = "true" ] && [ -z "${CARGO_TARGET_DIR:-}" ]; then
  export CARGO_TARGET_DIR="$HOME/.cache/kontolink/ci-target"
fi
target_dir="${CARGO_TARGET_DIR:-$root/target}"

log() { printf '\033[1;34m[kontolink]\033[0m %s\n' "$*" >&2; }

# The toolchain scripts/setup.sh chose for wasm32 (stable through rustup, or Debian's).
load_toolchain() {
  # shellcheck source=/dev/null
  . "$root/.build/toolchain.env"
  if [ "$KONTOLINK_WASM_TOOLCHAIN" = "debian" ]; then
    if command -v rustup >/dev/null 2>&1; then
      wasm_env=(env RUSTUP_TOOLCHAIN=debian)
    else
      wasm_env=(env PATH="/usr/bin:$PATH")
    fi
  else
    wasm_env=(env RUSTUP_TOOLCHAIN=stable)
  fi
}

# `trunk build --release` into dist/ (Trunk reuses its cache; about 10 s after an edit).
build_widget() {
  log "building the widget (trunk build --release)"
  (cd "$root" && "${wasm_env[@]}" trunk build --release)
}
