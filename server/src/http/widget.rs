//! Serves the built widget (`dist/`): assets as files, every other path outside the API's
//! prefixes (those are `404`s in the error format, see [`super::router`]) as the widget's
//! page ([`super::widget_page`]), with the security headers of contract §8.

use axum::handler::Handler;
use axum::http::{HeaderName, HeaderValue, header};
use tower::ServiceBuilder;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::state::AppState;

pub fn service(
    state: &AppState,
) -> impl tower::Service<
    axum::http::Request<axum::body::Body>,
    Response = axum::response::Response<
        impl axum::body::HttpBody<Data = axum::body::Bytes, Error = impl Into<axum::BoxError>>
        + Send
        + 'static,
    >,
    Error = std::convert::Infallible,
    Future = impl Send + 'static,
> + Clone
+ Send
+ Sync
+ 'static {
    let dir = &state.config.widget_dir;
    // Any other path is the widget's page, with the same policy as `/`.
    let index = Handler::with_state(super::widget_page::widget_page, state.clone());
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
        .service(ServeDir::new(dir).fallback(index))
}
