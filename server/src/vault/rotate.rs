//! Key rotation: a new key becomes current, every sealed row is re-sealed with it, and only
//! when no row uses an old key any more are the old keys removed from the key file.
//! Running servers notice the changed key file (modification time) and reload it.

use crate::store::Store;

use super::{Vault, VaultError, keyfile};

#[derive(Debug, thiserror::Error)]
pub enum RotateError {
    #[error(transparent)]
    Vault(#[from] VaultError),
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RotationReport {
    pub new_key_id: String,
    pub resealed: u64,
    pub retired_keys: Vec<String>,
}

const BATCH: u32 = 500;

pub async fn rotate(vault: &Vault, store: &dyn Store) -> Result<RotationReport, RotateError> {
    let mut ring = keyfile::read(vault.path())?;
    let new_key_id = ring.add_current();
    keyfile::write(vault.path(), &ring)?;
    vault.reload()?;
    let mut resealed = 0;
    loop {
        let rows = store.vault_list_not_under(&new_key_id, BATCH).await?;
        if rows.is_empty() {
            break;
        }
        for (owner, sealed) in rows {
            let plain = vault.open(&owner, &sealed)?;
            let fresh = vault.seal(&owner, &plain)?;
            if store
                .vault_replace_if_key(&owner, &sealed.key_id, &fresh)
                .await?
            {
                resealed += 1;
            }
        }
    }
    let mut ring = keyfile::read(vault.path())?;
    let retired_keys = ring.retire_old();
    keyfile::write(vault.path(), &ring)?;
    vault.reload()?;
    Ok(RotationReport {
        new_key_id,
        resealed,
        retired_keys,
    })
}
