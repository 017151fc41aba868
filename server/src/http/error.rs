//! `ApiError`: every non-OAuth failure, answered in the finX error format of contract §7.
//! Internal details are logged, never sent.

use std::any::Any;

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use kontolink_api::{ErrorBody, ErrorDetail};
use serde_json::Value;

use crate::domain::failure::{SyncFailure, group};
use crate::engine::EngineError;
use crate::store::StoreError;

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: u32,
    pub message: String,
    pub description: String,
    pub data: Option<Value>,
}

impl ApiError {
    pub fn new(
        status: StatusCode,
        code: u32,
        message: &str,
        description: impl Into<String>,
    ) -> Self {
        ApiError {
            status,
            code,
            message: message.to_owned(),
            description: description.into(),
            data: None,
        }
    }

    pub fn with_data(mut self, data: Value) -> Self {
        self.data = Some(data);
        self
    }

    /// `1000` the request is malformed or a field is invalid.
    pub fn bad_request(description: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, 1000, "Bad request", description)
    }

    /// `1001` the caller is not authenticated.
    pub fn unauthorized(description: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, 1001, "Unauthorized", description)
    }

    /// `1003` the resource does not exist (or is not the caller's).
    pub fn not_found(description: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, 1003, "Not found", description)
    }

    /// `1008` the resource is busy.
    pub fn busy(description: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, 1008, "Resource busy", description)
    }

    /// `1009` the body is larger than 64 KiB.
    pub fn payload_too_large() -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            1009,
            "Payload too large",
            format!(
                "request bodies are limited to {} bytes",
                super::MAX_BODY_BYTES
            ),
        )
    }

    /// `1029` too many requests.
    pub fn rate_limited(retry_after_secs: u64) -> Self {
        Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            1029,
            "Too many requests",
            "slow down and retry later",
        )
        .with_data(serde_json::json!({ "retry_after": retry_after_secs }))
    }

    /// `30000` something broke on our side; the cause is in the log, not in the answer.
    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            30000,
            "Internal error",
            "an internal error occurred; it has been logged",
        )
    }

    /// finX's error group for a code.
    pub fn group(code: u32) -> &'static str {
        group(code)
    }

    pub fn body(&self) -> ErrorBody {
        ErrorBody {
            error: ErrorDetail {
                code: self.code,
                group: Self::group(self.code).to_owned(),
                message: self.message.clone(),
                description: self.description.clone(),
                data: self.data.clone(),
            },
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let retry_after = (self.status == StatusCode::TOO_MANY_REQUESTS)
            .then(|| self.data.as_ref()?.get("retry_after")?.as_u64())
            .flatten();
        let mut response = (self.status, Json(self.body())).into_response();
        if let Some(secs) = retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        tracing::error!(%error, "storage failure");
        ApiError::internal()
    }
}

impl From<SyncFailure> for ApiError {
    /// A request refused with a sync's finX error: `400` with its code, message and data.
    fn from(failure: SyncFailure) -> Self {
        let detail = failure.detail();
        ApiError {
            status: StatusCode::BAD_REQUEST,
            code: detail.code,
            message: detail.message,
            description: detail.description,
            data: detail.data,
        }
    }
}

impl From<EngineError> for ApiError {
    fn from(error: EngineError) -> Self {
        match error {
            EngineError::BadRequest(description) => ApiError::bad_request(description),
            EngineError::NotFound(description) => ApiError::not_found(description),
            EngineError::Busy(description) => ApiError::busy(description),
            EngineError::Refused(failure) => failure.into(),
            EngineError::Store(error) => error.into(),
            EngineError::Internal(error) => error.into(),
        }
    }
}

impl From<anyhow::Error> for ApiError {
    fn from(error: anyhow::Error) -> Self {
        tracing::error!(error = format!("{error:#}"), "internal failure");
        ApiError::internal()
    }
}

/// A panic inside a handler becomes a logged `500` in our format; the process lives on.
pub fn panic_response(panic: Box<dyn Any + Send + 'static>) -> Response {
    let detail = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("unknown panic");
    tracing::error!(panic = detail, "handler panicked");
    ApiError::internal().into_response()
}
