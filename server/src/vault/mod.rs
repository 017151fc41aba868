//! The credentials vault: saved secrets sealed with XChaCha20-Poly1305.
//!
//! Every ciphertext is stored with the id of the key that sealed it and bound to its owner
//! (`access:<id>`, `sync:<id>`, `tan:<sync>:<challenge>`, `webhook:<client>`) as associated
//! data, so a row copied onto another owner does not open. Keys live in a key file
//! ([`keyfile`]) created on first start; `kontolink-server vault rotate` ([`rotate`]) adds a
//! new current key, re-seals every row and only then drops the old keys.

pub mod keyfile;
pub mod rotate;
mod secret;

use std::path::{Path, PathBuf};
use std::sync::RwLock;
use std::time::SystemTime;

use chacha20poly1305::aead::{Aead, AeadCore, OsRng, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use thiserror::Error;
use zeroize::Zeroizing;

pub use keyfile::KeyRing;
pub use secret::SecretMap;

const NONCE_LEN: usize = 24;

#[derive(Debug, Error)]
pub enum VaultError {
    #[error("vault key file {path}: {source}")]
    KeyFile {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("vault key file {path} is malformed: {reason}")]
    Malformed { path: PathBuf, reason: String },
    #[error("no vault key with id {0}")]
    UnknownKey(String),
    #[error("a sealed secret failed authentication (tampered, or sealed for another owner)")]
    Decrypt,
    #[error("a sealed secret is not valid JSON")]
    Encoding,
}

pub use crate::domain::sealed::Sealed;

/// The key ring of one key file, reloaded when the file changes (another process rotated).
pub struct Vault {
    path: PathBuf,
    ring: RwLock<(KeyRing, Option<SystemTime>)>,
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vault").field("path", &self.path).finish()
    }
}

impl Vault {
    /// Opens the key file at `path`, creating it with a fresh key if it does not exist.
    /// Returns whether it was created (the caller logs where).
    pub fn open_or_create(path: &Path) -> Result<(Vault, bool), VaultError> {
        let created = !path.exists() && keyfile::create_unless_exists(path, &KeyRing::generate())?;
        let ring = keyfile::read(path)?;
        let mtime = keyfile::mtime(path);
        let vault = Vault {
            path: path.to_owned(),
            ring: RwLock::new((ring, mtime)),
        };
        Ok((vault, created))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether the key file holds the key `key_id`.
    pub fn knows(&self, key_id: &str) -> bool {
        self.refresh_if_changed();
        self.read_ring(|ring| ring.keys.contains_key(key_id))
    }

    pub fn current_key_id(&self) -> String {
        self.refresh_if_changed();
        self.read_ring(|ring| ring.current.clone())
    }

    /// Seals `plaintext` for `owner` with the current key.
    pub fn seal(&self, owner: &str, plaintext: &[u8]) -> Result<Sealed, VaultError> {
        self.refresh_if_changed();
        self.read_ring(|ring| {
            let key_id = ring.current.clone();
            let cipher = ring.cipher(&key_id)?;
            let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
            let aad = associated_data(owner, &key_id);
            let ciphertext = cipher
                .encrypt(
                    &nonce,
                    Payload {
                        msg: plaintext,
                        aad: &aad,
                    },
                )
                .map_err(|_| VaultError::Decrypt)?;
            let mut bytes = Vec::with_capacity(NONCE_LEN + ciphertext.len());
            bytes.extend_from_slice(&nonce);
            bytes.extend_from_slice(&ciphertext);
            Ok(Sealed { key_id, bytes })
        })
    }

    /// Opens a secret sealed for `owner`; fails on any flipped bit.
    pub fn open(&self, owner: &str, sealed: &Sealed) -> Result<Zeroizing<Vec<u8>>, VaultError> {
        if !self.read_ring(|ring| ring.keys.contains_key(&sealed.key_id)) {
            self.reload()?;
        }
        self.read_ring(|ring| {
            let cipher = ring.cipher(&sealed.key_id)?;
            if sealed.bytes.len() < NONCE_LEN {
                return Err(VaultError::Decrypt);
            }
            let (nonce, ciphertext) = sealed.bytes.split_at(NONCE_LEN);
            let aad = associated_data(owner, &sealed.key_id);
            cipher
                .decrypt(
                    XNonce::from_slice(nonce),
                    Payload {
                        msg: ciphertext,
                        aad: &aad,
                    },
                )
                .map(Zeroizing::new)
                .map_err(|_| VaultError::Decrypt)
        })
    }

    pub fn seal_map(&self, owner: &str, map: &SecretMap) -> Result<Sealed, VaultError> {
        self.seal(owner, &map.to_json())
    }

    pub fn open_map(&self, owner: &str, sealed: &Sealed) -> Result<SecretMap, VaultError> {
        SecretMap::from_json(&self.open(owner, sealed)?)
    }

    /// Re-reads the key file.
    pub fn reload(&self) -> Result<(), VaultError> {
        let ring = keyfile::read(&self.path)?;
        let mtime = keyfile::mtime(&self.path);
        if let Ok(mut guard) = self.ring.write() {
            *guard = (ring, mtime);
        }
        Ok(())
    }

    fn refresh_if_changed(&self) {
        let now = keyfile::mtime(&self.path);
        let known = self.ring.read().map(|guard| guard.1).unwrap_or(None);
        if now.is_some()
            && now != known
            && let Err(error) = self.reload()
        {
            tracing::error!(%error, "reloading the vault key file failed; keeping the old keys");
        }
    }

    fn read_ring<T>(&self, f: impl FnOnce(&KeyRing) -> T) -> T {
        match self.ring.read() {
            Ok(guard) => f(&guard.0),
            Err(poisoned) => f(&poisoned.into_inner().0),
        }
    }
}

fn associated_data(owner: &str, key_id: &str) -> Vec<u8> {
    format!("kontolink-vault/v1\0{owner}\0{key_id}").into_bytes()
}

#[cfg(test)]
mod tests;
