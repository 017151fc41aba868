//! The engine's operations as the HTTP edge and the scheduler call them: create an access,
//! start a sync (PSD2 limit, credentials, upgrades), answer a challenge.

use std::collections::BTreeMap;

use kontolink_api::{CreateAccessRequest, SyncRequest, SyncScope};
use serde_json::json;

use super::{Engine, EngineError, SyncFailure, session};
use crate::domain::SyncStatus;
use crate::domain::ids::{AccessId, GrantId, SyncId};
use crate::domain::secret_owner::{access_secrets_owner, sync_secrets_owner};
use crate::domain::sync::{Progress, SyncOptions};
use crate::domain::time::{now_ms, rfc3339};
use crate::store::rows::{AccessRow, NewEvent, SyncRow};
use crate::vault::SecretMap;

/// `POST /rest/accesses`: validates, seals the secret credentials, no bank contact.
/// `sync_period` is the access's default for syncs that name none: the flow's when a widget
/// session creates it, else [`DEFAULT_SYNC_PERIOD`](crate::domain::flow::DEFAULT_SYNC_PERIOD).
/// `created_by_grant`: the grant of the access token that creates it (that grant reaches all
/// of the access's accounts); `None` for a widget session.
pub async fn create_access(
    engine: &Engine,
    user_id: &str,
    client_id: &str,
    request: CreateAccessRequest,
    sync_period: i64,
    created_by_grant: Option<GrantId>,
) -> Result<AccessRow, EngineError> {
    let method = engine
        .providers
        .method(&request.access_method_id)
        .ok_or_else(|| {
            EngineError::bad_request(format!(
                "unknown access_method_id {:?}",
                request.access_method_id
            ))
        })?;
    if request.save_secrets && !request.consent {
        return Err(EngineError::bad_request(
            "save_secrets needs the end-user's consent (consent: true)",
        ));
    }
    check_credential_names(&method, &request.credentials)?;
    let missing: Vec<String> = method
        .required()
        .filter(|f| request.credentials.get(&f.id).is_none_or(|v| v.is_empty()))
        .map(|f| f.id.clone())
        .collect();
    if !missing.is_empty() {
        return Err(EngineError::Refused(SyncFailure::credentials_incomplete(
            &missing,
        )));
    }
    let id = AccessId::generate();
    let mut public = BTreeMap::new();
    let mut secrets = SecretMap::default();
    for (name, value) in request.credentials {
        if method.is_secret(&name) {
            secrets.insert(&name, value);
        } else {
            public.insert(name, value);
        }
    }
    let sealed = if secrets.is_empty() {
        None
    } else {
        Some(
            engine
                .vault
                .seal_map(&access_secrets_owner(&id), &secrets)
                .map_err(anyhow::Error::from)?,
        )
    };
    let access = AccessRow {
        id,
        user_id: user_id.to_owned(),
        client_id: client_id.to_owned(),
        provider_id: method.provider_id.clone(),
        access_method_id: method.access_method_id.clone(),
        public_credentials: public,
        save_secrets: request.save_secrets,
        secrets_saved: request.save_secrets && sealed.is_some(),
        auth_method_id: None,
        auth_medium_id: None,
        status: "ACTIVE".to_owned(),
        upgrade_error: None,
        created_at: now_ms(),
        last_synced_at: None,
        upgraded_from: None,
        sync_period,
        created_by_grant,
    };
    engine.store.insert_access(&access, sealed.as_ref()).await?;
    Ok(access)
}

fn check_credential_names(
    method: &crate::providers::MethodEntry,
    credentials: &BTreeMap<String, String>,
) -> Result<(), EngineError> {
    match credentials.keys().find(|name| !method.knows(name)) {
        Some(unknown) => Err(EngineError::bad_request(format!(
            "unknown credential {unknown:?}"
        ))),
        None => Ok(()),
    }
}

/// When the next unattended sync of an access is possible (`None`: now).
pub async fn next_sync_possible_at(
    engine: &Engine,
    access_id: &AccessId,
) -> Result<Option<i64>, EngineError> {
    let window = engine.config.psd2_window.as_millis() as i64;
    let counted = engine
        .store
        .counted_syncs_since(access_id, now_ms() - window)
        .await?;
    let limit = engine.config.psd2_limit;
    Ok((counted.len() >= limit).then(|| counted[counted.len() - limit] + window))
}

/// The sync options' own bounds (`sync_period`, `state`, `redirect_uri`, `psu_ip_address`,
/// `scope`), checked before anything else happens.
pub fn validate(request: &SyncRequest) -> Result<(), EngineError> {
    if request.sync_period.is_some_and(|p| !(1..=730).contains(&p)) {
        return Err(EngineError::bad_request(
            "sync_period must be between 1 and 730 days",
        ));
    }
    if request
        .state
        .as_ref()
        .is_some_and(|s| s.is_empty() || s.chars().count() > 1024)
    {
        return Err(EngineError::bad_request(
            "state must be 1 to 1024 characters",
        ));
    }
    let bad_uri =
        |uri: &String| !url::Url::parse(uri).is_ok_and(|u| matches!(u.scheme(), "http" | "https"));
    if request.redirect_uri.as_ref().is_some_and(bad_uri) {
        return Err(EngineError::bad_request(
            "redirect_uri must be an absolute http(s) URL",
        ));
    }
    if request
        .psu_ip_address
        .as_ref()
        .is_some_and(|ip| ip.parse::<std::net::IpAddr>().is_err())
    {
        return Err(EngineError::bad_request(
            "psu_ip_address must be an IP address",
        ));
    }
    if request.scope.as_ref().is_some_and(Vec::is_empty) {
        return Err(EngineError::bad_request(
            "scope must name ACCOUNTS or TRANSACTIONS",
        ));
    }
    Ok(())
}

/// Who started a sync; decides whether the end-user is present (attended).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncOrigin {
    /// The daily scheduler: always unattended.
    Automatic,
    /// An integrator's access token: attended only with `psu_ip_address` (contract §4).
    AccessToken,
    /// The widget's session token: the end-user is at the screen, always attended. Its syncs
    /// fetch the flow's `sync_period` at most (contract §2).
    WidgetSession { flow_sync_period: i64 },
}

impl SyncOrigin {
    /// Days of history the sync fetches (contract §2, §4): the requested period, at most the
    /// flow's for a widget session (its default); else the access's own by default.
    fn sync_period(self, request: &SyncRequest, access: &AccessRow) -> i64 {
        match self {
            SyncOrigin::WidgetSession { flow_sync_period } => request
                .sync_period
                .map_or(flow_sync_period, |p| p.min(flow_sync_period)),
            SyncOrigin::AccessToken | SyncOrigin::Automatic => {
                request.sync_period.unwrap_or(access.sync_period)
            }
        }
    }

    fn unattended(self, request: &SyncRequest) -> bool {
        match self {
            SyncOrigin::Automatic => true,
            SyncOrigin::AccessToken => request.psu_ip_address.is_none(),
            SyncOrigin::WidgetSession { .. } => false,
        }
    }
}

/// What a sync request without the credentials the access needs gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MissingCredentials {
    /// `400`/`1011`, nothing created: the caller should have sent them (one access).
    Refuse,
    /// A sync directly FAILED with `1011`: one access's outcome among several (sync-all),
    /// telling the integrator which accesses need the end-user.
    FailTheSync,
}

/// Starts a sync of `access`. A request the engine refuses at once (PSD2 limit, access
/// upgrade pending) still creates the sync, directly FAILED, so it is visible and notified.
pub async fn start_sync(
    engine: &Engine,
    access: &AccessRow,
    request: &SyncRequest,
    origin: SyncOrigin,
) -> Result<SyncRow, EngineError> {
    start_sync_with(engine, access, request, origin, MissingCredentials::Refuse).await
}

/// [`start_sync`], choosing what missing credentials lead to.
pub async fn start_sync_with(
    engine: &Engine,
    access: &AccessRow,
    request: &SyncRequest,
    origin: SyncOrigin,
    missing_credentials: MissingCredentials,
) -> Result<SyncRow, EngineError> {
    let automatic = origin == SyncOrigin::Automatic;
    validate(request)?;
    let method = engine
        .providers
        .method(&access.access_method_id)
        .ok_or_else(|| EngineError::bad_request("the access's method is not available"))?;
    let given = request.credentials.clone().unwrap_or_default();
    check_credential_names(&method, &given)?;
    let mut available = session::credentials(engine, access, None).await?;
    for (name, value) in &given {
        available.insert(name, value.clone());
    }
    let missing: Vec<String> = method
        .required()
        .filter(|f| !available.contains(&f.id))
        .map(|f| f.id.clone())
        .collect();
    let incomplete = (!missing.is_empty()).then(|| SyncFailure::credentials_incomplete(&missing));
    if let Some(incomplete) = &incomplete
        && missing_credentials == MissingCredentials::Refuse
    {
        return Err(EngineError::Refused(incomplete.clone()));
    }
    if let Some(active) = engine.store.active_sync(&access.id).await? {
        return Err(EngineError::busy(format!(
            "sync {} of this access is still running",
            active.id
        )));
    }
    let now = now_ms();
    let unattended = origin.unattended(request);
    let mut failure = access
        .upgrade_error
        .clone()
        .map(|detail| SyncFailure {
            code: detail.code,
            message: detail.message,
            description: detail.description,
            data: detail.data,
        })
        .or(incomplete);
    if failure.is_none()
        && unattended
        && let Some(next) = next_sync_possible_at(engine, &access.id).await?
    {
        {
            failure = Some(
                SyncFailure::new(
                    1020,
                    "Too many syncs",
                    "the PSD2 limit of unattended syncs of this access is reached",
                )
                .with_data(json!({ "next_sync_possible_at": rfc3339(next) })),
            );
        }
    }
    let id = SyncId::generate();
    let sealed = if given.is_empty() {
        None
    } else {
        let mut map = SecretMap::default();
        for (name, value) in given {
            map.insert(&name, value);
        }
        Some(
            engine
                .vault
                .seal_map(&sync_secrets_owner(&id), &map)
                .map_err(anyhow::Error::from)?,
        )
    };
    let sync = SyncRow {
        id,
        access_id: access.id.clone(),
        user_id: access.user_id.clone(),
        client_id: access.client_id.clone(),
        status: if failure.is_some() {
            SyncStatus::Failed
        } else {
            SyncStatus::Queued
        },
        scope: request
            .scope
            .clone()
            .unwrap_or_else(|| vec![SyncScope::Transactions]),
        options: SyncOptions {
            save_secrets: request.save_secrets.unwrap_or(access.save_secrets),
            disable_notifications: request.disable_notifications.unwrap_or(false),
            redirect_uri: request.redirect_uri.clone(),
            state: request.state.clone(),
            reuse_auth_method: request.reuse_auth_method.unwrap_or(true),
            reuse_auth_medium: request.reuse_auth_medium.unwrap_or(true),
            attended: !unattended,
            sync_period: u32::try_from(origin.sync_period(request, access).clamp(1, 730))
                .unwrap_or(90),
            has_sync_credentials: sealed.is_some() && failure.is_none(),
        },
        counted: unattended && failure.is_none(),
        automatic,
        step: None,
        progress: Progress {
            request_id: crate::telemetry::request_id(),
            ..Progress::default()
        },
        challenge_id: None,
        challenge: None,
        await_deadline: None,
        error: failure.as_ref().map(SyncFailure::detail),
        attempts: 0,
        lease_owner: None,
        created_at: now,
        started_at: None,
        ended_at: failure.is_some().then_some(now),
    };
    let data = json!({ "access_id": sync.access_id, "status": sync.status.as_str() });
    let (events, webhook) = if failure.is_some() {
        let body = super::webhooks::sync_body(engine.store.as_ref(), &sync).await?;
        let data = json!({ "access_id": sync.access_id, "status": "FAILED", "error": sync.error.as_ref().map(|e| e.code) });
        (
            vec![NewEvent::sync("SYNC_FAILED", &sync.id, data)],
            (!sync.options.disable_notifications).then_some(body),
        )
    } else {
        (vec![NewEvent::sync("SYNC_QUEUED", &sync.id, data)], None)
    };
    let credentials = sealed.as_ref().filter(|_| failure.is_none());
    if !engine
        .store
        .insert_sync(&sync, credentials, &events, webhook.as_deref())
        .await?
    {
        return Err(EngineError::busy("another sync of this access is running"));
    }
    if failure.is_some() {
        engine.webhook_wake.notify_one();
    } else {
        engine.wake.notify_one();
    }
    Ok(sync)
}
