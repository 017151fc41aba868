//! `AppJson<T>`: axum's `Json` whose rejections answer in our error format (contract §7):
//! malformed JSON or wrong types → `400`/`1000`, over 64 KiB → `413`/`1009`, a body that is
//! not `application/json` → `415`.
//!
//! `Option<AppJson<T>>` is for endpoints whose fields are all optional (a sync, a challenge
//! answer): an empty body is `None`; any other body must be valid JSON as above.
//!
//! # Strict JSON
//!
//! serde's derived `Deserialize` of a struct also accepts the *sequence* form (the fields in
//! declaration order: `["https://…/callback"]` for `{"redirect_uri": …}`), and serde_json
//! lets the last of duplicate keys win. Contract §7 wants both refused at any depth, so a
//! body is read in two passes:
//!
//! 1. **Structure pass.** axum's `Json` (content type, size limit, syntax, trailing bytes)
//!    parses the body into a [`Strict`] tree. Its visitor walks every value and refuses a
//!    key that an object already has, at any depth (also inside maps such as
//!    `credentials`). serde_json's recursion limit (128) bounds the depth.
//! 2. **Typed pass.** `T` is deserialized from that tree by [`StrictDeserializer`], a
//!    self-describing deserializer like `serde_json::Value`'s except that
//!    `deserialize_struct` (and struct variants) refuse an array with "expected an object".
//!    Every nested value is deserialized by the same deserializer, so the rule holds at
//!    every depth of every request type. Errors name the path of the offending value
//!    (`accounts[0]`, `credentials`), the innermost one.
//!
//! Limitation: `#[serde(untagged)]`, internally tagged enums and `#[serde(flatten)]` buffer
//! their input in serde's private `Content` and deserialize structs from it without this
//! deserializer; no request type uses them (keep it so, or check them by hand).

use axum::body::{Body, Bytes};
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, OptionalFromRequest, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use std::collections::HashSet;
use std::fmt;

use serde::de::{
    self, DeserializeOwned, DeserializeSeed, EnumAccess, IntoDeserializer, MapAccess, SeqAccess,
    VariantAccess, Visitor,
};
use serde::{Deserialize, Deserializer, Serialize};

use super::ApiError;

#[derive(Debug, Clone, Copy, Default)]
pub struct AppJson<T>(pub T);

impl<T, S> FromRequest<S> for AppJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let axum::Json(tree) = <axum::Json<Strict> as FromRequest<S>>::from_request(req, state)
            .await
            .map_err(|rejection| rejection_to_error(&rejection))?;
        T::deserialize(StrictDeserializer::root(tree))
            .map(AppJson)
            .map_err(|e| {
                ApiError::bad_request(format!(
                    "Failed to deserialize the JSON body into the target type: {e}"
                ))
            })
    }
}

impl<T, S> OptionalFromRequest<S> for AppJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Option<Self>, Self::Rejection> {
        let (parts, body) = req.into_parts();
        let bytes = Bytes::from_request(Request::from_parts(parts.clone(), body), state)
            .await
            .map_err(|rejection| {
                if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::payload_too_large()
                } else {
                    ApiError::bad_request("the request body could not be read")
                }
            })?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(None);
        }
        let req = Request::from_parts(parts, Body::from(bytes));
        <Self as FromRequest<S>>::from_request(req, state)
            .await
            .map(Some)
    }
}

fn rejection_to_error(rejection: &JsonRejection) -> ApiError {
    match rejection {
        JsonRejection::JsonDataError(e) => ApiError::bad_request(e.body_text()),
        JsonRejection::JsonSyntaxError(e) => ApiError::bad_request(e.body_text()),
        JsonRejection::MissingJsonContentType(_) => ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            1000,
            "Unsupported media type",
            "the body must be JSON with `Content-Type: application/json`",
        ),
        other if other.status() == StatusCode::PAYLOAD_TOO_LARGE => ApiError::payload_too_large(),
        other => ApiError::bad_request(other.body_text()),
    }
}

impl<T: Serialize> IntoResponse for AppJson<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

/// A JSON value whose objects have no duplicate keys (pass 1); keys keep their order.
#[derive(Debug, Clone, PartialEq)]
pub enum Strict {
    Null,
    Bool(bool),
    Number(serde_json::Number),
    String(String),
    Array(Vec<Strict>),
    Object(Vec<(String, Strict)>),
}

impl<'de> Deserialize<'de> for Strict {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(StrictVisitor {
            path: String::new(),
        })
    }
}

fn child_path(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

fn describe(path: &str) -> String {
    if path.is_empty() {
        "the body".to_owned()
    } else {
        format!("`{path}`")
    }
}

/// Pass 1: reads any JSON value at `path`, refusing duplicate keys.
struct StrictVisitor {
    path: String,
}

impl<'de> DeserializeSeed<'de> for StrictVisitor {
    type Value = Strict;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Strict, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for StrictVisitor {
    type Value = Strict;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_unit<E>(self) -> Result<Strict, E> {
        Ok(Strict::Null)
    }

    fn visit_none<E>(self) -> Result<Strict, E> {
        Ok(Strict::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Strict, D::Error> {
        deserializer.deserialize_any(self)
    }

    fn visit_bool<E>(self, v: bool) -> Result<Strict, E> {
        Ok(Strict::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Strict, E> {
        Ok(Strict::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Strict, E> {
        Ok(Strict::Number(v.into()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Strict, E> {
        serde_json::Number::from_f64(v)
            .map(Strict::Number)
            .ok_or_else(|| E::custom("a number must be finite"))
    }

    fn visit_str<E>(self, v: &str) -> Result<Strict, E> {
        Ok(Strict::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Strict, E> {
        Ok(Strict::String(v))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Strict, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(StrictVisitor {
            path: format!("{}[{}]", self.path, items.len()),
        })? {
            items.push(item);
        }
        Ok(Strict::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Strict, A::Error> {
        let mut seen = HashSet::new();
        let mut entries = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            if !seen.insert(key.clone()) {
                return Err(de::Error::custom(format_args!(
                    "duplicate key `{key}` in {}",
                    describe(&self.path)
                )));
            }
            let value = map.next_value_seed(StrictVisitor {
                path: child_path(&self.path, &key),
            })?;
            entries.push((key, value));
        }
        Ok(Strict::Object(entries))
    }
}

/// An error of pass 2, with the path of the innermost value it is about.
#[derive(Debug)]
pub struct StrictError {
    path: Option<String>,
    message: String,
}

impl StrictError {
    fn at(mut self, path: &str) -> Self {
        if self.path.is_none() && !path.is_empty() {
            self.path = Some(path.to_owned());
        }
        self
    }
}

impl fmt::Display for StrictError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match &self.path {
            Some(path) => write!(f, "`{path}`: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for StrictError {}

impl de::Error for StrictError {
    fn custom<M: fmt::Display>(message: M) -> Self {
        StrictError {
            path: None,
            message: message.to_string(),
        }
    }
}

/// Pass 2: deserializes from a [`Strict`] tree; a struct must be an object.
pub struct StrictDeserializer {
    value: Strict,
    path: String,
}

impl StrictDeserializer {
    pub fn root(value: Strict) -> Self {
        StrictDeserializer {
            value,
            path: String::new(),
        }
    }

    /// Deserializes `value` at `path` with `seed`, naming the path in its error.
    fn run<'de, S: DeserializeSeed<'de>>(
        seed: S,
        value: Strict,
        path: String,
    ) -> Result<S::Value, StrictError> {
        seed.deserialize(StrictDeserializer {
            value,
            path: path.clone(),
        })
        .map_err(|e| e.at(&path))
    }
}

fn not_an_object(value: &Strict) -> Option<StrictError> {
    let found = match value {
        Strict::Array(_) => "an array",
        _ => return None,
    };
    Some(de::Error::custom(format_args!(
        "expected an object, found {found}"
    )))
}

impl<'de> Deserializer<'de> for StrictDeserializer {
    type Error = StrictError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, StrictError> {
        match self.value {
            Strict::Null => visitor.visit_unit(),
            Strict::Bool(v) => visitor.visit_bool(v),
            Strict::Number(n) => {
                if let Some(v) = n.as_u64() {
                    visitor.visit_u64(v)
                } else if let Some(v) = n.as_i64() {
                    visitor.visit_i64(v)
                } else {
                    visitor.visit_f64(n.as_f64().unwrap_or(f64::NAN))
                }
            }
            Strict::String(v) => visitor.visit_string(v),
            Strict::Array(items) => {
                let len = items.len();
                let mut seq = StrictSeq {
                    items: items.into_iter().enumerate(),
                    path: self.path,
                };
                let value = visitor.visit_seq(&mut seq)?;
                match seq.items.len() {
                    0 => Ok(value),
                    _ => Err(de::Error::invalid_length(len, &"fewer elements in array")),
                }
            }
            Strict::Object(entries) => {
                let len = entries.len();
                let mut map = StrictMap {
                    entries: entries.into_iter(),
                    value: None,
                    path: self.path,
                };
                let value = visitor.visit_map(&mut map)?;
                match map.entries.len() {
                    0 => Ok(value),
                    _ => Err(de::Error::invalid_length(len, &"fewer elements in map")),
                }
            }
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, StrictError> {
        match self.value {
            Strict::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, StrictError> {
        match not_an_object(&self.value) {
            Some(error) => Err(error),
            None => self.deserialize_any(visitor),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, StrictError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, StrictError> {
        match self.value {
            Strict::String(variant) => visitor.visit_enum(variant.into_deserializer()),
            Strict::Object(mut entries) if entries.len() == 1 => {
                let (variant, value) = entries.pop().expect("one entry");
                let path = child_path(&self.path, &variant);
                visitor.visit_enum(StrictEnum {
                    variant,
                    value,
                    path,
                })
            }
            _ => Err(de::Error::custom(
                "expected a string or an object with one key (an enum variant)",
            )),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, StrictError> {
        visitor.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        unit unit_struct seq tuple tuple_struct map identifier
    }
}

struct StrictSeq {
    items: std::iter::Enumerate<std::vec::IntoIter<Strict>>,
    path: String,
}

impl<'de> SeqAccess<'de> for StrictSeq {
    type Error = StrictError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, StrictError> {
        match self.items.next() {
            Some((index, value)) => {
                StrictDeserializer::run(seed, value, format!("{}[{index}]", self.path)).map(Some)
            }
            None => Ok(None),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

struct StrictMap {
    entries: std::vec::IntoIter<(String, Strict)>,
    value: Option<(String, Strict)>,
    path: String,
}

impl<'de> MapAccess<'de> for StrictMap {
    type Error = StrictError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, StrictError> {
        match self.entries.next() {
            Some((key, value)) => {
                let path = child_path(&self.path, &key);
                let key = seed
                    .deserialize(key.into_deserializer())
                    .map_err(|e: StrictError| e.at(&path))?;
                self.value = Some((path, value));
                Ok(Some(key))
            }
            None => Ok(None),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, StrictError> {
        let (path, value) = self
            .value
            .take()
            .ok_or_else(|| de::Error::custom("a map value without its key"))?;
        StrictDeserializer::run(seed, value, path)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

struct StrictEnum {
    variant: String,
    value: Strict,
    path: String,
}

impl<'de> EnumAccess<'de> for StrictEnum {
    type Error = StrictError;
    type Variant = StrictDeserializer;

    fn variant_seed<V: DeserializeSeed<'de>>(
        self,
        seed: V,
    ) -> Result<(V::Value, StrictDeserializer), StrictError> {
        let variant = seed
            .deserialize(self.variant.into_deserializer())
            .map_err(|e: StrictError| e.at(&self.path))?;
        Ok((
            variant,
            StrictDeserializer {
                value: self.value,
                path: self.path,
            },
        ))
    }
}

impl<'de> VariantAccess<'de> for StrictDeserializer {
    type Error = StrictError;

    fn unit_variant(self) -> Result<(), StrictError> {
        let path = self.path.clone();
        Deserialize::deserialize(self).map_err(|e: StrictError| e.at(&path))
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(
        self,
        seed: T,
    ) -> Result<T::Value, StrictError> {
        StrictDeserializer::run(seed, self.value, self.path)
    }

    fn tuple_variant<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, StrictError> {
        let path = self.path.clone();
        self.deserialize_any(visitor).map_err(|e| e.at(&path))
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, StrictError> {
        let path = self.path.clone();
        self.deserialize_struct("", fields, visitor)
            .map_err(|e| e.at(&path))
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde::Deserialize;

    use super::{Strict, StrictDeserializer};

    #[derive(Debug, Deserialize, PartialEq)]
    struct Inner {
        id: String,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Outer {
        name: String,
        #[serde(default)]
        inner: Option<Inner>,
        #[serde(default)]
        list: Vec<Inner>,
        #[serde(default)]
        map: BTreeMap<String, String>,
        #[serde(default)]
        count: Option<u32>,
    }

    fn parse(body: &str) -> Result<Outer, String> {
        let tree: Strict = serde_json::from_str(body).map_err(|e| e.to_string())?;
        Outer::deserialize(StrictDeserializer::root(tree)).map_err(|e| e.to_string())
    }

    #[test]
    fn valid_bodies_read_as_with_serde_json() {
        for body in [
            r#"{"name": "a"}"#,
            r#"{"name": "a", "inner": null, "list": [], "map": {}, "count": 7}"#,
            r#"{"name": "a", "inner": {"id": "x"}, "list": [{"id": "y"}], "map": {"k": "v"}}"#,
        ] {
            let expected: Outer = serde_json::from_str(body).unwrap();
            assert_eq!(parse(body), Ok(expected), "{body}");
        }
    }

    #[test]
    fn arrays_for_structs_and_duplicate_keys_are_refused_at_any_depth() {
        for (body, message) in [
            (r#"["a"]"#, "expected an object, found an array"),
            (
                r#"{"name": "a", "inner": ["x"]}"#,
                "`inner`: expected an object",
            ),
            (
                r#"{"name": "a", "list": [["y"]]}"#,
                "`list[0]`: expected an object",
            ),
            (
                r#"{"name": "a", "map": ["v"]}"#,
                "`map`: invalid type: sequence",
            ),
            (
                r#"{"name": "a", "name": "b"}"#,
                "duplicate key `name` in the body",
            ),
            (
                r#"{"name": "a", "map": {"k": "1", "k": "2"}}"#,
                "duplicate key `k` in `map`",
            ),
            (
                r#"{"name": "a", "list": [{"id": "1", "id": "2"}]}"#,
                "duplicate key `id` in `list[0]`",
            ),
            (r#"{"name": "a", "count": -1}"#, "`count`: invalid value"),
            (r#"{"name": "a", "colour": 1}"#, "unknown field `colour`"),
            (
                r#"{"name": "a", "inner": {}}"#,
                "`inner`: missing field `id`",
            ),
            ("\"a\"", "invalid type: string"),
        ] {
            let error = parse(body).expect_err(body);
            assert!(error.contains(message), "{body}: {error}");
        }
    }
}
