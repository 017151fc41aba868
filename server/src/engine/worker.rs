//! One job: drive the provider through login → accounts → transactions, then end the sync
//! (or park it in AWAIT_AUTH). Re-running a job from the start is always safe: the provider
//! is replayed with the stored answers and every write is an upsert by provider id.

use std::collections::HashSet;

use kontolink_api::SyncScope;

use super::retry::measured;
use super::{Engine, SyncFailure, session, upgrade};
use crate::domain::SyncStatus;
use crate::domain::sync::{Progress, StoredRound};
use crate::domain::time::now_ms;
use crate::providers::{BankAccount, BankError, BankSession, LoginOutcome};
use crate::store::rows::{
    AccessRow, Finish, NewEvent, SavedTransactions, SecretsOutcome, SyncRow, UpgradePlan,
};

enum Outcome {
    /// With the fetched transactions, written in the transaction that ends the sync.
    Completed(Option<SavedTransactions>),
    Failed(SyncFailure, Option<UpgradePlan>),
    AwaitAuth {
        progress: Progress,
        challenge_id: String,
        deadline: i64,
        wake_at: Option<i64>,
        new_challenge: bool,
    },
    /// The lease was lost mid-way; the new holder finishes the job.
    LeaseLost,
}

pub async fn run(engine: &Engine, sync: SyncRow) {
    let outcome = match drive(engine, &sync).await {
        Ok(outcome) => outcome,
        Err(error) => {
            tracing::error!(sync_id = %sync.id, error = format!("{error:#}"), "sync failed internally");
            Outcome::Failed(SyncFailure::internal(), None)
        }
    };
    if let Err(error) = conclude(engine, &sync, outcome).await {
        // The lease runs out and the job is claimed again.
        tracing::error!(sync_id = %sync.id, error = format!("{error:#}"), "recording the sync outcome failed");
    }
}

fn bank_failure(error: BankError) -> SyncFailure {
    match error {
        BankError::Fatal(failure) => failure,
        BankError::Retryable(reason) => {
            tracing::warn!(%reason, "bank kept failing transiently; giving up");
            SyncFailure::bank_unavailable()
        }
        BankError::Upgrade(_) => SyncFailure::internal(),
    }
}

async fn drive(engine: &Engine, sync: &SyncRow) -> anyhow::Result<Outcome> {
    let store = &engine.store;
    let access = store
        .access(&sync.access_id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("the sync's access is gone"))?;
    let Some(method) = engine.providers.method(&access.access_method_id) else {
        return Ok(Outcome::Failed(
            SyncFailure::new(
                20001,
                "Bank connection not available",
                "unknown access method",
            ),
            None,
        ));
    };
    let provider = method.provider.clone();
    let credentials = session::credentials(engine, &access, Some(sync)).await?;
    let rounds = session::rounds(engine, sync).await?;
    let known_accounts = store.accounts_of_access(&access.id).await?;
    let known: Vec<String> = known_accounts
        .iter()
        .map(|a| a.provider_account_id.clone())
        .collect();
    let next_challenge_id = uuid::Uuid::new_v4().to_string();
    let now = time::OffsetDateTime::now_utc();
    let bank = BankSession {
        sync_id: sync.id.as_str(),
        access_id: access.id.as_str(),
        access_method_id: &access.access_method_id,
        credentials: &credentials,
        rounds: &rounds,
        next_challenge_id: &next_challenge_id,
        auth_method: access
            .auth_method_id
            .as_deref()
            .filter(|_| sync.options.reuse_auth_method),
        auth_medium: access
            .auth_medium_id
            .as_deref()
            .filter(|_| sync.options.reuse_auth_medium),
        synced_before: access.last_synced_at.is_some(),
        known_accounts: &known,
        add_accounts: sync.scope.contains(&SyncScope::Accounts) || known_accounts.is_empty(),
        transactions_since: sync
            .scope
            .contains(&SyncScope::Transactions)
            .then(|| now.date() - time::Duration::days(i64::from(sync.options.sync_period))),
        public_url: &engine.public_url,
        now,
    };
    let outcome = steps(
        engine,
        sync,
        &access,
        &known_accounts,
        provider.as_ref(),
        &bank,
    )
    .await;
    provider.finish(&bank).await;
    outcome
}

/// The bank steps of [`drive`]: login, accounts, transactions.
async fn steps(
    engine: &Engine,
    sync: &SyncRow,
    access: &AccessRow,
    known_accounts: &[crate::store::rows::AccountRow],
    provider: &dyn crate::providers::Provider,
    bank: &BankSession<'_>,
) -> anyhow::Result<Outcome> {
    let store = &engine.store;
    let now = bank.now;
    let next_challenge_id = bank.next_challenge_id.to_owned();
    let policy = engine.config.retry;
    let metrics = &engine.metrics;
    let kind = engine
        .providers
        .method(bank.access_method_id)
        .map_or("unknown", |method| method.method_type)
        .to_ascii_lowercase();
    match measured(&policy, metrics, &kind, "login", || provider.login(bank)).await {
        Ok(LoginOutcome::Authenticated) => {}
        Ok(LoginOutcome::Challenge(spec)) => {
            if !sync.options.attended || sync.automatic {
                return Ok(Outcome::Failed(
                    SyncFailure::user_interaction_required(),
                    None,
                ));
            }
            let mut progress = sync.progress.clone();
            let spec = *spec;
            let mut challenge = spec.challenge;
            challenge.id = next_challenge_id.clone();
            progress.rounds.push(StoredRound {
                challenge,
                memo: spec.memo,
                created_at_ms: now_ms(),
                answer: None,
            });
            return Ok(Outcome::AwaitAuth {
                progress,
                challenge_id: next_challenge_id,
                deadline: now_ms() + engine.config.await_auth_timeout.as_millis() as i64,
                wake_at: spec
                    .wake_at
                    .map(|t| (t.unix_timestamp_nanos() / 1_000_000) as i64),
                new_challenge: true,
            });
        }
        Ok(LoginOutcome::Pending { wake_at, memo }) => {
            let Some(open) = sync.progress.rounds.last() else {
                anyhow::bail!("the provider waits for a challenge that was never asked");
            };
            let mut progress = sync.progress.clone();
            if let (Some(memo), Some(last)) = (memo, progress.rounds.last_mut()) {
                last.memo = memo;
            }
            return Ok(Outcome::AwaitAuth {
                progress,
                challenge_id: open.challenge.id.clone(),
                deadline: open.created_at_ms + engine.config.await_auth_timeout.as_millis() as i64,
                wake_at: wake_at.map(|t| (t.unix_timestamp_nanos() / 1_000_000) as i64),
                new_challenge: false,
            });
        }
        Err(BankError::Upgrade(up)) => {
            let (plan, failure) = upgrade::plan(&up, access, known_accounts);
            return Ok(Outcome::Failed(failure, Some(plan)));
        }
        Err(error) => return Ok(Outcome::Failed(bank_failure(error), None)),
    }

    let bank_accounts = match measured(&policy, metrics, &kind, "accounts", || {
        provider.accounts(bank)
    })
    .await
    {
        Ok(accounts) => accounts,
        Err(error) => return Ok(Outcome::Failed(bank_failure(error), None)),
    };
    let add_new = sync.scope.contains(&SyncScope::Accounts) || known_accounts.is_empty();
    let bank_accounts = if add_new {
        without_accounts_of_upgrade_family(store.as_ref(), access, bank_accounts).await?
    } else {
        bank_accounts
    };
    let Some(stored) = store
        .save_accounts(
            &sync.id,
            &engine.worker_id,
            access,
            &bank_accounts,
            add_new,
            now_ms(),
        )
        .await?
    else {
        return Ok(Outcome::LeaseLost);
    };

    if sync.scope.contains(&SyncScope::Transactions) {
        let since = now.date() - time::Duration::days(i64::from(sync.options.sync_period));
        let mut batches = Vec::new();
        for account in &stored {
            let Some(bank_account) = bank_accounts
                .iter()
                .find(|b| b.provider_account_id == account.provider_account_id)
            else {
                continue;
            };
            match measured(&policy, metrics, &kind, "transactions", || {
                provider.transactions(bank, bank_account, since)
            })
            .await
            {
                Ok(transactions) => batches.push((account.id.clone(), transactions)),
                Err(error) => return Ok(Outcome::Failed(bank_failure(error), None)),
            }
        }
        return Ok(Outcome::Completed(Some(SavedTransactions {
            sync_id: sync.id.clone(),
            access_id: access.id.clone(),
            batches,
        })));
    }
    Ok(Outcome::Completed(None))
}

/// Drops the bank accounts that another access of the same upgrade family already holds:
/// after a split or partial upgrade (40002/40003) the accounts of the old access are spread
/// over it and its new accesses, and the bank may still report every account on each of
/// them; adding them again would duplicate them. (Two accesses the end-user connected to
/// the same bank separately are not a family and keep their own accounts.)
async fn without_accounts_of_upgrade_family(
    store: &dyn crate::store::Store,
    access: &AccessRow,
    bank_accounts: Vec<BankAccount>,
) -> anyhow::Result<Vec<BankAccount>> {
    let root = access.upgraded_from.as_ref().unwrap_or(&access.id);
    let held: HashSet<String> = store
        .provider_accounts_of_upgrade_family(root, &access.id)
        .await?
        .into_iter()
        .collect();
    Ok(bank_accounts
        .into_iter()
        .filter(|account| !held.contains(&account.provider_account_id))
        .collect())
}

async fn conclude(engine: &Engine, sync: &SyncRow, outcome: Outcome) -> anyhow::Result<()> {
    let owner = engine.worker_id.clone();
    match outcome {
        Outcome::LeaseLost => Ok(()),
        Outcome::AwaitAuth {
            progress,
            challenge_id,
            deadline,
            wake_at,
            new_challenge,
        } => {
            let event = new_challenge.then(|| {
                NewEvent::sync("SYNC_AWAIT_AUTH", &sync.id, serde_json::json!({
                    "access_id": sync.access_id, "status": "AWAIT_AUTH", "challenge_id": challenge_id,
                }))
            });
            engine
                .store
                .await_auth(
                    &sync.id,
                    &owner,
                    &progress,
                    &challenge_id,
                    deadline,
                    wake_at,
                    event.as_ref(),
                )
                .await?;
            Ok(())
        }
        Outcome::Completed(transactions) => {
            let end = End {
                lease_owner: Some(owner),
                transactions,
                ..End::default()
            };
            finish(engine, sync, end).await
        }
        Outcome::Failed(failure, upgrade) => {
            let end = End {
                lease_owner: Some(owner),
                failure: Some(failure),
                upgrade,
                ..End::default()
            };
            finish(engine, sync, end).await
        }
    }
}

/// How a sync ends (see [`finish`]).
#[derive(Default)]
pub struct End {
    /// `None` ends an AWAIT_AUTH sync nobody works on (timeouts).
    pub lease_owner: Option<String>,
    /// COMPLETED when `None`, else FAILED.
    pub failure: Option<SyncFailure>,
    pub upgrade: Option<UpgradePlan>,
    /// A completed sync's transactions, saved with its end in one transaction.
    pub transactions: Option<SavedTransactions>,
}

/// Ends a sync: COMPLETED or FAILED, with what [`End`] says, in one transaction.
pub async fn finish(engine: &Engine, sync: &SyncRow, end: End) -> anyhow::Result<()> {
    let End {
        lease_owner,
        failure,
        upgrade,
        transactions,
    } = end;
    let now = now_ms();
    let status = if failure.is_some() {
        SyncStatus::Failed
    } else {
        SyncStatus::Completed
    };
    // The access is read only where its secrets are saved (a round trip less a sync).
    let access = if sync.options.save_secrets && failure.is_none() {
        engine.store.access(&sync.access_id).await?
    } else {
        None
    };
    let secrets = match (&failure, sync.options.save_secrets, &access) {
        (_, false, _) => SecretsOutcome::Discard,
        (Some(f), true, _) if f.code == 10000 => SecretsOutcome::Discard,
        (None, true, Some(access)) => {
            let merged = session::credentials(engine, access, Some(sync)).await?;
            let secrets = session::secrets_only(engine, access, &merged);
            let owner = crate::domain::secret_owner::access_secrets_owner(&access.id);
            SecretsOutcome::Save(engine.vault.seal_map(&owner, &secrets)?)
        }
        _ => SecretsOutcome::Keep,
    };
    let mut ended = sync.clone();
    ended.status = status;
    ended.error = failure.as_ref().map(SyncFailure::detail);
    ended.ended_at = Some(now);
    ended.challenge = None;
    ended.step = None;
    let mut events = Vec::new();
    if let Some(plan) = &upgrade {
        events.push(NewEvent {
            event_type: "ACCESS_UPGRADED",
            resource_type: "ACCESS",
            resource_id: plan.old_access_id.to_string(),
            data: failure.as_ref().and_then(|f| f.data.clone()),
        });
    }
    let kind = if failure.is_some() {
        "SYNC_FAILED"
    } else {
        "SYNC_COMPLETED"
    };
    events.push(NewEvent::sync(
        kind,
        &sync.id,
        serde_json::json!({
            "access_id": sync.access_id,
            "status": status.as_str(),
            "error": ended.error.as_ref().map(|e| e.code),
        }),
    ));
    let webhook_body = if sync.options.disable_notifications {
        None
    } else {
        Some(super::webhooks::sync_body(engine.store.as_ref(), &ended).await?)
    };
    let finish = Finish {
        sync_id: sync.id.clone(),
        lease_owner,
        status,
        error: ended.error.clone(),
        now,
        events,
        webhook_body,
        access_synced: failure.is_none().then(|| sync.progress.chosen()),
        secrets,
        upgrade,
        transactions,
    };
    if engine.store.finish(&finish).await? {
        engine.webhook_wake.notify_one();
        let error_code = failure.as_ref().map(|f| f.code.to_string());
        engine
            .metrics
            .syncs_finished
            .get_or_create(&crate::metrics::FinishedLabels {
                status: status.as_str().to_owned(),
                error_code: error_code.unwrap_or_else(|| "none".to_owned()),
            })
            .inc();
    }
    Ok(())
}
