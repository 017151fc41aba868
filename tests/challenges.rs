//! The flow's transitions around challenges, failures and the trip to the bank.

mod support;

use kontolink_api::ChallengeResponse;
use kontolink_widget::flow::{self, Command, Launch, Model, Msg, Notice, Retry, Step};
use kontolink_widget::resume;
use serde_json::json;
use support::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn await_auth(model: &mut Model, kind: &str, format: Option<&str>, id: &str) -> Vec<Command> {
    let seq = model.poll_seq;
    let result = Ok(sync("AWAIT_AUTH", Some(challenge(id, kind, format)), None));
    flow::update(model, Msg::SyncPolled { seq, result })
}

fn tan(value: &str) -> Msg {
    Msg::Answer(ChallengeResponse {
        value: Some(value.into()),
        ..ChallengeResponse::default()
    })
}

#[wasm_bindgen_test]
fn an_embedded_tan_is_answered_then_followed_until_the_engine_moves_on() {
    let mut model = syncing(false);
    let commands = await_auth(&mut model, "EMBEDDED", Some("TEXT"), "c1");
    assert!(
        poll_seq(&commands).is_none(),
        "no polling while the end-user types"
    );
    assert!(matches!(&model.step, Step::Challenge { challenge, .. } if challenge.id == "c1"));
    let commands = flow::update(&mut model, tan("123456"));
    let [
        Command::Respond {
            challenge_id,
            response,
            ..
        },
    ] = commands.as_slice()
    else {
        panic!("{commands:?}")
    };
    assert_eq!(challenge_id, "c1");
    assert_eq!(response.value.as_deref(), Some("123456"));
    let commands = flow::update(&mut model, Msg::Answered(Ok(())));
    assert!(poll_seq(&commands).is_some());
    assert_eq!(model.step, Step::Progress);
    // The engine has not taken the answer yet: the same challenge does not come back.
    let commands = await_auth(&mut model, "EMBEDDED", Some("TEXT"), "c1");
    assert_eq!(model.step, Step::Progress);
    assert!(poll_seq(&commands).is_some());
    // A second challenge (scenario `multi`) is shown.
    await_auth(&mut model, "EMBEDDED", Some("HHD"), "c2");
    assert!(matches!(&model.step, Step::Challenge { challenge, .. } if challenge.id == "c2"));
}

#[wasm_bindgen_test]
fn a_refused_tan_stays_on_the_challenge_with_a_notice() {
    let mut model = syncing(false);
    await_auth(&mut model, "EMBEDDED", Some("TEXT"), "c1");
    flow::update(&mut model, tan("000000"));
    flow::update(&mut model, Msg::Answered(Err(api_error(10004))));
    assert!(matches!(
        &model.step,
        Step::Challenge {
            notice: Some(Notice::TanInvalid),
            ..
        }
    ));
    assert!(!model.busy);
}

#[wasm_bindgen_test]
fn method_and_medium_choices_are_sent_as_ids() {
    let mut model = syncing(false);
    await_auth(&mut model, "AUTH_METHOD_SELECT", None, "m1");
    let answer = ChallengeResponse {
        method_id: Some("942".into()),
        ..ChallengeResponse::default()
    };
    let commands = flow::update(&mut model, Msg::Answer(answer.clone()));
    assert!(
        matches!(commands.as_slice(), [Command::Respond { response, .. }] if *response == answer)
    );
    assert_eq!(model.answered.as_deref(), Some("m1"));
}

#[wasm_bindgen_test]
fn a_decoupled_challenge_is_polled_and_can_be_checked_at_once() {
    let mut model = syncing(false);
    let commands = await_auth(&mut model, "DECOUPLED", None, "d1");
    assert!(
        poll_seq(&commands).is_some(),
        "polls while waiting for the app"
    );
    let shown = model.step.clone();
    let commands = await_auth(&mut model, "DECOUPLED", None, "d1");
    assert!(poll_seq(&commands).is_some());
    assert_eq!(model.step, shown, "the page stays as it is");
    let commands = flow::update(&mut model, Msg::Answer(ChallengeResponse::default()));
    assert!(
        matches!(commands.as_slice(), [Command::Respond { response, .. }] if *response == ChallengeResponse::default())
    );
    let commands = flow::update(&mut model, Msg::Answered(Ok(())));
    assert!(poll_seq(&commands).is_some());
    assert!(
        matches!(model.step, Step::Challenge { .. }),
        "still waiting on the same page"
    );
}

#[wasm_bindgen_test]
fn a_redirect_in_a_top_level_window_keeps_the_session_and_leaves() {
    let mut model = syncing(false);
    await_auth(&mut model, "REDIRECT", None, "r1");
    let commands = flow::update(&mut model, Msg::OpenRedirect);
    let [Command::GoToBank { location, record }] = commands.as_slice() else {
        panic!("{commands:?}")
    };
    assert_eq!(location, "https://bank.example/sca");
    assert_eq!(record.state, "w.state");
    assert_eq!(record.session_token, "st-1");
    assert_eq!(
        (record.access_id.as_str(), record.sync_id.as_str()),
        ("access-1", "sync-1")
    );
    assert_eq!(record.challenge_id, "r1");
    // Back from the bank: resume, answer "check now", follow the sync.
    let mut back = Model::new(false, "https://kl.example/".into(), "w.other".into());
    let launch = resume::decide(false, Some("w.state"), Some((**record).clone()), false);
    let commands = flow::launch(&mut back, launch);
    assert!(
        matches!(commands.as_slice(), [Command::Respond { challenge_id, .. }] if challenge_id == "r1")
    );
    assert_eq!(back.step, Step::Progress);
    assert_eq!(back.sync_state, "w.state");
    let commands = flow::update(&mut back, Msg::Answered(Ok(())));
    assert!(poll_seq(&commands).is_some());
}

#[wasm_bindgen_test]
fn a_redirect_in_an_iframe_opens_a_popup_and_checks_when_it_closes() {
    let mut model = syncing(true);
    await_auth(&mut model, "REDIRECT", None, "r1");
    let commands = flow::update(&mut model, Msg::OpenRedirect);
    assert_eq!(
        commands,
        vec![Command::OpenPopup {
            location: "https://bank.example/sca".into()
        }]
    );
    assert!(matches!(
        model.step,
        Step::Challenge {
            popup_open: true,
            ..
        }
    ));
    let commands = flow::update(&mut model, Msg::PopupClosed);
    assert!(
        matches!(commands.as_slice(), [Command::Respond { response, .. }] if *response == ChallengeResponse::default())
    );
    // A blocked popup is said so.
    let mut blocked = syncing(true);
    await_auth(&mut blocked, "REDIRECT", None, "r1");
    flow::update(&mut blocked, Msg::OpenRedirect);
    flow::update(&mut blocked, Msg::PopupBlocked);
    assert!(matches!(
        blocked.step,
        Step::Challenge {
            notice: Some(Notice::PopupBlocked),
            popup_open: false,
            ..
        }
    ));
}

#[wasm_bindgen_test]
fn how_the_page_was_opened() {
    let record = || kontolink_widget::flow::ResumeRecord {
        state: "w.1".into(),
        session_token: "st".into(),
        flow: session(None).flow,
        provider: None,
        access_id: "a".into(),
        access_method_id: None,
        upgrade: None,
        sync_id: "s".into(),
        challenge_id: "c".into(),
    };
    assert_eq!(
        resume::decide(true, Some("w.1"), Some(record()), false),
        Launch::Token
    );
    assert!(matches!(
        resume::decide(false, Some("w.1"), Some(record()), false),
        Launch::Resume(_)
    ));
    assert!(matches!(
        resume::decide(false, None, Some(record()), false),
        Launch::Resume(_)
    ));
    assert_eq!(
        resume::decide(false, Some("w.2"), Some(record()), false),
        Launch::Nothing
    );
    assert_eq!(
        resume::decide(false, Some("p.1"), None, true),
        Launch::PopupReturn
    );
    assert_eq!(
        resume::decide(false, Some("p.1"), None, false),
        Launch::PopupReturn
    );
    assert_eq!(resume::decide(false, None, None, false), Launch::Nothing);
}

#[wasm_bindgen_test]
fn wrong_credentials_go_back_to_the_form_and_retry_on_the_same_access() {
    let mut model = syncing(false);
    let seq = model.poll_seq;
    flow::update(
        &mut model,
        Msg::SyncPolled {
            seq,
            result: Ok(sync("FAILED", None, Some((10000, json!(null))))),
        },
    );
    assert!(matches!(
        &model.step,
        Step::Credentials {
            notice: Some(Notice::CredentialsInvalid),
            ..
        }
    ));
    let commands = flow::update(&mut model, submit("demo"));
    let [Command::StartSync { access_id, request }] = commands.as_slice() else {
        panic!("{commands:?}")
    };
    assert_eq!(access_id, "access-1");
    assert!(
        request
            .credentials
            .as_ref()
            .is_some_and(|c| c.contains_key("pin"))
    );
}

#[wasm_bindgen_test]
fn a_failed_tan_can_be_retried_with_a_new_sync() {
    let mut model = failed(10004, json!(null));
    let Step::Problem(problem) = &model.step else {
        panic!("{:?}", model.step)
    };
    assert_eq!(
        (problem.kind.id(), problem.retry.clone()),
        ("tan-invalid", Some(Retry::NewSync))
    );
    let commands = flow::update(&mut model, Msg::Retry);
    assert!(matches!(commands.as_slice(), [Command::StartSync { .. }]));
    assert_eq!(model.step, Step::Progress);
}

#[wasm_bindgen_test]
fn too_many_syncs_shows_when_and_closes_with_its_code() {
    let mut model = failed(
        1020,
        json!({"next_sync_possible_at": "2026-11-22T08:00:00Z"}),
    );
    let Step::Problem(problem) = &model.step else {
        panic!("{:?}", model.step)
    };
    assert_eq!(problem.kind.id(), "too-many-syncs");
    assert_eq!(
        problem.next_sync_possible_at.as_deref(),
        Some("2026-11-22T08:00:00Z")
    );
    assert_eq!(problem.retry, None);
    assert_eq!(
        flow::update(&mut model, Msg::Close),
        vec![Command::Fail("1020".into())]
    );
}

#[wasm_bindgen_test]
fn an_unavailable_bank_says_when_to_try_again_and_offers_a_retry() {
    let model = failed(
        20002,
        json!({"next_sync_possible_at": "2026-11-21T10:00:00Z"}),
    );
    let Step::Problem(problem) = &model.step else {
        panic!("{:?}", model.step)
    };
    assert_eq!(problem.kind.id(), "bank-unavailable");
    assert_eq!(
        problem.next_sync_possible_at.as_deref(),
        Some("2026-11-21T10:00:00Z")
    );
    assert_eq!(problem.retry, Some(Retry::NewSync));
}

#[wasm_bindgen_test]
fn locked_and_unavailable_banks() {
    for (code, kind, retry) in [
        (10012, "locked", false),
        (20001, "bank-unavailable", true),
        (40001, "bank-unavailable", true),
        (30000, "generic", true),
    ] {
        let model = failed(code, json!(null));
        let Step::Problem(problem) = &model.step else {
            panic!("{code}: {:?}", model.step)
        };
        assert_eq!(problem.kind.id(), kind, "{code}");
        assert_eq!(problem.retry.is_some(), retry, "{code}");
        assert_eq!(problem.code, Some(code));
    }
}
