//! Problems: the page of a failed request, retrying it, and failed polls.

use super::BUSY;
use super::messages::Command;
use super::model::{Model, Problem, ProblemKind, Retry, Step};
use super::sync::{MAX_POLL_FAILURES, POLL_MS, poll};
use super::update::start_sync;
use crate::api::ClientError;

/// A problem without a server answer to act on.
pub(super) fn problem(
    kind: ProblemKind,
    code: Option<u32>,
    retry: Option<Retry>,
    closable: bool,
) -> Step {
    Step::Problem(Problem {
        kind,
        code,
        next_sync_possible_at: None,
        retry,
        closable,
    })
}

/// The problem page for a request that failed outright.
pub(super) fn request_failed(error: &ClientError, retry: Option<Retry>) -> Step {
    match error {
        ClientError::Network(_) => problem(ProblemKind::Network, None, retry, true),
        ClientError::Api(body) => problem(ProblemKind::Generic, Some(body.error.code), retry, true),
    }
}

pub(super) fn poll_failed(model: &mut Model, error: ClientError) -> Vec<Command> {
    model.poll_failures += 1;
    let transient = matches!(error, ClientError::Network(_)) || error.code() == Some(BUSY);
    if transient && model.poll_failures < MAX_POLL_FAILURES {
        return poll(model, POLL_MS * (1 << model.poll_failures.min(4)));
    }
    model.step = request_failed(&error, Some(Retry::ResumePolling));
    Vec::new()
}

pub(super) fn retry(model: &mut Model) -> Vec<Command> {
    let Step::Problem(problem) = &model.step else {
        return Vec::new();
    };
    match problem.retry.clone() {
        Some(Retry::NewSync) => {
            model.busy = true;
            start_sync(model)
        }
        Some(Retry::ResumePolling) => {
            model.poll_failures = 0;
            model.step = Step::Progress;
            poll(model, 0)
        }
        Some(Retry::LoadAccounts) => {
            model.step = Step::Progress;
            vec![Command::LoadAccounts]
        }
        Some(Retry::LoadProvider(id)) => {
            model.step = Step::Starting;
            vec![Command::LoadProvider(id)]
        }
        None => Vec::new(),
    }
}
