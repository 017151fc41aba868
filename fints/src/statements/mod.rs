//! Bank statements (temporary shape; the parsers land from the statements branch).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub amount: String,
    pub currency: String,
    pub booking_date: time::Date,
    pub value_date: Option<time::Date>,
    pub booked: bool,
    pub purpose: Option<String>,
    pub counterparty_name: Option<String>,
    pub counterparty_iban: Option<String>,
    pub counterparty_bic: Option<String>,
    pub transaction_type: Option<String>,
    pub end_to_end_id: Option<String>,
    pub bank_reference: Option<String>,
}

#[derive(Debug, thiserror::Error)]
#[error("statement: {0}")]
pub struct StatementError(String);

pub fn parse_mt940(_text: &str, _booked: bool) -> Result<Vec<Entry>, StatementError> {
    Err(StatementError("not yet".into()))
}

pub fn parse_camt052(_xml: &str) -> Result<Vec<Entry>, StatementError> {
    Err(StatementError("not yet".into()))
}
