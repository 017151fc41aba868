use async_trait::async_trait;
use sqlx::Row;

use super::PgStore;
use super::codec::{client_id, corrupt, from_json, to_json, token_hash};
use crate::domain::ids::ClientId;
use crate::domain::origin::Origin;
use crate::domain::redirect_uri::RedirectUri;
use crate::domain::time::UnixTime;
use crate::store::{ClientRecord, ClientStore, StoreError};

const UPSERT: &str = "INSERT INTO clients \
    (id, name, secret_hash, redirect_uris, frame_origins, notification_uri, created_at) \
    VALUES ($1, $2, $3, $4, $5, $6, $7) \
    ON CONFLICT (id) DO UPDATE SET name = excluded.name, secret_hash = excluded.secret_hash, \
    redirect_uris = excluded.redirect_uris, frame_origins = excluded.frame_origins, \
    notification_uri = excluded.notification_uri";

const INSERT: &str = "INSERT INTO clients \
    (id, name, secret_hash, redirect_uris, frame_origins, notification_uri, created_at) \
    VALUES ($1, $2, $3, $4, $5, $6, $7)";

impl PgStore {
    async fn write_client(
        &self,
        sql: &'static str,
        client: &ClientRecord,
    ) -> Result<(), StoreError> {
        let uris: Vec<&str> = client
            .redirect_uris
            .iter()
            .map(RedirectUri::as_str)
            .collect();
        let origins: Vec<&str> = client.frame_origins.iter().map(Origin::as_str).collect();
        sqlx::query(sql)
            .bind(client.id.as_str())
            .bind(&client.name)
            .bind(client.secret_hash.to_hex())
            .bind(to_json(&uris))
            .bind(to_json(&origins))
            .bind(client.notification_uri.as_deref())
            .bind(UnixTime::now().0)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

#[async_trait]
impl ClientStore for PgStore {
    async fn insert_client(&self, client: &ClientRecord) -> Result<(), StoreError> {
        self.write_client(INSERT, client).await
    }

    async fn upsert_client(&self, client: &ClientRecord) -> Result<(), StoreError> {
        self.write_client(UPSERT, client).await
    }

    async fn client(&self, id: &ClientId) -> Result<Option<ClientRecord>, StoreError> {
        let row = sqlx::query(
            "SELECT id, name, secret_hash, redirect_uris, frame_origins, notification_uri \
             FROM clients WHERE id = $1",
        )
        .bind(id.as_str())
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let uris: Vec<String> = from_json(row.try_get("redirect_uris")?, "redirect_uris")?;
        let origins: Vec<String> = from_json(row.try_get("frame_origins")?, "frame_origins")?;
        Ok(Some(ClientRecord {
            id: client_id(row.try_get("id")?)?,
            name: row.try_get("name")?,
            secret_hash: token_hash(row.try_get("secret_hash")?)?,
            redirect_uris: uris
                .iter()
                .map(|u| RedirectUri::parse(u).map_err(|_| corrupt("redirect uri")))
                .collect::<Result<_, _>>()?,
            frame_origins: origins
                .iter()
                .map(|o| Origin::parse(o).map_err(|_| corrupt("frame origin")))
                .collect::<Result<_, _>>()?,
            notification_uri: row.try_get("notification_uri")?,
        }))
    }
}
