use async_trait::async_trait;

use super::SqliteStore;
use super::codec::{to_json, user_id};
use crate::domain::flow::FlowStatus;
use crate::domain::iban::Iban;
use crate::domain::ids::{ClientId, ExternalUserId, FlowId, UserId};
use crate::domain::secret_token::TokenHash;
use crate::domain::time::UnixTime;
use crate::store::row_mapping::{self, FLOW_COLUMNS};
use crate::store::{FlowEnd, FlowRecord, FlowStore, NewFlow, StoreError};

/// A reconnect flow's choice (a flow with `access_id`) also reaches every grant that already
/// reaches that access (contract §2: "plus those chosen in later reconnect flows").
async fn share_with_grants_of_access(
    tx: &mut sqlx::Transaction<'static, sqlx::Sqlite>,
    flow: FlowId,
    account_ids: &[String],
) -> Result<(), StoreError> {
    let access: Option<String> = sqlx::query_scalar("SELECT access_id FROM flows WHERE id = ?")
        .bind(flow.to_string())
        .fetch_one(&mut **tx)
        .await?;
    let Some(access) = access else {
        return Ok(());
    };
    for account in account_ids {
        sqlx::query(
            "INSERT INTO grant_accounts (grant_id, account_id) \
             SELECT DISTINCT reaching.grant_id, chosen.id FROM accounts chosen \
             JOIN accounts held ON held.access_id = chosen.access_id \
             JOIN grant_accounts reaching ON reaching.account_id = held.id \
             WHERE chosen.id = ? AND chosen.access_id = ? \
             ON CONFLICT (grant_id, account_id) DO NOTHING",
        )
        .bind(account)
        .bind(&access)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

#[async_trait]
impl FlowStore for SqliteStore {
    async fn create_flow(&self, flow: &NewFlow) -> Result<UserId, StoreError> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let now = flow.created_at.0;
        let client = flow.client_id.as_str();
        let user = match (&flow.ongoing, flow.reconnect_user) {
            (Some(ongoing), _) => {
                sqlx::query(
                    "INSERT INTO users (id, client_id, external_id, created_at) VALUES (?, ?, ?, ?) \
                     ON CONFLICT (client_id, external_id) DO NOTHING",
                )
                .bind(UserId::generate().to_string())
                .bind(client)
                .bind(ongoing.user.as_str())
                .bind(now)
                .execute(&mut *tx)
                .await?;
                let id: String = sqlx::query_scalar(
                    "SELECT id FROM users WHERE client_id = ? AND external_id = ?",
                )
                .bind(client)
                .bind(ongoing.user.as_str())
                .fetch_one(&mut *tx)
                .await?;
                user_id(&id)?
            }
            (None, Some(user)) => user,
            (None, None) => {
                let id = UserId::generate();
                sqlx::query("INSERT INTO users (id, client_id, external_id, created_at) VALUES (?, ?, NULL, ?)")
                    .bind(id.to_string())
                    .bind(client)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                id
            }
        };
        let p = &flow.params;
        let accounts: Vec<&str> = p.accounts.iter().map(Iban::as_str).collect();
        sqlx::query(
            "INSERT INTO flows (id, client_id, user_id, kind, status, redirect_uri, state, language, \
             accounts, account_types, allow_multi_selection, sync_period, save_secrets, provider_id, \
             access_id, token_hash, token_expires_at, created_at) \
             VALUES (?, ?, ?, ?, 'open', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(flow.id.to_string())
        .bind(client)
        .bind(user.to_string())
        .bind(flow.kind.as_str())
        .bind(p.redirect_uri.as_str())
        .bind(p.state.as_deref())
        .bind(p.language.code())
        .bind(to_json(&accounts))
        .bind(p.account_types.as_ref().map(to_json))
        .bind(p.allow_multi_selection)
        .bind(p.sync_period)
        .bind(flow.ongoing.as_ref().is_some_and(|o| o.save_secrets))
        .bind(flow.ongoing.as_ref().and_then(|o| o.provider_id.as_deref()))
        .bind(p.access_id.as_ref())
        .bind(flow.token_hash.to_hex())
        .bind(flow.token_expires_at.0)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(user)
    }

    async fn user_by_external_id(
        &self,
        client: &ClientId,
        external: &ExternalUserId,
    ) -> Result<Option<UserId>, StoreError> {
        let id: Option<String> =
            sqlx::query_scalar("SELECT id FROM users WHERE client_id = ? AND external_id = ?")
                .bind(client.as_str())
                .bind(external.as_str())
                .fetch_optional(&self.pool)
                .await?;
        id.as_deref().map(user_id).transpose()
    }

    async fn flow_by_token(&self, token: &TokenHash) -> Result<Option<FlowRecord>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {FLOW_COLUMNS} FROM flows WHERE token_hash = ?"
        ))
        .bind(token.to_hex())
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(row_mapping::flow).transpose()
    }

    async fn open_session(
        &self,
        token: &TokenHash,
        session: &TokenHash,
        session_expires_at: UnixTime,
        now: UnixTime,
    ) -> Result<Option<FlowRecord>, StoreError> {
        let row = sqlx::query(&format!(
            "UPDATE flows SET token_used_at = ?, session_hash = ?, session_expires_at = ? \
             WHERE token_hash = ? AND token_used_at IS NULL AND token_expires_at > ? \
             AND status = 'open' RETURNING {FLOW_COLUMNS}"
        ))
        .bind(now.0)
        .bind(session.to_hex())
        .bind(session_expires_at.0)
        .bind(token.to_hex())
        .bind(now.0)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(row_mapping::flow).transpose()
    }

    async fn flow_by_session(
        &self,
        session: &TokenHash,
        now: UnixTime,
    ) -> Result<Option<FlowRecord>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {FLOW_COLUMNS} FROM flows WHERE session_hash = ? AND session_expires_at > ? \
             AND status = 'open'"
        ))
        .bind(session.to_hex())
        .bind(now.0)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(row_mapping::flow).transpose()
    }

    async fn finish_flow(
        &self,
        flow: FlowId,
        end: &FlowEnd,
        now: UnixTime,
    ) -> Result<bool, StoreError> {
        let (status, account_ids, error) = match end {
            FlowEnd::Completed { account_ids, .. } => {
                (FlowStatus::Completed, Some(to_json(account_ids)), None)
            }
            FlowEnd::Cancelled => (FlowStatus::Cancelled, None, None),
            FlowEnd::Failed { error } => (FlowStatus::Failed, None, Some(error.as_str())),
        };
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let ended = sqlx::query(
            "UPDATE flows SET status = ?, finished_at = ?, account_ids = ?, error = ?, \
             session_hash = NULL WHERE id = ? AND status = 'open'",
        )
        .bind(status.as_str())
        .bind(now.0)
        .bind(account_ids)
        .bind(error)
        .bind(flow.to_string())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if ended != 1 {
            return Ok(false);
        }
        if let FlowEnd::Completed { code, account_ids } = end {
            share_with_grants_of_access(&mut tx, flow, account_ids).await?;
            sqlx::query(
                "INSERT INTO authorization_codes \
                 (hash, flow_id, client_id, user_id, redirect_uri, scope, expires_at) \
                 SELECT ?, id, client_id, user_id, redirect_uri, ?, ? FROM flows WHERE id = ?",
            )
            .bind(code.hash.to_hex())
            .bind(&code.scope)
            .bind(code.expires_at.0)
            .bind(flow.to_string())
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    async fn accounts_not_owned_by(
        &self,
        user: UserId,
        ids: &[String],
    ) -> Result<Vec<String>, StoreError> {
        let user = user.to_string();
        let mut foreign = Vec::new();
        // At most 100 ids (`account_ids::MAX_ACCOUNT_IDS`): one indexed lookup each.
        for id in ids {
            let owned: Option<i64> =
                sqlx::query_scalar("SELECT 1 FROM accounts WHERE id = ? AND user_id = ?")
                    .bind(id)
                    .bind(&user)
                    .fetch_optional(&self.pool)
                    .await?;
            if owned.is_none() {
                foreign.push(id.clone());
            }
        }
        Ok(foreign)
    }
}
