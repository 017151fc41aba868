//! What a job remembers between two steps: its phase, the business transactions still to
//! do, the SCA in progress, what was sent last. All of it survives a snapshot.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use crate::dialog::state::{Cache, Params, Results};
use crate::segments::tan;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(super) enum Phase {
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
pub(super) enum Order {
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
pub(super) struct Pending {
    pub(super) challenge: tan::TanChallenge,
    /// The order whose answer the bank holds back (`None`: the dialog init).
    pub(super) order: Option<Order>,
    pub(super) decoupled: bool,
    pub(super) polls: u32,
    /// The end-user answered (`Poll` or a TAN held in [`Job::tan`]).
    pub(super) answered: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) enum Sent {
    Init(Phase),
    End(Phase),
    MediaList,
    Order(Order),
    Followup,
}

/// The state of a job: everything but the PIN and TAN.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct State {
    pub(super) params: Params,
    /// Kept by the caller between syncs (and while parked): not part of a snapshot.
    #[serde(skip)]
    pub(super) cache: Cache,
    pub(super) phase: Phase,
    pub(super) dialog_id: String,
    pub(super) message_number: u32,
    pub(super) method: Option<String>,
    pub(super) medium: Option<String>,
    pub(super) media: Vec<String>,
    pub(super) media_tried: bool,
    pub(super) orders: VecDeque<Order>,
    pub(super) pending: Option<Pending>,
    pub(super) sent: Option<Sent>,
    pub(super) results: Results,
    /// Raw statement pages per account index, parsed when the last page has come.
    pub(super) pages: Vec<(usize, bool, bool, String)>,
    /// Notes on what the bank refused without ending the sync (balance, one account's
    /// statements).
    pub(super) warnings: Vec<String>,
    pub(super) date: String,
    pub(super) time: String,
}
