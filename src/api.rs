//! The widget's HTTP client: typed calls to the companion server, one [`ClientError`].

use gloo_net::http::{Request, Response};
use kontolink_api::{ErrorBody, WidgetSession, WidgetSessionRequest};
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

    pub fn with_session(mut self, token: String) -> Client {
        self.session_token = Some(token);
        self
    }

    /// `POST /widget/session`: trade the one-time flow token for a session.
    pub async fn open_session(&self, token: &str) -> Result<WidgetSession, ClientError> {
        let request = Request::post(&format!("{}/widget/session", self.base))
            .json(&WidgetSessionRequest {
                token: token.to_owned(),
            })
            .map_err(|e| ClientError::Network(e.to_string()))?;
        read(request.send().await).await
    }
}

async fn read<T: DeserializeOwned>(
    response: Result<Response, gloo_net::Error>,
) -> Result<T, ClientError> {
    let response = response.map_err(|e| ClientError::Network(e.to_string()))?;
    if response.ok() {
        response
            .json::<T>()
            .await
            .map_err(|e| ClientError::Network(e.to_string()))
    } else {
        match response.json::<ErrorBody>().await {
            Ok(body) => Err(ClientError::Api(body)),
            Err(_) => Err(ClientError::Network(format!("HTTP {}", response.status()))),
        }
    }
}
