//! `DataStore` on PostgreSQL: accesses, accounts, transactions, bearer tokens.

use async_trait::async_trait;

use super::PgStore;
use crate::domain::ids::{AccessId, AccountId};
use crate::store::StoreError;
use crate::store::engine::DataStore;
use crate::store::row_mapping::{
    self, ACCESS_COLUMNS, ACCOUNT_COLUMNS, TRANSACTION_COLUMNS, to_json,
};
use crate::store::rows::{AccessRow, AccountRow, TransactionFilter, TransactionRow};
use crate::vault::Sealed;

#[async_trait]
impl DataStore for PgStore {
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
        let sql = format!("SELECT {ACCESS_COLUMNS} FROM accesses WHERE id = $1");
        let row = sqlx::query(&sql)
            .bind(access_id)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(row_mapping::access).transpose()
    }

    async fn accesses_of_user(&self, user_id: &str) -> Result<Vec<AccessRow>, StoreError> {
        let sql = format!(
            "SELECT {ACCESS_COLUMNS} FROM accesses WHERE user_id = $1 ORDER BY created_at, id"
        );
        let rows = sqlx::query(&sql)
            .bind(user_id)
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(row_mapping::access).collect()
    }

    async fn accounts_of_user(&self, user_id: &str) -> Result<Vec<AccountRow>, StoreError> {
        let sql = format!(
            "SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE user_id = $1 ORDER BY created_at, id"
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
            "SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE access_id = $1 ORDER BY created_at, id"
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
             WHERE (s.id = $1 OR s.upgraded_from = $1) AND s.id <> $2",
        )
        .bind(root)
        .bind(access_id)
        .fetch_all(self.pool())
        .await?)
    }

    async fn account(&self, account_id: &AccountId) -> Result<Option<AccountRow>, StoreError> {
        let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE id = $1");
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
            "SELECT {TRANSACTION_COLUMNS} FROM transactions WHERE account_id = $1 \
             AND ($2 IS NULL OR booking_date >= $3) AND ($4 IS NULL OR booking_date <= $5) \
             ORDER BY booking_date DESC, provider_transaction_id DESC LIMIT $6 OFFSET $7"
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
            "SELECT created_at FROM syncs WHERE access_id = $1 AND counted AND created_at > $2 \
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
            "SELECT {ACCESS_COLUMNS} FROM accesses a WHERE secrets_saved AND status = 'ACTIVE' \
             AND COALESCE(last_synced_at, created_at) < $1 \
             AND NOT EXISTS (SELECT 1 FROM syncs s WHERE s.access_id = a.id \
                 AND (s.status IN ('QUEUED', 'RUNNING', 'AWAIT_AUTH') OR s.created_at >= $2)) \
             ORDER BY COALESCE(last_synced_at, created_at) LIMIT $3"
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
    conn: &mut sqlx::PgConnection,
    access: &AccessRow,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO accesses (id, user_id, client_id, provider_id, access_method_id, \
         public_credentials, save_secrets, secrets_saved, auth_method_id, auth_medium_id, status, \
         upgrade_error, created_at, last_synced_at, upgraded_from, sync_period, created_by_grant) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)",
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
