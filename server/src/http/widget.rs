//! Serves the built widget ([`crate::widget_files`]): assets by name, in the encoding the
//! browser accepts (brotli or gzip compressed at build time, `Vary: Accept-Encoding`),
//! content-hashed ones cached for good; every other path outside the API's prefixes (those
//! are `404`s in the error format, see [`super::router`]) is the widget's page
//! ([`super::widget_page`]). All with the security headers of contract §8.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get};
use tower::ServiceBuilder;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::state::AppState;
use crate::widget_files::{Encoding, WidgetFile, WidgetFiles, is_hashed};

/// Content-hashed files never change under their name.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";

pub fn service(
    state: &AppState,
) -> impl tower::Service<
    Request,
    Response = Response,
    Error = std::convert::Infallible,
    Future = impl Send + 'static,
> + Clone
+ Send
+ Sync
+ 'static {
    let files: MethodRouter = get(asset).with_state(state.clone());
    ServiceBuilder::new()
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static("content-security-policy"),
            HeaderValue::from_static("frame-ancestors 'none'"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .service(files)
}

/// A file of the widget, or else its page.
async fn asset(State(state): State<AppState>, request: Request) -> Response {
    let files = WidgetFiles::new(state.config.widget_dir.as_deref());
    let name = request.uri().path().trim_start_matches('/').to_owned();
    let encodings = Encoding::preferred(accept_encoding(request.headers()));
    match files.get(&name, &encodings).await {
        Some(file) if name != "index.html" => {
            let cache = if is_hashed(&name) {
                IMMUTABLE
            } else {
                "no-cache"
            };
            file_response(&name, file, cache)
        }
        _ => {
            let (parts, _) = request.into_parts();
            let query = axum::extract::RawQuery(parts.uri.query().map(str::to_owned));
            super::widget_page::widget_page(State(state), parts.headers, query).await
        }
    }
}

pub(super) fn accept_encoding(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::ACCEPT_ENCODING)
        .and_then(|value| value.to_str().ok())
}

/// The file's bytes with its type, encoding and caching.
pub(super) fn file_response(name: &str, file: WidgetFile, cache_control: &'static str) -> Response {
    let content_type = mime_guess::from_path(name).first_or_octet_stream();
    let mut response = (
        [
            (header::CONTENT_TYPE, content_type.essence_str().to_owned()),
            (header::VARY, "accept-encoding".to_owned()),
            (header::CACHE_CONTROL, cache_control.to_owned()),
        ],
        file.bytes,
    )
        .into_response();
    if let Some(encoding) = file.encoding.header() {
        response
            .headers_mut()
            .insert(header::CONTENT_ENCODING, HeaderValue::from_static(encoding));
    }
    response
}
