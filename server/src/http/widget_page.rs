//! `GET /?token=…`: the widget's page with a strict `Content-Security-Policy` ([`csp`])
//! whose `frame-ancestors` are the flow's client's registered frame origins (`'none'` when
//! it has none or the token is unknown) and `Referrer-Policy: no-referrer`, so the flow token in
//! the address never leaks to another site. Looking the flow up does not use its token.

use axum::Router;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;

use super::csp;
use crate::domain::origin::Origin;
use crate::domain::secret_token::SecretToken;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/", get(widget_page))
}

pub(super) async fn widget_page(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Response {
    let ancestors = frame_ancestors(&state, query.as_deref()).await;
    // Read once: the page is the body, and its inline loader's hash goes into the policy.
    let index = state.config.widget_dir.join("index.html");
    let (mut response, hashes) = match tokio::fs::read_to_string(&index).await {
        Ok(html) => {
            let hashes = csp::inline_script_hashes(&html);
            (Html(html).into_response(), hashes)
        }
        Err(error) => {
            tracing::error!(path = %index.display(), %error, "the built widget page cannot be read");
            (StatusCode::NOT_FOUND.into_response(), Vec::new())
        }
    };
    let headers = response.headers_mut();
    let csp = HeaderValue::from_str(&csp::widget_policy(&hashes, &ancestors))
        .unwrap_or_else(|_| HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'"));
    headers.insert(HeaderName::from_static("content-security-policy"), csp);
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// The flow's client's frame origins, space-separated, or `'none'`.
async fn frame_ancestors(state: &AppState, query: Option<&str>) -> String {
    let token = query.and_then(|q| {
        url::form_urlencoded::parse(q.as_bytes())
            .find(|(name, _)| name == "token")
            .map(|(_, value)| value.into_owned())
    });
    let Some(token) = token else {
        return "'none'".to_owned();
    };
    let origins = match lookup(state, &token).await {
        Ok(origins) => origins,
        Err(error) => {
            tracing::error!(%error, "looking up the flow of a widget page");
            Vec::new()
        }
    };
    if origins.is_empty() {
        "'none'".to_owned()
    } else {
        origins
            .iter()
            .map(Origin::as_str)
            .collect::<Vec<_>>()
            .join(" ")
    }
}

async fn lookup(state: &AppState, token: &str) -> Result<Vec<Origin>, crate::store::StoreError> {
    let hash = SecretToken::from_presented(token).hash();
    let Some(flow) = state.store.flow_by_token(&hash).await? else {
        return Ok(Vec::new());
    };
    Ok(state
        .store
        .client(&flow.client_id)
        .await?
        .map(|c| c.frame_origins)
        .unwrap_or_default())
}
