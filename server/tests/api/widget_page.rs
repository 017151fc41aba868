use crate::helpers::{FRAME_ORIGIN, spawn_app, spawn_app_with};

fn header(response: &reqwest::Response, name: &str) -> String {
    response.headers()[name].to_str().unwrap().to_owned()
}

/// The value of one directive of the page's `Content-Security-Policy`.
fn csp_directive(response: &reqwest::Response, name: &str) -> String {
    header(response, "content-security-policy")
        .split(';')
        .map(str::trim)
        .find_map(|d| d.strip_prefix(name).map(|v| v.trim().to_owned()))
        .unwrap_or_else(|| panic!("no {name} directive"))
}

#[tokio::test]
async fn the_widget_page_may_be_framed_only_by_the_clients_frame_origins() {
    let app = spawn_app().await;
    let client = app
        .register_client(
            &[crate::helpers::REDIRECT_URI],
            &[FRAME_ORIGIN, "https://shop.example:8443"],
        )
        .await;
    let (location, _) = app.onetime_flow(&client).await;
    let response = app.http.get(&location.location).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        csp_directive(&response, "frame-ancestors"),
        "https://app.example.com https://shop.example:8443"
    );
    assert_eq!(header(&response, "referrer-policy"), "no-referrer");
    assert!(response.text().await.unwrap().contains("Kontolink"));
}

#[tokio::test]
async fn without_frame_origins_or_a_known_token_the_page_may_not_be_framed() {
    let app = spawn_app().await;
    let client = app
        .register_client(&[crate::helpers::REDIRECT_URI], &[])
        .await;
    let (location, _) = app.onetime_flow(&client).await;
    for url in [
        location.location,
        app.url("/"),
        app.url("/?token=klf_unknown"),
    ] {
        let response = app.http.get(&url).send().await.unwrap();
        assert_eq!(
            csp_directive(&response, "frame-ancestors"),
            "'none'",
            "{url}"
        );
        assert_eq!(header(&response, "referrer-policy"), "no-referrer", "{url}");
    }
}

#[tokio::test]
async fn opening_the_page_does_not_use_the_flow_token() {
    let app = spawn_app().await;
    let client = app.client().await;
    let (location, token) = app.onetime_flow(&client).await;
    for _ in 0..2 {
        assert_eq!(
            app.http
                .get(&location.location)
                .send()
                .await
                .unwrap()
                .status(),
            200
        );
    }
    assert_eq!(app.exchange_flow_token(&token).await.status(), 201);
}

#[tokio::test]
async fn the_demo_client_may_frame_the_widget_from_the_public_origin() {
    let app = spawn_app_with(|c| c.demo = true).await;
    let demo = crate::helpers::TestClient {
        id: "demo".into(),
        secret: "demo-secret".into(),
    };
    let body = serde_json::json!({"redirect_uri": format!("{}/demo/callback", app.address)});
    let response = app.post_onetime(&demo, &body).await;
    let location: kontolink_api::AccessLocation = response.json().await.unwrap();
    let response = app.http.get(&location.location).send().await.unwrap();
    assert_eq!(csp_directive(&response, "frame-ancestors"), app.address);
}

#[tokio::test]
async fn the_widget_page_runs_only_its_own_scripts_and_the_loader_by_its_hash() {
    use base64::Engine as _;
    use sha2::Digest as _;
    let app = spawn_app().await;
    let response = app.http.get(app.url("/")).send().await.unwrap();
    let loader = "import init from '/w.js';\nawait init();\n";
    let hash = base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(loader));
    assert_eq!(
        csp_directive(&response, "script-src"),
        format!("'self' 'wasm-unsafe-eval' 'sha256-{hash}'")
    );
    assert_eq!(csp_directive(&response, "default-src"), "'self'");
    assert_eq!(csp_directive(&response, "connect-src"), "'self'");
    assert_eq!(csp_directive(&response, "object-src"), "'none'");
    assert_eq!(csp_directive(&response, "base-uri"), "'none'");
}
