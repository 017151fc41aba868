//! [`ProviderState`] in the vault: each value sealed under its key as the owner, so a
//! FinTS bank's parameters and an access's customer system id are encrypted at rest and
//! follow key rotation like every saved secret.

use std::sync::Arc;

use async_trait::async_trait;

use crate::providers::state::ProviderState;
use crate::store::Store;
use crate::vault::Vault;

pub struct VaultState {
    store: Arc<dyn Store>,
    vault: Arc<Vault>,
}

impl VaultState {
    pub fn new(store: Arc<dyn Store>, vault: Arc<Vault>) -> VaultState {
        VaultState { store, vault }
    }
}

fn owner(key: &str) -> String {
    format!("provider-state:{key}")
}

#[async_trait]
impl ProviderState for VaultState {
    async fn load(&self, key: &str) -> anyhow::Result<Option<Vec<u8>>> {
        let owner = owner(key);
        let Some(sealed) = self.store.vault_get(&owner).await? else {
            return Ok(None);
        };
        Ok(Some(self.vault.open(&owner, &sealed)?.to_vec()))
    }

    async fn save(&self, key: &str, value: &[u8]) -> anyhow::Result<()> {
        let owner = owner(key);
        let sealed = self.vault.seal(&owner, value)?;
        self.store.vault_put(&owner, &sealed).await?;
        Ok(())
    }
}
