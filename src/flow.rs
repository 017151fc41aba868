//! The widget's state machine: one [`Step`] per page, a [`Model`] holding what the flow
//! knows, and [`update`], the pure transition `(model, msg) → commands`.
//!
//! Nothing here touches the browser or the network: the [`crate::controller`] runs the
//! [`Command`]s and feeds their outcome back as [`Msg`]s, so every transition can be tested
//! as a plain function.

mod challenge;
mod launch;
mod messages;
mod model;
mod problem;
mod sync;
mod update;
mod upgrade;

pub use launch::launch;
pub use messages::{Command, Msg};
pub use model::{
    Credentials, Launch, Model, Notice, Problem, ProblemKind, ResumeRecord, Retry, Step,
};
pub use sync::{
    FailureAction, classify_failure, detail, selectable_accounts, sort_for_display, sync_request,
};
pub use update::update;
pub use upgrade::UpgradeFollow;

/// Error code of a used or expired flow token.
pub const LINK_INVALID: u32 = 1030;
/// Resource busy.
pub const BUSY: u32 = 1008;
/// Credentials incomplete.
pub const CREDENTIALS_INCOMPLETE: u32 = 1011;
/// Too many requests (credential attempts): wait, then retry.
pub const RATE_LIMITED: u32 = 1029;
/// Too many unattended syncs (PSD2 limit).
pub const TOO_MANY_SYNCS: u32 = 1020;
pub const CREDENTIALS_INVALID: u32 = 10000;
pub const TAN_INVALID: u32 = 10004;
pub const TAN_SCHEME_BLOCKED: u32 = 10012;
/// "General error": what the widget reports for problems without a server code.
pub const GENERAL_ERROR: u32 = 30000;
