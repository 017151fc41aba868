//! What a caller of the data API may see of its end-user (contract §2).
//!
//! A widget session sees everything of its flow's end-user: that is where the end-user
//! chooses. An integrator's access token sees what its grant reaches: the accounts the
//! end-user chose in the flow whose code created the grant, those chosen later in reconnect
//! flows of the same access, and every account of an access the grant's own token created
//! (`POST /rest/accesses`, the integrator's own UI). An access is visible when it holds one
//! of those accounts or the grant created it. Nothing else of the end-user is, not even an
//! id in an event or an upgrade's error data.

use std::collections::{HashMap, HashSet};

use serde_json::Value;

use super::ids::{AccessId, AccountId};

/// What a grant reaches, as loaded from the store for one request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GrantReach {
    /// The chosen accounts, with the access each is in now (upgrades move accounts).
    pub chosen: HashMap<AccountId, AccessId>,
    /// Accesses the grant's own access token created: all of their accounts.
    pub own_accesses: HashSet<AccessId>,
    /// Accesses an upgrade (40001–40003) emptied, of the upgrade families of the chosen
    /// accounts: their failed syncs and events stay readable, they hold no account.
    pub upgraded_accesses: HashSet<AccessId>,
}

/// The caller's view of its end-user's data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reach {
    /// A widget session: every access and account of its flow's end-user.
    EndUser,
    /// An access token: what its grant reaches.
    Grant(GrantReach),
}

impl Reach {
    /// The account `account`, which is in `access`, is visible.
    pub fn account(&self, account: &AccountId, access: &AccessId) -> bool {
        match self {
            Reach::EndUser => true,
            Reach::Grant(grant) => {
                grant.own_accesses.contains(access) || grant.chosen.contains_key(account)
            }
        }
    }

    /// The access is visible: the grant created it or reaches one of its accounts.
    pub fn access(&self, access: &AccessId) -> bool {
        match self {
            Reach::EndUser => true,
            Reach::Grant(grant) => {
                grant.own_accesses.contains(access)
                    || grant.upgraded_accesses.contains(access)
                    || grant.chosen.values().any(|holder| holder == access)
            }
        }
    }

    /// The same reach, plus an access the caller has just created itself.
    pub fn with_own_access(&self, access: &AccessId) -> Reach {
        match self {
            Reach::EndUser => Reach::EndUser,
            Reach::Grant(grant) => {
                let mut grant = grant.clone();
                grant.own_accesses.insert(access.clone());
                Reach::Grant(grant)
            }
        }
    }

    /// Keeps the ids in a JSON array of account ids (all in `access`) that are visible.
    pub fn retain_account_ids(&self, ids: &mut Value, access: &AccessId) {
        if let Value::Array(items) = ids {
            items.retain(|item| {
                item.as_str()
                    .is_some_and(|id| self.account(&AccountId::from_text(id.to_owned()), access))
            });
        }
    }

    /// Removes what the caller may not see from an access upgrade's data (contract §4,
    /// 40001–40003: `accounts: [{id, access_id}]` and `access_ids`), as found in a sync's
    /// `error.data`, an `ACCESS_UPGRADED` event and a webhook.
    pub fn redact_upgrade_data(&self, data: &mut Value) {
        if matches!(self, Reach::EndUser) {
            return;
        }
        if let Some(Value::Array(accounts)) = data.get_mut("accounts") {
            accounts.retain(|moved| {
                let id = moved.get("id").and_then(Value::as_str);
                let access = moved.get("access_id").and_then(Value::as_str);
                match (id, access) {
                    (Some(id), Some(access)) => self.account(
                        &AccountId::from_text(id.to_owned()),
                        &AccessId::from_text(access.to_owned()),
                    ),
                    _ => false,
                }
            });
        }
        // A new access is visible when a visible account moved there (the data says so, even
        // if the reach was read a moment before the upgrade committed) or the reach has it.
        let destinations: Vec<Value> = data
            .get("accounts")
            .and_then(Value::as_array)
            .map(|moved| {
                moved
                    .iter()
                    .filter_map(|m| m.get("access_id").cloned())
                    .collect()
            })
            .unwrap_or_default();
        if let Some(Value::Array(accesses)) = data.get_mut("access_ids") {
            accesses.retain(|access| {
                destinations.contains(access)
                    || access
                        .as_str()
                        .is_some_and(|id| self.access(&AccessId::from_text(id.to_owned())))
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn grant() -> Reach {
        Reach::Grant(GrantReach {
            chosen: HashMap::from([(AccountId::from_text("giro"), AccessId::from_text("bank-a"))]),
            own_accesses: HashSet::from([AccessId::from_text("own")]),
            upgraded_accesses: HashSet::from([AccessId::from_text("emptied")]),
        })
    }

    #[test]
    fn a_grant_sees_chosen_accounts_and_its_own_accesses_only() {
        let reach = grant();
        let a = AccessId::from_text("bank-a");
        assert!(reach.account(&AccountId::from_text("giro"), &a));
        assert!(!reach.account(&AccountId::from_text("savings"), &a));
        assert!(reach.account(&AccountId::from_text("any"), &AccessId::from_text("own")));
        assert!(reach.access(&a));
        assert!(reach.access(&AccessId::from_text("own")));
        assert!(!reach.access(&AccessId::from_text("bank-b")));
        assert!(reach.access(&AccessId::from_text("emptied")));
        assert!(!reach.account(&AccountId::from_text("x"), &AccessId::from_text("emptied")));
        assert!(Reach::EndUser.access(&AccessId::from_text("bank-b")));
    }

    #[test]
    fn upgrade_data_loses_what_the_grant_does_not_reach() {
        let mut data = json!({
            "access_method_id": "new",
            "access_ids": ["split-1", "split-2"],
            "accounts": [
                {"id": "giro", "access_id": "split-1"},
                {"id": "savings", "access_id": "split-2"},
            ],
        });
        grant().redact_upgrade_data(&mut data);
        assert_eq!(
            data,
            json!({
                "access_method_id": "new",
                "access_ids": ["split-1"],
                "accounts": [{"id": "giro", "access_id": "split-1"}],
            })
        );
    }

    #[test]
    fn account_id_lists_keep_visible_ids() {
        let mut ids = json!(["giro", "savings", 7]);
        grant().retain_account_ids(&mut ids, &AccessId::from_text("bank-a"));
        assert_eq!(ids, json!(["giro"]));
    }
}
