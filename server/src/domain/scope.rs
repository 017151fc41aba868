//! The scope granted with every token (contract §3).

/// What one-time grants get: read access to accounts, balances and transactions.
pub const ONETIME_SCOPE: &str = "accounts=ro balance=ro transactions=ro";
/// What ongoing grants get: the same plus `offline` (daily synchronisation).
pub const ONGOING_SCOPE: &str = "accounts=ro balance=ro transactions=ro offline";
