//! Codes and refresh tokens on PostgreSQL (READ COMMITTED, see the module docs of
//! `postgres.rs`). `redeem_code` and `rotate_refresh_token` start with the conditional
//! `UPDATE … WHERE redeemed_at IS NULL` / `WHERE retired_at IS NULL … RETURNING`: the first
//! transaction to reach the row locks it; every concurrent one waits, re-checks the
//! condition against the committed row and gets no row back, so it takes the replay path
//! (its next `SELECT` sees the winner's commit) and revokes the family, exactly as the
//! serialised SQLite backend does.

use async_trait::async_trait;
use sqlx::postgres::Postgres;
use sqlx::{Row, Transaction};

use super::PgStore;
use super::codec::{client_id, grant_id, user_id};
use crate::domain::ids::{AccessId, ClientId, GrantId};
use crate::domain::reach::GrantReach;
use crate::domain::secret_token::TokenHash;
use crate::domain::time::UnixTime;
use crate::store::{
    AccessGrant, Exchange, GrantInfo, IssuedTokens, Refusal, StoreError, TokenStore,
};

async fn insert_tokens(
    tx: &mut Transaction<'static, Postgres>,
    grant: GrantId,
    tokens: &IssuedTokens,
    now: UnixTime,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO access_tokens (hash, grant_id, expires_at, created_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(tokens.access_hash.to_hex())
    .bind(grant.to_string())
    .bind(tokens.access_expires_at.0)
    .bind(now.0)
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "INSERT INTO refresh_tokens (hash, grant_id, expires_at, created_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(tokens.refresh_hash.to_hex())
    .bind(grant.to_string())
    .bind(tokens.refresh_expires_at.0)
    .bind(now.0)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The new grant reaches the accounts the end-user chose in the code's flow (contract §2).
async fn reach_chosen_accounts(
    tx: &mut Transaction<'static, Postgres>,
    grant: GrantId,
    flow_id: String,
) -> Result<(), StoreError> {
    let chosen: Option<String> = sqlx::query_scalar("SELECT account_ids FROM flows WHERE id = $1")
        .bind(&flow_id)
        .fetch_one(&mut **tx)
        .await?;
    let chosen: Vec<String> = match chosen {
        Some(text) => serde_json::from_str(&text)
            .map_err(|_| StoreError::Corrupt("flow account_ids".to_owned()))?,
        None => Vec::new(),
    };
    for account in chosen {
        sqlx::query(
            "INSERT INTO grant_accounts (grant_id, account_id) \
             SELECT $1::text, id FROM accounts WHERE id = $2 \
             ON CONFLICT (grant_id, account_id) DO NOTHING",
        )
        .bind(grant.to_string())
        .bind(&account)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

async fn revoke_grant(
    tx: &mut Transaction<'static, Postgres>,
    grant: &str,
    now: UnixTime,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE grants SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
        .bind(now.0)
        .bind(grant)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

#[async_trait]
impl TokenStore for PgStore {
    async fn redeem_code(
        &self,
        code: &TokenHash,
        client: &ClientId,
        redirect_uri: &str,
        tokens: &IssuedTokens,
        now: UnixTime,
    ) -> Result<Exchange, StoreError> {
        let mut tx = self.pool.begin().await?;
        let won = sqlx::query(
            "UPDATE authorization_codes SET redeemed_at = $1 WHERE hash = $2 AND redeemed_at IS NULL \
             AND expires_at > $3 AND client_id = $4 AND redirect_uri = $5 \
             RETURNING client_id, user_id, scope, flow_id",
        )
        .bind(now.0)
        .bind(code.to_hex())
        .bind(now.0)
        .bind(client.as_str())
        .bind(redirect_uri)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(row) = won {
            let info = GrantInfo {
                grant_id: GrantId::generate(),
                client_id: client_id(row.try_get("client_id")?)?,
                user_id: user_id(row.try_get("user_id")?)?,
                scope: row.try_get("scope")?,
            };
            sqlx::query(
                "INSERT INTO grants (id, client_id, user_id, scope, created_at) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(info.grant_id.to_string())
            .bind(info.client_id.as_str())
            .bind(info.user_id.to_string())
            .bind(&info.scope)
            .bind(now.0)
            .execute(&mut *tx)
            .await?;
            sqlx::query("UPDATE authorization_codes SET grant_id = $1 WHERE hash = $2")
                .bind(info.grant_id.to_string())
                .bind(code.to_hex())
                .execute(&mut *tx)
                .await?;
            reach_chosen_accounts(&mut tx, info.grant_id, row.try_get("flow_id")?).await?;
            insert_tokens(&mut tx, info.grant_id, tokens, now).await?;
            tx.commit().await?;
            return Ok(Exchange::Issued(info));
        }
        let row = sqlx::query(
            "SELECT client_id, redirect_uri, expires_at, redeemed_at, grant_id \
             FROM authorization_codes WHERE hash = $1",
        )
        .bind(code.to_hex())
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else {
            return Ok(Exchange::Refused(Refusal::Unknown));
        };
        if row.try_get::<Option<i64>, _>("redeemed_at")?.is_some() {
            if let Some(grant) = row.try_get::<Option<String>, _>("grant_id")? {
                revoke_grant(&mut tx, &grant, now).await?;
                tx.commit().await?;
            }
            return Ok(Exchange::Replayed);
        }
        let refusal = if row.try_get::<&str, _>("client_id")? != client.as_str() {
            Refusal::OtherClient
        } else if row.try_get::<&str, _>("redirect_uri")? != redirect_uri {
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
        let mut tx = self.pool.begin().await?;
        let won: Option<String> = sqlx::query_scalar(
            "UPDATE refresh_tokens SET retired_at = $1 WHERE hash = $2 AND retired_at IS NULL \
             AND expires_at > $3 AND grant_id IN \
             (SELECT id FROM grants WHERE client_id = $4 AND revoked_at IS NULL) \
             RETURNING grant_id",
        )
        .bind(now.0)
        .bind(refresh.to_hex())
        .bind(now.0)
        .bind(client.as_str())
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(grant) = won {
            let row = sqlx::query("SELECT client_id, user_id, scope FROM grants WHERE id = $1")
                .bind(&grant)
                .fetch_one(&mut *tx)
                .await?;
            let info = GrantInfo {
                grant_id: grant_id(&grant)?,
                client_id: client_id(row.try_get("client_id")?)?,
                user_id: user_id(row.try_get("user_id")?)?,
                scope: row.try_get("scope")?,
            };
            insert_tokens(&mut tx, info.grant_id, tokens, now).await?;
            tx.commit().await?;
            return Ok(Exchange::Issued(info));
        }
        let row = sqlx::query(
            "SELECT r.retired_at, r.expires_at, g.id, g.client_id, g.revoked_at \
             FROM refresh_tokens r JOIN grants g ON g.id = r.grant_id WHERE r.hash = $1",
        )
        .bind(refresh.to_hex())
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else {
            return Ok(Exchange::Refused(Refusal::Unknown));
        };
        if row.try_get::<&str, _>("client_id")? != client.as_str() {
            return Ok(Exchange::Refused(Refusal::OtherClient));
        }
        if row.try_get::<Option<i64>, _>("revoked_at")?.is_some() {
            return Ok(Exchange::Refused(Refusal::Revoked));
        }
        if row.try_get::<Option<i64>, _>("retired_at")?.is_some() {
            let grant: String = row.try_get("id")?;
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
        let row = sqlx::query(
            "SELECT g.id, g.client_id, g.user_id, g.scope FROM access_tokens a \
             JOIN grants g ON g.id = a.grant_id \
             WHERE a.hash = $1 AND a.expires_at > $2 AND g.revoked_at IS NULL",
        )
        .bind(access.to_hex())
        .bind(now.0)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(AccessGrant {
            grant_id: grant_id(row.try_get("id")?)?,
            client_id: client_id(row.try_get("client_id")?)?,
            user_id: user_id(row.try_get("user_id")?)?,
            scope: row.try_get("scope")?,
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

impl PgStore {
    /// What the grants `g` matching `grants` (one parameter, `value`) reach together.
    async fn reach(&self, grants: &str, value: &str) -> Result<GrantReach, StoreError> {
        let chosen = format!(
            "SELECT DISTINCT a.id, a.access_id FROM grant_accounts ga \
             JOIN grants g ON g.id = ga.grant_id JOIN accounts a ON a.id = ga.account_id \
             WHERE {grants}"
        );
        let chosen = sqlx::query(&chosen)
            .bind(value)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|row| Ok((row.try_get("id")?, row.try_get("access_id")?)))
            .collect::<Result<_, sqlx::Error>>()?;
        let own = format!(
            "SELECT a.id FROM accesses a JOIN grants g ON g.id = a.created_by_grant WHERE {grants}"
        );
        let own: Vec<AccessId> = sqlx::query_scalar(&own)
            .bind(value)
            .fetch_all(&self.pool)
            .await?;
        // Accesses an upgrade emptied, of the families whose accounts the grants reach.
        let emptied = format!(
            "SELECT f.id FROM accesses f \
             WHERE NOT EXISTS (SELECT 1 FROM accounts WHERE access_id = f.id) \
             AND COALESCE(f.upgraded_from, f.id) IN (\
             SELECT COALESCE(x.upgraded_from, x.id) FROM grant_accounts ga \
             JOIN grants g ON g.id = ga.grant_id JOIN accounts a ON a.id = ga.account_id \
             JOIN accesses x ON x.id = a.access_id WHERE {grants})"
        );
        let emptied: Vec<AccessId> = sqlx::query_scalar(&emptied)
            .bind(value)
            .fetch_all(&self.pool)
            .await?;
        Ok(GrantReach {
            chosen,
            own_accesses: own.into_iter().collect(),
            upgraded_accesses: emptied.into_iter().collect(),
        })
    }
}
