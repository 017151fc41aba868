//! Secret values as they travel through the server: wrapped so that `Debug`, logs, errors
//! and events can never show them.

use std::collections::BTreeMap;

use secrecy::{ExposeSecret, SecretString};
use zeroize::Zeroizing;

use super::VaultError;

/// Credential id (or any name) → secret value. `Debug` prints the names only.
#[derive(Clone, Default)]
pub struct SecretMap(BTreeMap<String, SecretString>);

impl SecretMap {
    pub fn insert(&mut self, name: &str, value: String) {
        self.0.insert(name.to_owned(), SecretString::from(value));
    }

    pub fn get(&self, name: &str) -> Option<&SecretString> {
        self.0.get(name)
    }

    pub fn contains(&self, name: &str) -> bool {
        self.0.contains_key(name)
    }

    pub fn remove(&mut self, name: &str) {
        self.0.remove(name);
    }

    pub fn retain(&mut self, mut keep: impl FnMut(&str) -> bool) {
        self.0.retain(|name, _| keep(name));
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.0.keys().map(String::as_str)
    }

    /// `other`'s values win.
    pub fn merge(&mut self, other: &SecretMap) {
        for (name, value) in &other.0 {
            self.0.insert(name.clone(), value.clone());
        }
    }

    pub(super) fn to_json(&self) -> Zeroizing<Vec<u8>> {
        let plain: BTreeMap<&str, &str> = self
            .0
            .iter()
            .map(|(name, value)| (name.as_str(), value.expose_secret()))
            .collect();
        Zeroizing::new(serde_json::to_vec(&plain).unwrap_or_default())
    }

    pub(super) fn from_json(bytes: &[u8]) -> Result<SecretMap, VaultError> {
        let plain: BTreeMap<String, String> =
            serde_json::from_slice(bytes).map_err(|_| VaultError::Encoding)?;
        Ok(SecretMap(
            plain
                .into_iter()
                .map(|(name, value)| (name, SecretString::from(value)))
                .collect(),
        ))
    }
}

impl std::fmt::Debug for SecretMap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map()
            .entries(self.0.keys().map(|name| (name, "***")))
            .finish()
    }
}
