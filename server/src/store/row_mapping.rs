//! Rows ↔ the store's records, for both backends: every function here is generic over the
//! row type (`SqliteRow` or `PgRow`) and reads columns by name, so a record is mapped the
//! same way whatever database it came from.
//!
//! Duplicated on purpose in `sqlite/` and `postgres/`: the SQL itself (placeholders `?` vs
//! `$n`, `= 1` vs boolean columns, `FOR UPDATE SKIP LOCKED`, advisory locks, `ANY($n)`),
//! the connection and transaction types, and the queries' bind lists. Those differ per
//! backend and stay next to the queries that run them.

use kontolink_api::{ErrorDetail, Language};
use serde::de::DeserializeOwned;
use sqlx::{ColumnIndex, Database, Decode, Row, Type};

use crate::domain::flow::FlowParams;
use crate::domain::iban::Iban;
use crate::domain::ids::GrantId;
use crate::domain::origin::Origin;
use crate::domain::redirect_uri::RedirectUri;
use crate::domain::time::UnixTime;
use crate::store::rows::{AccessRow, AccountRow, EventRow, SyncRow, TransactionRow};
use crate::store::sqlite::codec::{client_id, corrupt, flow_id, from_json, token_hash, user_id};
use crate::store::{ClientRecord, FlowRecord, StoreError};

pub const ACCESS_COLUMNS: &str = "id, user_id, client_id, provider_id, access_method_id, \
    public_credentials, save_secrets, secrets_saved, auth_method_id, auth_medium_id, status, \
    upgrade_error, created_at, last_synced_at, upgraded_from, sync_period, created_by_grant";

pub const ACCOUNT_COLUMNS: &str = "id, access_id, user_id, provider_account_id, iban, name, \
    account_type, currency, owner, balance, available, balance_date";

pub const TRANSACTION_COLUMNS: &str = "id, account_id, amount, currency, booking_date, \
    value_date, booked, purpose, name, iban, transaction_type";

pub const SYNC_COLUMNS: &str = "id, access_id, user_id, client_id, status, scope, options, \
    counted, automatic, step, progress, challenge_id, challenge, await_deadline, error, \
    attempts, lease_owner, created_at, started_at, ended_at";

pub const FLOW_COLUMNS: &str = "id, client_id, user_id, kind, status, redirect_uri, state, \
    language, accounts, account_types, allow_multi_selection, sync_period, save_secrets, \
    provider_id, access_id, account_ids, session_expires_at";

pub const CLIENT_COLUMNS: &str =
    "id, name, secret_hash, redirect_uris, frame_origins, notification_uri";

pub const EVENT_COLUMNS: &str = "id, event_type, resource_type, resource_id, created_at, data";

/// A value decodable from a column of database `DB` (`String`, `i64`, `bool`, and their
/// `Option`s on both backends).
pub trait Col<DB: Database>: for<'r> Decode<'r, DB> + Type<DB> {}

impl<DB: Database, T> Col<DB> for T where T: for<'r> Decode<'r, DB> + Type<DB> {}

/// A row of either backend, read by column name.
pub trait StoreRow: Row {
    fn read<T: Col<Self::Database>>(&self, column: &str) -> Result<T, StoreError>;
}

impl<R: Row> StoreRow for R
where
    for<'a> &'a str: ColumnIndex<R>,
{
    fn read<T: Col<R::Database>>(&self, column: &str) -> Result<T, StoreError> {
        Ok(self.try_get(column)?)
    }
}

fn json<T: DeserializeOwned>(text: &str, what: &str) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(format!("{what}: {e}")))
}

fn json_opt<T: DeserializeOwned>(
    text: Option<String>,
    what: &str,
) -> Result<Option<T>, StoreError> {
    text.map(|t| json(&t, what)).transpose()
}

pub fn to_json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".to_owned())
}

pub fn access<R>(row: &R) -> Result<AccessRow, StoreError>
where
    R: StoreRow,
    String: Col<R::Database>,
    i64: Col<R::Database>,
    bool: Col<R::Database>,
{
    Ok(AccessRow {
        id: row.read("id")?,
        user_id: row.read("user_id")?,
        client_id: row.read("client_id")?,
        provider_id: row.read("provider_id")?,
        access_method_id: row.read("access_method_id")?,
        public_credentials: json(&row.read::<String>("public_credentials")?, "credentials")?,
        save_secrets: row.read("save_secrets")?,
        secrets_saved: row.read("secrets_saved")?,
        auth_method_id: row.read("auth_method_id")?,
        auth_medium_id: row.read("auth_medium_id")?,
        status: row.read("status")?,
        upgrade_error: json_opt::<ErrorDetail>(row.read("upgrade_error")?, "upgrade_error")?,
        created_at: row.read("created_at")?,
        last_synced_at: row.read("last_synced_at")?,
        upgraded_from: row.read("upgraded_from")?,
        sync_period: row.read("sync_period")?,
        created_by_grant: row
            .read::<Option<String>>("created_by_grant")?
            .map(|text| GrantId::parse(&text).ok_or_else(|| corrupt("grant id")))
            .transpose()?,
    })
}

pub fn account<R>(row: &R) -> Result<AccountRow, StoreError>
where
    R: StoreRow,
    String: Col<R::Database>,
{
    Ok(AccountRow {
        id: row.read("id")?,
        access_id: row.read("access_id")?,
        user_id: row.read("user_id")?,
        provider_account_id: row.read("provider_account_id")?,
        iban: row.read("iban")?,
        name: row.read("name")?,
        account_type: row.read("account_type")?,
        currency: row.read("currency")?,
        owner: row.read("owner")?,
        balance: row.read("balance")?,
        available: row.read("available")?,
        balance_date: row.read("balance_date")?,
    })
}

pub fn transaction<R>(row: &R) -> Result<TransactionRow, StoreError>
where
    R: StoreRow,
    String: Col<R::Database>,
    bool: Col<R::Database>,
{
    Ok(TransactionRow {
        id: row.read("id")?,
        account_id: row.read("account_id")?,
        amount: row.read("amount")?,
        currency: row.read("currency")?,
        booking_date: row.read("booking_date")?,
        value_date: row.read("value_date")?,
        booked: row.read("booked")?,
        purpose: row.read("purpose")?,
        name: row.read("name")?,
        iban: row.read("iban")?,
        transaction_type: row.read("transaction_type")?,
    })
}

pub fn sync<R>(row: &R) -> Result<SyncRow, StoreError>
where
    R: StoreRow,
    String: Col<R::Database>,
    i64: Col<R::Database>,
    bool: Col<R::Database>,
{
    let status: String = row.read("status")?;
    Ok(SyncRow {
        id: row.read("id")?,
        access_id: row.read("access_id")?,
        user_id: row.read("user_id")?,
        client_id: row.read("client_id")?,
        status: status
            .parse()
            .map_err(|e| StoreError::Corrupt(format!("{e}")))?,
        scope: json(&row.read::<String>("scope")?, "scope")?,
        options: json(&row.read::<String>("options")?, "options")?,
        counted: row.read("counted")?,
        automatic: row.read("automatic")?,
        step: row.read("step")?,
        progress: json(&row.read::<String>("progress")?, "progress")?,
        challenge_id: row.read("challenge_id")?,
        challenge: json_opt(row.read("challenge")?, "challenge")?,
        await_deadline: row.read("await_deadline")?,
        error: json_opt(row.read("error")?, "error")?,
        attempts: row.read("attempts")?,
        lease_owner: row.read("lease_owner")?,
        created_at: row.read("created_at")?,
        started_at: row.read("started_at")?,
        ended_at: row.read("ended_at")?,
    })
}

/// A row of [`FLOW_COLUMNS`].
pub fn flow<R>(row: &R) -> Result<FlowRecord, StoreError>
where
    R: StoreRow,
    String: Col<R::Database>,
    i64: Col<R::Database>,
    bool: Col<R::Database>,
{
    let accounts: Vec<String> = from_json(&row.read::<String>("accounts")?, "accounts")?;
    let account_types: Option<String> = row.read("account_types")?;
    let account_ids: Option<String> = row.read("account_ids")?;
    let language: String = row.read("language")?;
    let kind: String = row.read("kind")?;
    let status: String = row.read("status")?;
    Ok(FlowRecord {
        id: flow_id(&row.read::<String>("id")?)?,
        client_id: client_id(&row.read::<String>("client_id")?)?,
        user_id: user_id(&row.read::<String>("user_id")?)?,
        kind: kind.parse().map_err(|_| corrupt("flow kind"))?,
        status: status.parse().map_err(|_| corrupt("flow status"))?,
        params: FlowParams {
            redirect_uri: RedirectUri::parse(&row.read::<String>("redirect_uri")?)
                .map_err(|_| corrupt("redirect uri"))?,
            state: row.read("state")?,
            language: Language::from_code(&language).ok_or_else(|| corrupt("language"))?,
            accounts: accounts
                .iter()
                .map(|a| Iban::parse(a).map_err(|_| corrupt("iban")))
                .collect::<Result<_, _>>()?,
            account_types: account_types
                .map(|t| from_json(&t, "account_types"))
                .transpose()?,
            allow_multi_selection: row.read("allow_multi_selection")?,
            sync_period: row.read("sync_period")?,
            access_id: row.read("access_id")?,
        },
        save_secrets: row.read("save_secrets")?,
        provider_id: row.read("provider_id")?,
        account_ids: account_ids
            .map(|a| from_json(&a, "account_ids"))
            .transpose()?,
        session_expires_at: row.read::<Option<i64>>("session_expires_at")?.map(UnixTime),
    })
}

/// A row of [`CLIENT_COLUMNS`].
pub fn client<R>(row: &R) -> Result<ClientRecord, StoreError>
where
    R: StoreRow,
    String: Col<R::Database>,
{
    let uris: Vec<String> = from_json(&row.read::<String>("redirect_uris")?, "redirect_uris")?;
    let origins: Vec<String> = from_json(&row.read::<String>("frame_origins")?, "frame_origins")?;
    Ok(ClientRecord {
        id: client_id(&row.read::<String>("id")?)?,
        name: row.read("name")?,
        secret_hash: token_hash(&row.read::<String>("secret_hash")?)?,
        redirect_uris: uris
            .iter()
            .map(|u| RedirectUri::parse(u).map_err(|_| corrupt("redirect uri")))
            .collect::<Result<_, _>>()?,
        frame_origins: origins
            .iter()
            .map(|o| Origin::parse(o).map_err(|_| corrupt("frame origin")))
            .collect::<Result<_, _>>()?,
        notification_uri: row.read("notification_uri")?,
    })
}

/// A row of [`EVENT_COLUMNS`]; undecodable `data` reads as none.
pub fn event<R>(row: &R) -> Result<EventRow, StoreError>
where
    R: StoreRow,
    String: Col<R::Database>,
    i64: Col<R::Database>,
{
    let data: Option<String> = row.read("data")?;
    Ok(EventRow {
        id: row.read("id")?,
        event_type: row.read("event_type")?,
        resource_type: row.read("resource_type")?,
        resource_id: row.read("resource_id")?,
        created_at: row.read("created_at")?,
        data: data.and_then(|d| serde_json::from_str(&d).ok()),
    })
}
