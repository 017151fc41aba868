//! `GET /openapi.json`: the OpenAPI 3.1 description, generated from the handlers'
//! `#[utoipa::path]` annotations. Each resource module contributes its own `OpenApi`.

use axum::routing::get;
use axum::{Json, Router};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/openapi.json", get(openapi_json))
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Kontolink",
        description = "Self-hosted bank connection: integrator API, widget session, token endpoint and data API. Field names follow the finX API."
    ),
    modifiers(&SecuritySchemes),
    tags(
        (name = "integrator", description = "Client-authenticated (HTTP Basic) flow creation"),
        (name = "widget", description = "The widget's session: exchange the flow token, then finish the flow"),
        (name = "oauth", description = "RFC 6749 token endpoint"),
        (name = "catalog", description = "Bank search: German banks from the Bundesbank list and the sandbox bank"),
        (name = "data", description = "Data API and sync engine (contract §4): the Bearer is an access token from `POST /auth/token` or the widget's session token, which reaches only its flow's end-user. Syncs started with a widget session are attended; with an access token only when `psu_ip_address` is given"),
        (name = "sandbox", description = "The sandbox bank's shortcuts for tests and demos"),
        (name = "operations", description = "Health and metrics"),
    )
)]
struct ApiDoc;

struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "basic",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Basic)),
        );
        let mut bearer = Http::new(HttpAuthScheme::Bearer);
        bearer.description = Some("An access token from `POST /auth/token`".to_owned());
        components.add_security_scheme("bearer", SecurityScheme::Http(bearer));
        let mut session = Http::new(HttpAuthScheme::Bearer);
        session.description =
            Some("The widget's `session_token` from `POST /widget/session`".to_owned());
        components.add_security_scheme("widget_session", SecurityScheme::Http(session));
    }
}

/// The whole description: every module's paths merged into [`ApiDoc`].
pub fn openapi() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    doc.merge(super::health::HealthApi::openapi());
    doc.merge(super::flows::FlowsApi::openapi());
    doc.merge(super::widget_session::WidgetSessionApi::openapi());
    doc.merge(super::token::TokenApi::openapi());
    doc.merge(super::catalog::CatalogApi::openapi());
    doc.merge(super::accounts::AccountsApi::openapi());
    doc.merge(super::accesses::AccessesApi::openapi());
    doc.merge(super::syncs::SyncsApi::openapi());
    doc.merge(super::events::EventsApi::openapi());
    doc.merge(super::sandbox_pages::SandboxApi::openapi());
    doc
}

async fn openapi_json() -> Json<utoipa::openapi::OpenApi> {
    Json(openapi())
}
