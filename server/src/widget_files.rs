//! The built widget's files: compiled into the binary (`dist/` as it was when the server was
//! built, see `build.rs`), or read from a directory (`--widget-dir`, for development). Each
//! file may have siblings `NAME.br` and `NAME.gz`, compressed once at build time
//! (`scripts/precompress-widget.sh`); [`WidgetFiles::get`] picks the one the browser accepts.

use std::borrow::Cow;
use std::path::{Component, Path};

/// `dist/` at build time; nothing when it did not exist (the binary then says so at `/`).
#[derive(rust_embed::Embed)]
#[folder = "../dist"]
#[allow_missing = true]
#[exclude = ".*"]
struct Embedded;

/// Where the widget's files come from.
#[derive(Debug, Clone, Copy)]
pub enum WidgetFiles<'a> {
    /// Compiled into this binary.
    Embedded,
    /// A directory read at request time (`--widget-dir`).
    Dir(&'a Path),
}

/// How a file's bytes are encoded (`Content-Encoding`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Brotli,
    Gzip,
    Identity,
}

impl Encoding {
    /// The `Content-Encoding` value; `None` for the identity.
    pub fn header(self) -> Option<&'static str> {
        match self {
            Encoding::Brotli => Some("br"),
            Encoding::Gzip => Some("gzip"),
            Encoding::Identity => None,
        }
    }

    fn suffix(self) -> &'static str {
        match self {
            Encoding::Brotli => ".br",
            Encoding::Gzip => ".gz",
            Encoding::Identity => "",
        }
    }

    /// The encodings to try for an `Accept-Encoding` header, best first; the identity last.
    pub fn preferred(accept_encoding: Option<&str>) -> Vec<Encoding> {
        let accepts = |name: &str| {
            accept_encoding.is_some_and(|header| {
                header.split(',').any(|item| {
                    let mut parts = item.split(';').map(str::trim);
                    let coding = parts.next().unwrap_or_default();
                    let refused = parts.any(|p| {
                        p.strip_prefix("q=")
                            .and_then(|q| q.trim().parse::<f32>().ok())
                            .is_some_and(|q| q <= 0.0)
                    });
                    coding.eq_ignore_ascii_case(name) && !refused
                })
            })
        };
        let mut encodings = Vec::new();
        if accepts("br") {
            encodings.push(Encoding::Brotli);
        }
        if accepts("gzip") {
            encodings.push(Encoding::Gzip);
        }
        encodings.push(Encoding::Identity);
        encodings
    }
}

/// One file as it goes to the browser.
pub struct WidgetFile {
    pub bytes: Cow<'static, [u8]>,
    pub encoding: Encoding,
}

impl<'a> WidgetFiles<'a> {
    /// The directory when one is given, else the embedded files.
    pub fn new(dir: Option<&'a Path>) -> WidgetFiles<'a> {
        dir.map_or(WidgetFiles::Embedded, WidgetFiles::Dir)
    }

    /// Whether this binary was built with the widget inside.
    pub fn embedded() -> bool {
        Embedded::get("index.html").is_some()
    }

    /// Whether the widget's page is there to serve.
    pub fn present(self) -> bool {
        match self {
            WidgetFiles::Embedded => Self::embedded(),
            WidgetFiles::Dir(dir) => dir.join("index.html").is_file(),
        }
    }

    /// For the start-up log.
    pub fn describe(self) -> String {
        match self {
            WidgetFiles::Embedded if Self::embedded() => "embedded in the binary".to_owned(),
            WidgetFiles::Embedded => "none: this binary was built without the widget \
                (build it with `trunk build --release` before the server, or pass --widget-dir)"
                .to_owned(),
            WidgetFiles::Dir(dir) => format!("{} (--widget-dir)", dir.display()),
        }
    }

    /// The file `name` (a path relative to the widget's root), in the first of `encodings`
    /// that exists. `None` when there is no such file or the name leaves the root.
    pub async fn get(self, name: &str, encodings: &[Encoding]) -> Option<WidgetFile> {
        let relative = Path::new(name);
        if name.is_empty()
            || name.contains('\\')
            || !relative
                .components()
                .all(|c| matches!(c, Component::Normal(_)))
        {
            return None;
        }
        for &encoding in encodings {
            let variant = format!("{name}{}", encoding.suffix());
            if let Some(bytes) = self.read(&variant).await {
                return Some(WidgetFile { bytes, encoding });
            }
        }
        None
    }

    async fn read(self, name: &str) -> Option<Cow<'static, [u8]>> {
        match self {
            WidgetFiles::Embedded => Embedded::get(name).map(|file| file.data),
            WidgetFiles::Dir(dir) => {
                let path = dir.join(name);
                if !tokio::fs::metadata(&path).await.ok()?.is_file() {
                    return None;
                }
                tokio::fs::read(path).await.ok().map(Cow::Owned)
            }
        }
    }
}

/// Whether `name` carries a content hash (Trunk's `NAME-<hex>.EXT`, `NAME-<hex>_bg.wasm`):
/// such a file never changes under its name and may be cached for good.
pub fn is_hashed(name: &str) -> bool {
    let file = name.rsplit('/').next().unwrap_or(name);
    let stem = file.split('.').next().unwrap_or(file);
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    // Trunk writes its 64-bit hash in hex without leading zeros: 16 digits, or fewer one
    // time in sixteen (15), 256 (14) … A word of 8 or more hex digits is no file's name.
    stem.rsplit_once('-').is_some_and(|(_, hash)| {
        (8..=16).contains(&hash.len()) && hash.bytes().all(|b| b.is_ascii_hexdigit())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brotli_is_preferred_then_gzip_and_a_zero_quality_refuses() {
        use Encoding::*;
        assert_eq!(
            Encoding::preferred(Some("gzip, deflate, br, zstd")),
            [Brotli, Gzip, Identity]
        );
        assert_eq!(Encoding::preferred(Some("gzip;q=0.5")), [Gzip, Identity]);
        assert_eq!(Encoding::preferred(Some("br;q=0, gzip")), [Gzip, Identity]);
        assert_eq!(Encoding::preferred(None), [Identity]);
    }

    #[test]
    fn trunks_hashed_names_are_recognised() {
        assert!(is_hashed("kontolink-widget-1fc60187910064ee_bg.wasm"));
        assert!(is_hashed("kontolink-widget-390517b1ef5c3589.js"));
        assert!(is_hashed("main-737752263d7979d7.css"));
        // A hash with a leading zero dropped.
        assert!(is_hashed("kontolink-widget-4f944940f9553a5.js"));
        assert!(is_hashed("kontolink-widget-33c9afeec6dcf83_bg.wasm"));
        assert!(!is_hashed("kontolink-widget-1fc60187910064ee0.js"));
        assert!(!is_hashed("index.html"));
        assert!(!is_hashed("kontolink.js"));
        assert!(!is_hashed("my-widget.js"));
    }

    #[tokio::test]
    async fn a_directory_serves_the_compressed_sibling_and_nothing_outside() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.js"), "raw").unwrap();
        std::fs::write(dir.path().join("a.js.br"), "brotli").unwrap();
        let files = WidgetFiles::Dir(dir.path());
        let br = [Encoding::Brotli, Encoding::Identity];
        let file = files.get("a.js", &br).await.unwrap();
        assert_eq!(
            (&*file.bytes, file.encoding),
            (&b"brotli"[..], Encoding::Brotli)
        );
        let file = files
            .get("a.js", &[Encoding::Gzip, Encoding::Identity])
            .await;
        assert_eq!(file.unwrap().encoding, Encoding::Identity);
        assert!(files.get("../a.js", &br).await.is_none());
        assert!(files.get("/etc/passwd", &br).await.is_none());
        assert!(files.get("", &br).await.is_none());
    }
}
