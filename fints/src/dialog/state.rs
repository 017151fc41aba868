//! The data a job starts from and ends with.

use serde::{Deserialize, Serialize};

use crate::segments::account::AccountRef;
use crate::segments::bpd::Bpd;
use crate::segments::requests::Product;
use crate::segments::upd::{Upd, UpdAccount};
use crate::statements::Entry;

/// `camt` / `mt940` / `auto` (camt.052 where the bank offers it).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum StatementFormat {
    #[default]
    Auto,
    Camt,
    Mt940,
}

/// What the job is asked to do; nothing secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Params {
    pub blz: String,
    /// The login name (Benutzerkennung / Legitimations-ID).
    pub user_id: String,
    /// The customer id (Kunden-ID); the login name when the end-user gave none.
    pub customer_id: String,
    pub product: Product,
    /// Transactions from this day on; `None`: accounts and balances only.
    pub since: Option<time::Date>,
    pub today: time::Date,
    pub statement_format: StatementFormat,
    /// Statements only for accounts with these keys ([`AccountRef::key`]); `None`: all.
    pub statements_for: Option<Vec<String>>,
    /// The TAN method and medium to use without asking, when the bank allows them.
    pub preferred_method: Option<String>,
    pub preferred_medium: Option<String>,
}

/// What Kontolink keeps between synchronisations: the bank's BPD (per bank), and the
/// access's customer system id, allowed TAN methods and UPD.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cache {
    pub bpd: Option<Bpd>,
    pub upd: Option<Upd>,
    pub system_id: Option<String>,
    /// The security functions `3920` allowed the user.
    pub allowed_methods: Option<Vec<String>>,
}

impl std::fmt::Debug for Cache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cache")
            .field("bpd", &self.bpd)
            .field("upd_version", &self.upd.as_ref().map(|u| u.version))
            .field("system_id", &self.system_id.as_ref().map(|_| "***"))
            .field("allowed_methods", &self.allowed_methods)
            .finish()
    }
}

/// One account with what the bank told about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountResult {
    pub account: AccountRef,
    pub upd: Option<UpdAccount>,
    /// Signed decimal, currency, date of the booked balance.
    pub balance: Option<(String, String, Option<time::Date>)>,
    pub available: Option<String>,
    pub entries: Vec<Entry>,
    /// Whether statements were fetched (so "no entries" means none, not "not asked").
    pub statements_fetched: bool,
}

/// Everything a finished job collected.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Results {
    pub accounts: Vec<AccountResult>,
    /// The TAN method and medium the dialog used (to remember on the access).
    pub method: Option<String>,
    pub medium: Option<String>,
}
