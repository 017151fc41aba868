//! The vault through the real server: rotation by the CLI while the server runs, and a
//! tampered ciphertext failing cleanly.

use std::process::Command;

use serde_json::{Value, json};

use crate::helpers::{TapStatus, attended, spawn_app};

#[tokio::test]
async fn rotation_reseals_every_secret_and_retires_the_old_key() {
    let app = spawn_app().await;
    let access = app.access("demo", true).await;
    let key_file = app.dir.path().join("vault.key");
    let before: Value = serde_json::from_slice(&std::fs::read(&key_file).unwrap()).unwrap();
    let old_key = before["current"].as_str().unwrap().to_owned();

    let output = Command::new(env!("CARGO_BIN_EXE_kontolink-server"))
        .args(["vault", "rotate"])
        .arg("--database-url")
        .arg(app.database.url())
        .arg("--vault-key-file")
        .arg(&key_file)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert!(report["resealed"].as_u64().unwrap() >= 1);
    assert_eq!(report["retired_keys"], json!([old_key]));

    let after: Value = serde_json::from_slice(&std::fs::read(&key_file).unwrap()).unwrap();
    let keys: Vec<&String> = after["keys"].as_object().unwrap().keys().collect();
    assert_eq!(keys, [after["current"].as_str().unwrap()]);
    let current = after["current"].as_str().unwrap();
    let stale = app
        .store()
        .vault_list_not_under(current, 100)
        .await
        .unwrap();
    assert!(stale.is_empty(), "every secret is sealed with the new key");
    // The running server reads the re-sealed secrets with the new key.
    app.run_sync(&access, attended(json!({})))
        .await
        .tap_status("COMPLETED");
}

#[tokio::test]
async fn a_flipped_byte_in_a_saved_secret_fails_the_sync_cleanly() {
    let app = spawn_app().await;
    let access = app.access("demo", true).await;
    let owner = format!("access:{access}");
    let mut sealed = app.store().vault_get(&owner).await.unwrap().unwrap();
    sealed.bytes[30] ^= 0x01;
    app.store().vault_put(&owner, &sealed).await.unwrap();
    // Starting a sync needs the secrets: an internal error (30000), logged, without detail.
    let (status, body) = app
        .post(
            &format!("/rest/accesses/{access}/syncs"),
            attended(json!({})),
        )
        .await;
    assert_eq!(status, reqwest::StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(body["error"]["code"], 30000);
    assert!(!body.to_string().contains("tampered"));
    // The server lives on.
    assert_eq!(app.get("/rest/accesses").await.0, reqwest::StatusCode::OK);
}

#[tokio::test]
async fn a_server_with_another_vault_key_file_refuses_to_start() {
    let app = spawn_app().await;
    app.access("demo", true).await;
    let other_key = app.dir.path().join("another-vault.key");
    let mut server = Command::new(env!("CARGO_BIN_EXE_kontolink-server"))
        .args(["serve", "--listen", "127.0.0.1:0", "--database-url"])
        .arg(app.database.url())
        .arg("--vault-key-file")
        .arg(&other_key)
        .arg("--widget-dir")
        .arg(app.dir.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let status = loop {
        if let Some(status) = server.try_wait().unwrap() {
            break status;
        }
        if std::time::Instant::now() > deadline {
            let _ = server.kill();
            panic!("the server started with a vault key that opens none of the secrets");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut server.stderr.take().unwrap(), &mut stderr).unwrap();
    assert!(!status.success());
    assert!(
        stderr.contains("every process of a deployment must use the same vault key file"),
        "{stderr}"
    );
}
