//! Identifier newtypes. A `FlowId` can't be passed where a `UserId` is expected.

use std::fmt;

use uuid::Uuid;

macro_rules! uuid_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub Uuid);

        impl $name {
            pub fn generate() -> Self {
                $name(Uuid::new_v4())
            }

            /// Parses the textual form; `None` for anything that is not a UUID.
            pub fn parse(text: &str) -> Option<Self> {
                Uuid::parse_str(text).ok().map($name)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.hyphenated().fmt(f)
            }
        }
    };
}

uuid_id!(
    /// One widget flow (`POST /onetime/access` or `POST /ongoing/access`).
    FlowId
);
uuid_id!(
    /// An end-user. One-time flows create one per flow; ongoing flows one per
    /// (client, integrator's `user_id`).
    UserId
);
uuid_id!(
    /// A token family: every access and refresh token issued from one authorization code.
    GrantId
);

/// Ids of the engine's resources: UUID text, stored and sent as it is. An id taken from a
/// request is not checked for shape (an unknown id is simply not found); the type keeps an
/// access id from being passed where a sync id is meant.
macro_rules! text_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(
            Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord,
            serde::Serialize, serde::Deserialize, sqlx::Type,
        )]
        #[serde(transparent)]
        #[sqlx(transparent)]
        pub struct $name(String);

        impl $name {
            pub fn generate() -> Self {
                $name(Uuid::new_v4().hyphenated().to_string())
            }

            /// The id a request (path, body) or a stored row names.
            pub fn from_text(text: impl Into<String>) -> Self {
                $name(text.into())
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

text_id!(
    /// A connection of an end-user to a bank (`/rest/accesses/{id}`).
    AccessId
);
text_id!(
    /// One synchronization job of an access.
    SyncId
);
text_id!(
    /// A bank account of an access.
    AccountId
);

/// An integrator client. Generated ids are UUIDs; the demo client is called `demo`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ClientId(String);

impl ClientId {
    pub fn generate() -> Self {
        ClientId(Uuid::new_v4().hyphenated().to_string())
    }

    /// Any non-empty printable text of at most 128 characters (what Basic auth can carry).
    pub fn parse(text: &str) -> Option<Self> {
        let ok = !text.is_empty()
            && text.len() <= 128
            && text.chars().all(|c| c.is_ascii_graphic() && c != ':');
        ok.then(|| ClientId(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ClientId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The integrator's own id of its end-user (`user_id` of `POST /ongoing/access`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ExternalUserId(String);

impl ExternalUserId {
    pub const MAX_LEN: usize = 255;

    pub fn parse(text: &str) -> Result<Self, String> {
        if text.trim().is_empty() {
            return Err("user_id must not be empty".into());
        }
        if text.chars().count() > Self::MAX_LEN {
            return Err(format!(
                "user_id must be at most {} characters",
                Self::MAX_LEN
            ));
        }
        if text.chars().any(char::is_control) {
            return Err("user_id must not contain control characters".into());
        }
        Ok(ExternalUserId(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuid_ids_round_trip_through_text() {
        let id = FlowId::generate();
        assert_eq!(FlowId::parse(&id.to_string()), Some(id));
        assert_eq!(FlowId::parse("not-a-uuid"), None);
    }

    #[test]
    fn client_ids_refuse_colons_and_blanks() {
        assert!(ClientId::parse("demo").is_some());
        assert!(ClientId::parse("").is_none());
        assert!(ClientId::parse("a:b").is_none());
        assert!(ClientId::parse("a b").is_none());
    }

    #[test]
    fn external_user_ids_are_bounded() {
        assert!(ExternalUserId::parse("user-1").is_ok());
        assert!(ExternalUserId::parse(" ").is_err());
        assert!(ExternalUserId::parse(&"x".repeat(256)).is_err());
    }
}
