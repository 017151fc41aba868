//! The widget page's `Content-Security-Policy`. Nothing but the widget's own files runs:
//! scripts from this origin plus Trunk's inline loader, allowed by the SHA-256 of its text
//! (read from the built `index.html`, so a rebuild needs no configuration), WebAssembly
//! compilation (`'wasm-unsafe-eval'`, not `'unsafe-eval'`), requests to this origin only,
//! images from this origin or `data:` (photoTAN), no plugins, no `<base>`, no form posts;
//! `frame-ancestors` names who may embed it.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use sha2::{Digest, Sha256};

/// The CSP source expressions (`'sha256-…'`) of every inline `<script>` of `html`.
pub fn inline_script_hashes(html: &str) -> Vec<String> {
    let mut hashes = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<script") {
        let after = &rest[start..];
        let Some(open_end) = after.find('>') else {
            break;
        };
        let attributes = &after[..open_end];
        let body_and_more = &after[open_end + 1..];
        let Some(close) = body_and_more.find("</script>") else {
            break;
        };
        if !attributes.contains("src=") {
            let digest = Sha256::digest(&body_and_more.as_bytes()[..close]);
            hashes.push(format!("'sha256-{}'", STANDARD.encode(digest)));
        }
        rest = &body_and_more[close + "</script>".len()..];
    }
    hashes
}

/// The whole policy for the page, given the inline script hashes and `frame-ancestors`.
pub fn widget_policy(script_hashes: &[String], frame_ancestors: &str) -> String {
    let mut scripts = vec!["'self'", "'wasm-unsafe-eval'"];
    scripts.extend(script_hashes.iter().map(String::as_str));
    format!(
        "default-src 'self'; script-src {}; style-src 'self' 'unsafe-inline'; \
         img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; \
         form-action 'none'; frame-ancestors {frame_ancestors}",
        scripts.join(" ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_scripts_are_hashed_and_external_ones_are_not() {
        let html = r#"<head><script type="module">import init from '/w.js';
await init();
</script><script src="/x.js"></script><script>a()</script></head>"#;
        let hashes = inline_script_hashes(html);
        let expected = |text: &str| format!("'sha256-{}'", STANDARD.encode(Sha256::digest(text)));
        assert_eq!(
            hashes,
            vec![
                expected("import init from '/w.js';\nawait init();\n"),
                expected("a()")
            ]
        );
    }

    #[test]
    fn a_page_without_inline_scripts_allows_only_its_own_files() {
        let policy = widget_policy(&inline_script_hashes("<p>no scripts</p>"), "'none'");
        assert!(policy.contains("script-src 'self' 'wasm-unsafe-eval';"));
        assert!(policy.ends_with("frame-ancestors 'none'"));
        assert!(!policy.contains("'unsafe-eval'"));
    }
}
