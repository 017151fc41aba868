use serde::{Deserialize, Serialize};

/// One entry of the end-user's event queue (`GET /rest/events?after=ID`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Event {
    pub id: String,
    /// `SYNC_QUEUED`, `SYNC_RUNNING`, `SYNC_AWAIT_AUTH`, `ACCOUNTS_UPDATED`,
    /// `TRANSACTIONS_UPDATED`, `SYNC_COMPLETED`, `SYNC_FAILED`, `ACCESS_UPGRADED`.
    pub event_type: String,
    /// `SYNC`, `ACCESS`, `ACCOUNT`.
    pub resource_type: String,
    pub resource_id: String,
    pub created_at: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub data: Option<serde_json::Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EventList {
    pub events: Vec<Event>,
}
