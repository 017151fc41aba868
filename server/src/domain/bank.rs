//! What a bank answers, as providers hand it to the engine and the store saves it.

use time::Date;

#[derive(Debug, Clone, PartialEq)]
pub struct BankAccount {
    /// Stable id at the provider: the upsert key.
    pub provider_account_id: String,
    pub iban: Option<String>,
    pub name: String,
    pub account_type: String,
    pub currency: String,
    pub owner: Option<String>,
    pub balance: String,
    pub available: Option<String>,
    pub balance_date: Date,
}

#[derive(Debug, Clone, PartialEq)]
pub struct BankTransaction {
    /// Stable id at the provider: the upsert key.
    pub provider_transaction_id: String,
    pub amount: String,
    pub currency: String,
    pub booking_date: Date,
    pub value_date: Option<Date>,
    pub booked: bool,
    pub purpose: Option<String>,
    pub name: Option<String>,
    pub iban: Option<String>,
    pub transaction_type: Option<String>,
}
