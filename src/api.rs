//! The widget's HTTP client: typed calls to the companion server, one [`ClientError`].

use js_sys::{Promise, Reflect};
use kontolink_api::{
    Access, Account, AccountList, ChallengeResponse, CompleteRequest, CreateAccessRequest,
    ErrorBody, FailRequest, FinishRedirect, Provider, ProviderList, Sync, SyncRequest,
    WidgetSession, WidgetSessionRequest,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Headers, RequestInit, Response, UrlSearchParams};

/// Why a call failed, in terms the pages can act on.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ClientError {
    /// The server answered with its error format.
    #[error("{} ({})", .0.error.message, .0.error.code)]
    Api(ErrorBody),
    /// No answer at all, or one we could not read.
    #[error("network error: {0}")]
    Network(String),
}

impl ClientError {
    /// The finX error code, when the server gave one.
    pub fn code(&self) -> Option<u32> {
        match self {
            ClientError::Api(body) => Some(body.error.code),
            ClientError::Network(_) => None,
        }
    }
}

/// Talks to the server the widget was loaded from.
#[derive(Debug, Clone, Default)]
pub struct Client {
    base: String,
    session_token: Option<String>,
}

/// A path segment, percent-encoded.
fn segment(id: &str) -> String {
    String::from(js_sys::encode_uri_component(id))
}

impl Client {
    /// A client for the origin the page came from (the server serves the widget).
    pub fn from_window() -> Client {
        let base = web_sys::window()
            .and_then(|w| w.location().origin().ok())
            .unwrap_or_default();
        Client {
            base,
            session_token: None,
        }
    }

    pub fn with_session(mut self, token: Option<String>) -> Client {
        self.session_token = token;
        self
    }

    /// Starts `method url` with the session token and, when given, a JSON body.
    fn send(&self, method: &str, url: &str, body: Option<String>) -> Result<Promise, ClientError> {
        let window = web_sys::window().ok_or_else(no_answer)?;
        let headers = Headers::new().map_err(|_| no_answer())?;
        if let Some(token) = &self.session_token {
            headers
                .set("Authorization", &format!("Bearer {token}"))
                .map_err(|_| no_answer())?;
        }
        let init = RequestInit::new();
        init.set_method(method);
        if let Some(body) = body {
            headers
                .set("Content-Type", "application/json")
                .map_err(|_| no_answer())?;
            init.set_body(&JsValue::from_str(&body));
        }
        init.set_headers(&headers);
        Ok(window.fetch_with_str_and_init(url, &init))
    }

    async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, ClientError> {
        read(self.send("GET", &format!("{}{path}", self.base), None)?).await
    }

    async fn post<B: Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<T, ClientError> {
        let body = serde_json::to_string(body).map_err(|_| no_answer())?;
        read(self.send("POST", &format!("{}{path}", self.base), Some(body))?).await
    }

    /// `POST /widget/session`: trade the one-time flow token for a session.
    /// Takes the answer `index.html` already asked for while the wasm loaded, when it was
    /// for this token (see [`early_session`]).
    pub async fn open_session(&self, token: &str) -> Result<WidgetSession, ClientError> {
        if let Some(pending) = early_session(token) {
            return read(pending).await;
        }
        let body = WidgetSessionRequest {
            token: token.to_owned(),
        };
        self.post("/widget/session", &body).await
    }

    /// `GET /catalog/providers?q=…&country=DE`: the best matches and how many match in all.
    pub async fn search_providers(&self, query: &str) -> Result<ProviderList, ClientError> {
        let params = UrlSearchParams::new().map_err(|_| no_answer())?;
        params.append("q", query);
        params.append("country", "DE");
        let url = format!("{}/catalog/providers?{}", self.base, params.to_string());
        read(self.send("GET", &url, None)?).await
    }

    /// `GET /catalog/providers/{id}`.
    pub async fn provider(&self, id: &str) -> Result<Provider, ClientError> {
        self.get(&format!("/catalog/providers/{}", segment(id)))
            .await
    }

    /// `POST /rest/accesses`.
    pub async fn create_access(&self, body: &CreateAccessRequest) -> Result<Access, ClientError> {
        self.post("/rest/accesses", body).await
    }

    /// `POST /rest/accesses/{id}/syncs`.
    pub async fn start_sync(&self, access: &str, body: &SyncRequest) -> Result<Sync, ClientError> {
        self.post(&format!("/rest/accesses/{}/syncs", segment(access)), body)
            .await
    }

    /// `GET /rest/accesses/{id}/syncs/{sync_id}`.
    pub async fn sync(&self, access: &str, sync: &str) -> Result<Sync, ClientError> {
        self.get(&format!(
            "/rest/accesses/{}/syncs/{}",
            segment(access),
            segment(sync)
        ))
        .await
    }

    /// `POST …/challenges/{id}/response`; the answer's body is not needed (the widget polls).
    pub async fn respond(
        &self,
        access: &str,
        sync: &str,
        challenge: &str,
        body: &ChallengeResponse,
    ) -> Result<(), ClientError> {
        let path = format!(
            "/rest/accesses/{}/syncs/{}/challenges/{}/response",
            segment(access),
            segment(sync),
            segment(challenge)
        );
        let _: serde_json::Value = self.post(&path, body).await?;
        Ok(())
    }

    /// `GET /rest/accounts`.
    pub async fn accounts(&self) -> Result<Vec<Account>, ClientError> {
        let list: AccountList = self.get("/rest/accounts").await?;
        Ok(list.accounts)
    }

    /// `POST /widget/complete`.
    pub async fn complete(&self, account_ids: Vec<String>) -> Result<FinishRedirect, ClientError> {
        self.post("/widget/complete", &CompleteRequest { account_ids })
            .await
    }

    /// `POST /widget/cancel` (no body).
    pub async fn cancel(&self) -> Result<FinishRedirect, ClientError> {
        read(self.send("POST", &format!("{}/widget/cancel", self.base), None)?).await
    }

    /// `POST /widget/fail`.
    pub async fn fail(&self, error: String) -> Result<FinishRedirect, ClientError> {
        self.post("/widget/fail", &FailRequest { error }).await
    }
}

/// `ClientError::Network` for a request that got no answer.
fn no_answer() -> ClientError {
    ClientError::Network("no answer".to_owned())
}

/// `index.html` starts `POST /widget/session` with the page's `?token=` before the wasm has
/// loaded, as `window.kontolinkSession = {token, answer}`; the widget takes that answer
/// (once) instead of asking again, so the exchange overlaps the wasm's download.
fn early_session(token: &str) -> Option<Promise> {
    let window = web_sys::window()?;
    let key = JsValue::from_str("kontolinkSession");
    let early = Reflect::get(&window, &key).ok()?;
    let _ = Reflect::delete_property(&window, &key);
    let for_token = Reflect::get(&early, &JsValue::from_str("token")).ok()?;
    if for_token.as_string().as_deref() != Some(token) {
        return None;
    }
    Reflect::get(&early, &JsValue::from_str("answer"))
        .ok()?
        .dyn_into()
        .ok()
}

/// Waits for the answer and reads its JSON: `T` on success, else the server's error body.
async fn read<T: DeserializeOwned>(pending: Promise) -> Result<T, ClientError> {
    let response: Response = JsFuture::from(pending)
        .await
        .map_err(|_| no_answer())?
        .dyn_into()
        .map_err(|_| no_answer())?;
    let text = JsFuture::from(response.text().map_err(|_| no_answer())?)
        .await
        .map_err(|_| no_answer())?
        .as_string()
        .unwrap_or_default();
    if response.ok() {
        // An empty success body (204) reads as JSON `null`.
        let text = if text.trim().is_empty() {
            "null"
        } else {
            &text
        };
        serde_json::from_str(text).map_err(|_| ClientError::Network("unreadable answer".to_owned()))
    } else {
        Err(match serde_json::from_str::<ErrorBody>(&text) {
            Ok(body) => ClientError::Api(body),
            Err(_) => ClientError::Network(format!("HTTP {}", response.status())),
        })
    }
}
