#!/usr/bin/env bash
# The offline route to a wasm32 Rust toolchain: Debian's rustc-web plus a wasm32 std built
# once from rust-web-src and installed into rustc-web's sysroot. Linked into rustup as the
# toolchain `debian` when rustup exists. Idempotent: a stamp records what was built.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="$root/.build"
log() { printf '\033[1;34m[setup]\033[0m %s\n' "$*" >&2; }
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi

packages=(rustc-web cargo-web rust-web-src rust-web-llvm lld-22)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
  log "installing Debian's rustc-web toolchain: ${missing[*]}"
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi

libdir="$(/usr/bin/rustc --print target-libdir --target wasm32-unknown-unknown)"
want="$(/usr/bin/rustc -vV | awk '/commit-hash/{print $2}') $(dpkg-query -W -f='${Version}' rust-web-src)"
stamp="$libdir/.kontolink-sysroot-stamp"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  log "building the wasm32 standard library for rustc-web (about 40 s)"
  crate="$build/wasm32-std"
  rm -rf "$crate"
  mkdir -p "$crate/src"
  cat >"$crate/Cargo.toml" <<'EOF'
[package]
name = "kontolink-wasm32-std"
version = "0.0.0"
edition = "2021"

[lib]
crate-type = ["rlib"]

[workspace]
EOF
  echo '#![no_std]' >"$crate/src/lib.rs"
  (cd "$crate" && RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1 RUSTFLAGS="-C embed-bitcode=yes" \
    /usr/bin/cargo build --release --target wasm32-unknown-unknown -Z build-std=std,panic_abort,test)
  "${sudo_cmd[@]}" mkdir -p "$libdir"
  find "$crate/target/wasm32-unknown-unknown/release/deps" -name 'lib*.r*' \
    ! -name 'libkontolink_wasm32_std*' -exec "${sudo_cmd[@]}" cp {} "$libdir/" \;
  echo "$want" | "${sudo_cmd[@]}" tee "$stamp" >/dev/null
fi

if command -v rustup >/dev/null 2>&1 && ! rustup toolchain list | grep -q '^debian'; then
  rustup toolchain link debian /usr
fi
