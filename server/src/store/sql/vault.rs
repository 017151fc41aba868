//! `VaultStore`: sealed secrets by owner, and the writes other transactions make to them.

use async_trait::async_trait;

use super::SqlStore;
use crate::domain::sealed::Sealed;
use crate::domain::time::now_ms;
use crate::store::StoreError;
use crate::store::backend::{Row, Tx};
use crate::store::engine::VaultStore;

pub(super) async fn put(
    tx: &mut Tx,
    owner: &str,
    sealed: &Sealed,
    now: i64,
) -> Result<(), StoreError> {
    tx.sql(
        "INSERT INTO vault_secrets (owner, key_id, sealed, updated_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (owner) DO UPDATE SET key_id = excluded.key_id, sealed = excluded.sealed, \
         updated_at = excluded.updated_at",
    )
    .bind(owner)
    .bind(&sealed.key_id)
    .bind(&sealed.bytes)
    .bind(now)
    .execute()
    .await?;
    Ok(())
}

/// Deletes the rows of `owners` and every row whose owner starts with `prefix` (e.g. a
/// sync's credentials and all its TANs), in one statement.
pub(super) async fn delete_with_prefix(
    tx: &mut Tx,
    owners: &[&str],
    prefix: &str,
) -> Result<(), StoreError> {
    let sql = format!(
        "DELETE FROM vault_secrets WHERE substr(owner, 1, length($1)) = $1 OR owner IN ({})",
        super::numbered_list(2, owners.len())
    );
    let mut stmt = tx.sql(&sql).bind(prefix);
    for owner in owners {
        stmt = stmt.bind(*owner);
    }
    stmt.execute().await?;
    Ok(())
}

fn sealed(row: &Row) -> Result<Sealed, StoreError> {
    Ok(Sealed {
        key_id: row.get("key_id")?,
        bytes: row.get("sealed")?,
    })
}

#[async_trait]
impl VaultStore for SqlStore {
    async fn vault_get(&self, owner: &str) -> Result<Option<Sealed>, StoreError> {
        let row = self
            .db
            .sql("SELECT key_id, sealed FROM vault_secrets WHERE owner = $1")
            .bind(owner)
            .fetch_optional()
            .await?;
        row.as_ref().map(sealed).transpose()
    }

    async fn vault_put(&self, owner: &str, sealed: &Sealed) -> Result<(), StoreError> {
        let mut tx = self.db.begin().await?;
        put(&mut tx, owner, sealed, now_ms()).await?;
        tx.commit().await
    }

    async fn vault_key_ids(&self) -> Result<Vec<String>, StoreError> {
        self.db
            .sql("SELECT DISTINCT key_id FROM vault_secrets ORDER BY key_id")
            .fetch_column()
            .await
    }

    async fn vault_list_not_under(
        &self,
        key_id: &str,
        limit: u32,
    ) -> Result<Vec<(String, Sealed)>, StoreError> {
        let rows = self
            .db
            .sql(
                "SELECT owner, key_id, sealed FROM vault_secrets WHERE key_id <> $1 \
                 ORDER BY owner LIMIT $2",
            )
            .bind(key_id)
            .bind(i64::from(limit))
            .fetch_all()
            .await?;
        rows.iter()
            .map(|row| Ok((row.get("owner")?, sealed(row)?)))
            .collect()
    }

    async fn vault_replace_if_key(
        &self,
        owner: &str,
        old_key_id: &str,
        sealed: &Sealed,
    ) -> Result<bool, StoreError> {
        let done = self
            .db
            .sql(
                "UPDATE vault_secrets SET key_id = $1, sealed = $2, updated_at = $3 \
                 WHERE owner = $4 AND key_id = $5",
            )
            .bind(&sealed.key_id)
            .bind(&sealed.bytes)
            .bind(now_ms())
            .bind(owner)
            .bind(old_key_id)
            .execute()
            .await?;
        Ok(done == 1)
    }
}
