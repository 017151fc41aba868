//! The widget's state machine: one [`Step`] per page, and the transitions between them.

use kontolink_api::WidgetSession;

use crate::api::{Client, ClientError};

/// Where the end-user is in the flow.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// Exchanging the flow token for a session.
    Starting,
    /// The page was opened without `?token=`.
    MissingToken,
    /// The link was used before or has expired (`1030`).
    LinkInvalid,
    /// The session is open; the flow can begin.
    Ready(Box<WidgetSession>),
    /// Something failed that the end-user cannot fix here.
    Failed(ClientError),
}

/// Error code of a used or expired flow token.
pub const LINK_INVALID: u32 = 1030;

/// The first transition: read `?token=`, exchange it, take it out of the address bar.
pub async fn start(client: Client) -> Step {
    let Some(token) = token_from_location() else {
        return Step::MissingToken;
    };
    let outcome = client.open_session(&token).await;
    forget_token_in_address_bar();
    after_session(outcome)
}

/// What the session exchange leads to.
pub fn after_session(outcome: Result<WidgetSession, ClientError>) -> Step {
    match outcome {
        Ok(session) => Step::Ready(Box::new(session)),
        Err(error) if error.code() == Some(LINK_INVALID) => Step::LinkInvalid,
        Err(error) => Step::Failed(error),
    }
}

fn token_from_location() -> Option<String> {
    let search = web_sys::window()?.location().search().ok()?;
    let params = web_sys::UrlSearchParams::new_with_str(&search).ok()?;
    params.get("token").filter(|t| !t.is_empty())
}

/// `history.replaceState` to the path alone: the single-use token leaves the address bar.
fn forget_token_in_address_bar() {
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
