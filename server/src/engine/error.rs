//! What the engine's operations fail with. The HTTP edge maps it to its `ApiError`
//! (`http/error.rs`); the engine itself knows nothing of status codes.

use thiserror::Error;

use crate::domain::failure::SyncFailure;
use crate::store::StoreError;

#[derive(Debug, Error)]
pub enum EngineError {
    /// The request is malformed or a field is invalid.
    #[error("{0}")]
    BadRequest(String),
    /// The resource does not exist (or is not the caller's).
    #[error("{0}")]
    NotFound(String),
    /// The resource is busy: a sync is running, a challenge is no longer open.
    #[error("{0}")]
    Busy(String),
    /// Refused with a sync's own finX error (e.g. `1011` credentials incomplete).
    #[error("{}", .0.description)]
    Refused(SyncFailure),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Something broke on our side (sealing, a provider's state …).
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl EngineError {
    pub fn bad_request(description: impl Into<String>) -> Self {
        EngineError::BadRequest(description.into())
    }

    pub fn not_found(description: impl Into<String>) -> Self {
        EngineError::NotFound(description.into())
    }

    pub fn busy(description: impl Into<String>) -> Self {
        EngineError::Busy(description.into())
    }
}
