//! Following a sync: polling, challenges, failures, and the accounts it found.

use kontolink_api::{
    ACCOUNT_TYPES, Account, ChallengeType, ErrorDetail, FlowInfo, Sync, SyncRequest, SyncScope,
    SyncStatus,
};

use super::messages::Command;
use super::model::{Model, Notice, Problem, ProblemKind, Retry, Step};
use super::upgrade;
use super::{
    CREDENTIALS_INCOMPLETE, CREDENTIALS_INVALID, RATE_LIMITED, TAN_INVALID, TAN_SCHEME_BLOCKED,
    TOO_MANY_SYNCS,
};

/// Poll interval while the sync runs.
pub const POLL_MS: u32 = 700;
/// Poll interval while waiting for a decoupled or redirect approval.
pub const WAIT_POLL_MS: u32 = 1000;
/// Failed polls in a row before the widget gives up.
pub const MAX_POLL_FAILURES: u32 = 5;

/// The body of every sync the widget starts: the accounts and `sync_period` days of
/// transactions. No `psu_ip_address`: a sync started with a widget session is attended by
/// definition (the server knows the end-user is present), and the widget cannot know the
/// end-user's public address anyway.
pub fn sync_request(model: &Model) -> SyncRequest {
    SyncRequest {
        credentials: (!model.credentials.0.is_empty()).then(|| model.credentials.0.clone()),
        save_secrets: Some(model.save_secrets),
        redirect_uri: Some(model.return_url.clone()),
        state: Some(model.sync_state.clone()),
        scope: Some(vec![SyncScope::Accounts, SyncScope::Transactions]),
        sync_period: model.flow.as_ref().map(|f| f.sync_period),
        ..SyncRequest::default()
    }
}

/// A new poll loop (older loops die: their replies carry an older number).
pub fn poll(model: &mut Model, delay_ms: u32) -> Vec<Command> {
    model.poll_seq += 1;
    match (&model.access_id, &model.sync_id) {
        (Some(access_id), Some(sync_id)) => vec![Command::PollSync {
            access_id: access_id.clone(),
            sync_id: sync_id.clone(),
            seq: model.poll_seq,
            delay_ms,
        }],
        _ => Vec::new(),
    }
}

/// Ends every poll loop.
pub fn stop_polling(model: &mut Model) {
    model.poll_seq += 1;
}

/// The step a sync object leads to.
pub fn on_sync(model: &mut Model, sync: Sync) -> Vec<Command> {
    model.poll_failures = 0;
    model.sync_id = Some(sync.id.clone());
    if sync.step.is_some() {
        model.progress = sync.step.clone();
    }
    match sync.status {
        SyncStatus::Queued | SyncStatus::Running => {
            model.step = Step::Progress;
            poll(model, POLL_MS)
        }
        SyncStatus::AwaitAuth => on_challenge(model, sync),
        SyncStatus::Completed => {
            stop_polling(model);
            if let Some(next) = upgrade::next(model) {
                return next;
            }
            model.step = Step::Progress;
            model.progress = Some("FETCH_ACCOUNTS".to_owned());
            vec![Command::LoadAccounts]
        }
        SyncStatus::Failed => {
            stop_polling(model);
            model.busy = false;
            let error = sync.error.unwrap_or_else(|| detail(super::GENERAL_ERROR));
            apply_failure(model, &error);
            Vec::new()
        }
    }
}

fn on_challenge(model: &mut Model, sync: Sync) -> Vec<Command> {
    let Some(challenge) = sync.challenge else {
        model.step = Step::Progress;
        return poll(model, POLL_MS);
    };
    if model.answered.as_deref() == Some(challenge.id.as_str()) {
        model.step = Step::Progress;
        return poll(model, POLL_MS);
    }
    let waits = matches!(
        challenge.challenge_type,
        ChallengeType::Decoupled | ChallengeType::Redirect
    );
    let same =
        matches!(&model.step, Step::Challenge { challenge: shown, .. } if shown.id == challenge.id);
    if !same {
        model.answered = None;
        model.busy = false;
        model.step = Step::Challenge {
            challenge: Box::new(challenge),
            notice: None,
            popup_open: false,
        };
    }
    if waits {
        poll(model, WAIT_POLL_MS)
    } else {
        stop_polling(model);
        Vec::new()
    }
}

/// How the widget answers a failed sync or a refused request.
#[derive(Debug, Clone, PartialEq)]
pub enum FailureAction {
    /// Back to the credentials form with this notice; the next attempt reuses the access.
    Credentials(Notice),
    Problem(Problem),
}

/// The end-user's way out of an error code (contract §7 ranges).
pub fn classify_failure(detail: &ErrorDetail) -> FailureAction {
    // `when`: the server's `next_sync_possible_at` (1020, 20002), shown to the end-user.
    let problem = |kind, retry, when: Option<String>| {
        FailureAction::Problem(Problem {
            kind,
            code: Some(detail.code),
            next_sync_possible_at: when,
            retry,
            closable: true,
        })
    };
    let when = || {
        detail
            .data
            .as_ref()
            .and_then(|d| d.get("next_sync_possible_at"))
            .and_then(|v| v.as_str())
            .map(str::to_owned)
    };
    match detail.code {
        CREDENTIALS_INVALID => FailureAction::Credentials(Notice::CredentialsInvalid),
        CREDENTIALS_INCOMPLETE => FailureAction::Credentials(Notice::CredentialsIncomplete),
        RATE_LIMITED => FailureAction::Credentials(Notice::TooManyAttempts),
        TAN_INVALID => problem(ProblemKind::TanInvalid, Some(Retry::NewSync), None),
        TOO_MANY_SYNCS => problem(ProblemKind::TooManySyncs, None, when()),
        TAN_SCHEME_BLOCKED => problem(ProblemKind::Locked, None, None),
        20000..=29999 | 40000..=49999 => {
            problem(ProblemKind::BankUnavailable, Some(Retry::NewSync), when())
        }
        _ => problem(ProblemKind::Generic, Some(Retry::NewSync), None),
    }
}

/// Applies a failure to the model: the credentials page or the problem page.
pub fn apply_failure(model: &mut Model, detail: &ErrorDetail) {
    model.busy = false;
    if upgrade::follow(model, detail) {
        return;
    }
    model.step = match (classify_failure(detail), model.provider.clone()) {
        (FailureAction::Credentials(notice), Some(provider)) => Step::Credentials {
            provider: Box::new(provider),
            notice: Some(notice),
        },
        (FailureAction::Credentials(_), None) => Step::Problem(Problem {
            kind: ProblemKind::Generic,
            code: Some(detail.code),
            next_sync_possible_at: None,
            retry: None,
            closable: true,
        }),
        (FailureAction::Problem(problem), _) => Step::Problem(problem),
    };
}

/// The accounts the end-user may choose: of these accesses, of an allowed type.
pub fn selectable_accounts(
    accounts: Vec<Account>,
    flow: &FlowInfo,
    access_ids: &[String],
) -> Vec<Account> {
    // Only these accesses' accounts, unless the server names none of them after them.
    let named = accounts.iter().any(|a| access_ids.contains(&a.access_id));
    accounts
        .into_iter()
        .filter(|a| !named || access_ids.contains(&a.access_id))
        .filter(|a| {
            flow.account_types
                .as_ref()
                .filter(|types| !types.is_empty())
                .is_none_or(|types| {
                    types
                        .iter()
                        .any(|t| t.eq_ignore_ascii_case(&a.account_type))
                })
        })
        .collect()
}

/// Sorts accounts the way the end-user sees them, the same in every flow whatever order the
/// server lists them in (accounts stored together have no order of their own there): by
/// type in the order of [`ACCOUNT_TYPES`] (giro first; types the widget does not know
/// after those, by name), then by IBAN (accounts without one last), name and id.
pub fn sort_for_display(accounts: &mut [Account]) {
    let type_rank = |a: &Account| {
        let kind = a.account_type.trim();
        match ACCOUNT_TYPES
            .iter()
            .position(|known| known.eq_ignore_ascii_case(kind))
        {
            Some(rank) => (rank, String::new()),
            None => (ACCOUNT_TYPES.len(), kind.to_lowercase()),
        }
    };
    let iban = |a: &Account| {
        a.iban.as_deref().map(|iban| {
            iban.chars()
                .filter(|c| !c.is_whitespace())
                .collect::<String>()
                .to_ascii_uppercase()
        })
    };
    accounts.sort_by_cached_key(|a| {
        let iban = iban(a);
        (
            type_rank(a),
            iban.is_none(),
            iban,
            a.name.clone(),
            a.id.clone(),
        )
    });
}

/// An error detail for a bare code (a failed sync without its error, tests).
pub fn detail(code: u32) -> ErrorDetail {
    ErrorDetail {
        code,
        group: String::new(),
        message: String::new(),
        description: String::new(),
        data: None,
    }
}
