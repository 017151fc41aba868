use super::*;

fn vault() -> (tempfile::TempDir, Vault) {
    let dir = tempfile::tempdir().unwrap();
    let (vault, created) = Vault::open_or_create(&dir.path().join("vault.key")).unwrap();
    assert!(created);
    (dir, vault)
}

#[test]
fn a_sealed_secret_opens_for_its_owner_only() {
    let (_dir, vault) = vault();
    let sealed = vault.seal("access:a1", b"pin=1234").unwrap();
    assert_eq!(&vault.open("access:a1", &sealed).unwrap()[..], b"pin=1234");
    assert!(matches!(
        vault.open("access:a2", &sealed),
        Err(VaultError::Decrypt)
    ));
}

#[test]
fn one_flipped_byte_makes_decryption_fail() {
    let (_dir, vault) = vault();
    let sealed = vault.seal("access:a1", b"pin=1234").unwrap();
    for index in 0..sealed.bytes.len() {
        let mut tampered = sealed.clone();
        tampered.bytes[index] ^= 0x01;
        assert!(
            matches!(vault.open("access:a1", &tampered), Err(VaultError::Decrypt)),
            "byte {index} flipped but the secret still opened"
        );
    }
}

#[test]
fn the_ciphertext_does_not_contain_the_plaintext() {
    let (_dir, vault) = vault();
    let sealed = vault.seal("o", b"very-secret-pin").unwrap();
    let text = String::from_utf8_lossy(&sealed.bytes);
    assert!(!text.contains("very-secret-pin"));
}

#[test]
fn an_existing_key_file_is_reused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vault.key");
    let (first, _) = Vault::open_or_create(&path).unwrap();
    let sealed = first.seal("o", b"x").unwrap();
    let (second, created) = Vault::open_or_create(&path).unwrap();
    assert!(!created);
    assert_eq!(&second.open("o", &sealed).unwrap()[..], b"x");
}

#[test]
fn secret_maps_never_print_their_values() {
    let mut map = SecretMap::default();
    map.insert("pin", "4711-secret".to_owned());
    let debug = format!("{map:?}");
    assert!(debug.contains("pin"));
    assert!(!debug.contains("4711-secret"));
}

#[cfg(unix)]
#[test]
fn the_key_file_is_private() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sub").join("vault.key");
    Vault::open_or_create(&path).unwrap();
    let mode = std::fs::metadata(&path).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
}

#[test]
fn processes_starting_together_on_a_fresh_volume_share_one_key() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vault.key");
    let barrier = std::sync::Barrier::new(16);
    let outcomes: Vec<(String, bool)> = std::thread::scope(|scope| {
        let starts: Vec<_> = (0..16)
            .map(|_| {
                scope.spawn(|| {
                    barrier.wait();
                    let (vault, created) = Vault::open_or_create(&path).unwrap();
                    (vault.current_key_id(), created)
                })
            })
            .collect();
        starts.into_iter().map(|s| s.join().unwrap()).collect()
    });
    assert_eq!(outcomes.iter().filter(|(_, created)| *created).count(), 1);
    assert!(outcomes.iter().all(|(key, _)| *key == outcomes[0].0));
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|entry| entry.unwrap().file_name())
        .filter(|name| name != "vault.key")
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
}
