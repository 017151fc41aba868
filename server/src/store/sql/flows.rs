//! Flows, their end-users and their widget sessions. The flow token is used by one
//! conditional `UPDATE … RETURNING` (on PostgreSQL a concurrent one waits for the row lock,
//! re-checks `token_used_at IS NULL` and loses). Two flows for the same new ongoing user
//! insert it with `ON CONFLICT DO NOTHING`: the second insert waits for the first one's
//! unique-index entry (or SQLite's write lock), and its `SELECT` then sees it.

use async_trait::async_trait;

use super::SqlStore;
use super::mapping::{self, FLOW_COLUMNS, to_json, user_id};
use crate::domain::flow::FlowStatus;
use crate::domain::iban::Iban;
use crate::domain::ids::{ClientId, ExternalUserId, FlowId, UserId};
use crate::domain::secret_token::TokenHash;
use crate::domain::time::UnixTime;
use crate::store::backend::Tx;
use crate::store::{FlowEnd, FlowRecord, FlowStore, NewFlow, StoreError};

const USER_BY_EXTERNAL_ID: &str = "SELECT id FROM users WHERE client_id = $1 AND external_id = $2";

/// A reconnect flow's choice (a flow with `access_id`) also reaches every grant that already
/// reaches that access (contract §2: "plus those chosen in later reconnect flows").
async fn share_with_grants_of_access(
    tx: &mut Tx,
    flow: FlowId,
    account_ids: &[String],
) -> Result<(), StoreError> {
    let access: Option<String> = tx
        .sql("SELECT access_id FROM flows WHERE id = $1")
        .bind(flow.to_string())
        .fetch_one()
        .await?
        .at(0)?;
    let Some(access) = access else {
        return Ok(());
    };
    for account in account_ids {
        tx.sql(
            "INSERT INTO grant_accounts (grant_id, account_id) \
             SELECT DISTINCT reaching.grant_id, chosen.id FROM accounts chosen \
             JOIN accounts held ON held.access_id = chosen.access_id \
             JOIN grant_accounts reaching ON reaching.account_id = held.id \
             WHERE chosen.id = $1 AND chosen.access_id = $2 \
             ON CONFLICT (grant_id, account_id) DO NOTHING",
        )
        .bind(account)
        .bind(&access)
        .execute()
        .await?;
    }
    Ok(())
}

#[async_trait]
impl FlowStore for SqlStore {
    async fn create_flow(&self, flow: &NewFlow) -> Result<UserId, StoreError> {
        let mut tx = self.db.begin().await?;
        let now = flow.created_at.0;
        let client = flow.client_id.as_str();
        let user = match (&flow.ongoing, flow.reconnect_user) {
            (Some(ongoing), _) => {
                tx.sql(
                    "INSERT INTO users (id, client_id, external_id, created_at) \
                     VALUES ($1, $2, $3, $4) ON CONFLICT (client_id, external_id) DO NOTHING",
                )
                .bind(UserId::generate().to_string())
                .bind(client)
                .bind(ongoing.user.as_str())
                .bind(now)
                .execute()
                .await?;
                let id: String = tx
                    .sql(USER_BY_EXTERNAL_ID)
                    .bind(client)
                    .bind(ongoing.user.as_str())
                    .fetch_one()
                    .await?
                    .at(0)?;
                user_id(&id)?
            }
            (None, Some(user)) => user,
            (None, None) => {
                let id = UserId::generate();
                tx.sql(
                    "INSERT INTO users (id, client_id, external_id, created_at) \
                     VALUES ($1, $2, NULL, $3)",
                )
                .bind(id.to_string())
                .bind(client)
                .bind(now)
                .execute()
                .await?;
                id
            }
        };
        let p = &flow.params;
        let accounts: Vec<&str> = p.accounts.iter().map(Iban::as_str).collect();
        tx.sql(
            "INSERT INTO flows (id, client_id, user_id, kind, status, redirect_uri, state, \
             language, accounts, account_types, allow_multi_selection, sync_period, save_secrets, \
             provider_id, access_id, token_hash, token_expires_at, created_at) \
             VALUES ($1, $2, $3, $4, 'open', $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, \
             $16, $17)",
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
        .execute()
        .await?;
        tx.commit().await?;
        Ok(user)
    }

    async fn user_by_external_id(
        &self,
        client: &ClientId,
        external: &ExternalUserId,
    ) -> Result<Option<UserId>, StoreError> {
        let id: Option<String> = self
            .db
            .sql(USER_BY_EXTERNAL_ID)
            .bind(client.as_str())
            .bind(external.as_str())
            .fetch_value()
            .await?;
        id.as_deref().map(user_id).transpose()
    }

    async fn flow_by_token(&self, token: &TokenHash) -> Result<Option<FlowRecord>, StoreError> {
        let sql = format!("SELECT {FLOW_COLUMNS} FROM flows WHERE token_hash = $1");
        let row = self
            .db
            .sql(&sql)
            .bind(token.to_hex())
            .fetch_optional()
            .await?;
        row.as_ref().map(mapping::flow).transpose()
    }

    async fn open_session(
        &self,
        token: &TokenHash,
        session: &TokenHash,
        session_expires_at: UnixTime,
        now: UnixTime,
    ) -> Result<Option<FlowRecord>, StoreError> {
        let sql = format!(
            "UPDATE flows SET token_used_at = $1, session_hash = $2, session_expires_at = $3 \
             WHERE token_hash = $4 AND token_used_at IS NULL AND token_expires_at > $1 \
             AND status = 'open' RETURNING {FLOW_COLUMNS}"
        );
        let row = self
            .db
            .sql(&sql)
            .bind(now.0)
            .bind(session.to_hex())
            .bind(session_expires_at.0)
            .bind(token.to_hex())
            .fetch_optional()
            .await?;
        row.as_ref().map(mapping::flow).transpose()
    }

    async fn flow_by_session(
        &self,
        session: &TokenHash,
        now: UnixTime,
    ) -> Result<Option<FlowRecord>, StoreError> {
        let sql = format!(
            "SELECT {FLOW_COLUMNS} FROM flows WHERE session_hash = $1 AND session_expires_at > $2 \
             AND status = 'open'"
        );
        let row = self
            .db
            .sql(&sql)
            .bind(session.to_hex())
            .bind(now.0)
            .fetch_optional()
            .await?;
        row.as_ref().map(mapping::flow).transpose()
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
        let mut tx = self.db.begin().await?;
        let ended = tx
            .sql(
                "UPDATE flows SET status = $1, finished_at = $2, account_ids = $3, error = $4, \
                 session_hash = NULL WHERE id = $5 AND status = 'open'",
            )
            .bind(status.as_str())
            .bind(now.0)
            .bind(account_ids)
            .bind(error)
            .bind(flow.to_string())
            .execute()
            .await?;
        if ended != 1 {
            return Ok(false);
        }
        if let FlowEnd::Completed { code, account_ids } = end {
            share_with_grants_of_access(&mut tx, flow, account_ids).await?;
            tx.sql(
                "INSERT INTO authorization_codes \
                 (hash, flow_id, client_id, user_id, redirect_uri, scope, expires_at) \
                 SELECT $1, id, client_id, user_id, redirect_uri, $2, $3 FROM flows WHERE id = $4",
            )
            .bind(code.hash.to_hex())
            .bind(&code.scope)
            .bind(code.expires_at.0)
            .bind(flow.to_string())
            .execute()
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
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        // At most 100 ids (`account_ids::MAX_ACCOUNT_IDS`): one indexed lookup for all.
        let sql = format!(
            "SELECT id FROM accounts WHERE user_id = $1 AND id IN ({})",
            super::numbered_list(2, ids.len())
        );
        let mut select = self.db.sql(&sql).bind(user.to_string());
        for id in ids {
            select = select.bind(id);
        }
        let owned: Vec<String> = select.fetch_column().await?;
        Ok(ids
            .iter()
            .filter(|id| !owned.contains(id))
            .cloned()
            .collect())
    }
}
