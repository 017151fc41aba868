//! `GET /?token=…`: the widget's page with a strict `Content-Security-Policy` ([`csp`])
//! whose `frame-ancestors` are the flow's client's registered frame origins (`'none'` when
//! it has none or the token is unknown) and `Referrer-Policy: no-referrer`, so the flow token in
//! the address never leaks to another site. Looking the flow up does not use its token.

use axum::Router;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;

use super::csp;
use crate::domain::origin::Origin;
use crate::domain::secret_token::SecretToken;
use crate::state::AppState;
use crate::widget_files::{Encoding, WidgetFiles};

pub fn router() -> Router<AppState> {
    Router::new().route("/", get(widget_page))
}

pub(super) async fn widget_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let ancestors = frame_ancestors(&state, query.as_deref()).await;
    let files = WidgetFiles::new(state.config.widget_dir.as_deref());
    // The inline loader's hash goes into the policy; the body goes out compressed when the
    // browser accepts it (the same page, compressed at build time).
    let page = files.get("index.html", &[Encoding::Identity]).await;
    let (mut response, hashes) = match page {
        Some(page) => {
            let hashes = csp::inline_script_hashes(&String::from_utf8_lossy(&page.bytes));
            let encodings = Encoding::preferred(super::widget::accept_encoding(&headers));
            let body = files.get("index.html", &encodings).await.unwrap_or(page);
            let mut response = super::widget::file_response("index.html", body, "no-cache");
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            );
            (response, hashes)
        }
        None => {
            tracing::error!(widget = %files.describe(), "there is no widget page to serve");
            (no_widget(files), Vec::new())
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
    response
}

/// `503` with a page that says why: a binary built without the widget, or a `--widget-dir`
/// without `index.html`.
fn no_widget(files: WidgetFiles<'_>) -> Response {
    let reason = match files {
        WidgetFiles::Embedded => {
            "This Kontolink server was built without the widget. Build the widget first \
             (<code>trunk build --release</code>, or <code>./scripts/run.sh</code>), then the \
             server, or start it with <code>--widget-dir DIR</code>."
        }
        WidgetFiles::Dir(_) => {
            "The widget directory given with <code>--widget-dir</code> has no \
             <code>index.html</code>: build the widget with <code>trunk build --release</code>."
        }
    };
    let mut response = (
        StatusCode::SERVICE_UNAVAILABLE,
        Html(format!(
            "<!doctype html><title>Kontolink: no widget</title><h1>No widget</h1><p>{reason}</p>"
        )),
    )
        .into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
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
