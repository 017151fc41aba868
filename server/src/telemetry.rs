//! Logging: `tracing` to stderr, filtered by `RUST_LOG` (default `info`), as text for people
//! or as one JSON object per line for a log shipper (`--log-format json`).
//!
//! Every HTTP request has an id (`X-Request-Id`: the reverse proxy's when it sends one, else a
//! fresh UUID, echoed in the answer). Its log lines carry it in the `request` span, and a sync
//! started or resumed by a request carries it too: [`request_id`] reads it where the engine
//! records the sync, and the worker's `sync` span names it.

use std::io::IsTerminal;

use axum::extract::Request;
use axum::http::HeaderName;
use axum::middleware::Next;
use axum::response::Response;
use tower_http::request_id::{
    MakeRequestUuid, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tracing::Span;
use tracing_subscriber::EnvFilter;

use crate::settings::LogFormat;

/// The header that carries a request's id, in and out.
pub const REQUEST_ID_HEADER: HeaderName = HeaderName::from_static("x-request-id");

tokio::task_local! {
    static REQUEST_ID: String;
}

pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    // A second init (tests that build several applications) is not an error.
    let _ = match format {
        LogFormat::Text => builder
            .with_ansi(std::io::stderr().is_terminal())
            .try_init(),
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .with_span_list(true)
            .try_init(),
    };
}

/// The id of the HTTP request being handled, if this code runs on behalf of one.
pub fn request_id() -> Option<String> {
    REQUEST_ID.try_with(Clone::clone).ok()
}

/// Gives a request an id unless it brings one, and returns it in the answer.
pub fn request_id_layers() -> (SetRequestIdLayer<MakeRequestUuid>, PropagateRequestIdLayer) {
    (
        SetRequestIdLayer::new(REQUEST_ID_HEADER, MakeRequestUuid),
        PropagateRequestIdLayer::new(REQUEST_ID_HEADER),
    )
}

/// The span of one request: its id, method and path (never the query: it may hold a flow
/// token).
pub fn request_span(request: &Request) -> Span {
    tracing::info_span!(
        "request",
        request_id = id_of(request).unwrap_or_default(),
        method = %request.method(),
        path = request.uri().path(),
    )
}

/// Makes the request's id readable by [`request_id`] while it is handled.
pub async fn scope_request_id(request: Request, next: Next) -> Response {
    match id_of(&request) {
        Some(id) => REQUEST_ID.scope(id, next.run(request)).await,
        None => next.run(request).await,
    }
}

fn id_of(request: &Request) -> Option<String> {
    request
        .extensions()
        .get::<RequestId>()
        .and_then(|id| id.header_value().to_str().ok())
        .map(str::to_owned)
}
