//! Transitions of a challenge: answering it, and the trip to the bank's page.

use kontolink_api::{ChallengeResponse, ChallengeType};

use super::messages::Command;
use super::model::{Model, Step};
use super::sync::{POLL_MS, WAIT_POLL_MS, poll, stop_polling};
use super::update::{notice_for, set_notice};
use crate::api::ClientError;

pub(super) fn answer(model: &mut Model, response: ChallengeResponse) -> Vec<Command> {
    let Step::Challenge {
        challenge, notice, ..
    } = &mut model.step
    else {
        return Vec::new();
    };
    *notice = None;
    let challenge_id = challenge.id.clone();
    let with_value =
        response.value.is_some() || response.method_id.is_some() || response.medium_id.is_some();
    model.answered = with_value.then(|| challenge_id.clone());
    model.busy = true;
    stop_polling(model);
    match (model.access_id.clone(), model.sync_id.clone()) {
        (Some(access_id), Some(sync_id)) => vec![Command::Respond {
            access_id,
            sync_id,
            challenge_id,
            response,
        }],
        _ => Vec::new(),
    }
}

pub(super) fn answered(model: &mut Model, result: Result<(), ClientError>) -> Vec<Command> {
    model.busy = false;
    match result {
        Ok(()) if model.answered.is_some() => {
            model.step = Step::Progress;
            poll(model, POLL_MS / 2)
        }
        Ok(()) => poll(model, WAIT_POLL_MS),
        Err(error) => {
            model.answered = None;
            set_notice(model, notice_for(&error));
            let waiting = match &model.step {
                Step::Challenge { challenge, .. } => matches!(
                    challenge.challenge_type,
                    ChallengeType::Decoupled | ChallengeType::Redirect
                ),
                Step::Progress => true,
                _ => false,
            };
            if waiting || error.code().is_some_and(|c| c != super::TAN_INVALID) {
                poll(model, WAIT_POLL_MS)
            } else {
                Vec::new()
            }
        }
    }
}

pub(super) fn open_redirect(model: &mut Model) -> Vec<Command> {
    let Step::Challenge {
        challenge,
        notice,
        popup_open,
    } = &mut model.step
    else {
        return Vec::new();
    };
    let Some(location) = challenge.location.clone() else {
        return Vec::new();
    };
    *notice = None;
    if model.embedded {
        *popup_open = true;
        return vec![Command::OpenPopup { location }];
    }
    let record = match (
        &model.session_token,
        &model.flow,
        &model.access_id,
        &model.sync_id,
    ) {
        (Some(token), Some(flow), Some(access_id), Some(sync_id)) => super::ResumeRecord {
            state: model.sync_state.clone(),
            session_token: token.clone(),
            flow: flow.clone(),
            provider: model.provider.clone(),
            access_id: access_id.clone(),
            access_method_id: model.access_method_id.clone(),
            upgrade: model.upgrade.clone(),
            sync_id: sync_id.clone(),
            challenge_id: challenge.id.clone(),
        },
        _ => return Vec::new(),
    };
    stop_polling(model);
    model.busy = true;
    vec![Command::GoToBank {
        location,
        record: Box::new(record),
    }]
}
