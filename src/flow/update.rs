//! The transitions: `(model, msg) → commands`, pure.

use kontolink_api::{ChallengeResponse, CreateAccessRequest};

use super::challenge::{answer, answered, open_redirect};
use super::messages::{Command, Msg};
use super::model::{Model, Notice, ProblemKind, Retry, Step};
use super::problem::{poll_failed, problem, request_failed, retry};
use super::sync::{
    apply_failure, on_sync, selectable_accounts, sort_for_display, stop_polling, sync_request,
};
use super::upgrade::{follow as follow_upgrade, offered_accesses};
use super::{GENERAL_ERROR, LINK_INVALID};
use crate::api::ClientError;

pub(super) fn notice_for(error: &ClientError) -> Notice {
    match error.code() {
        None => Notice::Network,
        Some(super::CREDENTIALS_INVALID) => Notice::CredentialsInvalid,
        Some(super::CREDENTIALS_INCOMPLETE) => Notice::CredentialsIncomplete,
        Some(super::TAN_INVALID) => Notice::TanInvalid,
        Some(super::RATE_LIMITED) => Notice::TooManyAttempts,
        Some(code) => Notice::Error(code),
    }
}

pub(super) fn start_sync(model: &mut Model) -> Vec<Command> {
    stop_polling(model);
    model.answered = None;
    model.progress = None;
    model.step = Step::Progress;
    match model.access_id.clone() {
        Some(access_id) => vec![Command::StartSync {
            access_id,
            request: sync_request(model),
        }],
        None => Vec::new(),
    }
}

/// Applies `msg` to `model` and says what to do next.
pub fn update(model: &mut Model, msg: Msg) -> Vec<Command> {
    // A finished flow never changes again (late replies of requests are dropped).
    if matches!(model.step, Step::Finished(_)) {
        return Vec::new();
    }
    match msg {
        Msg::SessionOpened(Ok(session)) => {
            model.language = session.flow.language;
            model.session_token = Some(session.session_token);
            let preset = session.flow.provider_id.clone();
            model.flow = Some(session.flow);
            match preset {
                Some(id) => {
                    model.provider_preset = true;
                    model.step = Step::Starting;
                    vec![Command::LoadProvider(id)]
                }
                None => {
                    model.step = Step::BankSearch;
                    Vec::new()
                }
            }
        }
        Msg::SessionOpened(Err(error)) => {
            model.step = match error.code() {
                Some(LINK_INVALID) => Step::LinkInvalid,
                _ => request_failed(&error, None),
            };
            if let Step::Problem(problem) = &mut model.step {
                problem.closable = false;
            }
            Vec::new()
        }
        Msg::ProviderChosen(provider) => {
            model.busy = false;
            if provider.access_methods.is_empty() {
                model.busy = true;
                vec![Command::LoadProvider(provider.id.clone())]
            } else {
                show_credentials(model, *provider);
                Vec::new()
            }
        }
        Msg::ProviderLoaded(Ok(provider)) => {
            model.busy = false;
            show_credentials(model, provider);
            Vec::new()
        }
        Msg::ProviderLoaded(Err(error)) => {
            model.busy = false;
            model.step = match error {
                ClientError::Api(_) => {
                    model.provider_preset = false;
                    Step::BankSearch
                }
                ClientError::Network(_) => {
                    let id = model.flow.as_ref().and_then(|f| f.provider_id.clone());
                    request_failed(&error, id.map(Retry::LoadProvider))
                }
            };
            Vec::new()
        }
        Msg::ChangeBank => {
            if !model.provider_preset {
                model.provider = None;
                model.access_id = None;
                model.access_method_id = None;
                model.step = Step::BankSearch;
            }
            Vec::new()
        }
        Msg::CredentialsSubmitted {
            access_method_id,
            credentials,
            save_secrets,
        } => {
            model.busy = true;
            model.credentials = credentials;
            model.save_secrets = save_secrets;
            let reuse = model.access_id.is_some()
                && model.access_method_id.as_deref() == Some(access_method_id.as_str());
            if reuse {
                return start_sync(model);
            }
            model.access_id = None;
            model.access_method_id = Some(access_method_id.clone());
            vec![Command::CreateAccess(CreateAccessRequest {
                access_method_id,
                credentials: model.credentials.0.clone(),
                save_secrets,
                consent: save_secrets,
            })]
        }
        Msg::AccessCreated(Ok(access)) => {
            model.access_id = Some(access.id);
            start_sync(model)
        }
        Msg::AccessCreated(Err(error)) => {
            model.busy = false;
            set_notice(model, notice_for(&error));
            Vec::new()
        }
        Msg::SyncStarted(Ok(sync)) => {
            model.busy = false;
            on_sync(model, sync)
        }
        Msg::SyncStarted(Err(error)) => {
            match &error {
                ClientError::Api(body) => apply_failure(model, &body.error),
                ClientError::Network(_) => {
                    model.step = request_failed(&error, Some(Retry::NewSync))
                }
            }
            model.busy = false;
            Vec::new()
        }
        Msg::SyncPolled { seq, result } => {
            let following = matches!(model.step, Step::Progress | Step::Challenge { .. });
            if seq != model.poll_seq || !following {
                return Vec::new();
            }
            match result {
                Ok(sync) if Some(&sync.id) == model.sync_id.as_ref() => on_sync(model, sync),
                Ok(_) => Vec::new(),
                Err(error) => poll_failed(model, error),
            }
        }
        Msg::Answer(response) => answer(model, response),
        Msg::Answered(result) => answered(model, result),
        Msg::OpenRedirect => open_redirect(model),
        Msg::PopupBlocked => {
            set_notice(model, Notice::PopupBlocked);
            if let Step::Challenge { popup_open, .. } = &mut model.step {
                *popup_open = false;
            }
            Vec::new()
        }
        Msg::PopupClosed => match &model.step {
            Step::Challenge {
                popup_open: true, ..
            } => answer(model, ChallengeResponse::default()),
            _ => Vec::new(),
        },
        Msg::AccountsLoaded(Ok(accounts)) => {
            model.busy = false;
            let flow = model.flow.clone();
            let mut accounts = match &flow {
                Some(flow) => selectable_accounts(accounts, flow, &offered_accesses(model)),
                None => accounts,
            };
            sort_for_display(&mut accounts);
            model.step = if accounts.is_empty() {
                problem(ProblemKind::NoAccounts, None, None, true)
            } else {
                Step::Accounts { accounts }
            };
            Vec::new()
        }
        Msg::AccountsLoaded(Err(error)) => {
            model.step = request_failed(&error, Some(Retry::LoadAccounts));
            Vec::new()
        }
        Msg::AccountsChosen(ids) if !ids.is_empty() => {
            model.busy = true;
            vec![Command::Complete(ids)]
        }
        Msg::AccountsChosen(_) => Vec::new(),
        Msg::Retry => retry(model),
        Msg::Close => {
            stop_polling(model);
            model.busy = true;
            let code = match &model.step {
                Step::Problem(problem) => problem.code.unwrap_or(GENERAL_ERROR),
                _ => GENERAL_ERROR,
            };
            vec![Command::Fail(code.to_string())]
        }
        Msg::CancelConfirmed => {
            stop_polling(model);
            model.busy = true;
            vec![Command::Cancel]
        }
        Msg::Finished(Ok(redirect)) => {
            stop_polling(model);
            model.busy = false;
            model.step = Step::Finished(redirect.clone());
            vec![Command::Deliver(redirect)]
        }
        Msg::Finished(Err(error)) => {
            // Ending the flow failed (complete, cancel or fail): "Close" tries again to end
            // it, as failed, while there is a session.
            model.busy = false;
            model.step = request_failed(&error, None);
            let has_session = model.session_token.is_some();
            if let Step::Problem(problem) = &mut model.step {
                problem.closable = has_session;
            }
            Vec::new()
        }
    }
}

fn show_credentials(model: &mut Model, provider: kontolink_api::Provider) {
    if model.provider.as_ref().map(|p| &p.id) != Some(&provider.id) {
        model.access_id = None;
        model.access_method_id = None;
    }
    // A reconnect syncs the integrator's existing access (its provider is the preset one).
    let reconnect = model.flow.as_ref().and_then(|f| f.access.clone());
    if let Some(access) = &reconnect {
        model.access_id = Some(access.id.clone());
        model.access_method_id = Some(access.access_method_id.clone());
    }
    model.provider = Some(provider.clone());
    model.step = Step::Credentials {
        provider: Box::new(provider),
        notice: None,
    };
    // An access the bank already upgraded: log in to where its accounts went instead.
    if let Some(upgrade) = reconnect.and_then(|access| access.upgrade) {
        follow_upgrade(model, &upgrade);
    }
}

pub(super) fn set_notice(model: &mut Model, new: Notice) {
    match &mut model.step {
        Step::Credentials { notice, .. } | Step::Challenge { notice, .. } => *notice = Some(new),
        _ => {}
    }
}
