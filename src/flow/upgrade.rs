//! Following an access upgrade (40001–40003, contract §4): the bank replaced its access
//! method and the engine moved the accounts to new accesses, named in `error.data`. Instead
//! of a dead end, the widget asks the end-user to log in once more and syncs each access
//! the accounts now live in, one after the other with the same credentials; the accounts
//! of all of them are offered at the end.

use kontolink_api::ErrorDetail;
use serde::{Deserialize, Serialize};

use super::messages::Command;
use super::model::{Model, Notice, Step};
use super::update::start_sync;

/// Error codes of an access upgrade: direct, split, partial.
pub const UPGRADE_CODES: std::ops::RangeInclusive<u32> = 40001..=40003;

/// Where the accounts of an upgraded access went.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct UpgradeFollow {
    /// `(access id, access method id)` still to sync after the current one.
    pub remaining: Vec<(String, String)>,
    /// Every access that holds an account of the upgraded one: their accounts are offered.
    pub accesses: Vec<String>,
}

/// The accesses to sync after an upgrade, new ones first, each with its access method:
/// the accesses the accounts moved to, and the old access if it keeps some (40003).
fn targets(model: &Model, detail: &ErrorDetail) -> Option<Vec<(String, String)>> {
    let data = detail.data.as_ref()?;
    let new_method = data.get("access_method_id")?.as_str()?;
    let old = model.access_id.as_deref()?;
    let old_method = model.access_method_id.as_deref()?;
    let mut targets: Vec<(String, String)> = Vec::new();
    let mut keeps_old = false;
    for account in data.get("accounts")?.as_array()? {
        let access = account.get("access_id")?.as_str()?;
        if access == old {
            keeps_old = true;
        } else if !targets.iter().any(|(id, _)| id == access) {
            targets.push((access.to_owned(), new_method.to_owned()));
        }
    }
    if keeps_old {
        targets.push((old.to_owned(), old_method.to_owned()));
    }
    (!targets.is_empty() && targets.iter().any(|(id, _)| id != old)).then_some(targets)
}

/// On an upgrade error, switches to the first new access and shows its login form with a
/// note saying why. Returns `false` when the error names no new access (a plain failure).
pub fn follow(model: &mut Model, detail: &ErrorDetail) -> bool {
    if !UPGRADE_CODES.contains(&detail.code) {
        return false;
    }
    let (Some(mut targets), Some(provider)) = (targets(model, detail), model.provider.clone())
    else {
        return false;
    };
    let (access_id, method_id) = targets.remove(0);
    let mut accesses = vec![access_id.clone()];
    accesses.extend(targets.iter().map(|(id, _)| id.clone()));
    model.upgrade = Some(UpgradeFollow {
        remaining: targets,
        accesses,
    });
    model.access_id = Some(access_id);
    model.access_method_id = Some(method_id);
    model.busy = false;
    model.step = Step::Credentials {
        provider: Box::new(provider),
        notice: Some(Notice::BankUpgraded),
    };
    true
}

/// After a completed sync: starts the next access of the upgrade, if one is left.
pub fn next(model: &mut Model) -> Option<Vec<Command>> {
    let (access_id, method_id) = {
        let follow = model.upgrade.as_mut()?;
        if follow.remaining.is_empty() {
            return None;
        }
        follow.remaining.remove(0)
    };
    model.access_id = Some(access_id);
    model.access_method_id = Some(method_id);
    Some(start_sync(model))
}

/// The accesses whose accounts the end-user chooses from.
pub fn offered_accesses(model: &Model) -> Vec<String> {
    match &model.upgrade {
        Some(follow) => follow.accesses.clone(),
        None => model.access_id.iter().cloned().collect(),
    }
}
