//! The job: phases of a synchronisation, what to send in each, what an answer means.
//! `messages` builds what goes to the bank, `sca` chooses TAN methods and handles
//! challenges, `orders` the business transactions and their data.

use std::collections::VecDeque;

use secrecy::SecretString;

use super::error::{FintsError, classify};
use super::state::{Cache, Params, Results};
use crate::codec::Segment;
use crate::envelope;
use crate::segments::bpd::{Bpd, TanMethod};
use crate::segments::returns::{self, Return, Returns};
use crate::segments::upd::Upd;
use crate::segments::{requests, tan};

mod messages;
mod orders;
mod progress;
mod sca;

use progress::{Order, Pending, Phase, Sent, State};

const ANONYMOUS_CUSTOMER: &str = "9999999999";
const ONE_STEP: &str = "999";

/// What to do next.
#[derive(Debug)]
pub enum Step {
    /// POST this message to the bank, then [`Job::receive`] the answer.
    Send(Vec<u8>),
    /// Ask the end-user, then [`Job::reply`].
    Ask(Box<Question>),
    /// Finished: [`Job::results`].
    Done,
}

/// What the end-user is asked.
#[derive(Debug, Clone)]
pub enum Question {
    /// Several TAN methods are allowed: which one?
    Method(Vec<TanMethod>),
    /// Several TAN media: which one?
    Medium(Vec<String>),
    /// Enter the TAN for this challenge.
    Tan {
        challenge: tan::TanChallenge,
        method: Option<TanMethod>,
    },
    /// Approve in the banking app; poll again after `wait_secs` (or when the end-user
    /// says it is done).
    Decoupled {
        challenge: tan::TanChallenge,
        method: Option<TanMethod>,
        wait_secs: u32,
    },
}

/// The end-user's answer to a [`Question`].
pub enum Reply {
    Method(String),
    Medium(String),
    Tan(SecretString),
    /// Decoupled: "check now".
    Poll,
}

/// One synchronisation with one bank.
pub struct Job {
    state: State,
    tan: Option<SecretString>,
}

impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Job")
            .field("phase", &self.state.phase)
            .field("blz", &self.state.params.blz)
            .finish_non_exhaustive()
    }
}

impl Job {
    pub fn new(params: Params, cache: Cache) -> Job {
        Job {
            state: State {
                params,
                cache,
                phase: Phase::Start,
                dialog_id: "0".into(),
                message_number: 1,
                method: None,
                medium: None,
                media: Vec::new(),
                media_tried: false,
                orders: VecDeque::new(),
                pending: None,
                sent: None,
                results: Results::default(),
                pages: Vec::new(),
                warnings: Vec::new(),
                date: "19700101".into(),
                time: "000000".into(),
            },
            tan: None,
        }
    }

    /// The dialog's state as JSON: no PIN, no TAN, and not the [`Cache`] (BPD, UPD,
    /// customer system id), which the caller keeps with the bank and the access.
    pub fn snapshot(&self) -> serde_json::Value {
        serde_json::to_value(&self.state).unwrap_or(serde_json::Value::Null)
    }

    /// A job from a [`Job::snapshot`] and the cache saved with it.
    pub fn restore(snapshot: &serde_json::Value, cache: Cache) -> Option<Job> {
        let mut state: State = serde_json::from_value(snapshot.clone()).ok()?;
        state.cache = cache;
        Some(Job { state, tan: None })
    }

    /// The date and time written into the security headers.
    pub fn set_clock(&mut self, now: time::PrimitiveDateTime) {
        self.state.date = crate::segments::format_date(now.date());
        self.state.time = format!("{:02}{:02}{:02}", now.hour(), now.minute(), now.second());
    }

    pub fn cache(&self) -> &Cache {
        &self.state.cache
    }

    pub fn results(&self) -> &Results {
        &self.state.results
    }

    pub fn warnings(&self) -> &[String] {
        &self.state.warnings
    }

    fn bpd(&mut self) -> Option<&mut Bpd> {
        self.state.cache.bpd.as_mut()
    }

    fn method(&mut self) -> Option<TanMethod> {
        let chosen = self.state.method.clone()?;
        self.bpd()?
            .tan_methods()
            .into_iter()
            .find(|m| m.security_function == chosen)
    }

    /// The next thing to do. `pin` is only written into signed messages.
    pub fn next(&mut self, pin: &SecretString) -> Result<Step, FintsError> {
        if self.state.sent.is_some() {
            return Err(FintsError::Protocol("an answer is still expected".into()));
        }
        loop {
            match self.state.phase {
                Phase::Start => {
                    self.state.phase = if self.state.cache.system_id.is_none() {
                        Phase::SyncInit
                    } else if self.state.cache.bpd.is_none() {
                        Phase::AnonInit
                    } else {
                        Phase::Method
                    };
                }
                Phase::AnonInit => {
                    self.new_dialog();
                    let blz = self.state.params.blz.clone();
                    let segments = vec![
                        requests::hkidn(&blz, ANONYMOUS_CUSTOMER, "0", false),
                        requests::hkvvb(0, 0, &self.state.params.product),
                        requests::hktan_process4(6, "HKIDN", None),
                    ];
                    return Ok(self.anonymous(segments, Sent::Init(Phase::AnonInit)));
                }
                Phase::AnonEnd => {
                    let end = vec![requests::hkend(&self.state.dialog_id)];
                    return Ok(self.anonymous(end, Sent::End(Phase::AnonEnd)));
                }
                Phase::SyncInit => {
                    self.new_dialog();
                    let mut segments = self.init_segments(None, None);
                    segments.push(requests::hksyn());
                    return Ok(self.signed(pin, segments, Sent::Init(Phase::SyncInit), true));
                }
                Phase::SyncEnd => {
                    let end = vec![requests::hkend(&self.state.dialog_id)];
                    return Ok(self.signed(pin, end, Sent::End(Phase::SyncEnd), true));
                }
                Phase::Method => {
                    if let Some(question) = self.choose_method()? {
                        return Ok(Step::Ask(Box::new(question)));
                    }
                    self.state.phase = Phase::MainInit;
                }
                Phase::MediaInit => {
                    self.new_dialog();
                    let segments = self.init_segments(Some("HKTAB"), None);
                    return Ok(self.signed(pin, segments, Sent::Init(Phase::MediaInit), false));
                }
                Phase::MediaList => {
                    let version = self
                        .bpd()
                        .and_then(|b| b.best_version("HKTAB", &[4, 5]))
                        .unwrap_or(4);
                    return Ok(self.signed(
                        pin,
                        vec![requests::hktab(version)],
                        Sent::MediaList,
                        false,
                    ));
                }
                Phase::MediaEnd => {
                    let end = vec![requests::hkend(&self.state.dialog_id)];
                    return Ok(self.signed(pin, end, Sent::End(Phase::MediaEnd), false));
                }
                Phase::Medium => match self.state.media.len() {
                    0 => self.state.phase = Phase::MainInit,
                    1 => {
                        self.state.medium = self.state.media.first().cloned();
                        self.state.phase = Phase::MainInit;
                    }
                    _ => {
                        return Ok(Step::Ask(Box::new(Question::Medium(
                            self.state.media.clone(),
                        ))));
                    }
                },
                Phase::MainInit => {
                    self.new_dialog();
                    let two_step = self.two_step();
                    let medium = self.state.medium.clone();
                    let segments = self.init_segments(two_step.then_some("HKIDN"), medium);
                    return Ok(self.signed(pin, segments, Sent::Init(Phase::MainInit), !two_step));
                }
                Phase::Sca => {
                    let Some(pending) = self.state.pending.clone() else {
                        self.state.phase = Phase::Work;
                        continue;
                    };
                    if !pending.answered {
                        return Ok(Step::Ask(Box::new(self.sca_question(&pending))));
                    }
                    let version = self.hktan_version();
                    let process = if pending.decoupled { "S" } else { "2" };
                    let segment = requests::hktan_followup(
                        version,
                        process,
                        &pending.challenge.task_reference,
                    );
                    return Ok(self.signed(pin, vec![segment], Sent::Followup, false));
                }
                Phase::Work => {
                    let Some(order) = self.state.orders.pop_front() else {
                        self.state.phase = Phase::End;
                        continue;
                    };
                    if let Some(segments) = self.order_segments(&order) {
                        let two_step = self.two_step();
                        return Ok(self.signed(pin, segments, Sent::Order(order), !two_step));
                    }
                }
                Phase::End => {
                    let end = vec![requests::hkend(&self.state.dialog_id)];
                    let two_step = self.two_step();
                    return Ok(self.signed(pin, end, Sent::End(Phase::End), !two_step));
                }
                Phase::Done => {
                    self.state.results.method = self.state.method.clone();
                    self.state.results.medium = self.state.medium.clone();
                    return Ok(Step::Done);
                }
            }
        }
    }

    /// The end-user's answer to the last [`Step::Ask`].
    pub fn reply(&mut self, reply: Reply) -> Result<(), FintsError> {
        match (self.state.phase, reply) {
            (Phase::Method, Reply::Method(id)) => {
                self.state.method = Some(id);
                self.state.phase = Phase::MainInit;
            }
            (Phase::Medium, Reply::Medium(name)) => {
                self.state.medium = Some(name);
                self.state.phase = Phase::MainInit;
            }
            (Phase::Sca, Reply::Tan(tan)) => {
                let pending = self
                    .state
                    .pending
                    .as_mut()
                    .ok_or_else(|| FintsError::Protocol("no TAN was asked".into()))?;
                pending.answered = true;
                self.tan = Some(tan);
            }
            (Phase::Sca, Reply::Poll) => {
                let pending = self
                    .state
                    .pending
                    .as_mut()
                    .ok_or_else(|| FintsError::Protocol("no approval was asked".into()))?;
                pending.answered = true;
            }
            _ => {
                return Err(FintsError::Protocol(
                    "the answer does not fit the question".into(),
                ));
            }
        }
        Ok(())
    }

    /// Hands the bank's answer to the last [`Step::Send`] to the job.
    pub fn receive(&mut self, bytes: &[u8]) -> Result<(), FintsError> {
        let sent = self
            .state
            .sent
            .take()
            .ok_or_else(|| FintsError::Protocol("no message was sent".into()))?;
        let answer = envelope::open(bytes).map_err(|e| FintsError::Protocol(e.to_string()))?;
        if self.state.dialog_id == "0" && !answer.dialog_id.is_empty() {
            self.state.dialog_id = answer.dialog_id.clone();
        }
        self.state.message_number += 1;
        let segments = answer.segments;
        let codes = returns::collect(&segments);
        self.learn(&segments, &codes);
        match sent {
            Sent::Init(Phase::AnonInit) => {
                // A bank that refuses anonymous dialogs sends its BPD with the personal one.
                self.state.phase = if codes.errors().is_empty() {
                    Phase::AnonEnd
                } else {
                    Phase::Method
                };
            }
            Sent::End(Phase::AnonEnd) => self.state.phase = Phase::Method,
            Sent::Init(Phase::SyncInit) => {
                fail_on(&codes)?;
                if let Some(hisyn) = crate::segments::first(&segments, "HISYN") {
                    self.state.cache.system_id = hisyn.text(1, 0);
                }
                self.state.phase = Phase::SyncEnd;
            }
            Sent::End(Phase::SyncEnd) => {
                // Most banks send their BPD with the personal dialog (the HKVVB named BPD
                // version 0); only when this one did not is the anonymous dialog needed.
                self.state.phase = if self.state.cache.bpd.is_none() {
                    Phase::AnonInit
                } else {
                    Phase::Method
                };
            }
            Sent::Init(Phase::MediaInit) => {
                fail_on(&codes)?;
                self.state.phase = Phase::MediaList;
            }
            Sent::MediaList => {
                fail_on(&codes)?;
                self.state.media = tan::media(&segments);
                self.state.phase = Phase::MediaEnd;
            }
            Sent::End(Phase::MediaEnd) => self.state.phase = Phase::Medium,
            Sent::Init(Phase::MainInit) => self.after_main_init(&segments, &codes)?,
            Sent::Order(order) => self.after_order(order, &segments, &codes)?,
            Sent::Followup => self.after_followup(&segments, &codes)?,
            Sent::End(_) => self.state.phase = Phase::Done,
            Sent::Init(_) => return Err(FintsError::Protocol("unexpected dialog".into())),
        }
        Ok(())
    }

    /// BPD, UPD and allowed TAN methods wherever the bank sends them.
    fn learn(&mut self, segments: &[Segment], codes: &[Return]) {
        if let Some(bpd) = Bpd::from_answer(segments) {
            self.state.cache.bpd = Some(bpd);
        }
        if let Some(upd) = Upd::from_answer(segments) {
            self.state.cache.upd = Some(upd);
        }
        if let Some(allowed) = codes.find("3920") {
            let methods: Vec<String> = allowed
                .params
                .iter()
                .filter(|p| !p.is_empty())
                .cloned()
                .collect();
            if !methods.is_empty() {
                self.state.cache.allowed_methods = Some(methods);
            }
        }
    }
}

fn fail_on(codes: &[Return]) -> Result<(), FintsError> {
    match classify(codes) {
        Some(error) => Err(error),
        None => Ok(()),
    }
}
