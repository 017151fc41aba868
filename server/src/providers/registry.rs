//! Access method id → provider implementation, provider id and credential fields.
//!
//! The catalog (another module) owns names, BLZ and search; this registry only knows what the
//! engine needs to run a sync. The two sandbox methods are fixed; `de-<BLZ>-fints` methods of
//! real banks with a known FinTS server resolve to [`Fints`](super::fints::Fints).

use std::collections::BTreeMap;
use std::sync::Arc;

use kontolink_api::CredentialField;

use super::Provider;
use super::fints::Fints;
use super::sandbox::{Sandbox, SandboxConfig};

pub const SANDBOX_PROVIDER_ID: &str = "kontolink-sandbox";
pub const SANDBOX_PIN_METHOD: &str = "kontolink-sandbox-pin";
pub const SANDBOX_PSD2_METHOD: &str = "kontolink-sandbox-psd2";

/// One access method as the engine sees it.
#[derive(Clone)]
pub struct MethodEntry {
    pub access_method_id: String,
    pub provider_id: String,
    /// `SANDBOX`, `PSD2` or `FINTS`.
    pub method_type: &'static str,
    pub credentials: Vec<CredentialField>,
    pub provider: Arc<dyn Provider>,
}

impl std::fmt::Debug for MethodEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MethodEntry")
            .field("access_method_id", &self.access_method_id)
            .field("provider_id", &self.provider_id)
            .finish_non_exhaustive()
    }
}

impl MethodEntry {
    /// Credential ids the end-user must supply.
    pub fn required(&self) -> impl Iterator<Item = &CredentialField> {
        self.credentials.iter().filter(|field| !field.is_optional)
    }

    pub fn is_secret(&self, credential_id: &str) -> bool {
        self.credentials
            .iter()
            .any(|field| field.id == credential_id && field.is_secret)
    }

    pub fn knows(&self, credential_id: &str) -> bool {
        self.credentials
            .iter()
            .any(|field| field.id == credential_id)
    }
}

pub struct ProviderRegistry {
    fixed: BTreeMap<String, MethodEntry>,
    fints: Arc<Fints>,
}

fn login_and_pin() -> Vec<CredentialField> {
    vec![
        CredentialField {
            id: "login".into(),
            label: "Login name".into(),
            is_secret: false,
            is_optional: false,
        },
        CredentialField {
            id: "pin".into(),
            label: "PIN".into(),
            is_secret: true,
            is_optional: false,
        },
    ]
}

impl ProviderRegistry {
    pub fn new(sandbox: SandboxConfig, fints: Fints) -> ProviderRegistry {
        let sandbox: Arc<dyn Provider> = Arc::new(Sandbox::new(sandbox));
        let mut fixed = BTreeMap::new();
        for (id, method_type) in [
            (SANDBOX_PIN_METHOD, "SANDBOX"),
            (SANDBOX_PSD2_METHOD, "PSD2"),
        ] {
            fixed.insert(
                id.to_owned(),
                MethodEntry {
                    access_method_id: id.to_owned(),
                    provider_id: SANDBOX_PROVIDER_ID.to_owned(),
                    method_type,
                    credentials: login_and_pin(),
                    provider: sandbox.clone(),
                },
            );
        }
        ProviderRegistry {
            fixed,
            fints: Arc::new(fints),
        }
    }

    pub fn method(&self, access_method_id: &str) -> Option<MethodEntry> {
        if let Some(entry) = self.fixed.get(access_method_id) {
            return Some(entry.clone());
        }
        let blz = fints_blz(access_method_id)?;
        if !self.fints.knows(blz) {
            return None;
        }
        Some(MethodEntry {
            access_method_id: access_method_id.to_owned(),
            provider_id: format!("de-{blz}"),
            method_type: "FINTS",
            credentials: crate::catalog::fints_credentials(),
            provider: self.fints.clone(),
        })
    }
}

/// `de-<8 digits>-fints` → the BLZ.
pub fn fints_blz(access_method_id: &str) -> Option<&str> {
    let blz = access_method_id
        .strip_prefix("de-")?
        .strip_suffix("-fints")?;
    (blz.len() == 8 && blz.bytes().all(|b| b.is_ascii_digit())).then_some(blz)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sandbox_and_fints_methods_resolve() {
        let urls = [(
            "10020030".to_owned(),
            "https://fints.example.de/".to_owned(),
        )];
        let fints = Fints::new(
            crate::providers::fints::FintsConfig::default(),
            urls.into_iter().collect(),
            Arc::new(crate::providers::state::Forgetful),
        );
        let registry = ProviderRegistry::new(SandboxConfig::default(), fints);
        let pin = registry.method(SANDBOX_PIN_METHOD).unwrap();
        assert_eq!(pin.provider_id, SANDBOX_PROVIDER_ID);
        assert!(pin.is_secret("pin") && !pin.is_secret("login"));
        assert_eq!(
            registry.method("de-10020030-fints").unwrap().provider_id,
            "de-10020030"
        );
        assert_eq!(
            registry.method("de-10020030-fints").unwrap().method_type,
            "FINTS"
        );
        // A bank without a known FinTS server has no FinTS method.
        assert!(registry.method("de-10020031-fints").is_none());
        assert!(registry.method("de-1002003-fints").is_none());
        assert!(registry.method("de-1002003x-fints").is_none());
        assert!(registry.method("nope").is_none());
    }
}
