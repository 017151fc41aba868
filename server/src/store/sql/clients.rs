//! Integrator clients.

use async_trait::async_trait;

use super::SqlStore;
use super::mapping::{self, CLIENT_COLUMNS, to_json};
use crate::domain::ids::ClientId;
use crate::domain::origin::Origin;
use crate::domain::redirect_uri::RedirectUri;
use crate::domain::time::UnixTime;
use crate::store::{ClientRecord, ClientStore, StoreError};

const INSERT: &str = "INSERT INTO clients \
    (id, name, secret_hash, redirect_uris, frame_origins, notification_uri, created_at) \
    VALUES ($1, $2, $3, $4, $5, $6, $7)";

const UPSERT: &str = "INSERT INTO clients \
    (id, name, secret_hash, redirect_uris, frame_origins, notification_uri, created_at) \
    VALUES ($1, $2, $3, $4, $5, $6, $7) \
    ON CONFLICT (id) DO UPDATE SET name = excluded.name, secret_hash = excluded.secret_hash, \
    redirect_uris = excluded.redirect_uris, frame_origins = excluded.frame_origins, \
    notification_uri = excluded.notification_uri";

impl SqlStore {
    async fn write_client(&self, sql: &str, client: &ClientRecord) -> Result<(), StoreError> {
        let uris: Vec<&str> = client
            .redirect_uris
            .iter()
            .map(RedirectUri::as_str)
            .collect();
        let origins: Vec<&str> = client.frame_origins.iter().map(Origin::as_str).collect();
        self.db
            .sql(sql)
            .bind(client.id.as_str())
            .bind(&client.name)
            .bind(client.secret_hash.to_hex())
            .bind(to_json(&uris))
            .bind(to_json(&origins))
            .bind(client.notification_uri.as_deref())
            .bind(UnixTime::now().0)
            .execute()
            .await?;
        Ok(())
    }
}

#[async_trait]
impl ClientStore for SqlStore {
    async fn insert_client(&self, client: &ClientRecord) -> Result<(), StoreError> {
        self.write_client(INSERT, client).await
    }

    async fn upsert_client(&self, client: &ClientRecord) -> Result<(), StoreError> {
        self.write_client(UPSERT, client).await
    }

    async fn client(&self, id: &ClientId) -> Result<Option<ClientRecord>, StoreError> {
        let sql = format!("SELECT {CLIENT_COLUMNS} FROM clients WHERE id = $1");
        let row = self.db.sql(&sql).bind(id.as_str()).fetch_optional().await?;
        row.as_ref().map(mapping::client).transpose()
    }
}
