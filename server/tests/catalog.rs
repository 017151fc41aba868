//! The catalog endpoints, against the real server on port 0 with a fresh database (SQLite,
//! or PostgreSQL when `KONTOLINK_TEST_DATABASE_URL` names a server, as in the API suite).

#[path = "api/database.rs"]
#[allow(dead_code)]
mod database;

use kontolink_api::{ErrorBody, Provider, ProviderList};
use kontolink_server::config::Config;
use kontolink_server::startup::Application;
use reqwest::StatusCode;

struct TestApp {
    base: String,
    client: reqwest::Client,
    /// A widget session of the demo client: the catalog is open to end-users only.
    session: String,
    _database: database::TestDatabase,
    _dir: tempfile::TempDir,
}

impl TestApp {
    async fn spawn() -> TestApp {
        let dir = tempfile::tempdir().expect("tempdir");
        let database = database::TestDatabase::create(dir.path()).await;
        let config = Config {
            listen: "127.0.0.1:0".parse().unwrap(),
            database_url: database.url().to_owned(),
            widget_dir: Some(dir.path().join("widget")),
            vault_key_file: dir.path().join("vault.key"),
            demo: true,
            ..Config::default()
        };
        std::fs::create_dir_all(dir.path().join("widget")).unwrap();
        let app = Application::build(config).await.expect("build the app");
        let base = format!("http://127.0.0.1:{}", app.port());
        tokio::spawn(app.run_until_stopped());
        let client = reqwest::Client::new();
        let session = widget_session(&client, &base).await;
        TestApp {
            base,
            client,
            session,
            _database: database,
            _dir: dir,
        }
    }

    async fn get(&self, path_and_query: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path_and_query}", self.base))
            .bearer_auth(&self.session)
            .send()
            .await
            .expect("request")
    }

    async fn search(&self, query: &[(&str, &str)]) -> reqwest::Response {
        self.client
            .get(format!("{}/catalog/providers", self.base))
            .bearer_auth(&self.session)
            .query(query)
            .send()
            .await
            .expect("request")
    }
}

/// What the widget does: the integrator creates a flow, the widget exchanges its token.
async fn widget_session(client: &reqwest::Client, base: &str) -> String {
    let flow: serde_json::Value = client
        .post(format!("{base}/onetime/access"))
        .basic_auth("demo", Some("demo-secret"))
        .json(&serde_json::json!({"redirect_uri": format!("{base}/demo/callback")}))
        .send()
        .await
        .expect("onetime/access")
        .json()
        .await
        .expect("location");
    let token = flow["location"]
        .as_str()
        .unwrap()
        .split("token=")
        .nth(1)
        .unwrap();
    let session: serde_json::Value = client
        .post(format!("{base}/widget/session"))
        .json(&serde_json::json!({ "token": token }))
        .send()
        .await
        .expect("widget/session")
        .json()
        .await
        .expect("session");
    session["session_token"].as_str().unwrap().to_owned()
}

async fn error_code(response: reqwest::Response) -> u32 {
    response
        .json::<ErrorBody>()
        .await
        .expect("finX error body")
        .error
        .code
}

#[tokio::test]
async fn searching_by_city_with_folded_umlauts_finds_munich_banks() {
    let app = TestApp::spawn().await;
    let response = app.search(&[("q", "Muenchen"), ("country", "DE")]).await;
    assert_eq!(response.status(), StatusCode::OK);
    let list: ProviderList = response.json().await.unwrap();
    assert!(!list.providers.is_empty() && list.providers.len() <= 20);
    assert_eq!(list.providers[0].city.as_deref(), Some("München"));
}

#[tokio::test]
async fn a_search_with_more_matches_than_its_limit_says_how_many_there_are() {
    let app = TestApp::spawn().await;
    let list: ProviderList = app
        .search(&[("q", "Sparkasse")])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list.providers.len(), 20, "the default limit");
    let total = list.total.expect("total");
    assert!(total > 20, "{total}");
    let wide: ProviderList = app
        .search(&[("q", "Sparkasse"), ("limit", "50")])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        wide.total,
        Some(total),
        "the total does not depend on the limit"
    );
    let one: ProviderList = app.search(&[("q", "70150000")]).await.json().await.unwrap();
    assert_eq!(one.total, Some(1));
}

#[tokio::test]
async fn an_exact_blz_comes_first_with_its_fints_access_method() {
    let app = TestApp::spawn().await;
    let list: ProviderList = app.search(&[("q", "70150000")]).await.json().await.unwrap();
    let ssk = &list.providers[0];
    assert_eq!(ssk.id, "de-70150000");
    assert_eq!(ssk.name, "Stadtsparkasse München");
    assert_eq!(ssk.bic.as_deref(), Some("SSKMDEMMXXX"));
    assert_eq!(ssk.access_methods[0].id, "de-70150000-fints");
    assert_eq!(ssk.access_methods[0].method_type, "FINTS");
}

#[tokio::test]
async fn dkb_has_its_fints_method_with_login_customer_id_and_pin() {
    let app = TestApp::spawn().await;
    let json: serde_json::Value = app
        .get("/catalog/providers/de-12030000")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(json["name"], "Deutsche Kreditbank Berlin");
    let method = &json["access_methods"][0];
    assert_eq!(method["id"], "de-12030000-fints");
    assert_eq!(method["type"], "FINTS");
    let fields: Vec<_> = method["credentials"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["id"].as_str().unwrap(),
                f["is_secret"].as_bool().unwrap(),
                f["is_optional"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        fields,
        [
            ("login", false, false),
            ("customer_id", false, true),
            ("pin", true, false)
        ]
    );
}

#[tokio::test]
async fn the_sandbox_bank_is_offered_first_for_an_empty_query() {
    let app = TestApp::spawn().await;
    let json: serde_json::Value = app.get("/catalog/providers").await.json().await.unwrap();
    let first = &json["providers"][0];
    assert_eq!(first["id"], "kontolink-sandbox");
    assert_eq!(first["blz"], "90094815");
    assert_eq!(first["access_methods"][0]["type"], "SANDBOX");
    assert_eq!(
        first["access_methods"][0]["credentials"][1]["is_secret"],
        true
    );
}

#[tokio::test]
async fn one_provider_is_fetched_by_id() {
    let app = TestApp::spawn().await;
    let response = app.get("/catalog/providers/kontolink-sandbox").await;
    assert_eq!(response.status(), StatusCode::OK);
    let sandbox: Provider = response.json().await.unwrap();
    assert_eq!(sandbox.name, "Kontolink Sandbox Bank");
    let ids: Vec<_> = sandbox
        .access_methods
        .iter()
        .map(|m| m.id.as_str())
        .collect();
    assert_eq!(ids, ["kontolink-sandbox-pin", "kontolink-sandbox-psd2"]);
    let deutsche: Provider = app
        .get("/catalog/providers/de-10070000")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(deutsche.name, "Deutsche Bank");
}

#[tokio::test]
async fn an_unknown_provider_is_a_404_in_the_error_format() {
    let app = TestApp::spawn().await;
    for path in [
        "/catalog/providers/de-00000000",
        "/catalog/providers/%E2%9C%93",
    ] {
        let response = app.get(path).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
        assert_eq!(error_code(response).await, 1003);
    }
}

#[tokio::test]
async fn bad_search_input_is_a_400_in_the_error_format() {
    let app = TestApp::spawn().await;
    let too_long = "a".repeat(101);
    for query in [
        vec![("q", too_long.as_str())],
        vec![("q", "bank"), ("country", "Germany")],
        vec![("q", "bank"), ("limit", "0")],
        vec![("q", "bank"), ("limit", "many")],
    ] {
        let response = app.search(&query).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{query:?}");
        assert_eq!(error_code(response).await, 1000);
    }
    // 100 characters (umlauts count once) are fine, and so is a query nothing matches.
    let ok = "ü".repeat(100);
    let response = app.search(&[("q", ok.as_str())]).await;
    assert_eq!(response.status(), StatusCode::OK);
    let list: ProviderList = response.json().await.unwrap();
    assert!(list.providers.is_empty());
}

#[tokio::test]
async fn another_country_has_no_banks_yet() {
    let app = TestApp::spawn().await;
    let list: ProviderList = app
        .search(&[("q", "bank"), ("country", "FR")])
        .await
        .json()
        .await
        .unwrap();
    assert!(list.providers.is_empty());
}

#[tokio::test]
async fn the_catalog_is_closed_to_callers_without_a_session_or_access_token() {
    let app = TestApp::spawn().await;
    for path in [
        "/catalog/providers?q=sandbox",
        "/catalog/providers/kontolink-sandbox",
    ] {
        let response = app
            .client
            .get(format!("{}{path}", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{path}");
        assert_eq!(error_code(response).await, 1001);
    }
}
