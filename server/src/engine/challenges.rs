//! Answers to challenges: from the end-user through the API, or from the sandbox bank's own
//! pages (decoupled approval, redirect approve/deny).

use kontolink_api::{ChallengeResponse, ChallengeType};

use super::{Engine, EngineError};
use crate::domain::SyncStatus;
use crate::domain::secret_owner::tan_owner;
use crate::domain::sync::StoredAnswer;
use crate::store::rows::{NewEvent, SyncRow};
use crate::vault::SecretMap;

fn not_open() -> EngineError {
    EngineError::busy("this challenge is not open (already answered, expired or the sync ended)")
}

/// `POST …/challenges/{challenge_id}/response`.
pub async fn answer(
    engine: &Engine,
    sync: &SyncRow,
    challenge_id: &str,
    response: ChallengeResponse,
) -> Result<SyncRow, EngineError> {
    if sync.status != SyncStatus::AwaitAuth || sync.challenge_id.as_deref() != Some(challenge_id) {
        return Err(not_open());
    }
    let mut progress = sync.progress.clone();
    let round = progress.rounds.last_mut().ok_or_else(not_open)?;
    let ids = |round: &crate::domain::sync::StoredRound| -> Vec<String> {
        round
            .challenge
            .auth_methods
            .iter()
            .map(|m| m.id.clone())
            .collect()
    };
    let mut tan = None;
    let answer = match (round.challenge.challenge_type, response) {
        (
            ChallengeType::Embedded,
            ChallengeResponse {
                value: Some(value),
                method_id: None,
                medium_id: None,
            },
        ) => {
            if value.is_empty() || value.len() > 64 {
                return Err(EngineError::bad_request("value must be 1 to 64 characters"));
            }
            let mut map = SecretMap::default();
            map.insert("value", value);
            let owner = tan_owner(&sync.id, challenge_id);
            let sealed = engine
                .vault
                .seal_map(&owner, &map)
                .map_err(anyhow::Error::from)?;
            tan = Some((owner, sealed));
            StoredAnswer::Tan
        }
        (
            ChallengeType::AuthMethodSelect,
            ChallengeResponse {
                method_id: Some(id),
                value: None,
                medium_id: None,
            },
        ) => {
            if !ids(round).contains(&id) {
                return Err(EngineError::bad_request(
                    "method_id is not one of the challenge's auth_methods",
                ));
            }
            StoredAnswer::Method(id)
        }
        (
            ChallengeType::AuthMediumSelect,
            ChallengeResponse {
                medium_id: Some(id),
                value: None,
                method_id: None,
            },
        ) => {
            if !ids(round).contains(&id) {
                return Err(EngineError::bad_request(
                    "medium_id is not one of the challenge's auth_methods",
                ));
            }
            StoredAnswer::Medium(id)
        }
        (
            ChallengeType::Decoupled | ChallengeType::Redirect,
            ChallengeResponse {
                value: None,
                method_id: None,
                medium_id: None,
            },
        ) => match &round.answer {
            Some(StoredAnswer::Approved(approved)) => StoredAnswer::Approved(*approved),
            _ => StoredAnswer::Confirm,
        },
        (kind, _) => {
            let expected = match kind {
                ChallengeType::Embedded => "{\"value\": TAN}",
                ChallengeType::AuthMethodSelect => "{\"method_id\": ID}",
                ChallengeType::AuthMediumSelect => "{\"medium_id\": ID}",
                _ => "{}",
            };
            return Err(EngineError::bad_request(format!(
                "this challenge is answered with {expected}"
            )));
        }
    };
    round.answer = Some(answer);
    record(
        engine,
        sync,
        challenge_id,
        &progress,
        tan.as_ref().map(|(o, s)| (o.as_str(), s)),
    )
    .await
}

/// The sandbox bank approved (or the end-user denied) a decoupled or redirect challenge.
pub async fn external_approval(
    engine: &Engine,
    challenge_id: &str,
    approved: bool,
    expected: ChallengeType,
) -> Result<SyncRow, EngineError> {
    let sync = engine
        .store
        .sync_by_challenge(challenge_id)
        .await?
        .ok_or_else(|| EngineError::not_found("no such challenge"))?;
    if sync.status != SyncStatus::AwaitAuth {
        return Err(not_open());
    }
    let mut progress = sync.progress.clone();
    let round = progress.rounds.last_mut().ok_or_else(not_open)?;
    if round.challenge.challenge_type != expected || round.challenge.id != challenge_id {
        return Err(EngineError::not_found("no such challenge"));
    }
    round.answer = Some(StoredAnswer::Approved(approved));
    record(engine, &sync, challenge_id, &progress, None).await
}

async fn record(
    engine: &Engine,
    sync: &SyncRow,
    challenge_id: &str,
    progress: &crate::domain::sync::Progress,
    tan: Option<(&str, &crate::vault::Sealed)>,
) -> Result<SyncRow, EngineError> {
    let event = NewEvent::sync(
        "SYNC_RUNNING",
        &sync.id,
        serde_json::json!({
            "access_id": sync.access_id, "status": "RUNNING", "challenge_id": challenge_id,
        }),
    );
    // The resumed job's log lines name the request that answered.
    let mut progress = progress.clone();
    progress.request_id = crate::telemetry::request_id().or(progress.request_id);
    if !engine
        .store
        .answer(&sync.id, challenge_id, &progress, tan, &event)
        .await?
    {
        return Err(not_open());
    }
    engine.wake.notify_one();
    engine
        .store
        .sync(&sync.id)
        .await?
        .ok_or_else(|| EngineError::not_found("no such sync"))
}
