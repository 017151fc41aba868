//! Registering integrator clients: `kontolink-server client create` and the demo client.

use anyhow::Context;
use url::Url;

use crate::domain::ids::ClientId;
use crate::domain::origin::Origin;
use crate::domain::redirect_uri::RedirectUri;
use crate::domain::secret_token::{SecretToken, TokenKind};
use crate::engine::webhooks;
use crate::store::{ClientRecord, Store};
use crate::vault::Vault;

pub const DEMO_CLIENT_ID: &str = "demo";
pub const DEMO_CLIENT_SECRET: &str = "demo-secret";
pub const DEMO_REDIRECT_URI: &str = "http://127.0.0.1:8080/demo/callback";

/// What `client create` asks for, before validation.
#[derive(Debug, Clone)]
pub struct NewClientSpec {
    pub name: String,
    pub redirect_uris: Vec<String>,
    pub frame_origins: Vec<String>,
    pub notification_uri: Option<String>,
}

/// The credentials of a freshly registered client; the secret is shown only once.
#[derive(Debug)]
pub struct ClientCredentials {
    pub client_id: ClientId,
    pub client_secret: SecretToken,
}

/// Validates the spec and stores a new client with a random 256-bit secret (only its hash).
/// With a `notification_uri`, the secret also signs the client's webhooks, so it is sealed
/// in `vault` ([`webhooks::register_client`]).
pub async fn register(
    store: &dyn Store,
    vault: &Vault,
    spec: NewClientSpec,
) -> anyhow::Result<ClientCredentials> {
    let name = spec.name.trim();
    anyhow::ensure!(
        !name.is_empty() && name.chars().count() <= 200,
        "--name must be 1 to 200 characters"
    );
    anyhow::ensure!(
        !spec.redirect_uris.is_empty(),
        "at least one --redirect-uri is required"
    );
    let redirect_uris = spec
        .redirect_uris
        .iter()
        .map(|u| RedirectUri::parse(u).with_context(|| format!("--redirect-uri {u:?}")))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let frame_origins = spec
        .frame_origins
        .iter()
        .map(|o| Origin::parse(o).with_context(|| format!("--frame-origin {o:?}")))
        .collect::<anyhow::Result<Vec<_>>>()?;
    if let Some(uri) = &spec.notification_uri {
        let url = Url::parse(uri).with_context(|| format!("--notification-uri {uri:?}"))?;
        anyhow::ensure!(
            matches!(url.scheme(), "http" | "https") && url.host_str().is_some(),
            "--notification-uri must be an absolute http(s) URL"
        );
    }
    let client_secret = SecretToken::generate(TokenKind::ClientSecret);
    let record = ClientRecord {
        id: ClientId::generate(),
        name: name.to_owned(),
        secret_hash: client_secret.hash(),
        redirect_uris: dedup(redirect_uris),
        frame_origins: dedup(frame_origins),
        notification_uri: spec.notification_uri,
    };
    store.insert_client(&record).await?;
    if let Some(uri) = &record.notification_uri {
        webhooks::register_client(
            store,
            vault,
            record.id.as_str(),
            uri,
            client_secret.expose(),
        )
        .await
        .context("sealing the webhook signing secret")?;
    }
    Ok(ClientCredentials {
        client_id: record.id,
        client_secret,
    })
}

/// Registers (or refreshes) the demo client `demo` / `demo-secret`: redirect URIs
/// `http://127.0.0.1:8080/demo/callback` and `<public_url>/demo/callback`, frame origin the
/// public URL's origin (the demo page is served by this server).
pub async fn ensure_demo_client(store: &dyn Store, public_url: &str) -> anyhow::Result<()> {
    let own = format!("{}/demo/callback", public_url.trim_end_matches('/'));
    let mut redirect_uris = vec![RedirectUri::parse(DEMO_REDIRECT_URI)?];
    redirect_uris
        .push(RedirectUri::parse(&own).with_context(|| format!("public URL {public_url:?}"))?);
    let record = ClientRecord {
        id: ClientId::parse(DEMO_CLIENT_ID).context("demo client id")?,
        name: "Kontolink demo".to_owned(),
        secret_hash: SecretToken::from_presented(DEMO_CLIENT_SECRET).hash(),
        redirect_uris: dedup(redirect_uris),
        frame_origins: Origin::of_url(public_url).into_iter().collect(),
        notification_uri: None,
    };
    store.upsert_client(&record).await?;
    Ok(())
}

fn dedup<T: PartialEq>(items: Vec<T>) -> Vec<T> {
    let mut out: Vec<T> = Vec::with_capacity(items.len());
    for item in items {
        if !out.contains(&item) {
            out.push(item);
        }
    }
    out
}
