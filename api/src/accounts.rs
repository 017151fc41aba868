use serde::{Deserialize, Serialize};

/// Every account `type` (contract §4): FinTS account kinds and the sandbox bank's map to these.
/// A flow's `account_types` may name only these.
pub const ACCOUNT_TYPES: [&str; 10] = [
    "Giro account",
    "Savings account",
    "Fixed term deposit account",
    "Securities account",
    "Loan account",
    "Credit card",
    "Investment fund",
    "Building savings account",
    "Insurance",
    "Other",
];

/// `GET /rest/accounts/{id}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Account {
    pub id: String,
    pub access_id: String,
    pub iban: Option<String>,
    pub name: String,
    /// One of [`ACCOUNT_TYPES`], e.g. `Giro account`, `Savings account`.
    #[serde(rename = "type")]
    pub account_type: String,
    pub currency: String,
    pub owner: Option<String>,
    pub balance: Option<Balance>,
}

/// Amounts are decimal strings (`"1234.56"`): exact, never floats.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Balance {
    pub balance: String,
    pub available: Option<String>,
    pub currency: String,
    /// `YYYY-MM-DD`.
    pub balance_date: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccountList {
    pub accounts: Vec<Account>,
}

/// One booking, newest first in lists.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Transaction {
    pub id: String,
    pub account_id: String,
    /// Decimal string, negative for debits.
    pub amount: String,
    pub currency: String,
    pub booking_date: String,
    pub value_date: Option<String>,
    pub booked: bool,
    pub purpose: Option<String>,
    /// Counterparty name.
    pub name: Option<String>,
    /// Counterparty IBAN.
    pub iban: Option<String>,
    #[serde(rename = "type")]
    pub transaction_type: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TransactionList {
    pub transactions: Vec<Transaction>,
}
