//! FinTS over HTTPS: the message base64-encoded in a POST body, the answer likewise
//! (some banks answer raw, which is accepted too). rustls, bounded timeouts, and `http://`
//! only for loopback hosts (tests and the replay bank).

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

/// Why a message did not reach the bank or no answer came back. Always worth a retry.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct TransportError(pub String);

/// Where a bank's FinTS server is, checked: `https://`, or `http://` on a loopback host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BankUrl(url::Url);

impl BankUrl {
    pub fn parse(raw: &str) -> Result<BankUrl, String> {
        let trimmed = raw.trim();
        let with_scheme = if trimmed.contains("://") {
            trimmed.to_owned()
        } else {
            format!("https://{trimmed}")
        };
        let url = url::Url::parse(&with_scheme).map_err(|e| format!("{raw}: {e}"))?;
        match url.scheme() {
            "https" => Ok(BankUrl(url)),
            "http" if is_loopback(&url) => Ok(BankUrl(url)),
            "http" => Err(format!(
                "{raw}: plain http is only allowed for loopback hosts; a bank needs https://"
            )),
            other => Err(format!("{raw}: unsupported scheme {other}")),
        }
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

fn is_loopback(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(name)) => name == "localhost",
        None => false,
    }
}

/// Sends one message, returns the bank's answer (raw FinTS bytes).
pub trait Transport: Send + Sync {
    fn send(
        &self,
        url: &BankUrl,
        message: Vec<u8>,
    ) -> impl Future<Output = Result<Vec<u8>, TransportError>> + Send;
}

/// HTTPS with reqwest and rustls.
#[derive(Clone)]
pub struct Https {
    client: reqwest::Client,
}

impl Https {
    pub fn new(timeout: Duration) -> Https {
        let client = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10).min(timeout))
            .timeout(timeout)
            .user_agent("Kontolink FinTS")
            .build()
            .unwrap_or_default();
        Https { client }
    }
}

impl Transport for Https {
    async fn send(&self, url: &BankUrl, message: Vec<u8>) -> Result<Vec<u8>, TransportError> {
        let response = self
            .client
            .post(url.0.clone())
            .header("Content-Type", "text/plain; charset=ISO-8859-1")
            .body(STANDARD.encode(message))
            .send()
            .await
            .map_err(|e| TransportError(format!("the bank could not be reached: {e}")))?;
        let status = response.status();
        if !status.is_success() {
            return Err(TransportError(format!("the bank answered HTTP {status}")));
        }
        let body = response
            .bytes()
            .await
            .map_err(|e| TransportError(format!("the bank's answer broke off: {e}")))?;
        decode(&body)
    }
}

/// The answer body: base64 (with or without line breaks), or raw FinTS.
pub fn decode(body: &[u8]) -> Result<Vec<u8>, TransportError> {
    if body.starts_with(b"HNHBK") {
        return Ok(body.to_vec());
    }
    let compact: Vec<u8> = body
        .iter()
        .copied()
        .filter(|b| !b.is_ascii_whitespace())
        .collect();
    let decoded = STANDARD
        .decode(&compact)
        .map_err(|_| TransportError("the bank's answer is neither FinTS nor base64".into()))?;
    if decoded.starts_with(b"HNHBK") {
        Ok(decoded)
    } else {
        Err(TransportError(
            "the bank's answer is no FinTS message".into(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_anywhere_http_only_on_loopback() {
        assert!(BankUrl::parse("https://banking.example.de/fints").is_ok());
        assert_eq!(
            BankUrl::parse("banking.example.de/fints30")
                .unwrap()
                .as_str(),
            "https://banking.example.de/fints30"
        );
        assert!(BankUrl::parse("http://127.0.0.1:4000/").is_ok());
        assert!(BankUrl::parse("http://localhost:4000/").is_ok());
        assert!(BankUrl::parse("http://[::1]:4000/").is_ok());
        assert!(BankUrl::parse("http://banking.example.de/fints").is_err());
        assert!(BankUrl::parse("ftp://127.0.0.1/").is_err());
    }

    #[test]
    fn answers_in_base64_or_raw() {
        let raw = b"HNHBK:1:3+000000000020+300+0+1'".to_vec();
        assert_eq!(decode(&raw).unwrap(), raw);
        let encoded = STANDARD.encode(&raw);
        let wrapped = format!("{}\r\n{}", &encoded[..10], &encoded[10..]);
        assert_eq!(decode(wrapped.as_bytes()).unwrap(), raw);
        assert!(decode(b"<html>").is_err());
    }
}
