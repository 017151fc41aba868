use crate::helpers::spawn_app;

#[tokio::test]
async fn healthz_answers_ok_when_the_database_answers() {
    let app = spawn_app().await;
    let response = app.http.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], "ok");
}

#[tokio::test]
async fn the_openapi_document_describes_every_endpoint_and_both_auth_schemes() {
    let app = spawn_app().await;
    let response = app.http.get(app.url("/openapi.json")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let doc: serde_json::Value = response.json().await.unwrap();
    for (path, method) in [
        ("/healthz", "get"),
        ("/onetime/access", "post"),
        ("/ongoing/access", "post"),
        ("/widget/session", "post"),
        ("/widget/flow", "get"),
        ("/widget/complete", "post"),
        ("/widget/cancel", "post"),
        ("/widget/fail", "post"),
        ("/auth/token", "post"),
        ("/catalog/providers", "get"),
        ("/rest/accounts", "get"),
        ("/rest/accounts/{id}", "get"),
        ("/rest/accounts/{id}/transactions", "get"),
        ("/rest/accesses", "get"),
        ("/rest/accesses", "post"),
        ("/rest/accesses/{id}", "get"),
        ("/rest/accesses/{id}/syncs", "post"),
        ("/rest/syncs", "post"),
        ("/rest/accesses/{id}/syncs/{sync_id}", "get"),
        ("/rest/accesses/{id}/syncs/{sync_id}/challenges", "get"),
        (
            "/rest/accesses/{id}/syncs/{sync_id}/challenges/{challenge_id}",
            "get",
        ),
        (
            "/rest/accesses/{id}/syncs/{sync_id}/challenges/{challenge_id}/response",
            "post",
        ),
        ("/rest/events", "get"),
        ("/sandbox/decoupled/{challenge_id}/approve", "post"),
    ] {
        assert!(
            doc["paths"][path][method].is_object(),
            "{method} {path} missing"
        );
    }
    let schemes = &doc["components"]["securitySchemes"];
    assert_eq!(schemes["basic"]["scheme"], "basic");
    assert_eq!(schemes["bearer"]["scheme"], "bearer");
    assert!(doc["components"]["schemas"]["OnetimeAccessRequest"].is_object());
    for schema in [
        "Access",
        "Account",
        "Sync",
        "SyncRequest",
        "Challenge",
        "EventList",
    ] {
        assert!(
            doc["components"]["schemas"][schema].is_object(),
            "schema {schema} missing"
        );
    }
    let sync_doc = doc["paths"]["/rest/accesses/{id}/syncs"]["post"]["description"]
        .as_str()
        .unwrap_or_default();
    assert!(
        sync_doc.contains("widget") && sync_doc.contains("psu_ip_address"),
        "when a sync is attended is documented: {sync_doc}"
    );
    let token_doc = doc["paths"]["/auth/token"]["post"]["description"]
        .as_str()
        .unwrap_or_default();
    assert!(
        token_doc.contains("offline"),
        "the scope difference is documented"
    );
}

#[tokio::test]
async fn a_wrong_method_on_an_api_path_answers_405_in_the_error_format() {
    let app = spawn_app().await;
    let response = app.http.get(app.url("/auth/token")).send().await.unwrap();
    crate::helpers::assert_api_error(response, 405, 1000).await;
}

#[tokio::test]
async fn metrics_count_answered_requests_in_the_prometheus_text_format() {
    let app = spawn_app().await;
    for _ in 0..3 {
        app.http.get(app.url("/healthz")).send().await.unwrap();
    }
    let response = app.http.get(app.url("/metrics")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let text = response.text().await.unwrap();
    let line = text
        .lines()
        .find(|l| {
            l.starts_with("kontolink_http_requests_total{")
                && l.contains("method=\"GET\"")
                && l.contains("status=\"2xx\"")
        })
        .unwrap_or_else(|| panic!("no GET 2xx counter in:\n{text}"));
    let count: f64 = line.rsplit(' ').next().unwrap().parse().unwrap();
    assert!(count >= 3.0, "three health checks counted: {line}");
    assert!(
        text.trim_end().ends_with("# EOF"),
        "OpenMetrics text ends with # EOF"
    );
}

/// What third-party tooling (openapi-spec-validator, schemathesis; `scripts/schemathesis.sh`)
/// relies on: unique operation ids, no `null` body, 413/415 on JSON bodies, 429 wherever a
/// widget session calls, and the bounds and enums the server enforces.
#[tokio::test]
async fn the_openapi_document_agrees_with_the_server() {
    let app = spawn_app().await;
    let doc: serde_json::Value = app
        .http
        .get(app.url("/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut ids = std::collections::BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let id = operation["operationId"].as_str().expect("an operationId");
            assert!(ids.insert(id.to_owned()), "operationId {id} is used twice");
            let body = &operation["requestBody"];
            let json_only = body["content"]
                .as_object()
                .is_some_and(|c| c.len() == 1 && c.contains_key("application/json"));
            if json_only {
                let schema = &body["content"]["application/json"]["schema"];
                assert!(
                    !schema.to_string().contains("\"null\""),
                    "{method} {path}: {schema}"
                );
                for status in ["413", "415"] {
                    assert!(
                        operation["responses"].get(status).is_some(),
                        "{method} {path} {status}"
                    );
                }
            }
            if operation["security"].to_string().contains("widget_session") {
                assert!(
                    operation["responses"].get("429").is_some(),
                    "{method} {path} 429"
                );
            }
        }
    }
    let schemas = &doc["components"]["schemas"];
    let flow = &schemas["OnetimeAccessRequest"]["properties"];
    assert_eq!(flow["sync_period"]["minimum"], 1);
    assert_eq!(flow["sync_period"]["maximum"], 730);
    assert_eq!(flow["state"]["maxLength"], 1024);
    let published = serde_json::json!(kontolink_api::ACCOUNT_TYPES).to_string();
    assert!(
        flow["account_types"].to_string().contains(&published),
        "{}",
        flow["account_types"]
    );
    assert!(
        flow["language"].to_string().contains("\"fr\""),
        "{}",
        flow["language"]
    );
    let user_id = schemas["OngoingAccessRequest"]["properties"]["user_id"].to_string();
    assert!(user_id.contains("\"maxLength\":255"), "{user_id}");
    assert_eq!(schemas["SyncRequest"]["properties"]["scope"]["minItems"], 1);
    assert!(
        schemas["SyncAllRequest"]["properties"]
            .get("credentials")
            .is_none()
    );
}
