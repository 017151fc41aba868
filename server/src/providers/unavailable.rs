//! Access methods whose bank connection this installation does not have (real FinTS
//! banks): every sync fails at once with a clear bank error, nothing is pretended.

use async_trait::async_trait;
use time::Date;

use super::{BankAccount, BankError, BankSession, BankTransaction, LoginOutcome, Provider};
use crate::engine::SyncFailure;

pub struct Unavailable;

pub const NOT_AVAILABLE: u32 = 20001;

fn failure() -> BankError {
    BankError::Fatal(SyncFailure::new(
        NOT_AVAILABLE,
        "Bank connection not available",
        "this installation cannot connect to this bank (FinTS is not implemented); \
         only the Kontolink Sandbox Bank is available",
    ))
}

#[async_trait]
impl Provider for Unavailable {
    async fn login(&self, _: &BankSession<'_>) -> Result<LoginOutcome, BankError> {
        Err(failure())
    }

    async fn accounts(&self, _: &BankSession<'_>) -> Result<Vec<BankAccount>, BankError> {
        Err(failure())
    }

    async fn transactions(
        &self,
        _: &BankSession<'_>,
        _: &BankAccount,
        _: Date,
    ) -> Result<Vec<BankTransaction>, BankError> {
        Err(failure())
    }
}
