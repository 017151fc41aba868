use thiserror::Error;

/// What can go wrong below the storage trait.
#[derive(Debug, Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    #[error("{0}")]
    Unsupported(String),
    #[error("stored data is not valid: {0}")]
    Corrupt(String),
    /// The shared commit of a SQLite write group failed (`backend/group_commit.rs`): this
    /// transaction's writes were lost with it.
    #[error("database error at the group commit: {0}")]
    GroupCommit(std::sync::Arc<sqlx::Error>),
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
}
