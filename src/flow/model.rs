//! The state, the messages and the commands of the flow.

use std::collections::BTreeMap;
use std::fmt;

use kontolink_api::{Account, Challenge, FinishRedirect, FlowInfo, Language, Provider};
use serde::{Deserialize, Serialize};

use super::upgrade::UpgradeFollow;

/// Where the end-user is: one page per variant.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// Exchanging the flow token, or loading the preselected bank.
    Starting,
    /// The page was opened without `?token=`.
    MissingToken,
    /// The link was used before or has expired (`1030`).
    LinkInvalid,
    /// This window is the bank's popup, back on the widget's address after a redirect.
    PopupDone,
    BankSearch,
    Credentials {
        provider: Box<Provider>,
        notice: Option<Notice>,
    },
    /// The sync is running; the label comes from [`Model::progress`].
    Progress,
    Challenge {
        challenge: Box<Challenge>,
        notice: Option<Notice>,
        /// REDIRECT in an iframe: the bank's page is open in a popup.
        popup_open: bool,
    },
    Accounts {
        accounts: Vec<Account>,
    },
    /// The flow ended; the controller delivers the redirect.
    Finished(FinishRedirect),
    /// Something went wrong that the end-user can retry or end.
    Problem(Problem),
}

impl Step {
    /// Whether the page offers "Cancel" (`POST /widget/cancel`): every step with an open
    /// session, except the problem page. That page's one way out is "Close", which ends the
    /// flow as failed with its error code (contract §5.7: `success=false&error=CODE`);
    /// a second button ending it as cancelled instead would leave the end-user to guess.
    pub fn offers_cancel(&self) -> bool {
        matches!(
            self,
            Step::BankSearch
                | Step::Credentials { .. }
                | Step::Progress
                | Step::Challenge { .. }
                | Step::Accounts { .. }
        )
    }
}

/// A message shown on the current page.
#[derive(Debug, Clone, PartialEq)]
pub enum Notice {
    CredentialsInvalid,
    CredentialsIncomplete,
    TanInvalid,
    PopupBlocked,
    /// The bank moved to a new interface (access upgrade): log in once more.
    BankUpgraded,
    /// Too many credential attempts (`1029`): wait a moment.
    TooManyAttempts,
    Network,
    Error(u32),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProblemKind {
    TanInvalid,
    TooManySyncs,
    Locked,
    BankUnavailable,
    Network,
    NoAccounts,
    Generic,
}

impl ProblemKind {
    /// The `data-testid` suffix: `error-<kind>`.
    pub fn id(self) -> &'static str {
        match self {
            ProblemKind::TanInvalid => "tan-invalid",
            ProblemKind::TooManySyncs => "too-many-syncs",
            ProblemKind::Locked => "locked",
            ProblemKind::BankUnavailable => "bank-unavailable",
            ProblemKind::Network => "network",
            ProblemKind::NoAccounts => "no-accounts",
            ProblemKind::Generic => "generic",
        }
    }
}

/// What "Try again" does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Retry {
    NewSync,
    ResumePolling,
    LoadAccounts,
    LoadProvider(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub kind: ProblemKind,
    /// The server's error code, sent with `POST /widget/fail` on close.
    pub code: Option<u32>,
    /// `1020`: when the next sync is possible (RFC 3339).
    pub next_sync_possible_at: Option<String>,
    pub retry: Option<Retry>,
    /// Whether there is a session to end with `POST /widget/fail`.
    pub closable: bool,
}

/// Credential values, kept in memory only; `Debug` never shows them.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Credentials(pub BTreeMap<String, String>);

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.0.keys().map(|k| (k, "***")))
            .finish()
    }
}

/// What the widget keeps in `sessionStorage` while the end-user is at the bank's page
/// (redirect challenge in a top-level window), to resume when the bank sends them back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResumeRecord {
    /// The opaque `state` given to the sync's redirect.
    pub state: String,
    pub session_token: String,
    pub flow: FlowInfo,
    pub provider: Option<Provider>,
    pub access_id: String,
    /// The access's method (absent in records of older widget versions).
    #[serde(default)]
    pub access_method_id: Option<String>,
    /// An access upgrade being followed: the accesses still to sync.
    #[serde(default)]
    pub upgrade: Option<UpgradeFollow>,
    pub sync_id: String,
    pub challenge_id: String,
}

/// How the page was opened.
#[derive(Debug, Clone, PartialEq)]
pub enum Launch {
    /// `?token=…`: a new flow.
    Token,
    /// Back from the bank's page with a matching [`ResumeRecord`].
    Resume(Box<ResumeRecord>),
    /// The bank's popup landed on the widget's address.
    PopupReturn,
    /// No token, nothing to resume.
    Nothing,
}

/// Everything the flow knows.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    pub step: Step,
    pub language: Language,
    /// Opened in an iframe (overlay) rather than a top-level window.
    pub embedded: bool,
    /// Where the bank sends the end-user back after a redirect (the widget's own address).
    pub return_url: String,
    /// The opaque `state` of this page's syncs.
    pub sync_state: String,
    pub session_token: Option<String>,
    pub flow: Option<FlowInfo>,
    /// The bank was preset by the integrator (no bank selection).
    pub provider_preset: bool,
    pub provider: Option<Provider>,
    pub access_id: Option<String>,
    pub access_method_id: Option<String>,
    pub sync_id: Option<String>,
    pub credentials: Credentials,
    pub save_secrets: bool,
    /// The engine's current step (`sync.step`), shown while the sync runs.
    pub progress: Option<String>,
    /// A request of the end-user is under way: buttons are disabled.
    pub busy: bool,
    /// The challenge answered with a value (TAN, method, medium); the same challenge seen
    /// again while polling means the engine has not taken the answer yet.
    pub answered: Option<String>,
    /// Numbers the poll loops; a reply of an older loop is dropped.
    pub poll_seq: u32,
    pub poll_failures: u32,
    /// Following an access upgrade: the accesses the accounts moved to.
    pub upgrade: Option<UpgradeFollow>,
}

impl Model {
    pub fn new(embedded: bool, return_url: String, sync_state: String) -> Model {
        Model {
            step: Step::Starting,
            language: Language::De,
            embedded,
            return_url,
            sync_state,
            session_token: None,
            flow: None,
            provider_preset: false,
            provider: None,
            access_id: None,
            access_method_id: None,
            sync_id: None,
            credentials: Credentials::default(),
            save_secrets: false,
            progress: None,
            busy: false,
            answered: None,
            poll_seq: 0,
            poll_failures: 0,
            upgrade: None,
        }
    }
}
