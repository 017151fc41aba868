//! The end of a flow (contract §5.7): a top-level window navigates to
//! `redirect?code=…&state=…&success=true`; an iframe posts exactly one message
//! `{"link": redirect, "query": {…}}` to its parent, addressed to the redirect's origin.
//!
//! ```
//! use kontolink_api::FinishQuery;
//! use kontolink_widget::finish::finish_url;
//! let query = FinishQuery { state: Some("a b".into()), success: "false".into(),
//!     cancel: Some("true".into()), ..FinishQuery::default() };
//! assert_eq!(finish_url("https://app.example/cb?x=1", &query),
//!     "https://app.example/cb?x=1&state=a+b&success=false&cancel=true");
//! ```

use std::cell::Cell;

use kontolink_api::{FinishQuery, FinishRedirect};
use serde_json::{Map, Value};

/// The query's fields in the contract's order, absent ones left out.
pub fn query_pairs(query: &FinishQuery) -> Vec<(&'static str, &str)> {
    [
        ("code", query.code.as_deref()),
        ("state", query.state.as_deref()),
        ("success", Some(query.success.as_str())),
        ("cancel", query.cancel.as_deref()),
        ("error", query.error.as_deref()),
    ]
    .into_iter()
    .filter_map(|(key, value)| value.map(|v| (key, v)))
    .collect()
}

/// `application/x-www-form-urlencoded`, as `URLSearchParams` writes it.
pub fn form_encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'*' | b'-' | b'.' | b'_' => {
                out.push(char::from(byte))
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// `redirect` with the query appended (`&` when it already has one; before any fragment).
pub fn finish_url(redirect: &str, query: &FinishQuery) -> String {
    let (base, fragment) = match redirect.split_once('#') {
        Some((base, fragment)) => (base, Some(fragment)),
        None => (redirect, None),
    };
    let encoded = query_pairs(query)
        .into_iter()
        .map(|(key, value)| format!("{key}={}", form_encode(value)))
        .collect::<Vec<_>>()
        .join("&");
    let separator = match base.find('?') {
        None => "?",
        Some(at) if at + 1 == base.len() || base.ends_with('&') => "",
        Some(_) => "&",
    };
    let mut url = format!("{base}{separator}{encoded}");
    if let Some(fragment) = fragment {
        url.push('#');
        url.push_str(fragment);
    }
    url
}

/// The message posted to the parent window.
pub fn finish_message(redirect: &FinishRedirect) -> Value {
    // Built by hand, not with `json!` (it unwraps, pulling in `Debug` of serde_json's
    // errors) nor by collecting into the map (a sort): each is wasm for nothing here.
    let mut query = Map::new();
    for (key, value) in query_pairs(&redirect.query) {
        query.insert(key.to_owned(), Value::String(value.to_owned()));
    }
    let mut message = Map::new();
    message.insert("link".to_owned(), Value::String(redirect.redirect.clone()));
    message.insert("query".to_owned(), Value::Object(query));
    Value::Object(message)
}

/// The origin of a URL (`https://app.example:8443`), as the browser computes it.
pub fn origin_of(url: &str) -> Option<String> {
    let origin = web_sys::Url::new(url).ok()?.origin();
    (origin != "null" && !origin.is_empty()).then_some(origin)
}

/// Whether the widget runs inside a frame (`window.parent !== window`).
pub fn is_embedded() -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    match window.parent() {
        Ok(Some(parent)) => !js_sys::Object::is(&parent, &window),
        _ => false,
    }
}

thread_local! {
    static DELIVERED: Cell<bool> = const { Cell::new(false) };
}

/// Hands the end of the flow to the integrator, once per page.
pub fn deliver(embedded: bool, redirect: &FinishRedirect) {
    if DELIVERED.with(|d| d.replace(true)) {
        return;
    }
    crate::resume::clear();
    let Some(window) = web_sys::window() else {
        return;
    };
    if embedded {
        let Some(origin) = origin_of(&redirect.redirect) else {
            return;
        };
        let message = finish_message(redirect).to_string();
        let Ok(message) = js_sys::JSON::parse(&message) else {
            return;
        };
        if let Ok(Some(parent)) = window.parent() {
            let _ = parent.post_message(&message, &origin);
        }
    } else {
        let _ = window
            .location()
            .replace(&finish_url(&redirect.redirect, &redirect.query));
    }
}
