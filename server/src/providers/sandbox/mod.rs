//! The Kontolink Sandbox Bank: a deterministic simulated provider (contract §6). The login
//! picks the scenario, the PIN is anything but `wrong`, every TAN is `123456`.
//!
//! A wrong TAN ends the sync with `10004` (as finX does: the integrator starts a new sync);
//! a denied redirect ends it with `10010`.

mod data;
mod hhd;
mod png;
mod scenario;

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use async_trait::async_trait;
use kontolink_api::{ChallengeFormat, ChallengeType};
use secrecy::ExposeSecret;
use time::Date;

use super::registry::{SANDBOX_PIN_METHOD, SANDBOX_PSD2_METHOD};
use super::{
    Answer, BankAccount, BankError, BankSession, BankTransaction, ChallengeSpec, LoginOutcome,
    Provider, Upgrade, UpgradeKind, blank_challenge,
};
use crate::domain::failure::SyncFailure;

pub use data::iban;
pub use hhd::render as render_flicker_code;
use scenario::{Scenario, Stage};

/// Timing of the simulated bank; tests and the benchmark shorten or lengthen it.
#[derive(Debug, Clone, Copy)]
pub struct SandboxConfig {
    /// Added to every bank call (simulated network latency).
    pub latency: Duration,
    /// Each bank step of the `slow` scenario.
    pub slow_step: Duration,
    /// A `decoupled` challenge approves itself after this long.
    pub decoupled_delay: Duration,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        SandboxConfig {
            latency: Duration::ZERO,
            slow_step: Duration::from_secs(2),
            decoupled_delay: Duration::from_secs(3),
        }
    }
}

pub struct Sandbox {
    config: SandboxConfig,
    /// `flaky`: bank calls seen per sync.
    flaky_calls: Mutex<HashMap<String, u32>>,
}

fn fatal(code: u32, message: &str, description: &str) -> BankError {
    BankError::Fatal(SyncFailure::new(code, message, description))
}

impl Sandbox {
    pub fn new(config: SandboxConfig) -> Sandbox {
        Sandbox {
            config,
            flaky_calls: Mutex::new(HashMap::new()),
        }
    }

    async fn bank_call(&self, session: &BankSession<'_>) -> Result<Scenario, BankError> {
        if !self.config.latency.is_zero() {
            tokio::time::sleep(self.config.latency).await;
        }
        let scenario = Scenario::from_login(&login(session));
        match scenario {
            Scenario::Slow => tokio::time::sleep(self.config.slow_step).await,
            Scenario::Flaky => {
                let mut calls = self.flaky_calls.lock().unwrap_or_else(|p| p.into_inner());
                let seen = calls.entry(session.sync_id.to_owned()).or_insert(0);
                *seen += 1;
                if *seen <= 2 {
                    return Err(BankError::Retryable(format!(
                        "sandbox: simulated timeout #{seen}"
                    )));
                }
            }
            _ => {}
        }
        Ok(scenario)
    }

    fn challenge(&self, stage: Stage, session: &BankSession<'_>) -> ChallengeSpec {
        let seed = data::seed(&format!(
            "{}/{}",
            session.sync_id, session.next_challenge_id
        ));
        let mut wake_at = None;
        let challenge = match stage {
            Stage::Tan(ChallengeFormat::Photo) => {
                scenario::tan_challenge(ChallengeFormat::Photo, png::data_uri(&seed), "photoTAN")
            }
            Stage::Tan(ChallengeFormat::Hhd) => {
                let start: String = seed[..7]
                    .iter()
                    .map(|b| char::from(b'0' + b % 10))
                    .collect();
                let code = hhd::render(&[0x01], &start, &["12345678", "1,00"]);
                scenario::tan_challenge(ChallengeFormat::Hhd, code, "chipTAN")
            }
            Stage::Tan(format) => scenario::tan_challenge(
                format,
                "Please enter the TAN for your login (sandbox: 123456).".to_owned(),
                "TAN",
            ),
            Stage::SecondTan => scenario::tan_challenge(
                ChallengeFormat::Text,
                "Please confirm with a second TAN (sandbox: 123456).".to_owned(),
                "Second TAN",
            ),
            Stage::MethodSelect => scenario::method_select(),
            Stage::MediumSelect => scenario::medium_select(),
            Stage::Decoupled => {
                wake_at = Some(session.now + self.config.decoupled_delay);
                kontolink_api::Challenge {
                    label: Some("Please approve the login in your banking app".to_owned()),
                    additional_info: Some(format!(
                        "Sandbox: approves itself after {} s",
                        self.config.decoupled_delay.as_secs_f32()
                    )),
                    ..blank_challenge(ChallengeType::Decoupled)
                }
            }
            Stage::Redirect => kontolink_api::Challenge {
                label: Some("Continue at your bank".to_owned()),
                location: Some(format!(
                    "{}/sandbox/redirect/{}",
                    session.public_url, session.next_challenge_id
                )),
                ..blank_challenge(ChallengeType::Redirect)
            },
        };
        ChallengeSpec {
            challenge,
            memo: serde_json::Value::Null,
            wake_at,
        }
    }
}

fn login(session: &BankSession<'_>) -> String {
    session
        .credentials
        .get("login")
        .map(|v| v.expose_secret().to_owned())
        .unwrap_or_default()
}

#[async_trait]
impl Provider for Sandbox {
    async fn login(&self, session: &BankSession<'_>) -> Result<LoginOutcome, BankError> {
        let scenario = self.bank_call(session).await?;
        let pin_is_wrong = session
            .credentials
            .get("pin")
            .is_none_or(|pin| pin.expose_secret() == "wrong");
        if pin_is_wrong {
            return Err(fatal(
                10000,
                "Credentials invalid",
                "the login or PIN is wrong",
            ));
        }
        match scenario {
            Scenario::Locked => {
                return Err(fatal(
                    10012,
                    "TAN scheme blocked",
                    "the TAN procedure is locked",
                ));
            }
            Scenario::Upgrade(kind)
                if session.synced_before
                    && session.access_method_id == SANDBOX_PIN_METHOD
                    && (kind != UpgradeKind::Partial
                        || session.known_accounts.iter().any(|a| a == "giro")) =>
            {
                let moving_accounts = match kind {
                    UpgradeKind::Partial => vec!["giro".to_owned()],
                    _ => Vec::new(),
                };
                return Err(BankError::Upgrade(Upgrade {
                    kind,
                    new_access_method_id: SANDBOX_PSD2_METHOD.to_owned(),
                    moving_accounts,
                }));
            }
            _ => {}
        }
        let stages = scenario::stages(scenario, session.auth_method, session.auth_medium);
        for (index, stage) in stages.iter().enumerate() {
            let Some(round) = session.rounds.get(index) else {
                return Ok(LoginOutcome::Challenge(Box::new(
                    self.challenge(*stage, session),
                )));
            };
            match (stage, &round.answer) {
                (Stage::Tan(_) | Stage::SecondTan, Some(Answer::Tan(tan))) => {
                    if tan.expose_secret() != scenario::TAN {
                        return Err(fatal(10004, "TAN invalid", "the TAN is wrong"));
                    }
                }
                (Stage::MethodSelect, Some(Answer::Method(_)))
                | (Stage::MediumSelect, Some(Answer::Medium(_)))
                | (Stage::Decoupled | Stage::Redirect, Some(Answer::Approved(true))) => {}
                (Stage::Redirect, Some(Answer::Approved(false))) => {
                    return Err(fatal(
                        10010,
                        "Authorization denied",
                        "the login was denied at the bank",
                    ));
                }
                (Stage::Decoupled, _) => {
                    let approved_at = round.created_at + self.config.decoupled_delay;
                    if session.now < approved_at {
                        return Ok(LoginOutcome::Pending {
                            wake_at: Some(approved_at),
                            memo: None,
                        });
                    }
                }
                (_, None | Some(Answer::Confirm)) => {
                    return Ok(LoginOutcome::Pending {
                        wake_at: None,
                        memo: None,
                    });
                }
                (_, Some(_)) => {
                    return Err(fatal(
                        10004,
                        "TAN invalid",
                        "the answer does not fit the challenge",
                    ));
                }
            }
        }
        Ok(LoginOutcome::Authenticated)
    }

    async fn accounts(&self, session: &BankSession<'_>) -> Result<Vec<BankAccount>, BankError> {
        let scenario = self.bank_call(session).await?;
        let count = if scenario == Scenario::Grow && !session.synced_before {
            1
        } else {
            2
        };
        Ok(data::accounts(
            &data::seed(&login(session)),
            count,
            session.now.date(),
        ))
    }

    async fn transactions(
        &self,
        session: &BankSession<'_>,
        account: &BankAccount,
        since: Date,
    ) -> Result<Vec<BankTransaction>, BankError> {
        self.bank_call(session).await?;
        let seed = data::seed(&login(session));
        Ok(data::transactions(
            &seed,
            account,
            since,
            session.now.date(),
        ))
    }
}
