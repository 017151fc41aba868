//! Assembling what a provider call needs from the store and the vault: the merged
//! credentials and the challenge rounds with their (sealed) TANs.

use secrecy::SecretString;

use super::Engine;
use crate::domain::secret_owner::{access_secrets_owner, sync_secrets_owner, tan_owner};
use crate::domain::sync::StoredAnswer;
use crate::domain::time::ms_to_datetime;
use crate::providers::{Answer, AuthRound};
use crate::store::rows::{AccessRow, SyncRow};
use crate::vault::SecretMap;

/// Public credentials of the access, its sealed secrets, then the sync's own credentials.
pub async fn credentials(
    engine: &Engine,
    access: &AccessRow,
    sync: Option<&SyncRow>,
) -> anyhow::Result<SecretMap> {
    let mut merged = SecretMap::default();
    for (name, value) in &access.public_credentials {
        merged.insert(name, value.clone());
    }
    let owner = access_secrets_owner(&access.id);
    if let Some(sealed) = engine.store.vault_get(&owner).await? {
        merged.merge(&engine.vault.open_map(&owner, &sealed)?);
    }
    if let Some(sync) = sync.filter(|s| s.options.has_sync_credentials) {
        let owner = sync_secrets_owner(&sync.id);
        if let Some(sealed) = engine.store.vault_get(&owner).await? {
            merged.merge(&engine.vault.open_map(&owner, &sealed)?);
        }
    }
    Ok(merged)
}

/// The sync's rounds as the provider sees them, TANs opened from the vault.
pub async fn rounds(engine: &Engine, sync: &SyncRow) -> anyhow::Result<Vec<AuthRound>> {
    let mut rounds = Vec::with_capacity(sync.progress.rounds.len());
    for round in &sync.progress.rounds {
        let answer = match &round.answer {
            None => None,
            Some(StoredAnswer::Tan) => {
                let owner = tan_owner(&sync.id, &round.challenge.id);
                let sealed = engine
                    .store
                    .vault_get(&owner)
                    .await?
                    .ok_or_else(|| anyhow::anyhow!("the TAN of a challenge is missing"))?;
                let map = engine.vault.open_map(&owner, &sealed)?;
                let tan = map
                    .get("value")
                    .cloned()
                    .unwrap_or_else(|| SecretString::from(String::new()));
                Some(Answer::Tan(tan))
            }
            Some(StoredAnswer::Method(id)) => Some(Answer::Method(id.clone())),
            Some(StoredAnswer::Medium(id)) => Some(Answer::Medium(id.clone())),
            Some(StoredAnswer::Confirm) => Some(Answer::Confirm),
            Some(StoredAnswer::Approved(approved)) => Some(Answer::Approved(*approved)),
        };
        rounds.push(AuthRound {
            challenge: round.challenge.clone(),
            memo: round.memo.clone(),
            created_at: ms_to_datetime(round.created_at_ms),
            answer,
        });
    }
    Ok(rounds)
}

/// The secret credentials to keep on the access when a sync saves secrets.
pub fn secrets_only(engine: &Engine, access: &AccessRow, merged: &SecretMap) -> SecretMap {
    let mut secrets = merged.clone();
    match engine.providers.method(&access.access_method_id) {
        Some(method) => secrets.retain(|name| method.is_secret(name)),
        None => secrets.retain(|_| false),
    }
    secrets
}
