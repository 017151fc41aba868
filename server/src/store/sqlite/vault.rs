//! `VaultStore` on SQLite: sealed secrets by owner.

use async_trait::async_trait;
use sqlx::SqliteConnection;

use super::SqliteStore;
use crate::engine::model::now_ms;
use crate::store::StoreError;
use crate::store::engine::VaultStore;
use crate::vault::Sealed;

pub(super) async fn put(
    conn: &mut SqliteConnection,
    owner: &str,
    sealed: &Sealed,
    now: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO vault_secrets (owner, key_id, sealed, updated_at) VALUES (?, ?, ?, ?) \
         ON CONFLICT (owner) DO UPDATE SET key_id = excluded.key_id, sealed = excluded.sealed, \
         updated_at = excluded.updated_at",
    )
    .bind(owner)
    .bind(&sealed.key_id)
    .bind(&sealed.bytes)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

pub(super) async fn delete(conn: &mut SqliteConnection, owner: &str) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM vault_secrets WHERE owner = ?")
        .bind(owner)
        .execute(conn)
        .await?;
    Ok(())
}

/// Deletes every row whose owner starts with `prefix` (e.g. all TANs of a sync).
pub(super) async fn delete_prefix(
    conn: &mut SqliteConnection,
    prefix: &str,
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM vault_secrets WHERE substr(owner, 1, length(?)) = ?")
        .bind(prefix)
        .bind(prefix)
        .execute(conn)
        .await?;
    Ok(())
}

#[async_trait]
impl VaultStore for SqliteStore {
    async fn vault_get(&self, owner: &str) -> Result<Option<Sealed>, StoreError> {
        let row: Option<(String, Vec<u8>)> =
            sqlx::query_as("SELECT key_id, sealed FROM vault_secrets WHERE owner = ?")
                .bind(owner)
                .fetch_optional(self.pool())
                .await?;
        Ok(row.map(|(key_id, bytes)| Sealed { key_id, bytes }))
    }

    async fn vault_put(&self, owner: &str, sealed: &Sealed) -> Result<(), StoreError> {
        let mut conn = self.pool().acquire().await?;
        put(&mut conn, owner, sealed, now_ms()).await
    }

    async fn vault_key_ids(&self) -> Result<Vec<String>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT DISTINCT key_id FROM vault_secrets ORDER BY key_id")
                .fetch_all(self.pool())
                .await?,
        )
    }

    async fn vault_list_not_under(
        &self,
        key_id: &str,
        limit: u32,
    ) -> Result<Vec<(String, Sealed)>, StoreError> {
        let rows: Vec<(String, String, Vec<u8>)> = sqlx::query_as(
            "SELECT owner, key_id, sealed FROM vault_secrets WHERE key_id <> ? ORDER BY owner LIMIT ?",
        )
        .bind(key_id)
        .bind(i64::from(limit))
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .into_iter()
            .map(|(owner, key_id, bytes)| (owner, Sealed { key_id, bytes }))
            .collect())
    }

    async fn vault_replace_if_key(
        &self,
        owner: &str,
        old_key_id: &str,
        sealed: &Sealed,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE vault_secrets SET key_id = ?, sealed = ?, updated_at = ? \
             WHERE owner = ? AND key_id = ?",
        )
        .bind(&sealed.key_id)
        .bind(&sealed.bytes)
        .bind(now_ms())
        .bind(owner)
        .bind(old_key_id)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }
}
