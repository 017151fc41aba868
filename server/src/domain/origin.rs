//! Web origins (`scheme://host[:port]`), registered as the frame origins a client's pages
//! may embed the widget from; they become the widget page's CSP `frame-ancestors`.

use std::fmt;

use url::Url;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a frame origin is `http(s)://host[:port]` without path, query or wildcard: {0}")]
pub struct OriginError(pub String);

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Origin(String);

impl Origin {
    pub fn parse(text: &str) -> Result<Origin, OriginError> {
        let error = || OriginError(text.to_owned());
        if text.contains(['*', ' ', ';', ',', '\'', '"']) {
            return Err(error());
        }
        let url = Url::parse(text).map_err(|_| error())?;
        let plain = matches!(url.scheme(), "http" | "https")
            && url.host_str().is_some()
            && url.username().is_empty()
            && url.password().is_none()
            && url.path() == "/"
            && url.query().is_none()
            && url.fragment().is_none()
            && !text.trim_end_matches('/').ends_with('?');
        if !plain {
            return Err(error());
        }
        Ok(Origin(url.origin().ascii_serialization()))
    }

    /// The origin of any absolute URL (e.g. the public base URL).
    pub fn of_url(text: &str) -> Option<Origin> {
        let url = Url::parse(text).ok()?;
        matches!(url.scheme(), "http" | "https").then(|| Origin(url.origin().ascii_serialization()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_normalised() {
        assert_eq!(
            Origin::parse("https://App.Example.com:443")
                .unwrap()
                .as_str(),
            "https://app.example.com"
        );
        assert_eq!(
            Origin::parse("http://127.0.0.1:8080/").unwrap().as_str(),
            "http://127.0.0.1:8080"
        );
    }

    #[test]
    fn paths_wildcards_and_other_schemes_are_refused() {
        for text in [
            "*",
            "https://*.example.com",
            "https://example.com/path",
            "https://example.com?x=1",
            "javascript:alert(1)",
            "https://example.com 'unsafe-inline'",
            "https://a.example;script-src *",
        ] {
            assert!(Origin::parse(text).is_err(), "{text} was accepted");
        }
    }
}
