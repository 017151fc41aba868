//! The flow's transitions, as plain functions: the happy path and how it starts.

mod support;

use kontolink_api::{Language, SyncScope};
use kontolink_widget::flow::{self, Command, Launch, Model, Msg, Notice, Step};
use serde_json::{Value, json};
use support::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn a_token_opens_the_session_and_then_the_bank_search() {
    let mut model = Model::new(false, "https://kl.example/".into(), "w.s".into());
    assert_eq!(
        flow::launch(&mut model, Launch::Token),
        vec![Command::OpenSession]
    );
    assert_eq!(model.step, Step::Starting);
    let commands = flow::update(&mut model, Msg::SessionOpened(Ok(session(None))));
    assert!(commands.is_empty());
    assert_eq!(model.step, Step::BankSearch);
    assert_eq!(model.language, Language::En);
    assert_eq!(model.session_token.as_deref(), Some("st-1"));
}

#[wasm_bindgen_test]
fn a_preset_provider_skips_the_bank_search() {
    let mut model = Model::new(false, "u".into(), "s".into());
    let commands = flow::update(
        &mut model,
        Msg::SessionOpened(Ok(session(Some("kontolink-sandbox")))),
    );
    assert_eq!(
        commands,
        vec![Command::LoadProvider("kontolink-sandbox".into())]
    );
    flow::update(&mut model, Msg::ProviderLoaded(Ok(provider())));
    assert!(matches!(model.step, Step::Credentials { notice: None, .. }));
    // No way back to a bank search the integrator skipped.
    flow::update(&mut model, Msg::ChangeBank);
    assert!(matches!(model.step, Step::Credentials { .. }));
}

#[wasm_bindgen_test]
fn a_used_or_expired_link_shows_its_page() {
    let mut model = Model::new(false, "u".into(), "s".into());
    flow::update(&mut model, Msg::SessionOpened(Err(api_error(1030))));
    assert_eq!(model.step, Step::LinkInvalid);
    let mut model = Model::new(false, "u".into(), "s".into());
    flow::update(&mut model, Msg::SessionOpened(Err(api_error(1001))));
    let Step::Problem(problem) = &model.step else {
        panic!("{:?}", model.step)
    };
    assert!(!problem.closable, "no session to end");
}

#[wasm_bindgen_test]
fn no_token_and_nothing_to_resume_is_a_missing_token() {
    let mut model = Model::new(false, "u".into(), "s".into());
    assert!(flow::launch(&mut model, Launch::Nothing).is_empty());
    assert_eq!(model.step, Step::MissingToken);
}

#[wasm_bindgen_test]
fn a_search_result_without_access_methods_is_loaded_first() {
    let mut model = model(false);
    let mut bare = provider();
    bare.access_methods.clear();
    let commands = flow::update(&mut model, Msg::ProviderChosen(Box::new(bare)));
    assert_eq!(
        commands,
        vec![Command::LoadProvider("kontolink-sandbox".into())]
    );
    assert!(model.busy);
}

#[wasm_bindgen_test]
fn credentials_create_an_access_then_an_attended_accounts_sync() {
    let mut model = model(false);
    flow::update(&mut model, Msg::ProviderChosen(Box::new(provider())));
    let commands = flow::update(&mut model, submit("demo"));
    let [Command::CreateAccess(request)] = commands.as_slice() else {
        panic!("{commands:?}")
    };
    assert_eq!(request.access_method_id, "kontolink-sandbox-pin");
    assert_eq!(
        request.credentials.get("login").map(String::as_str),
        Some("demo")
    );
    assert!(!request.save_secrets && !request.consent);
    let access = serde_json::from_value(json!({
        "id": "access-1", "provider_id": "p", "access_method_id": "kontolink-sandbox-pin",
        "accounts": [], "secrets_saved": false, "next_sync_possible_at": null,
        "created_at": "t", "last_synced_at": null, "status": "ACTIVE"
    }))
    .unwrap();
    let commands = flow::update(&mut model, Msg::AccessCreated(Ok(access)));
    let [Command::StartSync { access_id, request }] = commands.as_slice() else {
        panic!("{commands:?}")
    };
    assert_eq!(access_id, "access-1");
    assert_eq!(
        request.scope,
        Some(vec![SyncScope::Accounts, SyncScope::Transactions])
    );
    assert_eq!(
        request.psu_ip_address, None,
        "the server knows the end-user is present"
    );
    assert_eq!(request.redirect_uri.as_deref(), Some("https://kl.example/"));
    assert_eq!(request.state.as_deref(), Some("w.state"));
    assert_eq!(request.save_secrets, Some(false));
    assert_eq!(model.step, Step::Progress);
}

#[wasm_bindgen_test]
fn a_reconnect_syncs_the_existing_access_instead_of_creating_one() {
    let mut model = Model::new(false, "https://kl.example/".into(), "w.state".into());
    let mut session = session(Some("kontolink-sandbox"));
    session.flow.access = Some(kontolink_api::ReconnectAccess {
        id: "access-7".into(),
        access_method_id: "kontolink-sandbox-pin".into(),
        upgrade: None,
    });
    let commands = flow::update(&mut model, Msg::SessionOpened(Ok(session)));
    assert_eq!(
        commands,
        vec![Command::LoadProvider("kontolink-sandbox".into())]
    );
    flow::update(&mut model, Msg::ProviderLoaded(Ok(provider())));
    let commands = flow::update(&mut model, submit("demo"));
    let [Command::StartSync { access_id, .. }] = commands.as_slice() else {
        panic!("{commands:?}")
    };
    assert_eq!(access_id, "access-7");
}

#[wasm_bindgen_test]
fn a_running_sync_is_polled_and_old_poll_loops_die() {
    let mut model = syncing(false);
    let first = model.poll_seq;
    let commands = flow::update(
        &mut model,
        Msg::SyncPolled {
            seq: first,
            result: Ok(sync("RUNNING", None, None)),
        },
    );
    let next = poll_seq(&commands).expect("polls again");
    assert!(next > first);
    assert_eq!(model.progress.as_deref(), Some("LOGIN"));
    // A reply of the older loop changes nothing.
    let stale = flow::update(
        &mut model,
        Msg::SyncPolled {
            seq: first,
            result: Ok(sync("COMPLETED", None, None)),
        },
    );
    assert!(stale.is_empty());
    assert_eq!(model.step, Step::Progress);
}

#[wasm_bindgen_test]
fn a_completed_sync_leads_to_the_accounts_of_allowed_types() {
    let mut model = syncing(false);
    let seq = model.poll_seq;
    let commands = flow::update(
        &mut model,
        Msg::SyncPolled {
            seq,
            result: Ok(sync("COMPLETED", None, None)),
        },
    );
    assert_eq!(commands, vec![Command::LoadAccounts]);
    let accounts = vec![
        account("giro", "access-1", "Giro account"),
        account("savings", "access-1", "Savings account"),
        account("other-access", "access-9", "Giro account"),
    ];
    flow::update(&mut model, Msg::AccountsLoaded(Ok(accounts)));
    let Step::Accounts { accounts } = &model.step else {
        panic!("{:?}", model.step)
    };
    let ids: Vec<&str> = accounts.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(ids, vec!["giro"]);
}

#[wasm_bindgen_test]
fn no_matching_account_is_a_problem_to_close() {
    let mut model = syncing(false);
    flow::update(
        &mut model,
        Msg::AccountsLoaded(Ok(vec![account("s", "access-1", "Savings account")])),
    );
    let Step::Problem(problem) = &model.step else {
        panic!("{:?}", model.step)
    };
    assert_eq!(problem.kind.id(), "no-accounts");
    assert_eq!(
        flow::update(&mut model, Msg::Close),
        vec![Command::Fail("30000".into())]
    );
}

#[wasm_bindgen_test]
fn chosen_accounts_complete_the_flow_and_deliver_the_redirect() {
    let mut model = syncing(false);
    flow::update(
        &mut model,
        Msg::AccountsLoaded(Ok(vec![account("giro", "access-1", "Giro account")])),
    );
    assert!(flow::update(&mut model, Msg::AccountsChosen(vec![])).is_empty());
    let commands = flow::update(&mut model, Msg::AccountsChosen(vec!["giro".into()]));
    assert_eq!(commands, vec![Command::Complete(vec!["giro".into()])]);
    let redirect: kontolink_api::FinishRedirect = serde_json::from_value(json!({
        "redirect": "https://app.example/cb", "query": {"code": "c", "state": "s", "success": "true"}
    }))
    .unwrap();
    let commands = flow::update(&mut model, Msg::Finished(Ok(redirect.clone())));
    assert_eq!(commands, vec![Command::Deliver(redirect.clone())]);
    assert_eq!(model.step, Step::Finished(redirect));
}

#[wasm_bindgen_test]
fn cancel_stops_polling_and_ends_the_flow() {
    let mut model = syncing(false);
    let seq = model.poll_seq;
    assert_eq!(
        flow::update(&mut model, Msg::CancelConfirmed),
        vec![Command::Cancel]
    );
    let late = flow::update(
        &mut model,
        Msg::SyncPolled {
            seq,
            result: Ok(sync("RUNNING", None, None)),
        },
    );
    assert!(late.is_empty(), "the poll loop ended with the cancel");
}

#[wasm_bindgen_test]
fn poll_failures_are_retried_then_shown() {
    let mut model = syncing(false);
    let network = || kontolink_widget::api::ClientError::Network("offline".into());
    for _ in 1..flow_max_failures() {
        let seq = model.poll_seq;
        let commands = flow::update(
            &mut model,
            Msg::SyncPolled {
                seq,
                result: Err(network()),
            },
        );
        assert!(poll_seq(&commands).is_some(), "retried");
    }
    let seq = model.poll_seq;
    let commands = flow::update(
        &mut model,
        Msg::SyncPolled {
            seq,
            result: Err(network()),
        },
    );
    assert!(commands.is_empty());
    let Step::Problem(problem) = &model.step else {
        panic!("{:?}", model.step)
    };
    assert_eq!(problem.kind.id(), "network");
    let commands = flow::update(&mut model, Msg::Retry);
    assert!(poll_seq(&commands).is_some(), "retry resumes polling");
}

fn flow_max_failures() -> u32 {
    5
}

#[wasm_bindgen_test]
fn credentials_never_appear_in_debug_output() {
    let Msg::CredentialsSubmitted { credentials, .. } = submit("demo") else {
        unreachable!()
    };
    let printed = format!("{credentials:?}");
    assert!(
        printed.contains("pin") && !printed.contains("1234"),
        "{printed}"
    );
}

#[wasm_bindgen_test]
fn accounts_of_an_access_the_server_does_not_name_are_all_offered() {
    let flow = session(None).flow;
    let accounts = vec![
        account("giro", "other-id", "Giro account"),
        account("s", "other-id", "Savings account"),
    ];
    let chosen = flow::selectable_accounts(accounts, &flow, &["access-1".to_owned()]);
    assert_eq!(chosen.len(), 1, "still filtered by account type");
    assert_eq!(chosen[0].id, "giro");
}

#[wasm_bindgen_test]
fn a_finished_flow_ignores_late_replies() {
    let mut model = syncing(false);
    let redirect: kontolink_api::FinishRedirect = serde_json::from_value(json!({
        "redirect": "https://app.example/cb", "query": {"state": "s", "success": "false", "cancel": "true"}
    }))
    .unwrap();
    flow::update(&mut model, Msg::Finished(Ok(redirect.clone())));
    let late = flow::update(
        &mut model,
        Msg::SyncStarted(Ok(sync("RUNNING", None, None))),
    );
    assert!(late.is_empty());
    assert_eq!(model.step, Step::Finished(redirect));
}

/// The sync of `access-1` failed with an access upgrade naming where the accounts went.
fn upgraded(code: u32, moves: &[(&str, &str)]) -> Model {
    let accounts: Vec<_> = moves
        .iter()
        .map(|(account, access)| json!({"id": account, "access_id": access}))
        .collect();
    let data = json!({"access_method_id": "kontolink-sandbox-psd2", "accounts": accounts});
    failed(code, data)
}

fn submit_for(method: &str) -> Msg {
    let Msg::CredentialsSubmitted {
        credentials,
        save_secrets,
        ..
    } = submit("upgrade2")
    else {
        unreachable!()
    };
    Msg::CredentialsSubmitted {
        access_method_id: method.into(),
        credentials,
        save_secrets,
    }
}

fn started_on(commands: &[Command]) -> (&str, Option<&str>) {
    let [Command::StartSync { access_id, request }] = commands else {
        panic!("{commands:?}")
    };
    let login = request
        .credentials
        .as_ref()
        .and_then(|c| c.get("login"))
        .map(String::as_str);
    (access_id.as_str(), login)
}

#[wasm_bindgen_test]
fn a_split_upgrade_asks_to_log_in_once_and_syncs_every_new_access() {
    let mut model = upgraded(40002, &[("giro", "new-1"), ("giro-2", "new-2")]);
    let Step::Credentials { notice, .. } = &model.step else {
        panic!("{:?}", model.step)
    };
    assert_eq!(notice, &Some(Notice::BankUpgraded));
    assert_eq!(
        model.access_method_id.as_deref(),
        Some("kontolink-sandbox-psd2"),
        "the form of the new access method"
    );
    let commands = flow::update(&mut model, submit_for("kontolink-sandbox-psd2"));
    assert_eq!(started_on(&commands), ("new-1", Some("upgrade2")));
    // The first new access is done: the second is synced with the same credentials.
    let commands = flow::update(
        &mut model,
        Msg::SyncStarted(Ok(sync("COMPLETED", None, None))),
    );
    assert_eq!(started_on(&commands), ("new-2", Some("upgrade2")));
    let commands = flow::update(
        &mut model,
        Msg::SyncStarted(Ok(sync("COMPLETED", None, None))),
    );
    assert_eq!(commands, vec![Command::LoadAccounts]);
    let accounts = vec![
        account("giro", "new-1", "Giro account"),
        account("giro-2", "new-2", "Giro account"),
        account("elsewhere", "access-9", "Giro account"),
    ];
    flow::update(&mut model, Msg::AccountsLoaded(Ok(accounts)));
    let Step::Accounts { accounts } = &model.step else {
        panic!("{:?}", model.step)
    };
    let ids: Vec<&str> = accounts.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(
        ids,
        vec!["giro", "giro-2"],
        "the accounts of every new access"
    );
}

#[wasm_bindgen_test]
fn a_partial_upgrade_syncs_the_new_access_then_the_old_one_again() {
    let mut model = upgraded(40003, &[("giro", "access-1"), ("savings", "new-1")]);
    let commands = flow::update(&mut model, submit_for("kontolink-sandbox-psd2"));
    assert_eq!(started_on(&commands).0, "new-1");
    let commands = flow::update(
        &mut model,
        Msg::SyncStarted(Ok(sync("COMPLETED", None, None))),
    );
    assert_eq!(started_on(&commands).0, "access-1");
    assert_eq!(
        model.access_method_id.as_deref(),
        Some("kontolink-sandbox-pin"),
        "the old access keeps its method"
    );
}

#[wasm_bindgen_test]
fn refused_credentials_on_a_new_access_keep_the_upgrade_going() {
    let mut model = upgraded(40001, &[("giro", "new-1"), ("savings", "new-1")]);
    flow::update(&mut model, submit_for("kontolink-sandbox-psd2"));
    flow::update(
        &mut model,
        Msg::SyncStarted(Ok(sync(
            "FAILED",
            None,
            Some((flow::CREDENTIALS_INVALID, Value::Null)),
        ))),
    );
    let Step::Credentials { notice, .. } = &model.step else {
        panic!("{:?}", model.step)
    };
    assert_eq!(notice, &Some(Notice::CredentialsInvalid));
    let commands = flow::update(&mut model, submit_for("kontolink-sandbox-psd2"));
    assert_eq!(
        started_on(&commands).0,
        "new-1",
        "the same new access again"
    );
}

#[wasm_bindgen_test]
fn an_upgrade_error_naming_no_new_access_is_a_bank_problem() {
    let model = upgraded(40001, &[("giro", "access-1")]);
    let Step::Problem(problem) = &model.step else {
        panic!("{:?}", model.step)
    };
    assert_eq!(problem.code, Some(40001));
}

#[wasm_bindgen_test]
fn a_reconnect_of_an_already_upgraded_access_opens_on_the_new_access() {
    let mut model = Model::new(false, "https://kl.example/".into(), "w.state".into());
    let mut session = session(Some("kontolink-sandbox"));
    let upgrade = serde_json::from_value(json!({
        "code": 40001, "group": "CONNECTIVITY", "message": "m", "description": "d",
        "data": {"access_method_id": "kontolink-sandbox-psd2", "access_ids": ["new-1"],
                 "accounts": [{"id": "giro", "access_id": "new-1"}]}
    }))
    .unwrap();
    session.flow.access = Some(kontolink_api::ReconnectAccess {
        id: "access-7".into(),
        access_method_id: "kontolink-sandbox-pin".into(),
        upgrade: Some(upgrade),
    });
    flow::update(&mut model, Msg::SessionOpened(Ok(session)));
    flow::update(&mut model, Msg::ProviderLoaded(Ok(provider())));
    let Step::Credentials { notice, .. } = &model.step else {
        panic!("{:?}", model.step)
    };
    assert_eq!(notice, &Some(Notice::BankUpgraded));
    let commands = flow::update(&mut model, submit_for("kontolink-sandbox-psd2"));
    assert_eq!(
        started_on(&commands).0,
        "new-1",
        "one login, on the new access"
    );
}

#[wasm_bindgen_test]
fn too_many_credential_attempts_keep_the_form_and_say_to_wait() {
    let mut model = model(false);
    flow::update(&mut model, Msg::ProviderChosen(Box::new(provider())));
    flow::update(&mut model, submit("demo"));
    flow::update(
        &mut model,
        Msg::AccessCreated(Err(api_error(flow::RATE_LIMITED))),
    );
    let Step::Credentials { notice, .. } = &model.step else {
        panic!("{:?}", model.step)
    };
    assert_eq!(notice, &Some(Notice::TooManyAttempts));
    assert!(!model.busy, "the form can be sent again");
}

#[wasm_bindgen_test]
fn accounts_are_offered_in_the_same_order_in_every_flow() {
    // Accounts the server stored together come back in no particular order (random ids);
    // the end-user sees them by type (giro first), then IBAN, whatever that order was.
    let with_iban = |mut a: kontolink_api::Account, iban: Option<&str>| {
        a.iban = iban.map(str::to_owned);
        a
    };
    let listed = vec![
        with_iban(
            account("tagesgeld", "access-1", "Savings account"),
            Some("DE02900948150000000003"),
        ),
        account("bonus", "access-1", "Bonus account"),
        with_iban(account("card", "access-1", "Credit card"), None),
        with_iban(
            account("giro-2", "access-1", "giro account"),
            Some("DE02 9009 4815 0000 0000 02"),
        ),
        with_iban(
            account("giro-1", "access-1", "Giro account"),
            Some("DE02900948150000000001"),
        ),
    ];
    let expected = ["giro-1", "giro-2", "tagesgeld", "card", "bonus"];
    for turn in 0..listed.len() {
        let mut order = listed.clone();
        order.rotate_left(turn);
        if turn % 2 == 1 {
            order.reverse();
        }
        let mut model = syncing(false);
        model.flow.as_mut().unwrap().account_types = None;
        flow::update(&mut model, Msg::AccountsLoaded(Ok(order)));
        let Step::Accounts { accounts } = &model.step else {
            panic!("{:?}", model.step)
        };
        let ids: Vec<&str> = accounts.iter().map(|a| a.id.as_str()).collect();
        assert_eq!(ids, expected, "listed from turn {turn}");
    }
}

#[wasm_bindgen_test]
fn the_problem_page_has_one_way_out_close_which_ends_the_flow_as_failed() {
    let mut model = failed(10012, Value::Null);
    let Step::Problem(problem) = &model.step else {
        panic!("{:?}", model.step)
    };
    assert!(problem.closable);
    assert!(
        !model.step.offers_cancel(),
        "no second button that would end the flow as cancelled instead"
    );
    assert_eq!(
        flow::update(&mut model, Msg::Close),
        vec![Command::Fail("10012".into())]
    );
    // Every other page of an open session keeps "Cancel".
    assert!(Step::BankSearch.offers_cancel());
    assert!(Step::Progress.offers_cancel());
    assert!(syncing(false).step.offers_cancel());
    assert!(!Step::LinkInvalid.offers_cancel());
}

#[wasm_bindgen_test]
fn a_flow_whose_end_failed_can_still_be_closed() {
    let mut model = syncing(false);
    flow::update(&mut model, Msg::CancelConfirmed);
    let offline = kontolink_widget::api::ClientError::Network("offline".into());
    flow::update(&mut model, Msg::Finished(Err(offline)));
    let Step::Problem(problem) = &model.step else {
        panic!("{:?}", model.step)
    };
    assert!(problem.closable, "the session is still there to end");
    assert!(!model.step.offers_cancel());
    assert_eq!(
        flow::update(&mut model, Msg::Close),
        vec![Command::Fail("30000".into())]
    );
}
