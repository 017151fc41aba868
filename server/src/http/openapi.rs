//! `GET /openapi.json`: the OpenAPI 3.1 description, generated from the handlers'
//! `#[utoipa::path]` annotations. Each resource module contributes its own `OpenApi`.

use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};
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

/// The document as served: [`openapi`] with what every body-taking operation shares made
/// explicit, so the description and the server agree (checked by `openapi-spec-validator` and
/// schemathesis in `scripts/test.sh`):
/// - an optional body is absent or an object, never `null` (`required: false`, no
///   `oneOf: [null, …]`: the server refuses a `null` body);
/// - `413` (body over 64 KiB) and `415` (not `application/json`) in the error format on
///   every JSON-only body;
/// - `429` wherever a widget session may call (its requests are rate-limited per flow).
pub fn document() -> Value {
    let mut doc = serde_json::to_value(openapi()).expect("the OpenAPI document serialises");
    describe_rules_between_fields(&mut doc);
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return doc;
    };
    let error = json!({"content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}});
    let answer = |description: &str| {
        let mut response = error.clone();
        response["description"] = json!(description);
        response
    };
    for operation in paths
        .values_mut()
        .filter_map(Value::as_object_mut)
        .flat_map(|item| item.values_mut())
        .filter_map(Value::as_object_mut)
    {
        let widget_session = operation
            .get("security")
            .is_some_and(|s| s.to_string().contains("\"widget_session\""));
        if widget_session {
            let responses = operation.entry("responses").or_insert_with(|| json!({}));
            if responses.get("429").is_none() {
                responses["429"] = answer(
                    "`1029`: too many requests of this widget session; `Retry-After` says when",
                );
            }
        }
        let Some(body) = operation.get_mut("requestBody") else {
            continue;
        };
        let mut optional = false;
        if let Some(content) = body.get_mut("content").and_then(Value::as_object_mut) {
            for media in content.values_mut() {
                let Some(schema) = media.get_mut("schema") else {
                    continue;
                };
                if let Some(not_null) = without_null(schema) {
                    *schema = not_null;
                    optional = true;
                }
            }
        }
        if optional {
            body["required"] = json!(false);
        }
        // Only JSON bodies go through `AppJson` (the token endpoint also takes a form and
        // answers in OAuth terms).
        let json_body = body
            .get("content")
            .and_then(Value::as_object)
            .is_some_and(|c| c.len() == 1 && c.contains_key("application/json"));
        let responses = operation
            .entry("responses")
            .or_insert_with(|| json!({}))
            .as_object_mut()
            .expect("responses is an object");
        if json_body {
            responses
                .entry("413")
                .or_insert_with(|| answer("`1009`: the body is over 64 KiB"));
            responses
                .entry("415")
                .or_insert_with(|| answer("The body is not `application/json`"));
        }
    }
    doc
}

/// What a derived schema cannot say about how fields depend on each other:
/// - `POST /rest/syncs` takes no `credentials` (they are per access): its body is
///   `SyncAllRequest`, `SyncRequest` without that field;
/// - `POST /rest/accesses`: `save_secrets: true` needs `consent: true`.
fn describe_rules_between_fields(doc: &mut Value) {
    let schemas = &mut doc["components"]["schemas"];
    let mut sync_all = schemas["SyncRequest"].clone();
    if let Some(properties) = sync_all["properties"].as_object_mut() {
        properties.remove("credentials");
    }
    sync_all["description"] =
        json!("Body of `POST /rest/syncs`: a sync's options for every access (no `credentials`).");
    schemas["SyncAllRequest"] = sync_all;
    schemas["CreateAccessRequest"]["if"] =
        json!({"properties": {"save_secrets": {"const": true}}, "required": ["save_secrets"]});
    schemas["CreateAccessRequest"]["then"] =
        json!({"properties": {"consent": {"const": true}}, "required": ["consent"]});
    let sync_all_body = &mut doc["paths"]["/rest/syncs"]["post"]["requestBody"]["content"]["application/json"]
        ["schema"];
    *sync_all_body = json!({"$ref": "#/components/schemas/SyncAllRequest"});
}

/// `oneOf: [{type: null}, X]` → `X`.
fn without_null(schema: &Value) -> Option<Value> {
    let items = schema.get("oneOf")?.as_array()?;
    let is_null = |s: &Value| s.get("type") == Some(&json!("null"));
    if items.len() == 2 && items.iter().any(is_null) {
        items.iter().find(|s| !is_null(s)).cloned()
    } else {
        None
    }
}

async fn openapi_json() -> Json<Value> {
    Json(document())
}
