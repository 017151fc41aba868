//! Redirect URIs. Registration accepts only unambiguous absolute `http(s)` URLs; a flow's
//! `redirect_uri` must then equal one of them character for character (no normalisation).

use std::fmt;

use url::Url;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RedirectUriError {
    #[error("a redirect URI must be an absolute URL: {0}")]
    NotAbsolute(String),
    #[error("a redirect URI must use http or https")]
    Scheme,
    #[error("a redirect URI must name a host")]
    Host,
    #[error("a redirect URI must not contain a fragment")]
    Fragment,
    #[error("a redirect URI must not contain user information (`user@`)")]
    UserInfo,
    #[error("a redirect URI must not contain `.` or `..` path segments or path parameters")]
    DotSegment,
    #[error("a redirect URI must not contain whitespace, control characters or backslashes")]
    Characters,
    #[error("a redirect URI is at most 2048 characters")]
    TooLong,
}

/// A registered redirect URI, kept exactly as the integrator wrote it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RedirectUri(String);

impl RedirectUri {
    pub const MAX_LEN: usize = 2048;

    pub fn parse(text: &str) -> Result<RedirectUri, RedirectUriError> {
        if text.len() > Self::MAX_LEN {
            return Err(RedirectUriError::TooLong);
        }
        if text
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '\\')
        {
            return Err(RedirectUriError::Characters);
        }
        if text.contains('#') {
            return Err(RedirectUriError::Fragment);
        }
        let url = Url::parse(text).map_err(|e| RedirectUriError::NotAbsolute(e.to_string()))?;
        if !matches!(url.scheme(), "http" | "https") || !text.contains("://") {
            return Err(RedirectUriError::Scheme);
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(RedirectUriError::Host);
        }
        let authority = authority_of(text);
        if authority.contains('@') || !url.username().is_empty() || url.password().is_some() {
            return Err(RedirectUriError::UserInfo);
        }
        if has_dot_segment_or_parameter(path_of(text)) {
            return Err(RedirectUriError::DotSegment);
        }
        Ok(RedirectUri(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `scheme://host[:port]`, the target origin of the widget's `postMessage`.
    pub fn origin(&self) -> String {
        Url::parse(&self.0)
            .map(|u| u.origin().ascii_serialization())
            .unwrap_or_default()
    }
}

impl fmt::Display for RedirectUri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The raw authority (between `://` and the next `/`, `?`), as typed.
fn authority_of(text: &str) -> &str {
    let rest = text.split_once("://").map_or("", |(_, rest)| rest);
    let end = rest.find(['/', '?']).unwrap_or(rest.len());
    &rest[..end]
}

/// The raw path (after the authority, before `?`), as typed.
fn path_of(text: &str) -> &str {
    let rest = text.split_once("://").map_or("", |(_, rest)| rest);
    match rest.find(['/', '?']) {
        Some(start) if rest[start..].starts_with('/') => {
            let path = &rest[start..];
            &path[..path.find('?').unwrap_or(path.len())]
        }
        _ => "",
    }
}

/// `.`/`..` segments (also percent-encoded) and `;` parameters (`..;/` reaches the parent
/// directory on some servers) make two different strings mean one resource: refused.
fn has_dot_segment_or_parameter(path: &str) -> bool {
    if path.contains(';') {
        return true;
    }
    path.split('/').any(|segment| {
        let decoded = segment.to_ascii_lowercase().replace("%2e", ".");
        decoded == "." || decoded == ".."
    }) || path.to_ascii_lowercase().contains("%2f")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_callbacks_are_accepted_verbatim() {
        for uri in [
            "https://app.example.com/callback",
            "https://app.example.com/callback?tenant=1",
            "http://127.0.0.1:8080/demo/callback",
            "https://app.example.com",
        ] {
            assert_eq!(RedirectUri::parse(uri).unwrap().as_str(), uri);
        }
    }

    #[test]
    fn ambiguous_or_dangerous_uris_are_refused() {
        for uri in [
            "javascript:alert(1)",
            "data:text/html,hi",
            "/relative/callback",
            "//example.com/callback",
            "https://app.example.com/callback#frag",
            "https://evil@app.example.com/callback",
            "https://app.example.com@evil.example/callback",
            "https://app.example.com/a/../callback",
            "https://app.example.com/a/..;/callback",
            "https://app.example.com/a/%2e%2e/callback",
            "https://app.example.com/a/./callback",
            "https://app.example.com/a%2Fb",
            "https://app.example.com/call back",
            "https://app.example.com\\@evil.example/",
            "ftp://app.example.com/callback",
            "",
        ] {
            assert!(RedirectUri::parse(uri).is_err(), "{uri} was accepted");
        }
    }

    #[test]
    fn the_origin_is_scheme_host_and_port() {
        let uri = RedirectUri::parse("http://127.0.0.1:8080/demo/callback").unwrap();
        assert_eq!(uri.origin(), "http://127.0.0.1:8080");
    }
}
