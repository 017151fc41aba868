//! Codes and refresh tokens. `redeem_code` and `rotate_refresh_token` start with the
//! conditional `UPDATE … WHERE redeemed_at IS NULL` / `WHERE retired_at IS NULL … RETURNING`.
//! On SQLite that first write takes the single write lock, so the calls run one after the
//! other. On PostgreSQL (READ COMMITTED, see `backend/postgres.rs`)
//! the first transaction to reach the row locks it; every concurrent one waits, re-checks the
//! condition against the committed row and gets no row back, so it takes the replay path
//! (its next `SELECT` sees the winner's commit) and revokes the family, exactly as on SQLite.

use async_trait::async_trait;

use super::SqlStore;
use super::mapping::{client_id, from_json, grant_id, user_id};
use crate::domain::ids::{AccessId, ClientId, GrantId};
use crate::domain::reach::GrantReach;
use crate::domain::secret_token::TokenHash;
use crate::domain::time::UnixTime;
use crate::store::backend::{Row, Tx};
use crate::store::{
    AccessGrant, Exchange, GrantInfo, IssuedTokens, Refusal, StoreError, TokenStore,
};

async fn insert_tokens(
    tx: &mut Tx,
    grant: GrantId,
    tokens: &IssuedTokens,
    now: UnixTime,
) -> Result<(), StoreError> {
    for (table, hash, expires_at) in [
        (
            "access_tokens",
            &tokens.access_hash,
            tokens.access_expires_at,
        ),
        (
            "refresh_tokens",
            &tokens.refresh_hash,
            tokens.refresh_expires_at,
        ),
    ] {
        let sql = format!(
            "INSERT INTO {table} (hash, grant_id, expires_at, created_at) VALUES ($1, $2, $3, $4)"
        );
        tx.sql(&sql)
            .bind(hash.to_hex())
            .bind(grant.to_string())
            .bind(expires_at.0)
            .bind(now.0)
            .execute()
            .await?;
    }
    Ok(())
}

/// The new grant reaches the accounts the end-user chose in the code's flow (contract §2).
async fn reach_chosen_accounts(
    tx: &mut Tx,
    grant: GrantId,
    flow_id: &str,
) -> Result<(), StoreError> {
    let chosen: Option<String> = tx
        .sql("SELECT account_ids FROM flows WHERE id = $1")
        .bind(flow_id)
        .fetch_one()
        .await?
        .at(0)?;
    let chosen: Vec<String> = match chosen {
        Some(text) => from_json(&text, "flow account_ids")?,
        None => Vec::new(),
    };
    for account in chosen {
        tx.sql(
            "INSERT INTO grant_accounts (grant_id, account_id) \
             SELECT CAST($1 AS TEXT), id FROM accounts WHERE id = $2 \
             ON CONFLICT (grant_id, account_id) DO NOTHING",
        )
        .bind(grant.to_string())
        .bind(&account)
        .execute()
        .await?;
    }
    Ok(())
}

async fn revoke_grant(tx: &mut Tx, grant: &str, now: UnixTime) -> Result<(), StoreError> {
    tx.sql("UPDATE grants SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
        .bind(now.0)
        .bind(grant)
        .execute()
        .await?;
    Ok(())
}

/// Whose grant a row of `client_id, user_id, scope` names.
fn grant_info(grant_id: GrantId, row: &Row) -> Result<GrantInfo, StoreError> {
    Ok(GrantInfo {
        grant_id,
        client_id: client_id(&row.get::<String>("client_id")?)?,
        user_id: user_id(&row.get::<String>("user_id")?)?,
        scope: row.get("scope")?,
    })
}

#[async_trait]
impl TokenStore for SqlStore {
    async fn redeem_code(
        &self,
        code: &TokenHash,
        client: &ClientId,
        redirect_uri: &str,
        tokens: &IssuedTokens,
        now: UnixTime,
    ) -> Result<Exchange, StoreError> {
        let mut tx = self.db.begin().await?;
        let won = tx
            .sql(
                "UPDATE authorization_codes SET redeemed_at = $1 WHERE hash = $2 \
                 AND redeemed_at IS NULL AND expires_at > $1 AND client_id = $3 \
                 AND redirect_uri = $4 RETURNING client_id, user_id, scope, flow_id",
            )
            .bind(now.0)
            .bind(code.to_hex())
            .bind(client.as_str())
            .bind(redirect_uri)
            .fetch_optional()
            .await?;
        if let Some(row) = won {
            let info = grant_info(GrantId::generate(), &row)?;
            tx.sql(
                "INSERT INTO grants (id, client_id, user_id, scope, created_at) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(info.grant_id.to_string())
            .bind(info.client_id.as_str())
            .bind(info.user_id.to_string())
            .bind(&info.scope)
            .bind(now.0)
            .execute()
            .await?;
            tx.sql("UPDATE authorization_codes SET grant_id = $1 WHERE hash = $2")
                .bind(info.grant_id.to_string())
                .bind(code.to_hex())
                .execute()
                .await?;
            let flow_id: String = row.get("flow_id")?;
            reach_chosen_accounts(&mut tx, info.grant_id, &flow_id).await?;
            insert_tokens(&mut tx, info.grant_id, tokens, now).await?;
            tx.commit().await?;
            return Ok(Exchange::Issued(info));
        }
        let row = tx
            .sql(
                "SELECT client_id, redirect_uri, expires_at, redeemed_at, grant_id \
                 FROM authorization_codes WHERE hash = $1",
            )
            .bind(code.to_hex())
            .fetch_optional()
            .await?;
        let Some(row) = row else {
            return Ok(Exchange::Refused(Refusal::Unknown));
        };
        if row.get::<Option<i64>>("redeemed_at")?.is_some() {
            if let Some(grant) = row.get::<Option<String>>("grant_id")? {
                revoke_grant(&mut tx, &grant, now).await?;
                tx.commit().await?;
            }
            return Ok(Exchange::Replayed);
        }
        let refusal = if row.get::<String>("client_id")? != client.as_str() {
            Refusal::OtherClient
        } else if row.get::<String>("redirect_uri")? != redirect_uri {
            Refusal::RedirectUriMismatch
        } else {
            Refusal::Expired
        };
        Ok(Exchange::Refused(refusal))
    }

    async fn rotate_refresh_token(
        &self,
        refresh: &TokenHash,
        client: &ClientId,
        tokens: &IssuedTokens,
        now: UnixTime,
    ) -> Result<Exchange, StoreError> {
        let mut tx = self.db.begin().await?;
        // The grant's owner comes back with the winning update (one statement, not two).
        let won = tx
            .sql(
                "UPDATE refresh_tokens SET retired_at = $1 WHERE hash = $2 AND retired_at IS NULL \
                 AND expires_at > $1 AND grant_id IN \
                 (SELECT id FROM grants WHERE client_id = $3 AND revoked_at IS NULL) \
                 RETURNING grant_id, \
                 (SELECT client_id FROM grants g WHERE g.id = grant_id) AS client_id, \
                 (SELECT user_id FROM grants g WHERE g.id = grant_id) AS user_id, \
                 (SELECT scope FROM grants g WHERE g.id = grant_id) AS scope",
            )
            .bind(now.0)
            .bind(refresh.to_hex())
            .bind(client.as_str())
            .fetch_optional()
            .await?;
        if let Some(row) = won {
            let info = grant_info(grant_id(&row.get::<String>("grant_id")?)?, &row)?;
            insert_tokens(&mut tx, info.grant_id, tokens, now).await?;
            tx.commit().await?;
            return Ok(Exchange::Issued(info));
        }
        let row = tx
            .sql(
                "SELECT r.retired_at, r.expires_at, g.id, g.client_id, g.revoked_at \
                 FROM refresh_tokens r JOIN grants g ON g.id = r.grant_id WHERE r.hash = $1",
            )
            .bind(refresh.to_hex())
            .fetch_optional()
            .await?;
        let Some(row) = row else {
            return Ok(Exchange::Refused(Refusal::Unknown));
        };
        if row.get::<String>("client_id")? != client.as_str() {
            return Ok(Exchange::Refused(Refusal::OtherClient));
        }
        if row.get::<Option<i64>>("revoked_at")?.is_some() {
            return Ok(Exchange::Refused(Refusal::Revoked));
        }
        if row.get::<Option<i64>>("retired_at")?.is_some() {
            let grant: String = row.get("id")?;
            revoke_grant(&mut tx, &grant, now).await?;
            tx.commit().await?;
            return Ok(Exchange::Replayed);
        }
        Ok(Exchange::Refused(Refusal::Expired))
    }

    async fn access_grant(
        &self,
        access: &TokenHash,
        now: UnixTime,
    ) -> Result<Option<AccessGrant>, StoreError> {
        let row = self
            .db
            .sql(
                "SELECT g.id, g.client_id, g.user_id, g.scope FROM access_tokens a \
                 JOIN grants g ON g.id = a.grant_id \
                 WHERE a.hash = $1 AND a.expires_at > $2 AND g.revoked_at IS NULL",
            )
            .bind(access.to_hex())
            .bind(now.0)
            .fetch_optional()
            .await?;
        let Some(row) = row else { return Ok(None) };
        let info = grant_info(grant_id(&row.get::<String>("id")?)?, &row)?;
        Ok(Some(AccessGrant {
            grant_id: info.grant_id,
            client_id: info.client_id,
            user_id: info.user_id,
            scope: info.scope,
        }))
    }

    async fn grant_reach(&self, grant: GrantId) -> Result<GrantReach, StoreError> {
        self.reach("g.id = $1", &grant.to_string()).await
    }

    async fn live_grants_reach(&self, user: &str) -> Result<GrantReach, StoreError> {
        self.reach("g.user_id = $1 AND g.revoked_at IS NULL", user)
            .await
    }
}

impl SqlStore {
    /// What the grants `g` matching `grants` (one parameter, `value`) reach together.
    async fn reach(&self, grants: &str, value: &str) -> Result<GrantReach, StoreError> {
        let chosen = format!(
            "SELECT DISTINCT a.id, a.access_id FROM grant_accounts ga \
             JOIN grants g ON g.id = ga.grant_id JOIN accounts a ON a.id = ga.account_id \
             WHERE {grants}"
        );
        let chosen = self
            .db
            .sql(&chosen)
            .bind(value)
            .fetch_all()
            .await?
            .iter()
            .map(|row| Ok((row.get("id")?, row.get("access_id")?)))
            .collect::<Result<_, StoreError>>()?;
        let own = format!(
            "SELECT a.id FROM accesses a JOIN grants g ON g.id = a.created_by_grant WHERE {grants}"
        );
        let own: Vec<AccessId> = self.db.sql(&own).bind(value).fetch_column().await?;
        // Accesses an upgrade emptied, of the families whose accounts the grants reach.
        let emptied = format!(
            "SELECT f.id FROM accesses f \
             WHERE NOT EXISTS (SELECT 1 FROM accounts WHERE access_id = f.id) \
             AND COALESCE(f.upgraded_from, f.id) IN (\
             SELECT COALESCE(x.upgraded_from, x.id) FROM grant_accounts ga \
             JOIN grants g ON g.id = ga.grant_id JOIN accounts a ON a.id = ga.account_id \
             JOIN accesses x ON x.id = a.access_id WHERE {grants})"
        );
        let emptied: Vec<AccessId> = self.db.sql(&emptied).bind(value).fetch_column().await?;
        Ok(GrantReach {
            chosen,
            own_accesses: own.into_iter().collect(),
            upgraded_accesses: emptied.into_iter().collect(),
        })
    }
}
