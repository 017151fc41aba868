//! The single file: a copy of the binary in an empty folder serves the widget (precompressed,
//! cached as a browser expects), the demo and the API, with nothing beside it.

use crate::process::{Server, binary};

/// `scripts/test.sh` builds the widget before the server and sets this: there, a binary
/// without the widget is a failure rather than the other branch of this test.
const REQUIRE_WIDGET: &str = "KONTOLINK_REQUIRE_EMBEDDED_WIDGET";

#[tokio::test]
async fn a_copy_of_the_binary_in_an_empty_folder_serves_the_widget_the_demo_and_the_api() {
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("kontolink-server");
    std::fs::copy(binary(), &copy).unwrap();
    let server = Server::start(&copy, dir.path(), &["--demo"], &[]).await;
    // Without reqwest's decompression features: the bytes as they travel.
    let http = reqwest::Client::new();

    for path in ["/demo", "/openapi.json", "/healthz", "/kontolink.js"] {
        let response = http.get(server.url(path)).send().await.unwrap();
        assert_eq!(response.status(), 200, "{path}");
    }

    let page = http
        .get(server.url("/"))
        .header("accept-encoding", "gzip, deflate, br")
        .send()
        .await
        .unwrap();
    if !kontolink_server::widget_files::WidgetFiles::embedded() {
        assert!(
            std::env::var_os(REQUIRE_WIDGET).is_none(),
            "{REQUIRE_WIDGET} is set, but this binary was built without dist/"
        );
        assert_eq!(page.status(), 503);
        let text = page.text().await.unwrap();
        assert!(text.contains("built without the widget"), "{text}");
        assert!(server.log_text().contains("built without the widget"));
        return;
    }
    assert_eq!(page.status(), 200);
    let header = |response: &reqwest::Response, name: &str| {
        response.headers()[name].to_str().unwrap().to_owned()
    };
    assert_eq!(header(&page, "content-encoding"), "br");
    assert_eq!(header(&page, "cache-control"), "no-cache");
    assert_eq!(header(&page, "vary"), "accept-encoding");
    assert!(header(&page, "content-security-policy").contains("frame-ancestors 'none'"));
    // The page as text, to find its wasm.
    let html = http
        .get(server.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let wasm = html
        .split(['"', '\''])
        .find(|part| part.ends_with("_bg.wasm"))
        .unwrap_or_else(|| panic!("no wasm in the page: {html}"))
        .trim_start_matches('/')
        .to_owned();

    let compressed = http
        .get(server.url(&format!("/{wasm}")))
        .header("accept-encoding", "gzip, deflate, br")
        .send()
        .await
        .unwrap();
    assert_eq!(compressed.status(), 200);
    assert_eq!(header(&compressed, "content-type"), "application/wasm");
    assert_eq!(header(&compressed, "content-encoding"), "br");
    assert_eq!(header(&compressed, "vary"), "accept-encoding");
    assert_eq!(
        header(&compressed, "cache-control"),
        "public, max-age=31536000, immutable"
    );
    let compressed = compressed.bytes().await.unwrap();

    let gzip = http
        .get(server.url(&format!("/{wasm}")))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(header(&gzip, "content-encoding"), "gzip");
    let raw = http
        .get(server.url(&format!("/{wasm}")))
        .send()
        .await
        .unwrap();
    assert!(raw.headers().get("content-encoding").is_none());
    let raw = raw.bytes().await.unwrap();
    assert!(raw.starts_with(b"\0asm"), "the identity is the wasm itself");
    assert!(
        compressed.len() < raw.len() / 2,
        "{} vs {}",
        compressed.len(),
        raw.len()
    );
}
