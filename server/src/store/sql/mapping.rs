//! Rows ↔ the store's records, and the column codecs: ids and hashes are stored as text,
//! lists and structures as JSON text, on both backends.

use kontolink_api::{ErrorDetail, Language};
use serde::de::DeserializeOwned;

use crate::domain::flow::FlowParams;
use crate::domain::iban::Iban;
use crate::domain::ids::{ClientId, FlowId, GrantId, UserId};
use crate::domain::origin::Origin;
use crate::domain::redirect_uri::RedirectUri;
use crate::domain::secret_token::TokenHash;
use crate::domain::time::UnixTime;
use crate::store::backend::Row;
use crate::store::rows::{AccessRow, AccountRow, EventRow, SyncRow, TransactionRow};
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

pub fn corrupt(what: &str) -> StoreError {
    StoreError::Corrupt(what.to_owned())
}

pub fn from_json<T: DeserializeOwned>(text: &str, what: &str) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|_| corrupt(what))
}

pub fn flow_id(text: &str) -> Result<FlowId, StoreError> {
    FlowId::parse(text).ok_or_else(|| corrupt("flow id"))
}

pub fn user_id(text: &str) -> Result<UserId, StoreError> {
    UserId::parse(text).ok_or_else(|| corrupt("user id"))
}

pub fn grant_id(text: &str) -> Result<GrantId, StoreError> {
    GrantId::parse(text).ok_or_else(|| corrupt("grant id"))
}

pub fn client_id(text: &str) -> Result<ClientId, StoreError> {
    ClientId::parse(text).ok_or_else(|| corrupt("client id"))
}

pub fn token_hash(text: &str) -> Result<TokenHash, StoreError> {
    TokenHash::from_hex(text).ok_or_else(|| corrupt("token hash"))
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

pub fn access(row: &Row) -> Result<AccessRow, StoreError> {
    Ok(AccessRow {
        id: row.get("id")?,
        user_id: row.get("user_id")?,
        client_id: row.get("client_id")?,
        provider_id: row.get("provider_id")?,
        access_method_id: row.get("access_method_id")?,
        public_credentials: json(&row.get::<String>("public_credentials")?, "credentials")?,
        save_secrets: row.get("save_secrets")?,
        secrets_saved: row.get("secrets_saved")?,
        auth_method_id: row.get("auth_method_id")?,
        auth_medium_id: row.get("auth_medium_id")?,
        status: row.get("status")?,
        upgrade_error: json_opt::<ErrorDetail>(row.get("upgrade_error")?, "upgrade_error")?,
        created_at: row.get("created_at")?,
        last_synced_at: row.get("last_synced_at")?,
        upgraded_from: row.get("upgraded_from")?,
        sync_period: row.get("sync_period")?,
        created_by_grant: row
            .get::<Option<String>>("created_by_grant")?
            .map(|text| grant_id(&text))
            .transpose()?,
    })
}

pub fn account(row: &Row) -> Result<AccountRow, StoreError> {
    Ok(AccountRow {
        id: row.get("id")?,
        access_id: row.get("access_id")?,
        user_id: row.get("user_id")?,
        provider_account_id: row.get("provider_account_id")?,
        iban: row.get("iban")?,
        name: row.get("name")?,
        account_type: row.get("account_type")?,
        currency: row.get("currency")?,
        owner: row.get("owner")?,
        balance: row.get("balance")?,
        available: row.get("available")?,
        balance_date: row.get("balance_date")?,
    })
}

pub fn transaction(row: &Row) -> Result<TransactionRow, StoreError> {
    Ok(TransactionRow {
        id: row.get("id")?,
        account_id: row.get("account_id")?,
        amount: row.get("amount")?,
        currency: row.get("currency")?,
        booking_date: row.get("booking_date")?,
        value_date: row.get("value_date")?,
        booked: row.get("booked")?,
        purpose: row.get("purpose")?,
        name: row.get("name")?,
        iban: row.get("iban")?,
        transaction_type: row.get("transaction_type")?,
    })
}

pub fn sync(row: &Row) -> Result<SyncRow, StoreError> {
    let status: String = row.get("status")?;
    Ok(SyncRow {
        id: row.get("id")?,
        access_id: row.get("access_id")?,
        user_id: row.get("user_id")?,
        client_id: row.get("client_id")?,
        status: status
            .parse()
            .map_err(|e| StoreError::Corrupt(format!("{e}")))?,
        scope: json(&row.get::<String>("scope")?, "scope")?,
        options: json(&row.get::<String>("options")?, "options")?,
        counted: row.get("counted")?,
        automatic: row.get("automatic")?,
        step: row.get("step")?,
        progress: json(&row.get::<String>("progress")?, "progress")?,
        challenge_id: row.get("challenge_id")?,
        challenge: json_opt(row.get("challenge")?, "challenge")?,
        await_deadline: row.get("await_deadline")?,
        error: json_opt(row.get("error")?, "error")?,
        attempts: row.get("attempts")?,
        lease_owner: row.get("lease_owner")?,
        created_at: row.get("created_at")?,
        started_at: row.get("started_at")?,
        ended_at: row.get("ended_at")?,
    })
}

/// A row of [`FLOW_COLUMNS`].
pub fn flow(row: &Row) -> Result<FlowRecord, StoreError> {
    let accounts: Vec<String> = from_json(&row.get::<String>("accounts")?, "accounts")?;
    let account_types: Option<String> = row.get("account_types")?;
    let account_ids: Option<String> = row.get("account_ids")?;
    let language: String = row.get("language")?;
    let kind: String = row.get("kind")?;
    let status: String = row.get("status")?;
    Ok(FlowRecord {
        id: flow_id(&row.get::<String>("id")?)?,
        client_id: client_id(&row.get::<String>("client_id")?)?,
        user_id: user_id(&row.get::<String>("user_id")?)?,
        kind: kind.parse().map_err(|_| corrupt("flow kind"))?,
        status: status.parse().map_err(|_| corrupt("flow status"))?,
        params: FlowParams {
            redirect_uri: RedirectUri::parse(&row.get::<String>("redirect_uri")?)
                .map_err(|_| corrupt("redirect uri"))?,
            state: row.get("state")?,
            language: Language::from_code(&language).ok_or_else(|| corrupt("language"))?,
            accounts: accounts
                .iter()
                .map(|a| Iban::parse(a).map_err(|_| corrupt("iban")))
                .collect::<Result<_, _>>()?,
            account_types: account_types
                .map(|t| from_json(&t, "account_types"))
                .transpose()?,
            allow_multi_selection: row.get("allow_multi_selection")?,
            sync_period: row.get("sync_period")?,
            access_id: row.get("access_id")?,
        },
        save_secrets: row.get("save_secrets")?,
        provider_id: row.get("provider_id")?,
        account_ids: account_ids
            .map(|a| from_json(&a, "account_ids"))
            .transpose()?,
        session_expires_at: row.get::<Option<i64>>("session_expires_at")?.map(UnixTime),
    })
}

/// A row of [`CLIENT_COLUMNS`].
pub fn client(row: &Row) -> Result<ClientRecord, StoreError> {
    let uris: Vec<String> = from_json(&row.get::<String>("redirect_uris")?, "redirect_uris")?;
    let origins: Vec<String> = from_json(&row.get::<String>("frame_origins")?, "frame_origins")?;
    Ok(ClientRecord {
        id: client_id(&row.get::<String>("id")?)?,
        name: row.get("name")?,
        secret_hash: token_hash(&row.get::<String>("secret_hash")?)?,
        redirect_uris: uris
            .iter()
            .map(|u| RedirectUri::parse(u).map_err(|_| corrupt("redirect uri")))
            .collect::<Result<_, _>>()?,
        frame_origins: origins
            .iter()
            .map(|o| Origin::parse(o).map_err(|_| corrupt("frame origin")))
            .collect::<Result<_, _>>()?,
        notification_uri: row.get("notification_uri")?,
    })
}

/// A row of [`EVENT_COLUMNS`]; undecodable `data` reads as none.
pub fn event(row: &Row) -> Result<EventRow, StoreError> {
    let data: Option<String> = row.get("data")?;
    Ok(EventRow {
        id: row.get("id")?,
        event_type: row.get("event_type")?,
        resource_type: row.get("resource_type")?,
        resource_id: row.get("resource_id")?,
        created_at: row.get("created_at")?,
        data: data.and_then(|d| serde_json::from_str(&d).ok()),
    })
}
