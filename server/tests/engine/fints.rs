//! Real-bank syncs (contract §9) through the HTTP API, against recorded DKB and ING-DiBa
//! dialogs played back by a FinTS bank on loopback (`tests/fints/replay.rs`).

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, error_code, spawn_with};
use crate::peer_process::Peer;
use crate::replay::ReplayBank;
use kontolink_server::providers::fints::StatementFormat;

const PRODUCT_ID: &str = "123456789ABCDEF0123456789";

async fn app_for(bank: &ReplayBank, blz: &str, product_id: Option<&str>) -> TestApp {
    let url = bank.url();
    let blz = blz.to_owned();
    let product_id = product_id.map(str::to_owned);
    spawn_with(move |config| {
        config.fints.product_id = product_id;
        config.fints.urls.insert(blz, url);
        config.fints.statement_format = StatementFormat::Mt940;
        config.fints.timeout = Duration::from_secs(10);
    })
    .await
}

async fn fints_access(app: &TestApp, blz: &str, login: &str, pin: &str) -> String {
    let (status, body) = app
        .post(
            "/rest/accesses",
            json!({
                "access_method_id": format!("de-{blz}-fints"),
                "credentials": {"login": login, "pin": pin},
                "save_secrets": false,
                "consent": false,
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn dkb_sync_with_a_statement_tan_completes_with_accounts_balance_and_transactions() {
    let bank = ReplayBank::start_fixture("dkb_full_tan");
    let app = app_for(&bank, "12030000", Some(PRODUCT_ID)).await;
    let access = fints_access(&app, "12030000", "test@user", "12345").await;
    let sync = app.start(&access, json!({"sync_period": 730})).await;
    let waiting = app.wait_status(&sync, "AWAIT_AUTH").await;
    let challenge = &waiting["challenge"];
    assert_eq!(challenge["type"], "EMBEDDED", "{waiting}");
    assert_eq!(challenge["format"], "TEXT");
    assert_eq!(challenge["data"], "Bitte geben Sie die pushTAN ein.");
    let (status, body) = app.answer(&waiting, json!({"value": "777666"})).await;
    assert!(status.is_success(), "{body}");
    let done = app
        .wait_until(&sync, |s| {
            s["status"] == "COMPLETED" || s["status"] == "FAILED"
        })
        .await;
    assert_eq!(done["status"], "COMPLETED", "{done}");
    let log = bank.log();
    assert!(log.clean, "{log:#?}");
    let accounts = app.accounts().await;
    assert_eq!(accounts.len(), 1, "{accounts:?}");
    let giro = &accounts[0];
    // Anonymised IBANs fail the checksum: kept as the bank sent them.
    assert_eq!(giro["iban"], "DExxABCDEFGH1234567890");
    assert_eq!(giro["type"], "Giro account");
    assert_eq!(giro["name"], "Sichteinlagen");
    assert_eq!(giro["balance"]["balance"], "123.45");
    let transactions = app.transactions(giro["id"].as_str().unwrap()).await;
    let amounts: Vec<&str> = transactions
        .iter()
        .map(|t| t["amount"].as_str().unwrap())
        .collect();
    assert_eq!(amounts, ["123.45", "-12.00"], "{transactions:?}");
    assert!(transactions.iter().all(|t| t["booked"] == true));
}

#[tokio::test]
async fn dkb_statements_over_two_pages_all_arrive() {
    let bank = ReplayBank::start_fixture("dkb_full_touchdown");
    let app = app_for(&bank, "12030000", Some(PRODUCT_ID)).await;
    let access = fints_access(&app, "12030000", "test@user", "12345").await;
    let done = app.run_sync(&access, json!({"sync_period": 730})).await;
    assert_eq!(done["status"], "COMPLETED", "{done}");
    let log = bank.log();
    assert!(log.clean, "{log:#?}");
    let accounts = app.accounts().await;
    let transactions = app.transactions(accounts[0]["id"].as_str().unwrap()).await;
    assert!(transactions.len() >= 2, "{transactions:?}");
}

#[tokio::test]
async fn a_wrong_pin_ends_in_10000_with_the_banks_text() {
    let bank = ReplayBank::start_fixture("ingdiba_initdialogwithblockedpin");
    let app = app_for(&bank, "50010517", Some(PRODUCT_ID)).await;
    let access = fints_access(&app, "50010517", "test@user", "123456").await;
    let done = app.run_sync(&access, json!({})).await;
    assert_eq!(done["status"], "FAILED", "{done}");
    assert_eq!(error_code(&done), 10000);
    let description = done["error"]["description"].as_str().unwrap();
    assert!(
        description.contains("Log-in fehlgeschlagen"),
        "{description}"
    );
    assert!(!done.to_string().contains("123456"));
}

#[tokio::test]
async fn without_a_product_id_fints_says_how_to_get_one() {
    let bank = ReplayBank::start_fixture("dkb_full");
    let app = app_for(&bank, "12030000", None).await;
    let access = fints_access(&app, "12030000", "test@user", "12345").await;
    let done = app.run_sync(&access, json!({})).await;
    assert_eq!(error_code(&done), 20001, "{done}");
    assert!(
        done["error"]["description"]
            .as_str()
            .unwrap()
            .contains("--fints-product-id")
    );
    assert_eq!(bank.log().requests, 0);
}

#[tokio::test]
async fn a_bank_that_is_down_ends_in_a_bank_error_and_nothing_hangs() {
    // A port nobody listens on: connection refused, retried, then 20002.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    drop(listener);
    let app = spawn_with(move |config| {
        config.fints.product_id = Some(PRODUCT_ID.into());
        config.fints.urls.insert("12030000".into(), url);
        config.fints.timeout = Duration::from_secs(2);
    })
    .await;
    let access = fints_access(&app, "12030000", "test@user", "12345").await;
    let done: Value = app.run_sync(&access, json!({})).await;
    assert_eq!(done["status"], "FAILED", "{done}");
    assert_eq!(error_code(&done), 20002);
}

/// python-fints's own test bank (a live peer, not a recording): BLZ 12345678, login
/// `test1`, PIN `1234`; see `tests/fints-peer/README.md`.
async fn app_for_peer(url: &str) -> TestApp {
    let url = url.to_owned();
    spawn_with(move |config| {
        config.fints.product_id = Some(PRODUCT_ID.into());
        config.fints.urls.insert("12345678".into(), url);
        config.fints.timeout = Duration::from_secs(10);
    })
    .await
}

#[tokio::test]
async fn live_peer_login_accounts_and_a_second_sync_without_duplicates() {
    let Some(peer) =
        Peer::from_env("live_peer_login_accounts_and_a_second_sync_without_duplicates")
    else {
        return;
    };
    let app = app_for_peer(&peer.url).await;
    let access = fints_access(&app, "12345678", "test1", "1234").await;
    let first = app.run_sync(&access, json!({})).await;
    assert_eq!(first["status"], "COMPLETED", "{first}");
    let accounts = app.accounts().await;
    // HKSPA names one account; the UPD knows its product name and owner.
    assert_eq!(accounts.len(), 1, "{accounts:?}");
    assert_eq!(accounts[0]["iban"], "DE111234567800000001");
    assert_eq!(accounts[0]["name"], "Girokonto");
    assert_eq!(accounts[0]["owner"], "Fullname");
    let second = app
        .run_sync(&access, json!({"credentials": {"pin": "1234"}}))
        .await;
    assert_eq!(second["status"], "COMPLETED", "{second}");
    assert_eq!(app.accounts().await.len(), 1);
}

#[tokio::test]
async fn live_peer_wrong_pin_and_locked_access() {
    let Some(peer) = Peer::from_env("live_peer_wrong_pin_and_locked_access") else {
        return;
    };
    let app = app_for_peer(&peer.url).await;
    let wrong = fints_access(&app, "12345678", "test1", "9999").await;
    let done = app.run_sync(&wrong, json!({})).await;
    assert_eq!(error_code(&done), 10000, "{done}");
    let locked = fints_access(&app, "12345678", "test1", "3938").await;
    let done = app.run_sync(&locked, json!({})).await;
    assert_eq!(error_code(&done), 10012, "{done}");
    assert!(!done.to_string().contains("3938\""), "{done}");
}

/// The bank dialog of a sync parked for a TAN survives SIGKILL of its server: after a
/// restart the TAN continues the very same dialog (dialog id, message number, task
/// reference from the stored challenge), and the bank sees one clean session.
#[tokio::test]
async fn a_dialog_parked_for_a_tan_survives_sigkill_and_continues_after_restart() {
    use crate::recovery::{call, create_client, serve_with, widget_session};
    use reqwest::Method;

    let dir = tempfile::tempdir().unwrap();
    let database = crate::database::TestDatabase::create(dir.path()).await;
    let bank = ReplayBank::start_fixture("dkb_full_tan");
    let urls = format!("12030000={}", bank.url());
    let env = [
        ("KONTOLINK_FINTS_PRODUCT_ID", PRODUCT_ID),
        ("KONTOLINK_FINTS_URLS", urls.as_str()),
        ("KONTOLINK_FINTS_STATEMENT_FORMAT", "mt940"),
    ];
    let http = reqwest::Client::new();
    let first = serve_with(dir.path(), database.url(), &env);
    let client = create_client(dir.path(), database.url());
    let token = widget_session(&http, &first.address, &client, "user-1").await;
    let access = call(
        &http,
        &token,
        Method::POST,
        format!("{}/rest/accesses", first.address),
        Some(json!({"access_method_id": "de-12030000-fints",
                    "credentials": {"login": "test@user", "pin": "12345"}})),
    )
    .await;
    let access_id = access["id"].as_str().unwrap().to_owned();
    let sync = call(
        &http,
        &token,
        Method::POST,
        format!("{}/rest/accesses/{access_id}/syncs", first.address),
        Some(json!({"sync_period": 730})),
    )
    .await;
    let sync_path = format!(
        "/rest/accesses/{access_id}/syncs/{}",
        sync["id"].as_str().unwrap()
    );
    let wait = |address: String, status: &'static str| {
        let http = http.clone();
        let token = token.clone();
        let path = sync_path.clone();
        async move {
            let deadline = std::time::Instant::now() + Duration::from_secs(60);
            loop {
                let current =
                    call(&http, &token, Method::GET, format!("{address}{path}"), None).await;
                if current["status"] == status || current["status"] == "FAILED" {
                    return current;
                }
                assert!(std::time::Instant::now() < deadline, "stuck: {current}");
                tokio::time::sleep(Duration::from_millis(150)).await;
            }
        }
    };
    let waiting = wait(first.address.clone(), "AWAIT_AUTH").await;
    assert_eq!(waiting["status"], "AWAIT_AUTH", "{waiting}");
    first.kill();

    let second = serve_with(dir.path(), database.url(), &env);
    let challenge = waiting["challenge"]["id"].as_str().unwrap();
    let answered = call(
        &http,
        &token,
        Method::POST,
        format!(
            "{}{sync_path}/challenges/{challenge}/response",
            second.address
        ),
        Some(json!({"value": "777666"})),
    )
    .await;
    assert!(answered["error"].is_null(), "{answered}");
    let done = wait(second.address.clone(), "COMPLETED").await;
    assert_eq!(done["status"], "COMPLETED", "{done}");
    let log = bank.log();
    assert!(log.clean, "{log:#?}");
}

/// The scripted FinTS test bank (`kontolink_fints::testbank`) on loopback, in this process.
async fn test_bank() -> String {
    use axum::body::Bytes;
    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD;
    use kontolink_fints::testbank::TestBank;
    use std::sync::{Arc, Mutex};

    let bank = Arc::new(Mutex::new(TestBank::new()));
    let app = axum::Router::new().fallback(axum::routing::post(move |body: Bytes| {
        let bank = bank.clone();
        async move {
            let message = STANDARD.decode(&body).unwrap_or_default();
            STANDARD.encode(bank.lock().unwrap().answer(&message))
        }
    }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

async fn app_for_test_bank() -> TestApp {
    let url = test_bank().await;
    spawn_with(move |config| {
        config.fints.product_id = Some(PRODUCT_ID.into());
        config.fints.urls.insert("12030000".into(), url);
        config.fints.timeout = Duration::from_secs(10);
    })
    .await
}

#[tokio::test]
async fn method_choice_then_a_wrong_tan_ends_in_10004() {
    let app = app_for_test_bank().await;
    let access = fints_access(&app, "12030000", "erika", "geheim").await;
    let sync = app.start(&access, json!({})).await;
    let choosing = app.wait_status(&sync, "AWAIT_AUTH").await;
    let challenge = &choosing["challenge"];
    assert_eq!(challenge["type"], "AUTH_METHOD_SELECT", "{choosing}");
    let ids: Vec<&str> = challenge["auth_methods"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["972", "921", "982", "942"]);
    let (status, body) = app.answer(&choosing, json!({"method_id": "972"})).await;
    assert!(status.is_success(), "{body}");
    let tan = app
        .wait_until(&sync, |s| {
            s["challenge"]["type"] == "EMBEDDED" || s["status"] == "FAILED"
        })
        .await;
    assert_eq!(tan["challenge"]["format"], "HHD", "{tan}");
    assert_eq!(tan["challenge"]["data"], "0248A0120452019980812345678");
    let (status, body) = app.answer(&tan, json!({"value": "000000"})).await;
    assert!(status.is_success(), "{body}");
    let done = app
        .wait_until(&sync, |s| {
            s["status"] == "FAILED" || s["status"] == "COMPLETED"
        })
        .await;
    assert_eq!(error_code(&done), 10004, "{done}");
    assert_eq!(done["error"]["description"], "TAN ungültig.");
    assert!(!done.to_string().contains("000000"));
}

#[tokio::test]
async fn decoupled_approval_is_polled_by_the_engine_and_the_method_is_remembered() {
    let app = app_for_test_bank().await;
    let (status, created) = app
        .post(
            "/rest/accesses",
            json!({
                "access_method_id": "de-12030000-fints",
                "credentials": {"login": "erika", "pin": "geheim"},
                "save_secrets": true,
                "consent": true,
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let access = created["id"].as_str().unwrap().to_owned();
    let sync = app.start(&access, json!({})).await;
    let choosing = app.wait_status(&sync, "AWAIT_AUTH").await;
    app.answer(&choosing, json!({"method_id": "921"})).await;
    let waiting = app
        .wait_until(&sync, |s| {
            s["challenge"]["type"] == "DECOUPLED" || s["status"] == "FAILED"
        })
        .await;
    assert_eq!(waiting["challenge"]["type"], "DECOUPLED", "{waiting}");
    // Nobody answers: the engine polls at the bank's intervals (2 s, then 1 s).
    let done = app
        .wait_until(&sync, |s| {
            s["status"] == "COMPLETED" || s["status"] == "FAILED"
        })
        .await;
    assert_eq!(done["status"], "COMPLETED", "{done}");
    let accounts = app.accounts().await;
    assert_eq!(accounts.len(), 2);
    // The next sync reuses pushTAN: no method question, straight to the approval.
    let next = app.start(&access, json!({})).await;
    let asked = app.wait_status(&next, "AWAIT_AUTH").await;
    assert_eq!(asked["challenge"]["type"], "DECOUPLED", "{asked}");
    let again = app
        .wait_until(&next, |s| {
            s["status"] == "COMPLETED" || s["status"] == "FAILED"
        })
        .await;
    assert_eq!(again["status"], "COMPLETED", "{again}");
    let giro = accounts.iter().find(|a| a["name"] == "Girokonto").unwrap();
    let transactions = app.transactions(giro["id"].as_str().unwrap()).await;
    assert_eq!(
        transactions.len(),
        4,
        "no duplicates after the second sync: {transactions:?}"
    );
}

/// Chooses `method` at the method question and returns the sync at its next question.
async fn choose(app: &TestApp, sync: &Value, method: &str) -> Value {
    let choosing = app.wait_status(sync, "AWAIT_AUTH").await;
    assert_eq!(
        choosing["challenge"]["type"], "AUTH_METHOD_SELECT",
        "{choosing}"
    );
    let first = choosing["challenge"]["id"].clone();
    let (status, body) = app.answer(&choosing, json!({"method_id": method})).await;
    assert!(status.is_success(), "{body}");
    app.wait_until(sync, |s| {
        s["status"] == "FAILED" || (s["status"] == "AWAIT_AUTH" && s["challenge"]["id"] != first)
    })
    .await
}

#[tokio::test]
async fn mobiletan_asks_for_the_medium_and_phototan_shows_the_banks_image() {
    let app = app_for_test_bank().await;
    let access = fints_access(&app, "12030000", "erika", "geheim").await;
    let sync = app.start(&access, json!({})).await;
    let medium = choose(&app, &sync, "942").await;
    let challenge = &medium["challenge"];
    assert_eq!(challenge["type"], "AUTH_MEDIUM_SELECT", "{medium}");
    let names: Vec<&str> = challenge["auth_methods"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["medium_name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Handy Erika", "Tablet Erika"]);
    app.answer(&medium, json!({"medium_id": "Tablet Erika"}))
        .await;
    let tan = app
        .wait_until(&sync, |s| {
            s["challenge"]["type"] == "EMBEDDED" || s["status"] == "FAILED"
        })
        .await;
    assert_eq!(tan["challenge"]["format"], "TEXT", "{tan}");
    assert_eq!(
        tan["challenge"]["data"],
        "Die TAN wurde an Tablet Erika gesendet."
    );
    app.answer(&tan, json!({"value": "123456"})).await;
    let done = app
        .wait_until(&sync, |s| {
            s["status"] == "COMPLETED" || s["status"] == "FAILED"
        })
        .await;
    assert_eq!(done["status"], "COMPLETED", "{done}");

    let photo_access = fints_access(&app, "12030000", "erika", "geheim").await;
    let sync = app.start(&photo_access, json!({})).await;
    let photo = choose(&app, &sync, "982").await;
    assert_eq!(photo["challenge"]["format"], "PHOTO", "{photo}");
    assert!(
        photo["challenge"]["data"]
            .as_str()
            .unwrap()
            .starts_with("data:image/png;base64,")
    );
    app.answer(&photo, json!({"value": "123456"})).await;
    let done = app
        .wait_until(&sync, |s| {
            s["status"] == "COMPLETED" || s["status"] == "FAILED"
        })
        .await;
    assert_eq!(done["status"], "COMPLETED", "{done}");
}
