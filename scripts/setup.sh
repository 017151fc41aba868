#!/usr/bin/env bash
# Installs everything the build and the tests need, on a fresh Debian machine that reaches
# only the package registries. Idempotent: every step checks first, so a second run takes
# about a second. Chooses the toolchain for the widget itself and writes the choice to
# .build/toolchain.env for the other scripts:
#   - rustup's wasm32-unknown-unknown target when it can be had (the normal laptop way),
#   - else Debian's rustc-web with a wasm32 std built once into its sysroot.
# Nothing is written into the repository except .build/ and tests/e2e/node_modules/.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="$root/.build"
mkdir -p "$build"
export PATH="$HOME/.cargo/bin:$PATH"

log() { printf '\033[1;34m[setup]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[setup]\033[0m %s\n' "$*" >&2; exit 1; }

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi

# Versions, all in one place. wasm-bindgen must equal the pin in Cargo.toml/Cargo.lock.
wasm_bindgen_version="$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/version = |"/, ""); print; exit}' "$root/Cargo.lock")"
trunk_version="0.22.1"
binaryen_version="132.0.0"

# --- Debian packages -----------------------------------------------------------------
apt_packages=(chromium chromium-driver libaqbanking-data libhbci4j-core-java postgresql brotli pkg-config gcc curl ca-certificates)
command -v node >/dev/null 2>&1 || apt_packages+=(nodejs)
command -v npm >/dev/null 2>&1 || apt_packages+=(npm)
missing=()
for package in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
  log "installing Debian packages: ${missing[*]}"
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# --- Rust for the server (native) ------------------------------------------------------
if ! command -v cargo >/dev/null 2>&1; then
  die "no cargo found: install Rust with rustup (https://rustup.rs) or Debian's cargo, then run again"
fi
if command -v rustup >/dev/null 2>&1; then
  for component in rustfmt clippy; do
    rustup component list --installed --toolchain stable 2>/dev/null | grep -q "^$component" \
      || { log "adding rustup component $component"; rustup component add --toolchain stable "$component"; }
  done
fi

# --- Rust for the widget (wasm32) -----------------------------------------------------
wasm_toolchain=""
if command -v rustup >/dev/null 2>&1; then
  if rustup target list --installed --toolchain stable 2>/dev/null | grep -q '^wasm32-unknown-unknown$'; then
    wasm_toolchain="stable"
  elif [ ! -f "$build/rustup-wasm32-failed" ]; then
    log "adding the wasm32 target through rustup (bounded to 300 s)"
    if timeout 300 rustup target add --toolchain stable wasm32-unknown-unknown; then
      wasm_toolchain="stable"
    else
      log "rustup could not fetch the wasm32 target; taking Debian's rustc-web route"
      touch "$build/rustup-wasm32-failed"
    fi
  fi
fi
if [ -z "$wasm_toolchain" ]; then
  "$root/scripts/setup-debian-wasm.sh"
  wasm_toolchain="debian"
fi
cat >"$build/toolchain.env" <<EOF
# Written by scripts/setup.sh: the toolchain that builds the widget for wasm32.
export KONTOLINK_WASM_TOOLCHAIN=$wasm_toolchain
EOF

# --- wasm-bindgen-cli, trunk, wasm-opt ------------------------------------------------
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$wasm_bindgen_version" ]; then
  log "installing wasm-bindgen-cli $wasm_bindgen_version (about 3 minutes)"
  # Not --locked: its lockfile pins a webpki-roots version the registry lacks.
  cargo install wasm-bindgen-cli --version "$wasm_bindgen_version" --force
fi
if [ "$(trunk --version 2>/dev/null | awk '{print $2}')" != "$trunk_version" ]; then
  log "installing trunk $trunk_version (about 9 minutes)"
  CARGO_PROFILE_RELEASE_LTO=off CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
    cargo install trunk --version "$trunk_version" --locked --ignore-rust-version --force
fi
# Never Debian's binaryen (108): the app then dies at load in the browser.
if ! wasm-opt --version 2>/dev/null | grep -q "version ${binaryen_version%%.*}"; then
  log "installing wasm-opt (binaryen $binaryen_version from npm)"
  "${sudo_cmd[@]}" npm install -g --no-fund --no-audit "binaryen@$binaryen_version" >/dev/null
fi

# --- playwright-core for the browser end-to-end tests ---------------------------------
e2e="$root/tests/e2e"
stamp="$e2e/node_modules/.kontolink-lock-stamp"
if [ ! -f "$stamp" ] || ! cmp -s "$e2e/package-lock.json" "$stamp"; then
  log "installing the end-to-end test dependencies (playwright-core; Debian's Chromium is the browser)"
  (cd "$e2e" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-fund --no-audit --silent)
  cp "$e2e/package-lock.json" "$stamp"
fi

# --- python-fints's fake FinTS bank as a live test peer (scripts/fints-peer.sh) ----------
# Its sdist (LGPL-3.0, never committed here) ships tests/conftest.py with a fake bank that
# tests/fints-peer/serve.py starts; the package and its dependencies go into a venv.
fints_peer_version="5.0.1"
fints_peer="$build/fints-peer"
fints_peer_stamp="$fints_peer/stamp"
if [ "$(cat "$fints_peer_stamp" 2>/dev/null)" != "fints==$fints_peer_version" ] \
  || [ ! -x "$fints_peer/venv/bin/python" ] \
  || [ ! -f "$fints_peer/fints-$fints_peer_version/tests/conftest.py" ]; then
  log "installing the FinTS test peer (python-fints $fints_peer_version sdist and a venv)"
  command -v python3 >/dev/null 2>&1 || die "no python3 found: the FinTS test peer needs Python 3.11 or newer"
  if ! python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then
    "${sudo_cmd[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq python3-venv >/dev/null
  fi
  rm -f "$fints_peer_stamp"
  mkdir -p "$fints_peer"
  [ -x "$fints_peer/venv/bin/python" ] || python3 -m venv "$fints_peer/venv"
  fints_peer_sdist="$fints_peer/fints-$fints_peer_version.tar.gz"
  if [ ! -f "$fints_peer_sdist" ]; then
    "$fints_peer/venv/bin/python" -m pip download --quiet --disable-pip-version-check \
      --no-binary :all: --no-deps "fints==$fints_peer_version" -d "$fints_peer"
  fi
  rm -rf "$fints_peer/fints-$fints_peer_version"
  tar -xzf "$fints_peer_sdist" -C "$fints_peer"
  "$fints_peer/venv/bin/python" -m pip install --quiet --disable-pip-version-check "$fints_peer_sdist"
  "$fints_peer/venv/bin/python" -c 'import fints.parser, fints.segments.message, fints.formals' \
    || die "python-fints $fints_peer_version does not import in $fints_peer/venv"
  echo "fints==$fints_peer_version" >"$fints_peer_stamp"
fi

# --- schemathesis and openapi-spec-validator for the API checks (scripts/schemathesis.sh) -
# Pinned; one venv per version under the user's cache, shared by every checkout and clone.
schemathesis_pins="schemathesis==4.32.5 openapi-spec-validator==0.7.2"
schemathesis_venv="${XDG_CACHE_HOME:-$HOME/.cache}/kontolink/schemathesis-venv"
if [ "$(cat "$schemathesis_venv/stamp" 2>/dev/null)" != "$schemathesis_pins" ] \
  || [ ! -x "$schemathesis_venv/bin/st" ]; then
  log "installing $schemathesis_pins (a venv in $schemathesis_venv)"
  rm -rf "$schemathesis_venv"
  python3 -m venv "$schemathesis_venv"
  # shellcheck disable=SC2086
  "$schemathesis_venv/bin/python" -m pip install --quiet --disable-pip-version-check $schemathesis_pins
  echo "$schemathesis_pins" >"$schemathesis_venv/stamp"
fi

log "ready (widget toolchain: $wasm_toolchain)"
