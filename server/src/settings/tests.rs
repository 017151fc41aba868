use std::time::Duration;

use serde_json::json;

use super::*;

fn file(text: &str) -> tempfile::NamedTempFile {
    let file = tempfile::Builder::new().suffix(".toml").tempfile().unwrap();
    std::fs::write(file.path(), text).unwrap();
    file
}

#[test]
fn the_file_overrides_the_defaults_and_the_overrides_override_the_file() {
    let toml = file(
        "workers = 3\nlisten = \"0.0.0.0:9000\"\nrate-limit-token = \"5/1\"\n\
         flow-token-lifetime = \"5m\"\nfints-url = [\"12030000=https://bank.example/fints\"]\n",
    );
    let settings = Settings::load(Some(toml.path()), &json!({ "workers": 7 })).unwrap();
    assert_eq!(settings.workers, 7, "the flag wins over the file");
    assert_eq!(
        settings.listen.to_string(),
        "0.0.0.0:9000",
        "the file wins over the default"
    );
    assert_eq!(settings.database_url, Settings::default().database_url);
    let config = settings.into_config();
    assert_eq!(config.rate_limits.token_per_client.burst, 5);
    assert_eq!(config.lifetimes.flow_token, Duration::from_secs(300));
    assert_eq!(config.fints.urls["12030000"], "https://bank.example/fints");
}

#[test]
fn an_unknown_key_names_the_key_and_the_file() {
    let toml = file("workers = 3\ndatabase_url = \"sqlite://x.db\"\n");
    let error = Settings::load(Some(toml.path()), &json!({}))
        .unwrap_err()
        .to_string();
    assert!(error.contains("unknown key `database_url`"), "{error}");
    assert!(
        error.contains(&toml.path().display().to_string()),
        "{error}"
    );
}

#[test]
fn a_bad_value_and_a_missing_file_are_errors() {
    let toml = file("rate-limit-token = \"lots\"\n");
    let error = Settings::load(Some(toml.path()), &json!({})).unwrap_err();
    assert!(error.to_string().contains("BURST/PER_SECOND"), "{error}");
    let missing = std::path::Path::new("/nonexistent/kontolink.toml");
    let error = Settings::load(Some(missing), &json!({})).unwrap_err();
    assert!(error.to_string().contains("does not exist"), "{error}");
}

#[test]
fn secrets_are_redacted_and_the_output_reads_back() {
    let overrides = json!({
        "database-url": "postgres://kontolink:hunter2@db.internal/kontolink",
        "fints-product-id": "ABCDEF0123456789",
    });
    let settings = Settings::load(None, &overrides).unwrap();
    let shown = settings.redacted_toml().unwrap();
    assert!(
        !shown.contains("hunter2") && !shown.contains("ABCDEF0123456789"),
        "{shown}"
    );
    assert!(
        shown.contains("postgres://kontolink:***@db.internal/kontolink"),
        "{shown}"
    );
    let again = file(&shown);
    let read = Settings::load(Some(again.path()), &json!({})).unwrap();
    assert_eq!(
        read.refresh_token_lifetime,
        Settings::default().refresh_token_lifetime
    );
}

#[test]
fn durations_print_in_their_largest_whole_unit() {
    let shown = |secs| HumanDuration(Duration::from_secs(secs)).to_string();
    assert_eq!(shown(90 * 86_400), "90d");
    assert_eq!(shown(3_600), "1h");
    assert_eq!(shown(90), "90s");
    assert_eq!(
        "90d".parse::<HumanDuration>().unwrap().0.as_secs(),
        90 * 86_400
    );
}

#[test]
fn the_sandbox_latency_reaches_the_sandbox_from_the_file_and_the_flag() {
    assert_eq!(Settings::default().sandbox_latency_ms, 0);
    let toml = file("sandbox-latency-ms = 200\n");
    let settings = Settings::load(Some(toml.path()), &json!({})).unwrap();
    assert_eq!(
        settings.into_config().sandbox.latency,
        Duration::from_millis(200)
    );
    let flag = json!({ "sandbox-latency-ms": 50 });
    let settings = Settings::load(Some(toml.path()), &flag).unwrap();
    assert_eq!(
        settings.into_config().sandbox.latency,
        Duration::from_millis(50),
        "the flag (or KONTOLINK_SANDBOX_LATENCY_MS) wins over the file"
    );
}
