//! Test support (cargo feature `test-support`, never in production builds): put an end-user
//! and a Bearer access token straight into the database, as the auth module's token endpoint
//! would, and register a client webhook.

use rand::RngCore;

use crate::engine::{Engine, webhooks};
use crate::http::end_user::token_hash;
use crate::store::SqliteStore;

/// Inserts a valid access token for `user_id` of `client_id`; returns the token.
pub async fn insert_user_with_token(
    store: &SqliteStore,
    user_id: &str,
    client_id: &str,
) -> anyhow::Result<String> {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let token = hex::encode(bytes);
    sqlx::query(
        "INSERT INTO end_user_tokens (token_hash, user_id, client_id, expires_at) VALUES (?, ?, ?, ?)",
    )
    .bind(token_hash(&token))
    .bind(user_id)
    .bind(client_id)
    .bind(crate::engine::model::now_ms() + 3_600_000)
    .execute(store.pool())
    .await?;
    Ok(token)
}

/// What the auth module's client registration will call (see [`webhooks::register_client`]).
pub async fn register_webhook(
    engine: &Engine,
    client_id: &str,
    notification_uri: &str,
    client_secret: &str,
) -> anyhow::Result<()> {
    webhooks::register_client(engine, client_id, notification_uri, client_secret).await
}
