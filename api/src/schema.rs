//! OpenAPI schemas of constrained values (feature `openapi`): the bounds the server enforces,
//! written once, so `/openapi.json` describes exactly what is accepted. Used as
//! `#[schema(value_type = …, inline)]` on request fields.

use utoipa::openapi::schema::{
    ArrayBuilder, KnownFormat, ObjectBuilder, OneOfBuilder, SchemaFormat, Type,
};
use utoipa::openapi::{RefOr, Schema};
use utoipa::{PartialSchema, ToSchema};

/// Non-blank, no control characters (`\s` alone or C0/C1 controls are refused).
const TEXT_PATTERN: &str = r"^[^\u0000-\u001F\u007F-\u009F]*[^\s\u0000-\u001F\u007F-\u009F][^\u0000-\u001F\u007F-\u009F]*$";

fn text(max: usize) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .min_length(Some(1))
        .max_length(Some(max))
        .pattern(Some(TEXT_PATTERN))
}

/// An id or name: 1–255 characters, not blank, no control characters.
pub struct BoundedText;

impl PartialSchema for BoundedText {
    fn schema() -> RefOr<Schema> {
        text(255).into()
    }
}
impl ToSchema for BoundedText {}

/// One of [`crate::ACCOUNT_TYPES`].
pub struct AccountTypeName;

impl PartialSchema for AccountTypeName {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(crate::ACCOUNT_TYPES))
            .into()
    }
}
impl ToSchema for AccountTypeName {}

/// A flow's `account_types`: 0–100 of the known types.
pub struct AccountTypeList;

impl PartialSchema for AccountTypeList {
    fn schema() -> RefOr<Schema> {
        ArrayBuilder::new()
            .items(AccountTypeName::schema())
            .max_items(Some(100))
            .into()
    }
}
impl ToSchema for AccountTypeList {}

/// `POST /widget/complete`'s `account_ids`: 1–100 distinct ids.
pub struct AccountIdList;

impl PartialSchema for AccountIdList {
    fn schema() -> RefOr<Schema> {
        ArrayBuilder::new()
            .items(BoundedText::schema())
            .min_items(Some(1))
            .max_items(Some(100))
            .unique_items(true)
            .into()
    }
}
impl ToSchema for AccountIdList {}

/// An IPv4 or IPv6 address.
pub struct IpAddress;

impl PartialSchema for IpAddress {
    fn schema() -> RefOr<Schema> {
        let format = |f| {
            ObjectBuilder::new()
                .schema_type(Type::String)
                .format(Some(SchemaFormat::KnownFormat(f)))
        };
        OneOfBuilder::new()
            .item(format(KnownFormat::Ipv4))
            .item(format(KnownFormat::Ipv6))
            .into()
    }
}
impl ToSchema for IpAddress {}
