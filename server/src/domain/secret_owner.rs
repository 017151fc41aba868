//! Who a sealed secret in the vault belongs to: the owner key of its row.

use crate::domain::ids::{AccessId, SyncId};

/// The saved credentials of an access.
pub fn access_secrets_owner(access_id: &AccessId) -> String {
    format!("access:{access_id}")
}

/// The credentials given for one sync only.
pub fn sync_secrets_owner(sync_id: &SyncId) -> String {
    format!("sync:{sync_id}")
}

/// A TAN answered in a sync, until the sync ends.
pub fn tan_owner(sync_id: &SyncId, challenge_id: &str) -> String {
    format!("{}{challenge_id}", tans_of_sync(sync_id))
}

/// What the owners of every TAN of a sync start with.
pub fn tans_of_sync(sync_id: &SyncId) -> String {
    format!("tan:{sync_id}:")
}

/// A client's webhook signing secret.
pub fn webhook_owner(client_id: &str) -> String {
    format!("webhook:{client_id}")
}
