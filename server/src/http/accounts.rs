//! `GET /rest/accounts`, `/rest/accounts/{id}`, `/rest/accounts/{id}/transactions`.

use axum::Router;
use axum::extract::{Query, State};
use axum::routing::get;
use kontolink_api::{Account, AccountList, ErrorBody, TransactionList};
use serde::Deserialize;
use time::Date;
use time::macros::format_description;
use utoipa::OpenApi;

use super::ApiError;
use super::bearer::AuthenticatedUser;
use super::json::AppJson;
use super::path::AppPath;
use crate::domain::ids::AccountId;
use crate::engine::render;
use crate::state::AppState;
use crate::store::rows::{AccountRow, TransactionFilter};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/rest/accounts", get(list))
        .route("/rest/accounts/{id}", get(one))
        .route("/rest/accounts/{id}/transactions", get(transactions))
}

#[derive(OpenApi)]
#[openapi(paths(list, one, transactions))]
pub struct AccountsApi;

/// The end-user's accounts with their balances.
#[utoipa::path(
    get,
    path = "/rest/accounts",
    operation_id = "list_accounts",
    tag = "data",
    security(("bearer" = []), ("widget_session" = [])),
    responses(
        (status = 200, body = AccountList),
        (status = 401, description = "`1001`: no valid access token or widget session", body = ErrorBody),
    )
)]
async fn list(
    State(state): State<AppState>,
    user: AuthenticatedUser,
) -> Result<AppJson<AccountList>, ApiError> {
    let accounts = state.store.accounts_of_user(&user.engine_user_id()).await?;
    Ok(AppJson(AccountList {
        accounts: accounts
            .iter()
            .filter(|account| user.reach.account(&account.id, &account.access_id))
            .map(render::account)
            .collect(),
    }))
}

async fn owned(
    state: &AppState,
    user: &AuthenticatedUser,
    id: &AccountId,
) -> Result<AccountRow, ApiError> {
    let user_id = user.engine_user_id();
    state
        .store
        .account(id)
        .await?
        .filter(|account| {
            account.user_id == user_id && user.reach.account(&account.id, &account.access_id)
        })
        .ok_or_else(|| ApiError::not_found("no such account"))
}

/// One account of the end-user.
#[utoipa::path(
    get,
    path = "/rest/accounts/{id}",
    operation_id = "get_account",
    tag = "data",
    params(("id" = String, Path, description = "The account id")),
    security(("bearer" = []), ("widget_session" = [])),
    responses(
        (status = 200, body = Account),
        (status = 401, description = "`1001`: no valid access token or widget session", body = ErrorBody),
        (status = 404, description = "`1003`: no such account of this end-user", body = ErrorBody),
    )
)]
async fn one(
    State(state): State<AppState>,
    user: AuthenticatedUser,
    AppPath(id): AppPath<AccountId>,
) -> Result<AppJson<Account>, ApiError> {
    Ok(AppJson(render::account(&owned(&state, &user, &id).await?)))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TransactionQuery {
    since: Option<String>,
    until: Option<String>,
    count: Option<i32>,
    offset: Option<i32>,
}

fn date(name: &str, text: Option<String>) -> Result<Option<String>, ApiError> {
    let format = format_description!("[year]-[month]-[day]");
    match text {
        None => Ok(None),
        Some(text) => Date::parse(&text, format)
            .map(|d| Some(d.to_string()))
            .map_err(|_| ApiError::bad_request(format!("{name} must be a date YYYY-MM-DD"))),
    }
}

/// The account's transactions, newest first.
#[utoipa::path(
    get,
    path = "/rest/accounts/{id}/transactions",
    operation_id = "list_transactions",
    tag = "data",
    params(
        ("id" = String, Path, description = "The account id"),
        ("since" = Option<String>, Query, format = Date, description = "Earliest booking date, `YYYY-MM-DD`"),
        ("until" = Option<String>, Query, format = Date, description = "Latest booking date, `YYYY-MM-DD`"),
        ("count" = Option<i32>, Query, minimum = 1, maximum = 1000, description = "1–1000, default 100"),
        ("offset" = Option<i32>, Query, minimum = 0, description = "Transactions to skip, default 0"),
    ),
    security(("bearer" = []), ("widget_session" = [])),
    responses(
        (status = 200, body = TransactionList),
        (status = 400, description = "`1000`: a bad date, `count` outside 1–1000, an unknown parameter", body = ErrorBody),
        (status = 401, description = "`1001`: no valid access token or widget session", body = ErrorBody),
        (status = 404, description = "`1003`: no such account of this end-user", body = ErrorBody),
    )
)]
async fn transactions(
    State(state): State<AppState>,
    user: AuthenticatedUser,
    AppPath(id): AppPath<AccountId>,
    query: Result<Query<TransactionQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<AppJson<TransactionList>, ApiError> {
    let Query(query) = query.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let count = query.count.unwrap_or(100);
    if !(1..=1000).contains(&count) {
        return Err(ApiError::bad_request("count must be between 1 and 1000"));
    }
    let offset = query.offset.unwrap_or(0);
    if offset < 0 {
        return Err(ApiError::bad_request("offset must not be negative"));
    }
    let filter = TransactionFilter {
        since: date("since", query.since)?,
        until: date("until", query.until)?,
        count: count.unsigned_abs(),
        offset: offset.unsigned_abs(),
    };
    let account = owned(&state, &user, &id).await?;
    let rows = state.store.transactions(&account.id, &filter).await?;
    Ok(AppJson(TransactionList {
        transactions: rows.iter().map(render::transaction).collect(),
    }))
}
