//! The widget's HTTP client: typed calls to the companion server, one [`ClientError`].

use gloo_net::http::{Request, RequestBuilder, Response};
use kontolink_api::{
    Access, Account, AccountList, ChallengeResponse, CompleteRequest, CreateAccessRequest,
    ErrorBody, FailRequest, FinishRedirect, Provider, ProviderList, Sync, SyncRequest,
    WidgetSession, WidgetSessionRequest,
};
use serde::Serialize;
use serde::de::DeserializeOwned;

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

    fn authorized(&self, builder: RequestBuilder) -> RequestBuilder {
        match &self.session_token {
            Some(token) => builder.header("Authorization", &format!("Bearer {token}")),
            None => builder,
        }
    }

    async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, ClientError> {
        let request = self.authorized(Request::get(&format!("{}{path}", self.base)));
        read(request.send().await).await
    }

    async fn post<B: Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<T, ClientError> {
        let request = self
            .authorized(Request::post(&format!("{}{path}", self.base)))
            .json(body)
            .map_err(|e| ClientError::Network(e.to_string()))?;
        read(request.send().await).await
    }

    /// `POST /widget/session`: trade the one-time flow token for a session.
    pub async fn open_session(&self, token: &str) -> Result<WidgetSession, ClientError> {
        let body = WidgetSessionRequest {
            token: token.to_owned(),
        };
        self.post("/widget/session", &body).await
    }

    /// `GET /catalog/providers?q=…&country=DE`: the best matches and how many match in all.
    pub async fn search_providers(&self, query: &str) -> Result<ProviderList, ClientError> {
        let request = self
            .authorized(Request::get(&format!("{}/catalog/providers", self.base)))
            .query([("q", query), ("country", "DE")]);
        read(request.send().await).await
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
        let request = self
            .authorized(Request::post(&format!("{}/widget/cancel", self.base)))
            .build()
            .map_err(|e| ClientError::Network(e.to_string()))?;
        read(request.send().await).await
    }

    /// `POST /widget/fail`.
    pub async fn fail(&self, error: String) -> Result<FinishRedirect, ClientError> {
        self.post("/widget/fail", &FailRequest { error }).await
    }
}

async fn read<T: DeserializeOwned>(
    response: Result<Response, gloo_net::Error>,
) -> Result<T, ClientError> {
    let response = response.map_err(|e| ClientError::Network(e.to_string()))?;
    if response.ok() {
        let text = response
            .text()
            .await
            .map_err(|e| ClientError::Network(e.to_string()))?;
        // An empty success body (204) reads as JSON `null`.
        let text = if text.trim().is_empty() {
            "null"
        } else {
            &text
        };
        serde_json::from_str(text).map_err(|e| ClientError::Network(e.to_string()))
    } else {
        match response.json::<ErrorBody>().await {
            Ok(body) => Err(ClientError::Api(body)),
            Err(_) => Err(ClientError::Network(format!("HTTP {}", response.status()))),
        }
    }
}
