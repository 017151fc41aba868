//! Storage behind one trait, with one implementation ([`SqlStore`], `sql/`) for both
//! databases: SQLite (default, embedded: `sqlite://PATH`) and PostgreSQL (`postgres://…` or
//! `postgresql://…`, for several processes on one database). `backend/` holds the typed
//! dispatch to either driver and the two small dialect modules. One test suite runs against
//! both backends (`server/tests/`, chosen by `KONTOLINK_TEST_DATABASE_URL`, see
//! `tests/api/database.rs`).

mod backend;
mod clients;
pub mod engine;
mod error;
mod flows;
mod rate_limits;
pub mod rows;
mod sql;
mod tokens;

use std::sync::Arc;

use async_trait::async_trait;

pub use clients::{ClientRecord, ClientStore};
pub use engine::{Claimed, DataStore, EventStore, SyncStore, VaultStore};
pub use error::StoreError;
pub use flows::{FlowEnd, FlowRecord, FlowStore, NewAuthorizationCode, NewFlow};
pub use rate_limits::RateLimitStore;
pub use sql::SqlStore;
pub use tokens::{AccessGrant, Exchange, GrantInfo, IssuedTokens, Refusal, TokenStore};

/// Everything the server keeps. Each method is one atomic unit of work.
#[async_trait]
pub trait Store:
    ClientStore
    + FlowStore
    + TokenStore
    + DataStore
    + SyncStore
    + EventStore
    + VaultStore
    + RateLimitStore
    + Send
    + Sync
    + 'static
{
    /// The database answers (for `/healthz`).
    async fn ping(&self) -> Result<(), StoreError>;
}

/// Opens (creating and migrating if needed) the database named by `url`.
pub async fn connect(url: &str) -> Result<Arc<dyn Store>, StoreError> {
    if url.starts_with("sqlite:") {
        Ok(Arc::new(SqlStore::open_sqlite(url).await?))
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Arc::new(SqlStore::open_postgres(url).await?))
    } else {
        Err(StoreError::Unsupported(format!(
            "database URL must start with sqlite:// or postgres://, got {}",
            redact(url)
        )))
    }
}

/// A database URL without its password, for logs and error messages.
pub fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        _ => url.to_owned(),
    }
}
