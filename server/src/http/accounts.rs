//! `GET /rest/accounts`, `/rest/accounts/{id}`, `/rest/accounts/{id}/transactions`.

use axum::extract::{Path, Query, State};
use axum::routing::get;
use axum::{Json, Router};
use kontolink_api::{Account, AccountList, TransactionList};
use serde::Deserialize;
use time::Date;
use time::macros::format_description;

use super::ApiError;
use super::end_user::EndUser;
use crate::engine::render;
use crate::state::AppState;
use crate::store::rows::{AccountRow, TransactionFilter};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/rest/accounts", get(list))
        .route("/rest/accounts/{id}", get(one))
        .route("/rest/accounts/{id}/transactions", get(transactions))
}

async fn list(State(state): State<AppState>, user: EndUser) -> Result<Json<AccountList>, ApiError> {
    let accounts = state.store.accounts_of_user(&user.user_id).await?;
    Ok(Json(AccountList {
        accounts: accounts.iter().map(render::account).collect(),
    }))
}

async fn owned(state: &AppState, user: &EndUser, id: &str) -> Result<AccountRow, ApiError> {
    state
        .store
        .account(id)
        .await?
        .filter(|account| account.user_id == user.user_id)
        .ok_or_else(|| ApiError::not_found("no such account"))
}

async fn one(
    State(state): State<AppState>,
    user: EndUser,
    Path(id): Path<String>,
) -> Result<Json<Account>, ApiError> {
    Ok(Json(render::account(&owned(&state, &user, &id).await?)))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TransactionQuery {
    since: Option<String>,
    until: Option<String>,
    count: Option<u32>,
    offset: Option<u32>,
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

async fn transactions(
    State(state): State<AppState>,
    user: EndUser,
    Path(id): Path<String>,
    query: Result<Query<TransactionQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<TransactionList>, ApiError> {
    let Query(query) = query.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let account = owned(&state, &user, &id).await?;
    let count = query.count.unwrap_or(100);
    if !(1..=1000).contains(&count) {
        return Err(ApiError::bad_request("count must be between 1 and 1000"));
    }
    let filter = TransactionFilter {
        since: date("since", query.since)?,
        until: date("until", query.until)?,
        count,
        offset: query.offset.unwrap_or(0),
    };
    let rows = state.store.transactions(&account.id, &filter).await?;
    Ok(Json(TransactionList {
        transactions: rows.iter().map(render::transaction).collect(),
    }))
}
