//! The job: phases of a synchronisation, what to send in each, what an answer means.

use std::collections::VecDeque;

use secrecy::SecretString;
use serde::{Deserialize, Serialize};

use super::error::{FintsError, classify};
use super::state::{AccountResult, Cache, Params, Results, StatementFormat};
use crate::codec::Segment;
use crate::envelope::{self, Header, Signer};
use crate::segments::account::{self, AccountRef};
use crate::segments::bpd::{Bpd, TanMethod};
use crate::segments::returns::{self, Return, Returns};
use crate::segments::upd::Upd;
use crate::segments::{data, requests, tan};
use crate::statements;

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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
enum Phase {
    Start,
    AnonInit,
    AnonEnd,
    SyncInit,
    SyncEnd,
    Method,
    MediaInit,
    MediaList,
    MediaEnd,
    Medium,
    MainInit,
    Sca,
    Work,
    End,
    Done,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
enum Order {
    Accounts,
    Balance(usize),
    Statements {
        account: usize,
        /// The camt format URN, `None` for MT940.
        camt: Option<String>,
        touchdown: Option<String>,
    },
}

/// A strong customer authentication in progress.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Pending {
    challenge: tan::TanChallenge,
    /// The order whose answer the bank holds back (`None`: the dialog init).
    order: Option<Order>,
    decoupled: bool,
    polls: u32,
    /// The end-user answered (`Poll` or a TAN held in [`Job::tan`]).
    answered: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
enum Sent {
    Init(Phase),
    End(Phase),
    MediaList,
    Order(Order),
    Followup,
}

/// The state of a job: everything but the PIN and TAN.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct State {
    params: Params,
    /// Kept by the caller between syncs (and while parked): not part of a snapshot.
    #[serde(skip)]
    cache: Cache,
    phase: Phase,
    dialog_id: String,
    message_number: u32,
    method: Option<String>,
    medium: Option<String>,
    media: Vec<String>,
    media_tried: bool,
    orders: VecDeque<Order>,
    pending: Option<Pending>,
    sent: Option<Sent>,
    results: Results,
    /// Raw statement pages per account index, parsed when the last page has come.
    pages: Vec<(usize, bool, bool, String)>,
    /// Notes on what the bank refused without ending the sync (balance, one account's
    /// statements).
    warnings: Vec<String>,
    date: String,
    time: String,
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

    /// Whether the job waits for the end-user.
    pub fn is_waiting(&self) -> bool {
        self.state.phase == Phase::Sca && self.state.pending.as_ref().is_some_and(|p| !p.answered)
            || matches!(self.state.phase, Phase::Method | Phase::Medium)
                && self.state.sent.is_none()
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

    fn hktan_version(&mut self) -> u32 {
        if let Some(method) = self.method() {
            return method.hktan_version;
        }
        self.bpd()
            .and_then(|b| b.best_version("HKTAN", &crate::segments::bpd::HKTAN_VERSIONS))
            .unwrap_or(6)
    }

    fn two_step(&self) -> bool {
        self.state.method.as_deref().is_some_and(|m| m != ONE_STEP)
    }

    fn new_dialog(&mut self) {
        self.state.dialog_id = "0".into();
        self.state.message_number = 1;
    }

    fn header(&self) -> (String, u32, String, String) {
        (
            self.state.dialog_id.clone(),
            self.state.message_number,
            self.state.date.clone(),
            self.state.time.clone(),
        )
    }

    fn anonymous(&mut self, segments: Vec<Segment>, sent: Sent) -> Step {
        let (dialog_id, message_number, date, time) = self.header();
        let header = Header {
            dialog_id: &dialog_id,
            message_number,
            date: &date,
            time: &time,
        };
        self.state.sent = Some(sent);
        Step::Send(envelope::anonymous(&header, segments))
    }

    fn signed(
        &mut self,
        pin: &SecretString,
        segments: Vec<Segment>,
        sent: Sent,
        one_step: bool,
    ) -> Step {
        let (dialog_id, message_number, date, time) = self.header();
        let header = Header {
            dialog_id: &dialog_id,
            message_number,
            date: &date,
            time: &time,
        };
        let function = if one_step {
            ONE_STEP.to_owned()
        } else {
            self.state.method.clone().unwrap_or_else(|| ONE_STEP.into())
        };
        let tan = self.tan.take();
        let system_id = self
            .state
            .cache
            .system_id
            .clone()
            .unwrap_or_else(|| "0".into());
        let signer = Signer {
            blz: &self.state.params.blz,
            user_id: &self.state.params.user_id,
            system_id: &system_id,
            security_function: &function,
            pin,
            tan: tan.as_ref(),
        };
        self.state.sent = Some(sent);
        Step::Send(envelope::signed(&header, &signer, segments))
    }

    fn init_segments(
        &mut self,
        tan_reference: Option<&str>,
        medium: Option<String>,
    ) -> Vec<Segment> {
        let params = &self.state.params;
        let system_id = self
            .state
            .cache
            .system_id
            .clone()
            .unwrap_or_else(|| "0".into());
        let bpd_version = self.state.cache.bpd.as_ref().map_or(0, |b| b.version);
        let upd_version = self.state.cache.upd.as_ref().map_or(0, |u| u.version);
        let mut segments = vec![
            requests::hkidn(&params.blz, &params.customer_id, &system_id, true),
            requests::hkvvb(bpd_version, upd_version, &params.product),
        ];
        if let Some(reference) = tan_reference {
            let version = self.hktan_version();
            segments.push(requests::hktan_process4(
                version,
                reference,
                medium.as_deref(),
            ));
        }
        segments
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

    fn sca_question(&mut self, pending: &Pending) -> Question {
        let method = self.method();
        if pending.decoupled {
            let wait = method
                .as_ref()
                .and_then(|m| m.decoupled)
                .map(|d| {
                    if pending.polls == 0 {
                        d.first_wait_secs
                    } else {
                        d.next_wait_secs
                    }
                })
                .unwrap_or(5);
            Question::Decoupled {
                challenge: pending.challenge.clone(),
                method,
                wait_secs: wait,
            }
        } else {
            Question::Tan {
                challenge: pending.challenge.clone(),
                method,
            }
        }
    }

    /// Picks the TAN method when it needs no question; else asks.
    fn choose_method(&mut self) -> Result<Option<Question>, FintsError> {
        if self.state.method.is_some() {
            return Ok(None);
        }
        let allowed = self.state.cache.allowed_methods.clone().unwrap_or_default();
        let described = self.bpd().map(|b| b.tan_methods()).unwrap_or_default();
        let candidates: Vec<TanMethod> = described
            .into_iter()
            .filter(|m| m.security_function != ONE_STEP)
            .filter(|m| allowed.is_empty() || allowed.contains(&m.security_function))
            .collect();
        if candidates.is_empty() {
            // One-step PIN (999): banks without PSD2 two-step methods for this user.
            self.state.method = Some(ONE_STEP.into());
            return Ok(None);
        }
        let preferred = self.state.params.preferred_method.clone();
        if let Some(found) = candidates
            .iter()
            .find(|m| Some(&m.security_function) == preferred.as_ref())
        {
            self.state.method = Some(found.security_function.clone());
            return Ok(None);
        }
        if candidates.len() == 1 {
            self.state.method = Some(candidates[0].security_function.clone());
            return Ok(None);
        }
        Ok(Some(Question::Method(candidates)))
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

    fn order_segments(&mut self, order: &Order) -> Option<Vec<Segment>> {
        let (kind, segment) = match order {
            Order::Accounts => {
                let version = self.bpd().and_then(|b| b.best_version("HKSPA", &[1, 2, 3]));
                match version {
                    Some(v) => ("HKSPA", requests::hkspa(v)),
                    None => {
                        // No SEPA account list: the UPD's accounts are all there is.
                        let upd = self.state.cache.upd.clone().unwrap_or_default();
                        self.set_accounts(Vec::new(), &upd);
                        return None;
                    }
                }
            }
            Order::Balance(index) => {
                let account = self.state.results.accounts.get(*index)?.account.clone();
                let version = self
                    .bpd()
                    .and_then(|b| b.best_version("HKSAL", &[5, 6, 7]))?;
                ("HKSAL", requests::hksal(version, &account, None))
            }
            Order::Statements {
                account,
                camt,
                touchdown,
            } => {
                let account = self.state.results.accounts.get(*account)?.account.clone();
                let since = self.state.params.since?;
                let until = self.state.params.today;
                match camt {
                    Some(format) => (
                        "HKCAZ",
                        requests::hkcaz(&account, format, since, until, touchdown.as_deref()),
                    ),
                    None => {
                        let version = self
                            .bpd()
                            .and_then(|b| b.best_version("HKKAZ", &[5, 6, 7]))?;
                        (
                            "HKKAZ",
                            requests::hkkaz(version, &account, since, until, touchdown.as_deref()),
                        )
                    }
                }
            }
        };
        let mut segments = vec![segment];
        let needs_tan = self.two_step() && self.bpd().is_some_and(|b| b.needs_tan(kind));
        if needs_tan {
            let version = self.hktan_version();
            let medium = self.state.medium.clone();
            segments.push(requests::hktan_process4(version, kind, medium.as_deref()));
        }
        Some(segments)
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

    fn after_main_init(
        &mut self,
        segments: &[Segment],
        codes: &[Return],
    ) -> Result<(), FintsError> {
        if let Some(error) = classify(codes) {
            let needs_medium = self.method().is_some_and(|m| m.needs_medium);
            let can_list = self.bpd().is_some_and(|b| !b.versions("HKTAB").is_empty());
            if matches!(error, FintsError::Bank { .. })
                && needs_medium
                && self.state.medium.is_none()
                && !self.state.media_tried
                && can_list
            {
                // The bank wants a TAN medium named: list them and ask.
                self.state.media_tried = true;
                self.state.phase = Phase::MediaInit;
                return Ok(());
            }
            return Err(error);
        }
        if let Some(hitan) = crate::segments::first(segments, "HITAN")
            && self.state.medium.is_none()
        {
            self.state.medium = hitan.text(7, 0);
        }
        self.state.orders = VecDeque::from([Order::Accounts]);
        self.sca_or(segments, codes, None, Phase::Work);
        Ok(())
    }

    /// Parks the job for SCA when the answer carries a challenge (`0030`), else moves on.
    fn sca_or(
        &mut self,
        segments: &[Segment],
        codes: &[Return],
        order: Option<Order>,
        next: Phase,
    ) -> bool {
        let challenge = tan::challenge(segments);
        match challenge {
            Some(challenge) if codes.has("0030") || codes.has("3955") => {
                let decoupled =
                    codes.has("3955") || self.method().is_some_and(|m| m.decoupled.is_some());
                self.state.pending = Some(Pending {
                    challenge,
                    order,
                    decoupled,
                    polls: 0,
                    answered: false,
                });
                self.state.phase = Phase::Sca;
                true
            }
            _ => {
                self.state.phase = next;
                false
            }
        }
    }

    fn after_followup(&mut self, segments: &[Segment], codes: &[Return]) -> Result<(), FintsError> {
        let mut pending = self
            .state
            .pending
            .take()
            .ok_or_else(|| FintsError::Protocol("no SCA in progress".into()))?;
        if let Some(error) = classify(codes) {
            return Err(error);
        }
        if pending.decoupled && codes.has("3956") {
            pending.polls += 1;
            pending.answered = false;
            let limit = self
                .method()
                .and_then(|m| m.decoupled)
                .and_then(|d| d.max_polls);
            if limit.is_some_and(|max| pending.polls >= max) {
                return Err(FintsError::ApprovalTimeout);
            }
            self.state.pending = Some(pending);
            self.state.phase = Phase::Sca;
            return Ok(());
        }
        match pending.order {
            None => {
                self.state.phase = Phase::Work;
                Ok(())
            }
            Some(order) => self.after_order(order, segments, codes),
        }
    }

    fn after_order(
        &mut self,
        order: Order,
        segments: &[Segment],
        codes: &[Return],
    ) -> Result<(), FintsError> {
        if let Some(error) = classify(codes) {
            // A bank that offers camt.052 but refuses it for this account: MT940 instead.
            if let (
                Order::Statements {
                    account,
                    camt: Some(_),
                    touchdown: None,
                },
                FintsError::Bank {
                    temporary: false, ..
                },
            ) = (&order, &error)
                && self.bpd().is_some_and(|b| !b.versions("HKKAZ").is_empty())
            {
                self.state
                    .warnings
                    .push(format!("camt.052 refused, MT940 instead: {error}"));
                self.state.orders.push_front(Order::Statements {
                    account: *account,
                    camt: None,
                    touchdown: None,
                });
                self.state.phase = Phase::Work;
                return Ok(());
            }
            match (&order, &error) {
                // A bank that refuses one balance or one account's statements does not
                // end the sync: the rest is still worth having.
                (
                    Order::Balance(_) | Order::Statements { .. },
                    FintsError::Bank {
                        temporary: false, ..
                    },
                ) => {
                    self.state.warnings.push(format!("{order:?}: {error}"));
                    self.state.phase = Phase::Work;
                    return Ok(());
                }
                _ => return Err(error),
            }
        }
        if self.sca_or(segments, codes, Some(order.clone()), Phase::Work) {
            return Ok(());
        }
        match order {
            Order::Accounts => {
                let upd = self.state.cache.upd.clone().unwrap_or_default();
                self.set_accounts(account::sepa_accounts(segments), &upd);
            }
            Order::Balance(index) => {
                if let (Some(balance), Some(result)) = (
                    data::balance(segments),
                    self.state.results.accounts.get_mut(index),
                ) {
                    result.balance = Some((balance.booked, balance.currency, balance.date));
                    result.available = balance.available;
                }
            }
            Order::Statements { account, camt, .. } => {
                let page = if camt.is_some() {
                    data::camt(segments)
                } else {
                    data::mt940(segments)
                };
                for text in page.booked {
                    self.state.pages.push((account, camt.is_some(), true, text));
                }
                for text in page.pending {
                    self.state
                        .pages
                        .push((account, camt.is_some(), false, text));
                }
                let touchdown = codes
                    .iter()
                    .find(|r| r.code == "3040")
                    .and_then(|r| r.params.first().cloned())
                    .filter(|p| !p.is_empty());
                match touchdown {
                    Some(point) => self.state.orders.push_front(Order::Statements {
                        account,
                        camt,
                        touchdown: Some(point),
                    }),
                    None => self.finish_statements(account)?,
                }
            }
        }
        Ok(())
    }

    fn finish_statements(&mut self, account: usize) -> Result<(), FintsError> {
        let pages: Vec<(usize, bool, bool, String)> = self
            .state
            .pages
            .iter()
            .filter(|p| p.0 == account)
            .cloned()
            .collect();
        self.state.pages.retain(|p| p.0 != account);
        let mut entries = Vec::new();
        let booked_mt940: String = pages
            .iter()
            .filter(|p| !p.1 && p.2)
            .map(|p| p.3.as_str())
            .collect::<Vec<_>>()
            .join("\r\n");
        let pending_mt942: String = pages
            .iter()
            .filter(|p| !p.1 && !p.2)
            .map(|p| p.3.as_str())
            .collect::<Vec<_>>()
            .join("\r\n");
        let parse_error =
            |e: statements::StatementError| FintsError::Protocol(format!("statement: {e}"));
        if !booked_mt940.trim().is_empty() {
            entries.extend(statements::parse_mt940(&booked_mt940, true).map_err(parse_error)?);
        }
        if !pending_mt942.trim().is_empty() {
            entries.extend(statements::parse_mt940(&pending_mt942, false).map_err(parse_error)?);
        }
        for page in pages.iter().filter(|p| p.1) {
            entries.extend(statements::parse_camt052(&page.3).map_err(parse_error)?);
        }
        if let Some(result) = self.state.results.accounts.get_mut(account) {
            result.entries.extend(entries);
            result.statements_fetched = true;
        }
        Ok(())
    }

    /// The accounts of the sync: the SEPA list (or the UPD's when there is none), each
    /// with its UPD entry; then the balance and statement orders for them.
    fn set_accounts(&mut self, sepa: Vec<AccountRef>, upd: &Upd) {
        let blz = self.state.params.blz.clone();
        let accounts: Vec<AccountRef> = if sepa.is_empty() {
            upd.accounts
                .iter()
                .filter(|u| u.iban.is_some() || u.account_number.is_some())
                .map(|u| AccountRef {
                    iban: u.iban.clone(),
                    bic: None,
                    number: u.account_number.clone(),
                    subaccount: u.subaccount.clone(),
                    blz: u.blz.clone().unwrap_or_else(|| blz.clone()),
                })
                .collect()
        } else {
            sepa
        };
        let mut orders = VecDeque::new();
        let wanted = self.state.params.statements_for.clone();
        let format = self.state.params.statement_format;
        let camt_formats = self.bpd().map(|b| b.camt_formats()).unwrap_or_default();
        let has_kaz = self.bpd().is_some_and(|b| !b.versions("HKKAZ").is_empty());
        let has_sal = self.bpd().is_some_and(|b| !b.versions("HKSAL").is_empty());
        for (index, account) in accounts.iter().enumerate() {
            let entry = upd.accounts.iter().find(|u| {
                account.same_as(&AccountRef {
                    iban: u.iban.clone(),
                    bic: None,
                    number: u.account_number.clone(),
                    subaccount: u.subaccount.clone(),
                    blz: String::new(),
                })
            });
            let allows = |kind: &str| entry.is_none_or(|u| u.allows(kind));
            self.state.results.accounts.push(AccountResult {
                account: account.clone(),
                upd: entry.cloned(),
                balance: None,
                available: None,
                entries: Vec::new(),
                statements_fetched: false,
            });
            if has_sal && allows("HKSAL") {
                orders.push_back(Order::Balance(index));
            }
            let wanted_here = wanted
                .as_ref()
                .is_none_or(|keys| keys.contains(&account.key()));
            if self.state.params.since.is_none() || !wanted_here {
                continue;
            }
            let camt = camt_formats
                .iter()
                .max()
                .filter(|_| allows("HKCAZ") && account.iban.is_some())
                .cloned();
            let mt940 = (has_kaz && allows("HKKAZ")).then_some(());
            let choice = match (format, camt, mt940) {
                (StatementFormat::Mt940, _, Some(())) => Some(None),
                (_, Some(urn), _) => Some(Some(urn)),
                (_, None, Some(())) => Some(None),
                _ => None,
            };
            if let Some(camt) = choice {
                orders.push_back(Order::Statements {
                    account: index,
                    camt,
                    touchdown: None,
                });
            }
        }
        self.state.orders.extend(orders);
    }
}

fn fail_on(codes: &[Return]) -> Result<(), FintsError> {
    match classify(codes) {
        Some(error) => Err(error),
        None => Ok(()),
    }
}
