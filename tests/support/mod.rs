//! Builders for wire objects, from JSON as the server sends them.
#![allow(dead_code)]

use kontolink_api::{Account, Challenge, ErrorBody, Provider, Sync, WidgetSession};
use kontolink_widget::api::ClientError;
use kontolink_widget::flow::{self, Command, Model, Msg};
use serde_json::{Value, json};

pub fn session(provider_id: Option<&str>) -> WidgetSession {
    serde_json::from_value(json!({
        "session_token": "st-1",
        "expires_in": 1800,
        "flow": {
            "id": "flow-1", "language": "en", "accounts": [], "account_types": ["Giro account"],
            "allow_multi_selection": true, "sync_period": 90, "save_secrets_allowed": true,
            "provider_id": provider_id
        }
    }))
    .unwrap()
}

pub fn provider() -> Provider {
    serde_json::from_value(json!({
        "id": "kontolink-sandbox", "name": "Kontolink Sandbox Bank", "blz": "90094815",
        "bic": null, "city": "Berlin", "country": "DE",
        "access_methods": [{
            "id": "kontolink-sandbox-pin", "name": "PIN/TAN", "type": "SANDBOX",
            "credentials": [
                {"id": "login", "label": "Login", "is_secret": false, "is_optional": false},
                {"id": "pin", "label": "PIN", "is_secret": true, "is_optional": false}
            ]
        }]
    }))
    .unwrap()
}

pub fn challenge(id: &str, kind: &str, format: Option<&str>) -> Value {
    json!({
        "id": id, "type": kind, "format": format, "data": "Enter the TAN", "label": null,
        "input_format": "NUMERIC", "min_length": 6, "max_length": 6, "additional_info": null,
        "auth_methods": [], "location": if kind == "REDIRECT" { json!("https://bank.example/sca") } else { Value::Null }
    })
}

pub fn sync(status: &str, challenge: Option<Value>, error: Option<(u32, Value)>) -> Sync {
    let error = error.map(|(code, data)| {
        json!({"code": code, "group": "USER", "message": "m", "description": "d", "data": data})
    });
    serde_json::from_value(json!({
        "id": "sync-1", "access_id": "access-1", "status": status, "scope": ["ACCOUNTS"],
        "challenge": challenge, "error": error, "step": "LOGIN",
        "created_at": "2026-11-21T10:00:00Z", "started_at": null, "ended_at": null
    }))
    .unwrap()
}

pub fn account(id: &str, access: &str, kind: &str) -> Account {
    serde_json::from_value(json!({
        "id": id, "access_id": access, "iban": "DE82900948150000002881", "name": id,
        "type": kind, "currency": "EUR", "owner": "Erika",
        "balance": {"balance": "1234.56", "available": null, "currency": "EUR", "balance_date": "2026-11-21"}
    }))
    .unwrap()
}

pub fn api_error(code: u32) -> ClientError {
    let body: ErrorBody = serde_json::from_value(json!({
        "error": {"code": code, "group": "g", "message": "m", "description": "d", "data": null}
    }))
    .unwrap();
    ClientError::Api(body)
}

pub fn challenge_of(value: Value) -> Challenge {
    serde_json::from_value(value).unwrap()
}

/// A model in the top-level window (or iframe), on the bank search page.
pub fn model(embedded: bool) -> Model {
    let mut model = Model::new(embedded, "https://kl.example/".into(), "w.state".into());
    flow::update(&mut model, Msg::SessionOpened(Ok(session(None))));
    model
}

/// A model whose sync is running: bank chosen, credentials sent, access created.
pub fn syncing(embedded: bool) -> Model {
    let mut model = model(embedded);
    flow::update(&mut model, Msg::ProviderChosen(Box::new(provider())));
    flow::update(&mut model, submit("demo"));
    let access = serde_json::from_value(json!({
        "id": "access-1", "provider_id": "kontolink-sandbox", "access_method_id": "kontolink-sandbox-pin",
        "accounts": [], "secrets_saved": false, "next_sync_possible_at": null,
        "created_at": "2026-11-21T10:00:00Z", "last_synced_at": null, "status": "ACTIVE"
    }))
    .unwrap();
    flow::update(&mut model, Msg::AccessCreated(Ok(access)));
    flow::update(
        &mut model,
        Msg::SyncStarted(Ok(sync("RUNNING", None, None))),
    );
    model
}

/// A running sync that fails with `code` and `data`.
pub fn failed(code: u32, data: Value) -> Model {
    let mut model = syncing(false);
    let seq = model.poll_seq;
    flow::update(
        &mut model,
        Msg::SyncPolled {
            seq,
            result: Ok(sync("FAILED", None, Some((code, data)))),
        },
    );
    model
}

pub fn submit(login: &str) -> Msg {
    Msg::CredentialsSubmitted {
        access_method_id: "kontolink-sandbox-pin".into(),
        credentials: flow::Credentials(
            [
                ("login".to_owned(), login.to_owned()),
                ("pin".to_owned(), "1234".to_owned()),
            ]
            .into(),
        ),
        save_secrets: false,
    }
}

/// The `seq` of the poll command among `commands`.
pub fn poll_seq(commands: &[Command]) -> Option<u32> {
    commands.iter().find_map(|c| match c {
        Command::PollSync { seq, .. } => Some(*seq),
        _ => None,
    })
}
