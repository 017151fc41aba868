//! The sandbox bank's own pages: the REDIRECT challenge's bank page with Approve / Deny,
//! and the decoupled approval shortcut `POST /sandbox/decoupled/{challenge_id}/approve`.

use axum::Router;
use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use kontolink_api::{ChallengeType, ErrorBody};
use serde::Deserialize;
use utoipa::OpenApi;

use super::ApiError;
use super::json::AppJson;
use super::path::AppPath;
use crate::engine::{challenges, render};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/sandbox/redirect/{challenge_id}", get(page).post(decide))
        .route(
            "/sandbox/decoupled/{challenge_id}/approve",
            post(approve_decoupled),
        )
}

#[derive(OpenApi)]
#[openapi(paths(approve_decoupled))]
pub struct SandboxApi;

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn shell(body: &str) -> Html<String> {
    Html(format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width\">\
         <title>Kontolink Sandbox Bank</title></head><body>\
         <main><h1>Kontolink Sandbox Bank</h1>{body}</main></body></html>"
    ))
}

async fn page(State(state): State<AppState>, AppPath(challenge_id): AppPath<String>) -> Response {
    let open = state
        .store
        .sync_by_challenge(&challenge_id)
        .await
        .ok()
        .flatten()
        .is_some_and(|s| s.status == crate::domain::SyncStatus::AwaitAuth);
    if !open {
        return (
            StatusCode::NOT_FOUND,
            shell("<p>This authorization request is no longer open.</p>"),
        )
            .into_response();
    }
    let action = format!("/sandbox/redirect/{}", escape(&challenge_id));
    shell(&format!(
        "<p>An app asks to read your accounts and transactions.</p>\
         <form method=\"post\" action=\"{action}\">\
         <button type=\"submit\" name=\"decision\" value=\"approve\" data-testid=\"sandbox-approve\">Approve</button> \
         <button type=\"submit\" name=\"decision\" value=\"deny\" data-testid=\"sandbox-deny\">Deny</button>\
         </form>"
    ))
    .into_response()
}

#[derive(Debug, Deserialize)]
struct Decision {
    decision: String,
}

async fn decide(
    State(state): State<AppState>,
    AppPath(challenge_id): AppPath<String>,
    Form(form): Form<Decision>,
) -> Result<Response, ApiError> {
    let approved = match form.decision.as_str() {
        "approve" => true,
        "deny" => false,
        _ => return Err(ApiError::bad_request("decision must be approve or deny")),
    };
    let sync = challenges::external_approval(
        &state.engine,
        &challenge_id,
        approved,
        ChallengeType::Redirect,
    )
    .await?;
    match &sync.options.redirect_uri {
        Some(uri) => {
            let mut target =
                url::Url::parse(uri).map_err(|_| ApiError::bad_request("bad redirect_uri"))?;
            if let Some(s) = &sync.options.state {
                target.query_pairs_mut().append_pair("state", s);
            }
            Ok(Redirect::to(target.as_str()).into_response())
        }
        None => Ok(shell("<p>Done. You can close this window.</p>").into_response()),
    }
}

/// Sandbox bank only: approves an open DECOUPLED challenge at once (instead of waiting for
/// the simulated approval after 3 s), as the end-user would in the banking app. Needs no
/// authentication: the challenge id is known only to whoever reads the sync.
#[utoipa::path(
    post,
    path = "/sandbox/decoupled/{challenge_id}/approve",
    operation_id = "sandbox_approve_decoupled",
    tag = "sandbox",
    params(("challenge_id" = String, Path, description = "The open DECOUPLED challenge's id")),
    responses(
        (status = 200, description = "The sync, `RUNNING` again", body = kontolink_api::Sync),
        (status = 404, description = "`1003`: no such challenge", body = ErrorBody),
        (status = 409, description = "`1008`: the challenge is not open", body = ErrorBody),
    )
)]
async fn approve_decoupled(
    State(state): State<AppState>,
    AppPath(challenge_id): AppPath<String>,
) -> Result<AppJson<kontolink_api::Sync>, ApiError> {
    let sync =
        challenges::external_approval(&state.engine, &challenge_id, true, ChallengeType::Decoupled)
            .await?;
    Ok(AppJson(render::sync(&sync)))
}
