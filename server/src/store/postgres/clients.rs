use async_trait::async_trait;

use super::PgStore;
use super::codec::to_json;
use crate::domain::ids::ClientId;
use crate::domain::origin::Origin;
use crate::domain::redirect_uri::RedirectUri;
use crate::domain::time::UnixTime;
use crate::store::row_mapping::{self, CLIENT_COLUMNS};
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
        let row = sqlx::query(&format!(
            "SELECT {CLIENT_COLUMNS} FROM clients WHERE id = $1"
        ))
        .bind(id.as_str())
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(row_mapping::client).transpose()
    }
}
