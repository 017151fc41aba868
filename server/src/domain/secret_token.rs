//! Bearer secrets: flow tokens, widget session tokens, authorization codes, access and
//! refresh tokens, client secrets. 256 random bits, base64url, with a short prefix naming
//! the kind (so a leaked token is recognisable). Only the SHA-256 hash is ever stored:
//! the input has far more entropy than any guess, so a slow password hash adds nothing.

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// What a token is for; the prefix tells them apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    Flow,
    WidgetSession,
    AuthorizationCode,
    AccessToken,
    RefreshToken,
    ClientSecret,
}

impl TokenKind {
    pub fn prefix(self) -> &'static str {
        match self {
            TokenKind::Flow => "klf_",
            TokenKind::WidgetSession => "klw_",
            TokenKind::AuthorizationCode => "klc_",
            TokenKind::AccessToken => "kla_",
            TokenKind::RefreshToken => "klr_",
            TokenKind::ClientSecret => "kls_",
        }
    }
}

/// A secret in clear, as handed to its holder once. `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretToken(String);

impl SecretToken {
    /// A fresh token of 256 random bits from the operating system's CSPRNG.
    pub fn generate(kind: TokenKind) -> SecretToken {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        SecretToken(format!(
            "{}{}",
            kind.prefix(),
            URL_SAFE_NO_PAD.encode(bytes)
        ))
    }

    /// A token presented by a caller (not validated: an unknown token simply hashes to
    /// something that is not stored).
    pub fn from_presented(text: &str) -> SecretToken {
        SecretToken(text.to_owned())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn into_exposed(self) -> String {
        self.0
    }

    pub fn hash(&self) -> TokenHash {
        TokenHash(Sha256::digest(self.0.as_bytes()).into())
    }
}

impl fmt::Debug for SecretToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretToken(***)")
    }
}

/// The SHA-256 of a token: what the database keeps and looks tokens up by.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct TokenHash([u8; 32]);

impl TokenHash {
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    pub fn from_hex(text: &str) -> Option<TokenHash> {
        let bytes = hex::decode(text).ok()?;
        Some(TokenHash(bytes.try_into().ok()?))
    }

    /// Comparison in constant time (for client secrets, checked after a lookup by id).
    pub fn matches(&self, other: &TokenHash) -> bool {
        self.0.ct_eq(&other.0).into()
    }
}

impl fmt::Debug for TokenHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TokenHash({}…)", &self.to_hex()[..8])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_carry_256_bits_and_their_kind() {
        let token = SecretToken::generate(TokenKind::RefreshToken);
        let body = token.expose().strip_prefix("klr_").unwrap();
        assert_eq!(URL_SAFE_NO_PAD.decode(body).unwrap().len(), 32);
        assert_ne!(token, SecretToken::generate(TokenKind::RefreshToken));
    }

    #[test]
    fn debug_output_hides_the_secret() {
        let token = SecretToken::generate(TokenKind::AccessToken);
        assert_eq!(format!("{token:?}"), "SecretToken(***)");
        assert!(!format!("{:?}", token.hash()).contains(token.expose()));
    }

    #[test]
    fn hashes_round_trip_through_hex_and_compare() {
        let token = SecretToken::from_presented("demo-secret");
        let hash = token.hash();
        assert_eq!(TokenHash::from_hex(&hash.to_hex()), Some(hash));
        assert!(hash.matches(&SecretToken::from_presented("demo-secret").hash()));
        assert!(!hash.matches(&SecretToken::from_presented("demo-secreT").hash()));
    }
}
