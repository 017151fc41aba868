//! How the page was opened, and the record that survives a trip to the bank's page.
//!
//! A redirect challenge in a top-level window leaves the widget. The flow token is
//! single-use, so before leaving the widget keeps its session, access and sync ids in
//! `sessionStorage` (this tab only) under an opaque `state`; the bank sends the end-user
//! back to the widget's address with that `state`, and the widget resumes.

use crate::flow::{Launch, ResumeRecord};

const KEY: &str = "kontolink.resume";
/// `state` prefix of syncs started in an iframe: their bank page opens in a popup.
pub const POPUP_PREFIX: &str = "p.";
/// `state` prefix of syncs started in a top-level window.
pub const WINDOW_PREFIX: &str = "w.";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok().flatten()
}

pub fn save(record: &ResumeRecord) {
    if let (Some(storage), Ok(json)) = (storage(), serde_json::to_string(record)) {
        let _ = storage.set_item(KEY, &json);
    }
}

pub fn load() -> Option<ResumeRecord> {
    let json = storage()?.get_item(KEY).ok().flatten()?;
    serde_json::from_str(&json).ok()
}

pub fn clear() {
    if let Some(storage) = storage() {
        let _ = storage.remove_item(KEY);
    }
}

/// An opaque, unguessable `state` for this page's syncs.
pub fn new_state(embedded: bool) -> String {
    let mut bytes = [0u8; 16];
    let filled = web_sys::window()
        .and_then(|w| w.crypto().ok())
        .and_then(|c| c.get_random_values_with_u8_array(&mut bytes).ok())
        .is_some();
    if !filled {
        for byte in &mut bytes {
            *byte = (js_sys::Math::random() * 256.0) as u8;
        }
    }
    let prefix = if embedded {
        POPUP_PREFIX
    } else {
        WINDOW_PREFIX
    };
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("{prefix}{hex}")
}

/// The widget's own page (no query), where the bank sends the end-user back: the server
/// accepts it as a sync's `redirect_uri` because it is its own page (`<public URL>/`).
pub fn return_url() -> String {
    let Some(location) = web_sys::window().map(|w| w.location()) else {
        return String::new();
    };
    let origin = location.origin().unwrap_or_default();
    let path = location.pathname().unwrap_or_else(|_| "/".to_owned());
    format!("{origin}{path}")
}

/// The URL's query parameter `name`.
pub fn query_param(name: &str) -> Option<String> {
    let search = web_sys::window()?.location().search().ok()?;
    let params = web_sys::UrlSearchParams::new_with_str(&search).ok()?;
    params.get(name).filter(|v| !v.is_empty())
}

/// Decides how the page was opened (pure, for tests): a token wins; a stored record resumes
/// when its `state` matches (or the bank sent none back); a popup's landing shows "done".
pub fn decide(
    token: bool,
    state: Option<&str>,
    record: Option<ResumeRecord>,
    has_opener: bool,
) -> Launch {
    if token {
        return Launch::Token;
    }
    match (record, state) {
        (Some(record), Some(state)) if record.state == state => Launch::Resume(Box::new(record)),
        (Some(record), None) if !has_opener => Launch::Resume(Box::new(record)),
        (_, Some(state)) if state.starts_with(POPUP_PREFIX) => Launch::PopupReturn,
        (_, Some(_)) if has_opener => Launch::PopupReturn,
        _ => Launch::Nothing,
    }
}

/// Reads the address bar and storage, and takes `?token=`/`?state=` out of the address bar.
pub fn detect() -> (Launch, Option<String>) {
    let token = query_param("token");
    let state = query_param("state");
    let has_opener = web_sys::window()
        .and_then(|w| w.opener().ok())
        .is_some_and(|o| !o.is_null() && !o.is_undefined());
    let launch = decide(token.is_some(), state.as_deref(), load(), has_opener);
    if state.is_some() && token.is_none() {
        forget_query();
    }
    (launch, token)
}

/// `history.replaceState` to the path alone: tokens and states leave the address bar.
pub fn forget_query() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let path = window
        .location()
        .pathname()
        .unwrap_or_else(|_| "/".to_owned());
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&path));
    }
}
