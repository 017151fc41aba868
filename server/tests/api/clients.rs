use std::process::Command;

use serde_json::{Value, json};

use crate::database::TestDatabase;
use crate::helpers::{REDIRECT_URI, assert_api_error, spawn_app, spawn_app_with};

/// `client create` on the database at `database_url`, with the vault key file next to it.
fn client_create(database_url: &str, dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_kontolink-server"))
        .args(["client", "create", "--database-url", database_url])
        .args(args)
        .env("KONTOLINK_VAULT_KEY_FILE", dir.join("vault.key"))
        .env("RUST_LOG", "info")
        .output()
        .expect("run kontolink-server")
}

#[tokio::test]
async fn client_create_prints_only_the_credentials_json_and_they_work() {
    let app = spawn_app().await;
    let output = client_create(
        app.database_url(),
        app.dir.path(),
        &[
            "--name",
            "Shop",
            "--redirect-uri",
            REDIRECT_URI,
            "--frame-origin",
            "https://app.example.com",
        ],
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8(output.stdout).unwrap();
    let creds: Value =
        serde_json::from_str(stdout.trim()).expect("stdout is exactly one JSON value");
    let object = creds.as_object().unwrap();
    assert_eq!(object.len(), 2, "{stdout}");
    let client = crate::helpers::TestClient {
        id: creds["client_id"].as_str().unwrap().to_owned(),
        secret: creds["client_secret"].as_str().unwrap().to_owned(),
    };
    assert!(client.secret.len() >= 43, "a 256-bit secret");
    let response = app
        .post_onetime(&client, &json!({"redirect_uri": REDIRECT_URI}))
        .await;
    assert_eq!(response.status(), 201);
}

#[tokio::test]
async fn client_create_with_a_notification_uri_seals_the_secret_for_webhook_signing() {
    let app = spawn_app().await;
    let output = client_create(
        app.database_url(),
        app.dir.path(),
        &[
            "--name",
            "Shop",
            "--redirect-uri",
            REDIRECT_URI,
            "--notification-uri",
            "https://app.example.com/hooks",
        ],
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let creds: Value = serde_json::from_slice(&output.stdout).unwrap();
    let owner = format!("webhook:{}", creds["client_id"].as_str().unwrap());
    let sealed = app
        .store()
        .vault_get(&owner)
        .await
        .unwrap()
        .expect("the signing secret is sealed");
    // The running server opens it with its own key file: it is the client secret.
    let secret = app.state.engine.vault.open_map(&owner, &sealed).unwrap();
    let secret = secrecy::ExposeSecret::expose_secret(secret.get("secret").unwrap()).to_owned();
    assert_eq!(secret, creds["client_secret"].as_str().unwrap());
}

#[tokio::test]
async fn client_create_refuses_redirect_uris_that_are_not_absolute_http_urls() {
    let dir = tempfile::tempdir().unwrap();
    let database = TestDatabase::create(dir.path()).await;
    let url = database.url();
    for bad in [
        "javascript:alert(1)",
        "/callback",
        "https://app.example.com/callback#fragment",
        "https://user@app.example.com/callback",
        "https://app.example.com/a/..;/callback",
        "ftp://app.example.com/",
    ] {
        let output = client_create(url, dir.path(), &["--name", "Shop", "--redirect-uri", bad]);
        assert!(!output.status.success(), "{bad} was accepted");
        assert!(output.stdout.is_empty(), "nothing on stdout for {bad}");
    }
    let output = client_create(
        url,
        dir.path(),
        &[
            "--name",
            "Shop",
            "--redirect-uri",
            REDIRECT_URI,
            "--frame-origin",
            "*",
        ],
    );
    assert!(
        !output.status.success(),
        "a wildcard frame origin was accepted"
    );
}

#[tokio::test]
async fn the_demo_client_accepts_the_fixed_and_the_public_callback() {
    let app = spawn_app_with(|c| c.demo = true).await;
    let demo = crate::helpers::TestClient {
        id: "demo".into(),
        secret: "demo-secret".into(),
    };
    for uri in [
        "http://127.0.0.1:8080/demo/callback".to_owned(),
        format!("{}/demo/callback", app.address),
    ] {
        let response = app.post_onetime(&demo, &json!({"redirect_uri": uri})).await;
        assert_eq!(response.status(), 201, "{uri}");
    }
    let response = app
        .post_onetime(
            &demo.wrong_secret(),
            &json!({"redirect_uri": "http://127.0.0.1:8080/demo/callback"}),
        )
        .await;
    assert_api_error(response, 401, 1001).await;
}

#[tokio::test]
async fn without_demo_there_is_no_demo_client() {
    let app = spawn_app().await;
    let demo = crate::helpers::TestClient {
        id: "demo".into(),
        secret: "demo-secret".into(),
    };
    let response = app
        .post_onetime(
            &demo,
            &json!({"redirect_uri": "http://127.0.0.1:8080/demo/callback"}),
        )
        .await;
    assert_api_error(response, 401, 1001).await;
}
