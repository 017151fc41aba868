use serde::{Deserialize, Serialize};

/// The account types a provider reports in [`Account::account_type`] (finX's names). The
/// wire carries these English names in every language; the widget shows them translated.
pub mod account_types {
    pub const GIRO: &str = "Giro account";
    pub const SAVINGS: &str = "Savings account";
    pub const FIXED_TERM_DEPOSIT: &str = "Fixed term deposit account";
    pub const SECURITIES: &str = "Securities account";
    pub const LOAN: &str = "Loan account";
    pub const CREDIT_CARD: &str = "Credit card";
    pub const INVESTMENT_FUND: &str = "Investment fund";
    pub const BUILDING_SAVINGS: &str = "Building savings account";
    pub const INSURANCE: &str = "Insurance";
    pub const OTHER: &str = "Other";

    /// Every known type, in the order of FinTS's account type codes (HIUPD: 1–9 giro,
    /// 10–19 savings, … 80–89 insurance), which is also the order the widget lists them in.
    pub const ALL: [&str; 10] = [
        GIRO,
        SAVINGS,
        FIXED_TERM_DEPOSIT,
        SECURITIES,
        LOAN,
        CREDIT_CARD,
        INVESTMENT_FUND,
        BUILDING_SAVINGS,
        INSURANCE,
        OTHER,
    ];
}

/// `GET /rest/accounts/{id}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Account {
    pub id: String,
    pub access_id: String,
    pub iban: Option<String>,
    pub name: String,
    /// One of [`account_types::ALL`], e.g. `Giro account`, `Savings account`.
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
