//! Embeds the built widget: `dist/` (the output of `trunk build --release`) is compiled into
//! the binary by `rust-embed` in `src/widget_files.rs` when it exists at build time. This
//! script only tells Cargo when to look again. A checkout without `dist/` still builds; that
//! binary says at `/` that it carries no widget.
//!
//! Cargo treats a watched path that does not exist as changed on every build, so `dist/` is
//! watched only once it exists; the widget build (`scripts/precompress-widget.sh`, Trunk's
//! post-build hook) touches this file so that the first `dist/` is noticed too.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let dist = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../dist");
    if dist.is_dir() {
        println!("cargo:rerun-if-changed=../dist");
    }
}
