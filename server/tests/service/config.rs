//! `--config FILE`: TOML with the flags' names as keys; a flag wins over its variable, the
//! variable over the file, the file over the default; an unknown key is an error naming it
//! and the file; `config` prints the result with secrets redacted; the file drives `serve`.

use std::process::{Command, Output};

use crate::process::{Server, binary};

fn config(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(binary());
    for (name, _) in std::env::vars().filter(|(name, _)| name.starts_with("KONTOLINK_")) {
        command.env_remove(name);
    }
    command
        .args(args)
        .envs(env.iter().copied())
        .output()
        .unwrap()
}

fn shown(output: &Output) -> toml::Table {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).parse().unwrap()
}

#[test]
fn a_flag_wins_over_its_variable_the_variable_over_the_file_the_file_over_the_default() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("kontolink.toml");
    std::fs::write(
        &file,
        "workers = 3\nlisten = \"0.0.0.0:9000\"\nrate-limit-widget = \"50/2\"\n\
         access-token-lifetime = \"15m\"\n",
    )
    .unwrap();
    let file = file.to_str().unwrap();
    let env = [
        ("KONTOLINK_CONFIG", file),
        ("KONTOLINK_WORKERS", "5"),
        ("KONTOLINK_RATE_LIMIT_WIDGET", "60/3"),
    ];

    let merged = shown(&config(&["config", "--rate-limit-widget", "70/4"], &env));
    assert_eq!(
        merged["workers"].as_integer(),
        Some(5),
        "variable over file"
    );
    assert_eq!(
        merged["rate-limit-widget"].as_str(),
        Some("70/4"),
        "flag over variable"
    );
    assert_eq!(
        merged["listen"].as_str(),
        Some("0.0.0.0:9000"),
        "file over default"
    );
    assert_eq!(merged["access-token-lifetime"].as_str(), Some("15m"));
    assert_eq!(
        merged["refresh-token-lifetime"].as_str(),
        Some("90d"),
        "the default"
    );

    let from_file = shown(&config(&["--config", file, "config"], &[]));
    assert_eq!(from_file["workers"].as_integer(), Some(3));
}

#[test]
fn an_unknown_key_is_an_error_naming_the_key_and_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("kontolink.toml");
    std::fs::write(&file, "workers = 3\nrate_limit_token = \"1/1\"\n").unwrap();
    for command in ["config", "serve"] {
        let output = config(&["--config", file.to_str().unwrap(), command], &[]);
        assert!(!output.status.success(), "{command}");
        let error = String::from_utf8_lossy(&output.stderr);
        assert!(error.contains("unknown key `rate_limit_token`"), "{error}");
        assert!(error.contains(&file.display().to_string()), "{error}");
    }
}

#[test]
fn config_redacts_the_database_password_and_the_fints_product_id() {
    let output = config(
        &[
            "config",
            "--database-url",
            "postgres://kontolink:s3cr3t-pw@db.internal:5432/kontolink",
        ],
        &[("KONTOLINK_FINTS_PRODUCT_ID", "9FA6681DEC0CF3046BFC2F8A6")],
    );
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    let merged = shown(&output);
    assert!(
        !text.contains("s3cr3t-pw") && !text.contains("9FA6681DEC0CF3046BFC2F8A6"),
        "{text}"
    );
    assert_eq!(
        merged["database-url"].as_str(),
        Some("postgres://kontolink:***@db.internal:5432/kontolink")
    );
    assert_eq!(merged["fints-product-id"].as_str(), Some("***"));
}

#[tokio::test]
async fn a_config_file_drives_serve() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("kontolink.toml"),
        "database-url = \"sqlite://./state/k.db\"\nvault-key-file = \"./state/vault.key\"\n\
         demo = true\nrate-limit-access = \"1/0\"\n",
    )
    .unwrap();
    std::fs::create_dir(dir.path().join("state")).unwrap();
    let server = Server::start(&binary(), dir.path(), &["--config", "kontolink.toml"], &[]).await;
    // The demo client exists (demo = true) and may create one flow (rate-limit-access = 1/0).
    let http = reqwest::Client::new();
    let statuses = [0, 1].map(|_| {
        http.post(server.url("/onetime/access"))
            .basic_auth("demo", Some("demo-secret"))
            .json(&serde_json::json!({"redirect_uri": format!("{}/demo/callback", server.address)}))
            .send()
    });
    let mut codes = Vec::new();
    for request in statuses {
        codes.push(request.await.unwrap().status().as_u16());
    }
    assert_eq!(codes, [201, 429]);
    assert!(dir.path().join("state/k.db").exists());
    assert!(dir.path().join("state/vault.key").exists());
}

#[test]
fn the_annotated_example_file_is_valid_and_shows_the_defaults() {
    let example = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../docs/kontolink.example.toml"
    );
    let from_example = shown(&config(&["--config", example, "config"], &[]));
    let defaults = shown(&config(&["config"], &[]));
    assert_eq!(from_example, defaults);
}
