//! What a provider keeps between syncs (a FinTS bank's parameters, an access's customer
//! system id): small values by key, sealed in the vault like every saved secret.

use async_trait::async_trait;

#[async_trait]
pub trait ProviderState: Send + Sync {
    async fn load(&self, key: &str) -> anyhow::Result<Option<Vec<u8>>>;
    async fn save(&self, key: &str, value: &[u8]) -> anyhow::Result<()>;
}

/// Keeps nothing (tests of providers that need no memory, and the sandbox bank).
pub struct Forgetful;

#[async_trait]
impl ProviderState for Forgetful {
    async fn load(&self, _: &str) -> anyhow::Result<Option<Vec<u8>>> {
        Ok(None)
    }

    async fn save(&self, _: &str, _: &[u8]) -> anyhow::Result<()> {
        Ok(())
    }
}
