use crate::helpers::{FRAME_ORIGIN, spawn_app, spawn_app_with};

fn header(response: &reqwest::Response, name: &str) -> String {
    response.headers()[name].to_str().unwrap().to_owned()
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
        header(&response, "content-security-policy"),
        "frame-ancestors https://app.example.com https://shop.example:8443"
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
            header(&response, "content-security-policy"),
            "frame-ancestors 'none'",
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
    assert_eq!(
        header(&response, "content-security-policy"),
        format!("frame-ancestors {}", app.address)
    );
}
