//! Real German banks over FinTS 3.0 PIN/TAN (contract §9): the `de-<BLZ>-fints` access
//! methods. The protocol is `kontolink-fints` (no I/O); this module feeds it the bank's
//! answers over HTTPS, keeps the bank's parameters and the access's customer system id in
//! the vault, and turns its questions into challenges.
//!
//! The whole bank dialog (login, accounts, balances, statements, end) runs in
//! [`Provider::login`], because SCA may be asked for at any of those steps (`0030` on
//! statements too) and only a login may ask the end-user. [`Provider::accounts`] and
//! [`Provider::transactions`] hand out what the dialog collected. When the bank asks
//! something, the job's state goes into the challenge's memo (no PIN, no TAN, no system
//! id), and the answer continues the very same bank dialog, in whichever process claims
//! the sync next.
//!
//! After a crash mid-challenge the answer is replayed into the saved dialog; if the bank
//! no longer accepts it (the dialog timed out, or the message was already sent), a fresh
//! dialog is opened once, and the end-user is asked again if the bank asks again.

mod mapping;
pub mod transport;

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
pub use kontolink_fints::dialog::StatementFormat;
use kontolink_fints::dialog::{Cache, Job, Params, Question, Reply, Results, Step};
use kontolink_fints::segments::requests::Product;
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};
use time::Date;

use super::state::ProviderState;
use super::{
    Answer, BankAccount, BankError, BankSession, BankTransaction, ChallengeSpec, LoginOutcome,
    Provider,
};
use crate::domain::failure::SyncFailure;
use transport::{BankUrl, Https, Transport};

/// `--fints-*` settings.
#[derive(Debug, Clone)]
pub struct FintsConfig {
    /// The product registration number of the Deutsche Kreditwirtschaft.
    pub product_id: Option<String>,
    /// BLZ → URL, added to or replacing the catalog's.
    pub urls: BTreeMap<String, String>,
    pub statement_format: StatementFormat,
    /// Per HTTP exchange with the bank.
    pub timeout: Duration,
}

impl Default for FintsConfig {
    fn default() -> Self {
        FintsConfig {
            product_id: None,
            urls: BTreeMap::new(),
            statement_format: StatementFormat::Auto,
            timeout: Duration::from_secs(60),
        }
    }
}

pub struct Fints {
    config: FintsConfig,
    /// The catalog's FinTS URL per BLZ.
    catalog_urls: HashMap<String, String>,
    transport: Https,
    state: Arc<dyn ProviderState>,
    /// What finished dialogs collected, per sync, until the engine has read it.
    results: Mutex<HashMap<String, Results>>,
}

fn fatal(code: u32, message: &str, description: impl Into<String>) -> BankError {
    BankError::Fatal(SyncFailure::new(code, message, description))
}

fn no_product_id() -> BankError {
    fatal(
        20001,
        "Bank connection not available",
        "this installation has no FinTS product id: register Kontolink with the Deutsche \
         Kreditwirtschaft's FinTS product registration (free) and start the server with \
         --fints-product-id ID (or KONTOLINK_FINTS_PRODUCT_ID)",
    )
}

fn credential(session: &BankSession<'_>, name: &str) -> Option<String> {
    session
        .credentials
        .get(name)
        .map(|v| v.expose_secret().trim().to_owned())
        .filter(|v| !v.is_empty())
}

impl Fints {
    pub fn new(
        config: FintsConfig,
        catalog_urls: HashMap<String, String>,
        state: Arc<dyn ProviderState>,
    ) -> Fints {
        Fints {
            transport: Https::new(config.timeout),
            config,
            catalog_urls,
            state,
            results: Mutex::new(HashMap::new()),
        }
    }

    /// Whether a bank has a FinTS server this installation knows.
    pub fn knows(&self, blz: &str) -> bool {
        self.config.urls.contains_key(blz) || self.catalog_urls.contains_key(blz)
    }

    fn url(&self, blz: &str) -> Result<BankUrl, BankError> {
        let raw = self
            .config
            .urls
            .get(blz)
            .or_else(|| self.catalog_urls.get(blz))
            .ok_or_else(|| {
                fatal(
                    20001,
                    "Bank connection not available",
                    format!("no FinTS server is known for bank code {blz}; set one with --fints-url {blz}=URL"),
                )
            })?;
        BankUrl::parse(raw).map_err(|e| fatal(20001, "Bank connection not available", e))
    }

    async fn load_cache(&self, blz: &str, access_id: &str) -> Cache {
        let mut cache = Cache::default();
        if let Ok(Some(bytes)) = self.state.load(&format!("fints-bpd:{blz}")).await
            && let Ok(bpd) = serde_json::from_slice(&bytes)
        {
            cache.bpd = Some(bpd);
        }
        if let Ok(Some(bytes)) = self.state.load(&format!("fints-access:{access_id}")).await
            && let Ok(saved) = serde_json::from_slice::<Cache>(&bytes)
        {
            cache.upd = saved.upd;
            cache.system_id = saved.system_id;
            cache.allowed_methods = saved.allowed_methods;
        }
        cache
    }

    async fn save_cache(&self, blz: &str, access_id: &str, cache: &Cache) -> Result<(), BankError> {
        let keep =
            |e: anyhow::Error| BankError::Retryable(format!("saving the bank's parameters: {e:#}"));
        if let Some(bpd) = &cache.bpd {
            let bytes = serde_json::to_vec(bpd).unwrap_or_default();
            self.state
                .save(&format!("fints-bpd:{blz}"), &bytes)
                .await
                .map_err(keep)?;
        }
        let access = Cache {
            bpd: None,
            ..cache.clone()
        };
        let bytes = serde_json::to_vec(&access).unwrap_or_default();
        self.state
            .save(&format!("fints-access:{access_id}"), &bytes)
            .await
            .map_err(keep)
    }

    fn params(
        &self,
        session: &BankSession<'_>,
        blz: &str,
        product_id: &str,
    ) -> Result<Params, BankError> {
        let login = credential(session, "login")
            .ok_or_else(|| fatal(1011, "Credentials incomplete", "the login name is missing"))?;
        let customer_id = credential(session, "customer_id").unwrap_or_else(|| login.clone());
        let statements_for = (!session.known_accounts.is_empty() && !session.add_accounts)
            .then(|| session.known_accounts.to_vec());
        Ok(Params {
            blz: blz.to_owned(),
            user_id: login,
            customer_id,
            product: Product {
                id: product_id.to_owned(),
                version: env!("CARGO_PKG_VERSION").to_owned(),
            },
            since: session.transactions_since,
            today: session.now.date(),
            statement_format: self.config.statement_format,
            statements_for,
            preferred_method: session.auth_method.map(str::to_owned),
            preferred_medium: session.auth_medium.map(str::to_owned),
        })
    }

    /// The job to drive: the parked one of the last challenge with its answer, or a new one.
    fn resume(&self, session: &BankSession<'_>, cache: &Cache) -> Result<Option<Job>, BankError> {
        let Some(round) = session.rounds.last() else {
            return Ok(None);
        };
        let Some(snapshot) = round.memo.get("fints") else {
            return Ok(None);
        };
        let Some(mut job) = Job::restore(snapshot, cache.clone()) else {
            return Ok(None);
        };
        let decoupled = round.memo.get("decoupled").and_then(Value::as_bool) == Some(true);
        let reply = match &round.answer {
            Some(Answer::Tan(tan)) => Reply::Tan(tan.clone()),
            Some(Answer::Method(id)) => Reply::Method(id.clone()),
            Some(Answer::Medium(id)) => Reply::Medium(id.clone()),
            Some(Answer::Confirm | Answer::Approved(true)) => Reply::Poll,
            None if decoupled => Reply::Poll,
            _ => return Ok(Some(job)),
        };
        job.reply(reply).map_err(mapping::error)?;
        Ok(Some(job))
    }

    async fn drive(
        &self,
        session: &BankSession<'_>,
        url: &BankUrl,
        job: &mut Job,
        pin: &SecretString,
    ) -> Result<Option<Question>, BankError> {
        let now = session.now;
        job.set_clock(time::PrimitiveDateTime::new(now.date(), now.time()));
        loop {
            match job.next(pin).map_err(mapping::error)? {
                Step::Send(message) => {
                    let answer = self
                        .transport
                        .send(url, message)
                        .await
                        .map_err(|e| BankError::Retryable(e.0))?;
                    job.receive(&answer).map_err(mapping::error)?;
                }
                Step::Ask(question) => return Ok(Some(*question)),
                Step::Done => return Ok(None),
            }
        }
    }

    fn challenge(&self, session: &BankSession<'_>, job: &Job, question: Question) -> ChallengeSpec {
        let (challenge, wake_at, decoupled) = match &question {
            Question::Method(methods) => (mapping::method_select(methods), None, false),
            Question::Medium(media) => (mapping::medium_select(media), None, false),
            Question::Tan { challenge, method } => (
                mapping::tan_challenge(challenge, method.as_ref()),
                None,
                false,
            ),
            Question::Decoupled {
                challenge,
                method,
                wait_secs,
            } => (
                mapping::decoupled_challenge(challenge, method.as_ref()),
                Some(session.now + Duration::from_secs(u64::from(*wait_secs))),
                true,
            ),
        };
        ChallengeSpec {
            challenge,
            memo: json!({ "fints": job.snapshot(), "decoupled": decoupled }),
            wake_at,
        }
    }

    /// Runs the bank dialog as far as it goes: to the end, or to the next question.
    async fn run(&self, session: &BankSession<'_>) -> Result<LoginOutcome, BankError> {
        let blz = super::registry::fints_blz(session.access_method_id)
            .ok_or_else(|| {
                fatal(
                    20001,
                    "Bank connection not available",
                    "not a FinTS access method",
                )
            })?
            .to_owned();
        let product_id = self.config.product_id.clone().ok_or_else(no_product_id)?;
        let url = self.url(&blz)?;
        let pin = SecretString::from(
            credential(session, "pin")
                .ok_or_else(|| fatal(1011, "Credentials incomplete", "the PIN is missing"))?,
        );
        let mut cache = self.load_cache(&blz, session.access_id).await;
        let resumed = self.resume(session, &cache)?;
        let continuing = resumed.is_some();
        let mut job = match resumed {
            Some(job) => job,
            None => Job::new(self.params(session, &blz, &product_id)?, cache.clone()),
        };
        let mut outcome = self.drive(session, &url, &mut job, &pin).await;
        if continuing && matches!(&outcome, Err(BankError::Fatal(f)) if f.code == 20000) {
            // The saved dialog is gone at the bank (timed out, or this answer was already
            // sent before a crash): start over once with a fresh dialog.
            tracing::info!(
                sync_id = session.sync_id,
                "the bank dialog could not be continued; opening a new one"
            );
            cache = job.cache().clone();
            job = Job::new(self.params(session, &blz, &product_id)?, cache.clone());
            outcome = self.drive(session, &url, &mut job, &pin).await;
        }
        // What the bank told about itself and the access is worth keeping, even on failure.
        self.save_cache(&blz, session.access_id, job.cache())
            .await?;
        for warning in job.warnings() {
            tracing::warn!(sync_id = session.sync_id, warning = %warning, "the bank refused part of the sync");
        }
        match outcome? {
            Some(question) => Ok(LoginOutcome::Challenge(Box::new(
                self.challenge(session, &job, question),
            ))),
            None => {
                self.results
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .insert(session.sync_id.to_owned(), job.results().clone());
                Ok(LoginOutcome::Authenticated)
            }
        }
    }

    fn finished(&self, sync_id: &str) -> Option<Results> {
        self.results
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(sync_id)
            .cloned()
    }
}

#[async_trait]
impl Provider for Fints {
    async fn login(&self, session: &BankSession<'_>) -> Result<LoginOutcome, BankError> {
        let outcome = self.run(session).await?;
        // A decoupled question again after a poll: the same challenge, still pending.
        if let LoginOutcome::Challenge(spec) = &outcome
            && spec.memo.get("decoupled").and_then(Value::as_bool) == Some(true)
            && session
                .rounds
                .last()
                .is_some_and(|r| r.memo.get("decoupled").and_then(Value::as_bool) == Some(true))
        {
            return Ok(LoginOutcome::Pending {
                wake_at: spec.wake_at,
                memo: Some(spec.memo.clone()),
            });
        }
        Ok(outcome)
    }

    async fn accounts(&self, session: &BankSession<'_>) -> Result<Vec<BankAccount>, BankError> {
        let results = self.finished(session.sync_id).ok_or_else(|| {
            BankError::Retryable("the bank dialog's results are gone (restart)".into())
        })?;
        Ok(results
            .accounts
            .iter()
            .map(|a| mapping::account(a, session.now.date()))
            .collect())
    }

    async fn transactions(
        &self,
        session: &BankSession<'_>,
        account: &BankAccount,
        _since: Date,
    ) -> Result<Vec<BankTransaction>, BankError> {
        let results = self.finished(session.sync_id).ok_or_else(|| {
            BankError::Retryable("the bank dialog's results are gone (restart)".into())
        })?;
        let Some(found) = results
            .accounts
            .iter()
            .find(|a| a.account.key() == account.provider_account_id)
        else {
            return Ok(Vec::new());
        };
        // The bank was asked for bookings from the session's `transactions_since` on; what
        // it sends is kept as sent.
        Ok(mapping::transactions(
            &account.provider_account_id,
            &found.entries,
            &account.currency,
        ))
    }

    async fn finish(&self, session: &BankSession<'_>) {
        self.results
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(session.sync_id);
    }
}
