//! A widget flow: what the integrator asked for (validated), and where it stands.

use std::fmt;
use std::str::FromStr;

use kontolink_api::{Language, OnetimeAccessRequest, OngoingAccessRequest};

use super::iban::Iban;
use super::ids::{AccessId, ExternalUserId};
use super::redirect_uri::RedirectUri;

pub const DEFAULT_SYNC_PERIOD: i64 = 90;
pub const MAX_SYNC_PERIOD: i64 = 730;
pub const MAX_STATE_CHARS: usize = 1024;
const MAX_LIST: usize = 100;
const MAX_TEXT: usize = 255;

/// One-time (internal user per flow) or ongoing (the integrator's user, `offline` scope).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlowKind {
    Onetime,
    Ongoing,
}

/// `open` until the widget completes, cancels or fails it; never changes after that.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlowStatus {
    Open,
    Completed,
    Cancelled,
    Failed,
}

macro_rules! text_enum {
    ($ty:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        impl $ty {
            pub fn as_str(self) -> &'static str {
                match self { $($ty::$variant => $text),+ }
            }
        }
        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl FromStr for $ty {
            type Err = String;
            fn from_str(text: &str) -> Result<Self, String> {
                match text {
                    $($text => Ok($ty::$variant),)+
                    other => Err(format!("unknown {}: {other}", stringify!($ty))),
                }
            }
        }
    };
}

text_enum!(FlowKind { Onetime => "onetime", Ongoing => "ongoing" });
text_enum!(FlowStatus { Open => "open", Completed => "completed", Cancelled => "cancelled", Failed => "failed" });

/// The fields both access endpoints share, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct FlowParams {
    pub redirect_uri: RedirectUri,
    pub state: Option<String>,
    pub language: Language,
    /// Prefilled IBANs (`accounts[].id`).
    pub accounts: Vec<Iban>,
    pub account_types: Option<Vec<String>>,
    pub allow_multi_selection: bool,
    pub sync_period: i64,
    /// Reconnect of an existing access; checked against accesses once they exist.
    pub access_id: Option<AccessId>,
}

/// What only `POST /ongoing/access` adds.
#[derive(Debug, Clone, PartialEq)]
pub struct OngoingParams {
    pub user: ExternalUserId,
    pub save_secrets: bool,
    pub provider_id: Option<String>,
}

/// Fields as they arrive, shared by both request types.
struct Common<'a> {
    redirect_uri: &'a str,
    language: Option<&'a str>,
    accounts: Option<&'a [kontolink_api::AccountRef]>,
    account_types: Option<&'a [String]>,
    allow_multi_selection: Option<bool>,
    sync_period: Option<i64>,
    state: Option<&'a str>,
    access_id: Option<&'a str>,
}

impl FlowParams {
    /// Validates a `POST /onetime/access` body against the client's registered URIs.
    pub fn onetime(req: &OnetimeAccessRequest, registered: &[RedirectUri]) -> Result<Self, String> {
        Self::validate(
            Common {
                redirect_uri: &req.redirect_uri,
                language: req.language.as_deref(),
                accounts: req.accounts.as_deref(),
                account_types: req.account_types.as_deref(),
                allow_multi_selection: req.allow_multi_selection,
                sync_period: req.sync_period,
                state: req.state.as_deref(),
                access_id: req.access_id.as_deref(),
            },
            registered,
        )
    }

    /// Validates a `POST /ongoing/access` body.
    pub fn ongoing(
        req: &OngoingAccessRequest,
        registered: &[RedirectUri],
    ) -> Result<(Self, OngoingParams), String> {
        let params = Self::validate(
            Common {
                redirect_uri: &req.redirect_uri,
                language: req.language.as_deref(),
                accounts: req.accounts.as_deref(),
                account_types: req.account_types.as_deref(),
                allow_multi_selection: req.allow_multi_selection,
                sync_period: req.sync_period,
                state: req.state.as_deref(),
                access_id: req.access_id.as_deref(),
            },
            registered,
        )?;
        let provider_id = req
            .provider_id
            .as_deref()
            .map(|p| bounded_text("provider_id", p))
            .transpose()?;
        let ongoing = OngoingParams {
            user: ExternalUserId::parse(&req.user_id)?,
            save_secrets: req.save_secrets.unwrap_or(false),
            provider_id,
        };
        Ok((params, ongoing))
    }

    fn validate(c: Common<'_>, registered: &[RedirectUri]) -> Result<Self, String> {
        let redirect_uri = registered
            .iter()
            .find(|r| r.as_str() == c.redirect_uri)
            .cloned()
            .ok_or("redirect_uri is not one of the client's registered redirect URIs")?;
        let language = match c.language {
            None => Language::default(),
            Some(code) => Language::from_code(code)
                .ok_or_else(|| format!("language must be one of de, en, fr, es; got {code:?}"))?,
        };
        let accounts = c
            .accounts
            .unwrap_or_default()
            .iter()
            .enumerate()
            .map(|(i, a)| Iban::parse(&a.id).map_err(|e| format!("accounts[{i}].id: {e}")))
            .collect::<Result<Vec<_>, _>>()?;
        if accounts.len() > MAX_LIST {
            return Err(format!("accounts may list at most {MAX_LIST} IBANs"));
        }
        let account_types = c
            .account_types
            .map(|types| {
                if types.len() > MAX_LIST {
                    return Err(format!("account_types may list at most {MAX_LIST} types"));
                }
                types
                    .iter()
                    .map(|t| known_account_type(t))
                    .collect::<Result<Vec<_>, _>>()
            })
            .transpose()?;
        let sync_period = c.sync_period.unwrap_or(DEFAULT_SYNC_PERIOD);
        if !(1..=MAX_SYNC_PERIOD).contains(&sync_period) {
            return Err(format!(
                "sync_period must be between 1 and {MAX_SYNC_PERIOD} days; got {sync_period}"
            ));
        }
        let state = c.state.map(validate_state).transpose()?;
        let access_id = c
            .access_id
            .map(|a| bounded_text("access_id", a).map(AccessId::from_text))
            .transpose()?;
        Ok(FlowParams {
            redirect_uri,
            state,
            language,
            accounts,
            account_types,
            allow_multi_selection: c.allow_multi_selection.unwrap_or(true),
            sync_period,
            access_id,
        })
    }
}

/// `state`: 1 to 1024 characters, returned unchanged.
fn validate_state(state: &str) -> Result<String, String> {
    let chars = state.chars().count();
    if !(1..=MAX_STATE_CHARS).contains(&chars) {
        return Err(format!(
            "state must be 1 to {MAX_STATE_CHARS} characters; got {chars}"
        ));
    }
    Ok(state.to_owned())
}

/// A flow may restrict the choice only to types accounts can have: one of the published
/// [`ACCOUNT_TYPES`](kontolink_api::ACCOUNT_TYPES), or no account could ever be chosen.
fn known_account_type(text: &str) -> Result<String, String> {
    if kontolink_api::ACCOUNT_TYPES.contains(&text) {
        Ok(text.to_owned())
    } else {
        Err(format!(
            "account_types: {text:?} is no account type; known: {}",
            kontolink_api::ACCOUNT_TYPES.join(", ")
        ))
    }
}

fn bounded_text(field: &str, text: &str) -> Result<String, String> {
    if text.trim().is_empty()
        || text.chars().count() > MAX_TEXT
        || text.chars().any(char::is_control)
    {
        return Err(format!(
            "{field} must be a non-empty text of at most {MAX_TEXT} characters"
        ));
    }
    Ok(text.to_owned())
}

/// The error code the widget reports with `POST /widget/fail`: it travels in a URL, so
/// letters, digits, `_`, `-` and `.`, at most 64.
pub fn validate_failure_code(code: &str) -> Result<(), String> {
    let ok = !code.is_empty()
        && code.len() <= 64
        && code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    ok.then_some(())
        .ok_or_else(|| "error must be 1 to 64 letters, digits, `_`, `-` or `.`".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use kontolink_api::AccountRef;

    fn registered() -> Vec<RedirectUri> {
        vec![RedirectUri::parse("https://app.example.com/cb").unwrap()]
    }

    fn request() -> OnetimeAccessRequest {
        OnetimeAccessRequest {
            redirect_uri: "https://app.example.com/cb".into(),
            ..Default::default()
        }
    }

    #[test]
    fn defaults_follow_the_contract() {
        let params = FlowParams::onetime(&request(), &registered()).unwrap();
        assert_eq!(params.language, Language::De);
        assert_eq!(params.sync_period, 90);
        assert!(params.allow_multi_selection);
        assert_eq!(params.state, None);
    }

    #[test]
    fn state_and_sync_period_bounds_are_enforced() {
        let ok = |r: OnetimeAccessRequest| FlowParams::onetime(&r, &registered()).is_ok();
        assert!(ok(OnetimeAccessRequest {
            state: Some("ü".repeat(1024)),
            ..request()
        }));
        assert!(!ok(OnetimeAccessRequest {
            state: Some("x".repeat(1025)),
            ..request()
        }));
        assert!(!ok(OnetimeAccessRequest {
            state: Some(String::new()),
            ..request()
        }));
        assert!(ok(OnetimeAccessRequest {
            sync_period: Some(730),
            ..request()
        }));
        assert!(!ok(OnetimeAccessRequest {
            sync_period: Some(731),
            ..request()
        }));
        assert!(!ok(OnetimeAccessRequest {
            sync_period: Some(0),
            ..request()
        }));
        assert!(!ok(OnetimeAccessRequest {
            language: Some("it".into()),
            ..request()
        }));
    }

    #[test]
    fn a_bad_iban_is_named_in_the_error() {
        let req = OnetimeAccessRequest {
            accounts: Some(vec![AccountRef {
                id: "DE83900948150000002881".into(),
            }]),
            ..request()
        };
        let error = FlowParams::onetime(&req, &registered()).unwrap_err();
        assert!(
            error.contains("accounts[0].id") && error.contains("mod-97"),
            "{error}"
        );
    }

    #[test]
    fn failure_codes_are_url_safe() {
        assert!(validate_failure_code("10000").is_ok());
        assert!(validate_failure_code("USER_ABORT").is_ok());
        assert!(validate_failure_code("a&b=c").is_err());
        assert!(validate_failure_code("").is_err());
    }
}
