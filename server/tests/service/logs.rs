//! `--log-format json`: every line on stderr is one JSON object; a request's lines carry its
//! id (`X-Request-Id`, the proxy's when it sends one), and so do the log lines of the sync
//! that request started.

use serde_json::Value;

use crate::database::TestDatabase;
use crate::process::{Server, binary, create_client, start_sync, wait_ended, widget_session};

/// The `request_id`s of the spans a JSON line was written in.
fn request_ids(line: &Value) -> Vec<String> {
    line["spans"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|span| span["request_id"].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn json_lines_parse_and_carry_the_request_id_into_the_syncs_logs() {
    let dir = tempfile::tempdir().unwrap();
    let database = TestDatabase::create(dir.path()).await;
    let key = dir.path().join("vault.key");
    let args = [
        "--log-format",
        "json",
        "--database-url",
        database.url(),
        "--vault-key-file",
        key.to_str().unwrap(),
    ];
    let server = Server::start(&binary(), dir.path(), &args, &[("RUST_LOG", "info")]).await;
    let client = create_client(dir.path(), database.url());
    let token = widget_session(&reqwest::Client::new(), &server.address, &client, "user-1").await;
    let (access, sync) = start_sync(&server.address, &token, "demo", Some("req-4711")).await;
    let done = wait_ended(&server.address, &token, &access, &sync, || {
        server.log_text()
    })
    .await;
    assert_eq!(done["status"], "COMPLETED");
    // A request without an id gets one, and hears it back.
    let response = reqwest::get(server.url("/healthz")).await.unwrap();
    let given = response.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(given.len(), 36, "a UUID: {given}");
    let log = server.log_text();
    let (status, _) = server.stop();
    assert!(status.success());

    let lines: Vec<Value> = log
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}")))
        .collect();
    assert!(
        lines
            .iter()
            .all(|l| l["timestamp"].is_string() && l["level"].is_string())
    );
    let listening = lines
        .iter()
        .find(|l| l["message"] == "kontolink-server listening")
        .expect("the listening line");
    assert_eq!(listening["address"], server_address(&lines));
    let of_request = |id: &str| {
        lines
            .iter()
            .filter(|l| request_ids(l).iter().any(|r| r == id))
            .collect::<Vec<_>>()
    };
    let traced = of_request("req-4711");
    assert!(
        traced
            .iter()
            .any(|l| l["message"] == "finished processing request"),
        "the request's own line: {log}"
    );
    assert!(
        traced.iter().any(|l| l["spans"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["name"] == "sync" && s["sync_id"] == sync.as_str())),
        "the sync's job logs name the request that started it: {log}"
    );
    assert!(!of_request(&given).is_empty(), "{log}");
}

fn server_address(lines: &[Value]) -> Value {
    lines
        .iter()
        .find_map(|l| l["address"].as_str().map(|a| Value::from(a.to_owned())))
        .unwrap()
}
