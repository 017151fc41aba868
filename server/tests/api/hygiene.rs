//! HTTP hygiene of contract §7: unknown API paths, odd path ids, `Cache-Control: no-store`,
//! RFC 6750 challenges and the body limit, each across the endpoints it concerns.

use reqwest::{Method, Response};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::helpers::{REDIRECT_URI, TestApp, spawn_app};

fn header(response: &Response, name: &str) -> Option<String> {
    response
        .headers()
        .get(name)
        .map(|v| v.to_str().unwrap().to_owned())
}

/// Asserts an answer in the error format of §7 with this status and code.
async fn assert_error_format(response: Response, status: u16, code: u64, what: &str) -> Value {
    assert_eq!(response.status(), status, "{what}");
    let content_type = header(&response, "content-type").unwrap_or_default();
    assert!(
        content_type.starts_with("application/json"),
        "{what}: {content_type}"
    );
    let text = response.text().await.unwrap();
    let body: Value = serde_json::from_str(&text).unwrap_or_else(|_| panic!("{what}: {text}"));
    assert_eq!(body["error"]["code"], code, "{what}: {body}");
    for field in ["group", "message", "description"] {
        assert!(body["error"][field].is_string(), "{what}: {body}");
    }
    body
}

async fn send(app: &TestApp, method: Method, path: &str, bearer: Option<&str>) -> Response {
    let mut request = app.http.request(method, app.url(path));
    if let Some(token) = bearer {
        request = request.bearer_auth(token);
    }
    request.send().await.unwrap()
}

#[tokio::test]
async fn paths_under_the_api_prefixes_that_name_no_route_answer_in_the_error_format() {
    let app = spawn_app().await;
    let client = app.client().await;
    let access_token = app.tokens(&client).await.access_token;
    let (_, flow_token) = app.onetime_flow(&client).await;
    let session = app.widget_session(&flow_token).await.session_token;
    let token = Some(access_token.as_str());
    let cases: &[(Method, &str, Option<&str>, u16, u64)] = &[
        (Method::GET, "/rest", token, 404, 1003),
        (Method::GET, "/rest/", token, 404, 1003),
        (Method::GET, "/rest/accounts/", token, 404, 1003),
        (Method::GET, "/rest/acounts", token, 404, 1003),
        (Method::GET, "/rest/acounts", None, 404, 1003),
        (Method::GET, "/auth/token/", None, 404, 1003),
        (Method::POST, "/auth/authorize", None, 404, 1003),
        (Method::GET, "/onetime/access/x", None, 404, 1003),
        (Method::GET, "/ongoing", None, 404, 1003),
        (Method::GET, "/widget/", None, 404, 1003),
        (Method::GET, "/widget/unknown", None, 404, 1003),
        (Method::GET, "/catalog", token, 404, 1003),
        (Method::GET, "/sandbox/unknown", None, 404, 1003),
        (
            Method::GET,
            "/.well-known/oauth-authorization-server",
            None,
            404,
            1003,
        ),
        // A known path with another method.
        (Method::GET, "/auth/token", None, 405, 1000),
        (Method::DELETE, "/rest/accounts", token, 405, 1000),
        (Method::PUT, "/rest/accesses", token, 405, 1000),
        (Method::POST, "/catalog/providers", token, 405, 1000),
        (Method::GET, "/sandbox/decoupled/x/approve", None, 405, 1000),
        (Method::GET, "/widget/cancel", Some(&session), 405, 1000),
        (Method::GET, "/onetime/access", None, 405, 1000),
        // Path ids that are not UTF-8 once percent-decoded name nothing.
        (Method::GET, "/rest/accounts/%FF", token, 404, 1003),
        (
            Method::GET,
            "/rest/accounts/%C3%28/transactions",
            token,
            404,
            1003,
        ),
        (Method::GET, "/rest/accesses/%FF", token, 404, 1003),
        (Method::POST, "/rest/accesses/%FF/syncs", token, 404, 1003),
        (Method::GET, "/rest/accesses/a/syncs/%FE", token, 404, 1003),
        (Method::GET, "/catalog/providers/%FF", token, 404, 1003),
        // Nor do ids with a NUL byte or another control character, on every backend.
        (Method::GET, "/rest/accounts/%00", token, 404, 1003),
        (
            Method::GET,
            "/rest/accounts/a%00b/transactions",
            token,
            404,
            1003,
        ),
        (Method::GET, "/rest/accesses/%00", token, 404, 1003),
        (Method::POST, "/rest/accesses/%00/syncs", token, 404, 1003),
        (Method::GET, "/rest/accesses/a/syncs/%00", token, 404, 1003),
        (
            Method::GET,
            "/rest/accesses/a/syncs/b/challenges/%1F",
            token,
            404,
            1003,
        ),
        (Method::GET, "/catalog/providers/%00", token, 404, 1003),
        (Method::GET, "/sandbox/redirect/%00", None, 404, 1003),
        (Method::GET, "/sandbox/redirect/%FF", None, 404, 1003),
        (
            Method::POST,
            "/sandbox/decoupled/%FF/approve",
            None,
            404,
            1003,
        ),
    ];
    for (method, path, bearer, status, code) in cases {
        let what = format!("{method} {path}");
        let response = send(&app, method.clone(), path, *bearer).await;
        if *status == 405 {
            assert!(header(&response, "allow").is_some(), "{what}: no Allow");
        }
        assert_eq!(
            header(&response, "cache-control").as_deref(),
            Some("no-store"),
            "{what}"
        );
        assert_error_format(response, *status, *code, &what).await;
    }

    // Everything else is still the widget's.
    for path in [
        "/",
        "/?token=klf_unknown",
        "/widget",
        "/restaurant",
        "/some/page",
    ] {
        let response = send(&app, Method::GET, path, None).await;
        assert_eq!(response.status(), 200, "{path}");
        assert!(
            response.text().await.unwrap().contains("Kontolink"),
            "{path}"
        );
    }
}

#[tokio::test]
async fn answers_that_carry_tokens_codes_or_account_data_are_not_stored() {
    let app = spawn_app().await;
    std::fs::write(
        app.dir.path().join("dist").join("w.js"),
        "export default 1;",
    )
    .unwrap();
    let client = app.client().await;
    let mut checked: Vec<(String, Response)> = Vec::new();

    let response = app
        .post_onetime(&client, &json!({"redirect_uri": REDIRECT_URI}))
        .await;
    assert_eq!(response.status(), 201);
    checked.push(("POST /onetime/access".into(), response));
    let response = app
        .post_ongoing(
            &client,
            &json!({"redirect_uri": REDIRECT_URI, "user_id": "u-1"}),
        )
        .await;
    assert_eq!(response.status(), 201);
    checked.push(("POST /ongoing/access".into(), response));

    let (_, flow_token) = app.onetime_flow(&client).await;
    let response = app.exchange_flow_token(&flow_token).await;
    assert_eq!(response.status(), 201);
    let session: kontolink_api::WidgetSession = {
        assert_eq!(
            header(&response, "cache-control").as_deref(),
            Some("no-store"),
            "POST /widget/session"
        );
        response.json().await.unwrap()
    };
    let session = session.session_token;
    checked.push((
        "GET /widget/flow".into(),
        app.widget_get("/widget/flow", &session).await,
    ));
    let accounts = app.connect_accounts(&session).await;
    let response = app
        .widget_post(
            "/widget/complete",
            &session,
            Some(json!({"account_ids": [accounts[0]]})),
        )
        .await;
    assert_eq!(response.status(), 200);
    let finish: kontolink_api::FinishRedirect = {
        assert_eq!(
            header(&response, "cache-control").as_deref(),
            Some("no-store"),
            "POST /widget/complete"
        );
        response.json().await.unwrap()
    };
    let code = finish.query.code.expect("code");
    let response = app.redeem(&client, &code).await;
    assert_eq!(response.status(), 200);
    let tokens: kontolink_api::TokenResponse = {
        assert_eq!(
            header(&response, "cache-control").as_deref(),
            Some("no-store"),
            "POST /auth/token"
        );
        response.json().await.unwrap()
    };
    let access_token = tokens.access_token;
    for path in [
        "/rest/accounts",
        "/rest/accesses",
        "/rest/events",
        "/catalog/providers?q=sandbox",
    ] {
        let response = send(&app, Method::GET, path, Some(&access_token)).await;
        assert_eq!(response.status(), 200, "{path}");
        checked.push((format!("GET {path}"), response));
    }
    let path = format!("/rest/accounts/{}", accounts[0]);
    let response = send(&app, Method::GET, &path, Some(&access_token)).await;
    assert_eq!(response.status(), 200, "{path}");
    checked.push((format!("GET {path}"), response));
    // Failures under the API's prefixes too.
    checked.push((
        "GET /rest/accounts (no token)".into(),
        send(&app, Method::GET, "/rest/accounts", None).await,
    ));
    checked.push((
        "GET /rest/unknown".into(),
        send(&app, Method::GET, "/rest/unknown", None).await,
    ));
    for (what, response) in checked {
        assert_eq!(
            header(&response, "cache-control").as_deref(),
            Some("no-store"),
            "{what}"
        );
    }

    // The widget's static files may be cached.
    let response = send(&app, Method::GET, "/w.js", None).await;
    assert_eq!(response.status(), 200);
    assert_ne!(
        header(&response, "cache-control").as_deref(),
        Some("no-store")
    );
}

#[tokio::test]
async fn a_request_without_credentials_gets_a_bearer_challenge_without_error_code() {
    let app = spawn_app().await;
    let bare = "Bearer realm=\"kontolink\"";
    let invalid = "Bearer realm=\"kontolink\", error=\"invalid_token\"";
    let cases: &[(Method, &str, Option<&str>, &str)] = &[
        (Method::GET, "/rest/accounts", None, bare),
        (Method::GET, "/rest/accounts", Some("Basic YTpi"), bare),
        (Method::GET, "/catalog/providers", None, bare),
        (Method::GET, "/widget/flow", None, bare),
        (Method::POST, "/widget/cancel", None, bare),
        (
            Method::GET,
            "/rest/accounts",
            Some("Bearer kla_unknown"),
            invalid,
        ),
        (Method::GET, "/rest/accounts", Some("Bearer"), invalid),
        (
            Method::GET,
            "/widget/flow",
            Some("Bearer kls_unknown"),
            invalid,
        ),
    ];
    for (method, path, authorization, challenge) in cases {
        let what = format!("{method} {path} {authorization:?}");
        let mut request = app.http.request(method.clone(), app.url(path));
        if let Some(value) = authorization {
            request = request.header("authorization", *value);
        }
        let response = request.send().await.unwrap();
        assert_eq!(
            header(&response, "www-authenticate").as_deref(),
            Some(*challenge),
            "{what}"
        );
        assert_error_format(response, 401, 1001, &what).await;
    }
}

/// Sends `len` bytes with `Transfer-Encoding: chunked` (no `Content-Length`) over a plain
/// connection; returns the status line's code.
async fn post_chunked(app: &TestApp, path: &str, session: &str, len: usize) -> u16 {
    let address = app.address.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    let mut request = format!(
        "POST {path} HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {session}\r\n\
         Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    )
    .into_bytes();
    let chunk = vec![b' '; 8 * 1024];
    let mut sent = 0;
    while sent < len {
        let n = chunk.len().min(len - sent);
        request.extend_from_slice(format!("{n:x}\r\n").as_bytes());
        request.extend_from_slice(&chunk[..n]);
        request.extend_from_slice(b"\r\n");
        sent += n;
    }
    request.extend_from_slice(b"0\r\n\r\n");
    let _ = stream.write_all(&request).await;
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer).await;
    let answer = String::from_utf8_lossy(&answer);
    answer
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("no status line: {answer}"))
}

#[tokio::test]
async fn every_post_endpoint_refuses_an_oversized_body_with_413() {
    let app = spawn_app().await;
    let client = app.client().await;
    let (_, flow_token) = app.onetime_flow(&client).await;
    let session = app.widget_session(&flow_token).await.session_token;
    // Over the limit, small enough to be sent whole before the early answer.
    let big = vec![b' '; 80 * 1024];
    for path in [
        "/widget/cancel",
        "/widget/complete",
        "/widget/fail",
        "/widget/session",
        "/rest/accesses",
        "/rest/syncs",
        "/rest/accesses/x/syncs",
        "/sandbox/decoupled/x/approve",
        "/onetime/access",
        "/ongoing/access",
    ] {
        let response = app
            .http
            .post(app.url(path))
            .bearer_auth(&session)
            .header("content-type", "application/json")
            .body(big.clone())
            .send()
            .await
            .unwrap();
        assert_error_format(response, 413, 1009, path).await;
    }
    // The token endpoint refuses it too, in the OAuth format of §3.
    let response = app
        .http
        .post(app.url("/auth/token"))
        .basic_auth(&client.id, Some(&client.secret))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(big.clone())
        .send()
        .await
        .unwrap();
    crate::helpers::assert_oauth_error(response, 413, "invalid_request").await;
    // Without a Content-Length the body is refused once it grows past the limit.
    assert_eq!(
        post_chunked(&app, "/widget/cancel", &session, 70 * 1024).await,
        413
    );
    // Nothing happened: the flow is still open, and a small body still cancels it.
    assert_eq!(app.widget_get("/widget/flow", &session).await.status(), 200);
    assert_eq!(
        post_chunked(&app, "/widget/cancel", &session, 10).await,
        200
    );
    assert_eq!(app.widget_get("/widget/flow", &session).await.status(), 401);
}
