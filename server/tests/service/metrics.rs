//! `/metrics` after traffic names what an operator acts on: request latency by route, the
//! sync queue, syncs by state and error code, bank calls and retries per provider, the
//! webhook backlog, rate-limit refusals.

use crate::database::TestDatabase;
use crate::process::{Server, binary, create_client, start_sync, wait_ended, widget_session};

#[tokio::test]
async fn metrics_after_traffic_name_the_figures_an_operator_acts_on() {
    let dir = tempfile::tempdir().unwrap();
    let database = TestDatabase::create(dir.path()).await;
    let key = dir.path().join("vault.key");
    let args = [
        "--database-url",
        database.url(),
        "--vault-key-file",
        key.to_str().unwrap(),
        "--rate-limit-token",
        "1/0",
    ];
    let env = [("KONTOLINK_SANDBOX_SLOW_STEP_MS", "50")];
    let server = Server::start(&binary(), dir.path(), &args, &env).await;
    let client = create_client(dir.path(), database.url());
    let token = widget_session(&reqwest::Client::new(), &server.address, &client, "user-1").await;
    // `flaky`: two transient bank failures, retried; `locked`: a failure with a code.
    for login in ["flaky", "locked"] {
        let (access, sync) = start_sync(&server.address, &token, login, None).await;
        wait_ended(&server.address, &token, &access, &sync, || {
            server.log_text()
        })
        .await;
    }
    // The token endpoint's budget is one request: the second is refused.
    let http = reqwest::Client::new();
    for _ in 0..2 {
        http.post(server.url("/auth/token"))
            .basic_auth(&client.0, Some(&client.1))
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await
            .unwrap();
    }

    let text = reqwest::get(server.url("/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for expected in [
        r#"kontolink_http_request_duration_seconds_bucket{le="0.005",method="POST",route="/rest/accesses/{id}/syncs",status="2xx"}"#,
        r#"kontolink_http_requests_total{method="GET",status="2xx"}"#,
        "kontolink_sync_queue_depth 0",
        "kontolink_sync_queue_wait_seconds_count 2",
        r#"kontolink_syncs{status="RUNNING"} 0"#,
        r#"kontolink_syncs_finished_total{status="COMPLETED",error_code="none"} 1"#,
        r#"kontolink_syncs_finished_total{status="FAILED",error_code="10012"} 1"#,
        r#"kontolink_bank_call_duration_seconds_count{provider="sandbox",step="login",outcome="Retryable"}"#,
        r#"kontolink_bank_call_retries_total{provider="sandbox",step="#,
        "kontolink_sync_takeovers_total 0",
        "kontolink_webhook_outbox_backlog 0",
        r#"kontolink_rate_limit_refusals_total{limit="token"} 1"#,
    ] {
        assert!(text.contains(expected), "no {expected} in\n{text}");
    }
    let (status, _) = server.stop();
    assert!(status.success());
}
