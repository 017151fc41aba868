//! `AppPath<T>`: axum's `Path` whose rejections answer in our error format (contract §7).
//! A path parameter that is not valid UTF-8 after percent-decoding, or that holds a control
//! character (`%00` …), names no resource: `404`/`1003`, as any other unknown id, answered
//! here before any database sees it (PostgreSQL's text cannot even hold a NUL byte). A
//! parameter of the wrong shape is `400`/`1000`.

use axum::extract::rejection::PathRejection;
use axum::extract::{FromRequestParts, Path, RawPathParams};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use super::ApiError;

#[derive(Debug, Clone, Copy, Default)]
pub struct AppPath<T>(pub T);

impl<T, S> FromRequestParts<S> for AppPath<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        if let Ok(raw) = RawPathParams::from_request_parts(parts, state).await
            && raw
                .iter()
                .any(|(_, value)| value.chars().any(char::is_control))
        {
            return Err(ApiError::not_found(
                "no resource has this id (it contains a control character)",
            ));
        }
        match <Path<T> as FromRequestParts<S>>::from_request_parts(parts, state).await {
            Ok(Path(value)) => Ok(AppPath(value)),
            Err(rejection) => Err(rejection_to_error(&rejection)),
        }
    }
}

fn rejection_to_error(rejection: &PathRejection) -> ApiError {
    use axum::extract::path::ErrorKind;
    match rejection {
        PathRejection::FailedToDeserializePathParams(e) => match e.kind() {
            ErrorKind::InvalidUtf8InPathParam { .. } => {
                ApiError::not_found("no resource has this id (it is not valid UTF-8)")
            }
            _ => ApiError::bad_request(e.body_text()),
        },
        other => {
            // A route without the parameters its handler extracts: our bug, not the caller's.
            tracing::error!(rejection = %other.body_text(), "path parameters missing");
            ApiError::internal()
        }
    }
}
