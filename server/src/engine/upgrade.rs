//! Access upgrades (contract §4): the provider replaced the access method. New accesses are
//! created, accounts move to them, and the sync fails with 40001/40002/40003 and
//! `error.data` naming the new access method and each account's new access.

use serde_json::json;

use super::SyncFailure;
use crate::domain::ids::AccessId;
use crate::domain::time::now_ms;
use crate::providers::{Upgrade, UpgradeKind};
use crate::store::rows::{AccessRow, AccountRow, UpgradePlan};

pub fn plan(
    upgrade: &Upgrade,
    access: &AccessRow,
    accounts: &[AccountRow],
) -> (UpgradePlan, SyncFailure) {
    let now = now_ms();
    let new_access = || AccessRow {
        id: AccessId::generate(),
        access_method_id: upgrade.new_access_method_id.clone(),
        save_secrets: false,
        secrets_saved: false,
        auth_method_id: None,
        auth_medium_id: None,
        status: "ACTIVE".to_owned(),
        upgrade_error: None,
        created_at: now,
        last_synced_at: None,
        upgraded_from: Some(
            access
                .upgraded_from
                .clone()
                .unwrap_or_else(|| access.id.clone()),
        ),
        ..access.clone()
    };
    let mut new_accesses = Vec::new();
    let mut moves = Vec::new();
    match upgrade.kind {
        UpgradeKind::Direct => {
            let target = new_access();
            moves.extend(accounts.iter().map(|a| (a.id.clone(), target.id.clone())));
            new_accesses.push(target);
        }
        UpgradeKind::Split => {
            for account in accounts {
                let target = new_access();
                moves.push((account.id.clone(), target.id.clone()));
                new_accesses.push(target);
            }
        }
        UpgradeKind::Partial => {
            let target = new_access();
            moves.extend(
                accounts
                    .iter()
                    .filter(|a| upgrade.moving_accounts.contains(&a.provider_account_id))
                    .map(|a| (a.id.clone(), target.id.clone())),
            );
            new_accesses.push(target);
        }
    }
    let account_data: Vec<_> = accounts
        .iter()
        .map(|account| {
            let access_id = moves
                .iter()
                .find(|(id, _)| *id == account.id)
                .map_or(&access.id, |(_, target)| target);
            json!({ "id": account.id, "access_id": access_id })
        })
        .collect();
    let (message, description) = match upgrade.kind {
        UpgradeKind::Direct => (
            "Access upgrade required",
            "the bank replaced the access method; the accounts moved to a new access",
        ),
        UpgradeKind::Split => (
            "Access split required",
            "the bank replaced the access method; every account moved to an access of its own",
        ),
        UpgradeKind::Partial => (
            "Partial access upgrade required",
            "the bank replaced the access method for some accounts; they moved to a new access",
        ),
    };
    let failure = SyncFailure::new(upgrade.kind.code(), message, description).with_data(json!({
        "access_method_id": upgrade.new_access_method_id,
        "access_ids": new_accesses.iter().map(|a| &a.id).collect::<Vec<_>>(),
        "accounts": account_data,
    }));
    let keeps_accounts = moves.len() < accounts.len();
    let plan = UpgradePlan {
        old_access_id: access.id.clone(),
        old_access_error: (!keeps_accounts).then(|| failure.detail()),
        new_accesses,
        moves,
    };
    (plan, failure)
}
