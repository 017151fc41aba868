//! The vault key file: `{"current": KEY_ID, "keys": {KEY_ID: base64(32 bytes)}}`, mode 0600,
//! created by exactly one process (a temporary file linked into place) and replaced
//! atomically (a temporary file renamed over it).

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chacha20poly1305::aead::{KeyInit, OsRng};
use chacha20poly1305::{Key, XChaCha20Poly1305};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::VaultError;

/// Every key the vault can open with, and the one it seals with.
pub struct KeyRing {
    pub current: String,
    pub keys: BTreeMap<String, Zeroizing<[u8; 32]>>,
}

impl std::fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyRing")
            .field("current", &self.current)
            .field("key_ids", &self.keys.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl KeyRing {
    /// A ring with one fresh random key.
    pub fn generate() -> KeyRing {
        let mut ring = KeyRing {
            current: String::new(),
            keys: BTreeMap::new(),
        };
        ring.add_current();
        ring
    }

    /// Adds a fresh key and makes it current; returns its id. Old keys stay.
    pub fn add_current(&mut self) -> String {
        let key = XChaCha20Poly1305::generate_key(&mut OsRng);
        let mut bytes = Zeroizing::new([0u8; 32]);
        bytes.copy_from_slice(&key);
        let mut suffix = [0u8; 4];
        rand::rng().fill_bytes(&mut suffix);
        let id = format!(
            "k{}-{}",
            time::OffsetDateTime::now_utc().unix_timestamp(),
            hex::encode(suffix)
        );
        self.keys.insert(id.clone(), bytes);
        self.current = id.clone();
        id
    }

    /// Drops every key but the current one.
    pub fn retire_old(&mut self) -> Vec<String> {
        let old: Vec<String> = self
            .keys
            .keys()
            .filter(|id| **id != self.current)
            .cloned()
            .collect();
        for id in &old {
            self.keys.remove(id);
        }
        old
    }

    pub(super) fn cipher(&self, key_id: &str) -> Result<XChaCha20Poly1305, VaultError> {
        let key = self
            .keys
            .get(key_id)
            .ok_or_else(|| VaultError::UnknownKey(key_id.to_owned()))?;
        Ok(XChaCha20Poly1305::new(Key::from_slice(&key[..])))
    }
}

#[derive(Serialize, Deserialize)]
struct KeyFile {
    current: String,
    keys: BTreeMap<String, String>,
}

pub fn read(path: &Path) -> Result<KeyRing, VaultError> {
    let malformed = |reason: &str| VaultError::Malformed {
        path: path.to_owned(),
        reason: reason.to_owned(),
    };
    let text =
        Zeroizing::new(
            std::fs::read_to_string(path).map_err(|source| VaultError::KeyFile {
                path: path.to_owned(),
                source,
            })?,
        );
    let file: KeyFile = serde_json::from_str(&text).map_err(|_| malformed("not JSON"))?;
    let mut keys = BTreeMap::new();
    for (id, encoded) in file.keys {
        let decoded = Zeroizing::new(
            STANDARD
                .decode(encoded.as_bytes())
                .map_err(|_| malformed("a key is not base64"))?,
        );
        if decoded.len() != 32 {
            return Err(malformed("a key is not 32 bytes"));
        }
        let mut bytes = Zeroizing::new([0u8; 32]);
        bytes.copy_from_slice(&decoded);
        keys.insert(id, bytes);
    }
    if !keys.contains_key(&file.current) {
        return Err(malformed("the current key is missing"));
    }
    Ok(KeyRing {
        current: file.current,
        keys,
    })
}

/// Replaces the key file with `ring` (rotation): a reader sees the old file or the new one.
pub fn write(path: &Path, ring: &KeyRing) -> Result<(), VaultError> {
    let tmp = write_temporary(path, ring)?;
    std::fs::rename(&tmp, path).map_err(|source| {
        let _ = std::fs::remove_file(&tmp);
        key_file_error(path, source)
    })
}

/// Creates the key file with `ring` unless one exists. Several processes of one deployment
/// may start at the same moment on a fresh volume: exactly one of them creates the file
/// (`link` refuses an existing name), the others get `false` and read the winner's keys.
pub fn create_unless_exists(path: &Path, ring: &KeyRing) -> Result<bool, VaultError> {
    let tmp = write_temporary(path, ring)?;
    let created = match std::fs::hard_link(&tmp, path) {
        Ok(()) => Ok(true),
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
        // A file system without hard links: a rename, exclusive only against files that
        // exist already (processes starting together there should start one first).
        Err(_) if !path.exists() => std::fs::rename(&tmp, path)
            .map(|()| true)
            .map_err(|source| key_file_error(path, source)),
        Err(source) => Err(key_file_error(path, source)),
    };
    let _ = std::fs::remove_file(&tmp);
    created
}

fn key_file_error(path: &Path, source: std::io::Error) -> VaultError {
    VaultError::KeyFile {
        path: path.to_owned(),
        source,
    }
}

/// Writes `ring` to a temporary file of its own beside `path` (mode 0600, synced) and
/// returns its name; concurrent writers never share one.
fn write_temporary(path: &Path, ring: &KeyRing) -> Result<PathBuf, VaultError> {
    let io = |source| key_file_error(path, source);
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(io)?;
    }
    let file = KeyFile {
        current: ring.current.clone(),
        keys: ring
            .keys
            .iter()
            .map(|(id, key)| (id.clone(), STANDARD.encode(&key[..])))
            .collect(),
    };
    let text = Zeroizing::new(serde_json::to_vec_pretty(&file).unwrap_or_default());
    let mut unique = [0u8; 8];
    rand::rng().fill_bytes(&mut unique);
    let tmp = path.with_extension(format!(
        "key.{}-{}.tmp",
        std::process::id(),
        hex::encode(unique)
    ));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let written = options.open(&tmp).and_then(|mut out| {
        out.write_all(&text)?;
        out.sync_all()
    });
    if let Err(source) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(io(source));
    }
    Ok(tmp)
}

pub fn mtime(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}
