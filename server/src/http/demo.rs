//! The integrator's embed script `/kontolink.js` (always) and, with `--demo`, the demo
//! integrator: `/demo` (overlay and redirect buttons), `POST /demo/start` (creates a one-time
//! flow for the demo client) and `/demo/callback` (exchanges the code through the public
//! token endpoint and reads the accounts through the public data API, as an integrator's
//! backend would).

use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use kontolink_api::{AccountRef, OnetimeAccessRequest};
use serde::Deserialize;

use super::ApiError;
use super::demo_page;
use super::json::AppJson;
use crate::clients::{DEMO_CLIENT_ID, DEMO_CLIENT_SECRET};
use crate::domain::flow::{FlowKind, FlowParams};
use crate::domain::ids::ClientId;
use crate::domain::secret_token::{SecretToken, TokenKind};
use crate::state::AppState;

const STATE_COOKIE: &str = "kontolink_demo_state";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/kontolink.js", get(embed_script))
        .route("/demo", get(demo_page))
        .route("/demo/demo.js", get(demo_script))
        .route("/demo/demo.css", get(demo_style))
        // The flow token (start) and the account data (callback): never cached (§7).
        .route("/demo/start", post(start).layer(super::no_store()))
        .route("/demo/callback", get(callback).layer(super::no_store()))
}

fn asset(content_type: &'static str, body: &'static str) -> Response {
    ([(header::CONTENT_TYPE, content_type)], body).into_response()
}

async fn embed_script() -> Response {
    asset(
        "text/javascript; charset=utf-8",
        include_str!("../../assets/kontolink.js"),
    )
}

fn demo_enabled(state: &AppState) -> Result<(), ApiError> {
    if state.config.demo {
        Ok(())
    } else {
        Err(ApiError::not_found(
            "the demo integrator runs only with --demo",
        ))
    }
}

async fn demo_page(State(state): State<AppState>) -> Result<Response, ApiError> {
    demo_enabled(&state)?;
    Ok(asset(
        "text/html; charset=utf-8",
        include_str!("../../assets/demo.html"),
    ))
}

async fn demo_script(State(state): State<AppState>) -> Result<Response, ApiError> {
    demo_enabled(&state)?;
    Ok(asset(
        "text/javascript; charset=utf-8",
        include_str!("../../assets/demo.js"),
    ))
}

async fn demo_style(State(state): State<AppState>) -> Result<Response, ApiError> {
    demo_enabled(&state)?;
    Ok(asset(
        "text/css; charset=utf-8",
        include_str!("../../assets/demo.css"),
    ))
}

/// `POST /demo/start` body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct StartRequest {
    /// `overlay` or `redirect`: both get the same link; the page opens it accordingly.
    mode: String,
    iban: Option<String>,
}

/// Creates a one-time flow for the demo client and remembers its `state` in a cookie, as an
/// integrator would in its session, to check it on the way back.
async fn start(
    State(state): State<AppState>,
    AppJson(request): AppJson<StartRequest>,
) -> Result<Response, ApiError> {
    demo_enabled(&state)?;
    if !matches!(request.mode.as_str(), "overlay" | "redirect") {
        return Err(ApiError::bad_request("mode must be overlay or redirect"));
    }
    let client_id = ClientId::parse(DEMO_CLIENT_ID).ok_or_else(ApiError::internal)?;
    let client = state
        .store
        .client(&client_id)
        .await?
        .ok_or_else(ApiError::internal)?;
    // 128 random bits, hex: an opaque value the callback compares with the cookie.
    let flow_state = SecretToken::generate(TokenKind::Flow).hash().to_hex()[..32].to_owned();
    let body = OnetimeAccessRequest {
        redirect_uri: format!("{}/demo/callback", state.public_url),
        state: Some(flow_state.clone()),
        accounts: request
            .iban
            .filter(|iban| !iban.trim().is_empty())
            .map(|id| vec![AccountRef { id }]),
        ..OnetimeAccessRequest::default()
    };
    let params =
        FlowParams::onetime(&body, &client.redirect_uris).map_err(ApiError::bad_request)?;
    let (_, AppJson(location)) =
        super::flows::create(&state, client.id, FlowKind::Onetime, params, None, None).await?;
    let cookie = format!("{STATE_COOKIE}={flow_state}; Path=/demo; HttpOnly; SameSite=Lax");
    let mut response = (StatusCode::CREATED, AppJson(location)).into_response();
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    Ok(response)
}

/// The query the widget sends the end-user back with (contract §5.7).
#[derive(Debug, Deserialize)]
struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    success: Option<String>,
    cancel: Option<String>,
    error: Option<String>,
}

async fn callback(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<CallbackQuery>,
) -> Result<Html<String>, ApiError> {
    demo_enabled(&state)?;
    let expected = cookie(&headers, STATE_COOKIE);
    if query.state.is_none() || query.state != expected {
        return Ok(Html(demo_page::message(
            "State mismatch",
            "The state in the address does not match the one this browser started with.",
        )));
    }
    if query.success.as_deref() != Some("true") {
        let text = if query.cancel.as_deref() == Some("true") {
            "The end-user cancelled the connection.".to_owned()
        } else {
            format!(
                "The connection failed with error {}.",
                query.error.as_deref().unwrap_or("unknown")
            )
        };
        return Ok(Html(demo_page::message("Not connected", &text)));
    }
    let code = query
        .code
        .ok_or_else(|| ApiError::bad_request("code is missing"))?;
    let integrator = demo_page::Integrator {
        base: state.public_url.to_string(),
        client_id: DEMO_CLIENT_ID,
        client_secret: DEMO_CLIENT_SECRET,
    };
    match integrator.fetch(&code).await {
        Ok(data) => Ok(Html(demo_page::accounts(&data))),
        Err(error) => {
            tracing::warn!(error = format!("{error:#}"), "demo callback failed");
            Ok(Html(demo_page::message(
                "Could not read the accounts",
                &format!("{error:#}"),
            )))
        }
    }
}

fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_owned())
}
