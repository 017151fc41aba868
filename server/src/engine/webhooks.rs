//! Webhooks: every finished sync of a client with a `notification_uri` (unless
//! `disable_notifications`) is written to the outbox in the transaction that ends the sync,
//! then POSTed with `X-Kontolink-Signature: sha256=<hex HMAC-SHA256 of the body>` and
//! retried with exponential backoff until the receiver answers 2xx.
//!
//! The signing key is the client secret. The client store keeps only a hash of it, so
//! `clients::register` hands the secret to [`register_client`] when a client with a
//! `notification_uri` is created, and it is kept sealed in the vault (`webhook:<client_id>`).

use std::sync::Arc;
use std::time::Duration;

use hmac::{Hmac, Mac};
use sha2::Sha256;
use tokio::sync::watch;

use super::{Engine, render};
use crate::domain::reach::Reach;
use crate::domain::secret_owner::webhook_owner;
use crate::domain::time::now_ms;
use crate::store::rows::{OutboxRow, SyncRow};
use crate::store::{Store, StoreError};
use crate::vault::{SecretMap, Vault};

pub const SIGNATURE_HEADER: &str = "x-kontolink-signature";

/// Registers where a client wants its notifications and the secret that signs them (sealed
/// in the vault). Needs no running engine: `client create` calls it with the store and the
/// vault it opened.
pub async fn register_client(
    store: &dyn Store,
    vault: &Vault,
    client_id: &str,
    notification_uri: &str,
    client_secret: &str,
) -> anyhow::Result<()> {
    let mut secret = SecretMap::default();
    secret.insert("secret", client_secret.to_owned());
    let sealed = vault.seal_map(&webhook_owner(client_id), &secret)?;
    store
        .set_client_webhook(client_id, notification_uri, &sealed)
        .await?;
    Ok(())
}

/// The body POSTed for a finished sync: the sync object, with an access upgrade's data
/// reduced to what the client's live grants for this end-user reach (contract §2: an account
/// the end-user did not choose is never visible to the integrator).
pub async fn sync_body(store: &dyn Store, sync: &SyncRow) -> Result<String, StoreError> {
    let mut body = render::sync(sync);
    if let Some(data) = body.error.as_mut().and_then(|e| e.data.as_mut())
        && (data.get("accounts").is_some() || data.get("access_ids").is_some())
    {
        let reach = Reach::Grant(store.live_grants_reach(&sync.user_id).await?);
        reach.redact_upgrade_data(data);
    }
    serde_json::to_string(&body).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// `sha256=<hex>` of `body` under `key`.
pub fn signature(key: &[u8], body: &[u8]) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

pub async fn run(engine: Arc<Engine>, mut shutdown: watch::Receiver<bool>) {
    let client = match reqwest::Client::builder()
        .timeout(engine.config.webhook_timeout)
        .redirect(reqwest::redirect::Policy::none())
        .build()
    {
        Ok(client) => client,
        Err(error) => {
            tracing::error!(%error, "cannot build the webhook HTTP client");
            return;
        }
    };
    loop {
        let now = now_ms();
        let lease = now + engine.config.webhook_timeout.as_millis() as i64 * 2;
        match engine
            .store
            .claim_webhook(now, lease, engine.config.webhook_max_attempts)
            .await
        {
            Ok(Some(row)) => {
                // A delivery under way is finished and recorded, also at a stop.
                deliver(&engine, &client, row).await;
                if *shutdown.borrow() {
                    return;
                }
                continue;
            }
            Ok(None) => {}
            Err(error) => tracing::error!(%error, "claiming a webhook failed"),
        }
        tokio::select! {
            () = engine.webhook_wake.notified() => {}
            () = tokio::time::sleep(engine.config.poll_interval.max(Duration::from_millis(100))) => {}
            _ = shutdown.changed() => return,
        }
    }
}

async fn deliver(engine: &Engine, client: &reqwest::Client, row: OutboxRow) {
    let result = async {
        let owner = webhook_owner(&row.client_id);
        let sealed = engine
            .store
            .vault_get(&owner)
            .await?
            .ok_or_else(|| anyhow::anyhow!("no webhook secret for the client"))?;
        let secret = engine.vault.open_map(&owner, &sealed)?;
        let key = secret
            .get("secret")
            .map(|s| secrecy::ExposeSecret::expose_secret(s).as_bytes().to_vec())
            .unwrap_or_default();
        let response = client
            .post(&row.url)
            .header("content-type", "application/json")
            .header(SIGNATURE_HEADER, signature(&key, row.body.as_bytes()))
            .body(row.body.clone())
            .send()
            .await?;
        if response.status().is_success() {
            Ok(())
        } else {
            Err(anyhow::anyhow!("receiver answered {}", response.status()))
        }
    }
    .await;
    let outcome = match result {
        Ok(()) => engine.store.webhook_delivered(row.id, now_ms()).await,
        Err(error) => {
            let attempt = u32::try_from(row.attempts).unwrap_or(u32::MAX).max(1);
            let delay = engine
                .config
                .webhook_backoff
                .saturating_mul(2u32.saturating_pow(attempt - 1))
                .min(engine.config.webhook_max_backoff);
            tracing::warn!(
                outbox_id = row.id,
                attempt,
                ?delay,
                error = format!("{error:#}"),
                "webhook delivery failed; retrying later"
            );
            engine
                .store
                .webhook_failed(
                    row.id,
                    now_ms() + delay.as_millis() as i64,
                    &format!("{error:#}"),
                )
                .await
        }
    };
    if let Err(error) = outcome {
        tracing::error!(%error, "recording a webhook delivery failed");
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn signature_is_hex_hmac_sha256() {
        // RFC 4231 test case 2.
        assert_eq!(
            super::signature(b"Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
