//! `DataStore` on SQLite: accesses, accounts, transactions, bearer tokens.

use async_trait::async_trait;

use super::SqliteStore;
use crate::domain::ids::{AccessId, AccountId};
use crate::store::StoreError;
use crate::store::engine::DataStore;
use crate::store::row_mapping::{
    self, ACCESS_COLUMNS, ACCOUNT_COLUMNS, TRANSACTION_COLUMNS, to_json,
};
use crate::store::rows::{AccessRow, AccountRow, TransactionFilter, TransactionRow};
use crate::vault::Sealed;

#[async_trait]
impl DataStore for SqliteStore {
    async fn insert_access(
        &self,
        access: &AccessRow,
        secrets: Option<&Sealed>,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool().begin().await?;
        insert_access_row(&mut tx, access).await?;
        if let Some(sealed) = secrets {
            super::vault::put(
                &mut tx,
                &crate::engine::model::access_secrets_owner(&access.id),
                sealed,
                access.created_at,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn access(&self, access_id: &AccessId) -> Result<Option<AccessRow>, StoreError> {
        let sql = format!("SELECT {ACCESS_COLUMNS} FROM accesses WHERE id = ?");
        let row = sqlx::query(&sql)
            .bind(access_id)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(row_mapping::access).transpose()
    }

    async fn accesses_of_user(&self, user_id: &str) -> Result<Vec<AccessRow>, StoreError> {
        let sql = format!(
            "SELECT {ACCESS_COLUMNS} FROM accesses WHERE user_id = ? ORDER BY created_at, id"
        );
        let rows = sqlx::query(&sql)
            .bind(user_id)
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(row_mapping::access).collect()
    }

    async fn accounts_of_user(&self, user_id: &str) -> Result<Vec<AccountRow>, StoreError> {
        let sql = format!(
            "SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE user_id = ? ORDER BY created_at, id"
        );
        let rows = sqlx::query(&sql)
            .bind(user_id)
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(row_mapping::account).collect()
    }

    async fn accounts_of_access(
        &self,
        access_id: &AccessId,
    ) -> Result<Vec<AccountRow>, StoreError> {
        let sql = format!(
            "SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE access_id = ? ORDER BY created_at, id"
        );
        let rows = sqlx::query(&sql)
            .bind(access_id)
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(row_mapping::account).collect()
    }

    async fn provider_accounts_of_upgrade_family(
        &self,
        root: &AccessId,
        access_id: &AccessId,
    ) -> Result<Vec<String>, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT a.provider_account_id FROM accounts a \
             JOIN accesses s ON s.id = a.access_id \
             WHERE (s.id = ? OR s.upgraded_from = ?) AND s.id <> ?",
        )
        .bind(root)
        .bind(root)
        .bind(access_id)
        .fetch_all(self.pool())
        .await?)
    }

    async fn account(&self, account_id: &AccountId) -> Result<Option<AccountRow>, StoreError> {
        let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE id = ?");
        let row = sqlx::query(&sql)
            .bind(account_id)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(row_mapping::account).transpose()
    }

    async fn transactions(
        &self,
        account_id: &AccountId,
        filter: &TransactionFilter,
    ) -> Result<Vec<TransactionRow>, StoreError> {
        let sql = format!(
            "SELECT {TRANSACTION_COLUMNS} FROM transactions WHERE account_id = ? \
             AND (? IS NULL OR booking_date >= ?) AND (? IS NULL OR booking_date <= ?) \
             ORDER BY booking_date DESC, provider_transaction_id DESC LIMIT ? OFFSET ?"
        );
        let rows = sqlx::query(&sql)
            .bind(account_id)
            .bind(&filter.since)
            .bind(&filter.since)
            .bind(&filter.until)
            .bind(&filter.until)
            .bind(i64::from(filter.count))
            .bind(i64::from(filter.offset))
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(row_mapping::transaction).collect()
    }

    async fn counted_syncs_since(
        &self,
        access_id: &AccessId,
        since: i64,
    ) -> Result<Vec<i64>, StoreError> {
        let rows: Vec<(i64,)> = sqlx::query_as(
            "SELECT created_at FROM syncs WHERE access_id = ? AND counted = 1 AND created_at > ? \
             ORDER BY created_at",
        )
        .bind(access_id)
        .bind(since)
        .fetch_all(self.pool())
        .await?;
        Ok(rows.into_iter().map(|(t,)| t).collect())
    }

    async fn accesses_due(&self, before: i64, limit: u32) -> Result<Vec<AccessRow>, StoreError> {
        let sql = format!(
            "SELECT {ACCESS_COLUMNS} FROM accesses a WHERE secrets_saved = 1 AND status = 'ACTIVE' \
             AND COALESCE(last_synced_at, created_at) < ? \
             AND NOT EXISTS (SELECT 1 FROM syncs s WHERE s.access_id = a.id \
                 AND (s.status IN ('QUEUED', 'RUNNING', 'AWAIT_AUTH') OR s.created_at >= ?)) \
             ORDER BY COALESCE(last_synced_at, created_at) LIMIT ?"
        );
        let rows = sqlx::query(&sql)
            .bind(before)
            .bind(before)
            .bind(i64::from(limit))
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(row_mapping::access).collect()
    }
}

pub(super) async fn insert_access_row(
    conn: &mut sqlx::SqliteConnection,
    access: &AccessRow,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO accesses (id, user_id, client_id, provider_id, access_method_id, \
         public_credentials, save_secrets, secrets_saved, auth_method_id, auth_medium_id, status, \
         upgrade_error, created_at, last_synced_at, upgraded_from, sync_period, created_by_grant) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&access.id)
    .bind(&access.user_id)
    .bind(&access.client_id)
    .bind(&access.provider_id)
    .bind(&access.access_method_id)
    .bind(to_json(&access.public_credentials))
    .bind(access.save_secrets)
    .bind(access.secrets_saved)
    .bind(&access.auth_method_id)
    .bind(&access.auth_medium_id)
    .bind(&access.status)
    .bind(access.upgrade_error.as_ref().map(to_json))
    .bind(access.created_at)
    .bind(access.last_synced_at)
    .bind(&access.upgraded_from)
    .bind(access.sync_period)
    .bind(access.created_by_grant.map(|grant| grant.to_string()))
    .execute(conn)
    .await?;
    Ok(())
}
