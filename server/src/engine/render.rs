//! Store records → wire types of `kontolink-api`.

use kontolink_api as api;

use crate::domain::SyncStatus;
use crate::domain::time::rfc3339;
use crate::store::rows::{AccessRow, AccountRow, EventRow, SyncRow, TransactionRow};

pub fn sync(row: &SyncRow) -> api::Sync {
    api::Sync {
        id: row.id.to_string(),
        access_id: row.access_id.to_string(),
        status: row.status.into(),
        scope: row.scope.clone(),
        challenge: row
            .challenge
            .clone()
            .filter(|_| row.status == SyncStatus::AwaitAuth),
        error: row.error.clone(),
        step: row.step.clone(),
        created_at: rfc3339(row.created_at),
        started_at: row.started_at.map(rfc3339),
        ended_at: row.ended_at.map(rfc3339),
    }
}

pub fn access(
    row: &AccessRow,
    accounts: &[AccountRow],
    next_sync_possible_at: Option<i64>,
) -> api::Access {
    api::Access {
        id: row.id.to_string(),
        provider_id: row.provider_id.clone(),
        access_method_id: row.access_method_id.clone(),
        accounts: accounts
            .iter()
            .filter(|a| a.access_id == row.id)
            .map(|a| a.id.to_string())
            .collect(),
        secrets_saved: row.secrets_saved,
        next_sync_possible_at: next_sync_possible_at.map(rfc3339),
        created_at: rfc3339(row.created_at),
        last_synced_at: row.last_synced_at.map(rfc3339),
        status: row.status.clone(),
    }
}

pub fn account(row: &AccountRow) -> api::Account {
    api::Account {
        id: row.id.to_string(),
        access_id: row.access_id.to_string(),
        iban: row.iban.clone(),
        name: row.name.clone(),
        account_type: row.account_type.clone(),
        currency: row.currency.clone(),
        owner: row.owner.clone(),
        balance: row.balance.as_ref().map(|balance| api::Balance {
            balance: balance.clone(),
            available: row.available.clone(),
            currency: row.currency.clone(),
            balance_date: row.balance_date.clone().unwrap_or_default(),
        }),
    }
}

pub fn transaction(row: &TransactionRow) -> api::Transaction {
    api::Transaction {
        id: row.id.clone(),
        account_id: row.account_id.to_string(),
        amount: row.amount.clone(),
        currency: row.currency.clone(),
        booking_date: row.booking_date.clone(),
        value_date: row.value_date.clone(),
        booked: row.booked,
        purpose: row.purpose.clone(),
        name: row.name.clone(),
        iban: row.iban.clone(),
        transaction_type: row.transaction_type.clone(),
    }
}

pub fn event(row: &EventRow) -> api::Event {
    api::Event {
        id: row.id.to_string(),
        event_type: row.event_type.clone(),
        resource_type: row.resource_type.clone(),
        resource_id: row.resource_id.clone(),
        created_at: rfc3339(row.created_at),
        data: row.data.clone(),
    }
}
