//! What happens ([`Msg`]) and what the controller must do about it ([`Command`]).

use kontolink_api::{
    Access, Account, ChallengeResponse, CreateAccessRequest, FinishRedirect, Provider, Sync,
    SyncRequest, WidgetSession,
};

use super::model::{Credentials, ResumeRecord};
use crate::api::ClientError;

/// What happened: an end-user action or the outcome of a [`Command`].
#[derive(Debug, Clone, PartialEq)]
pub enum Msg {
    SessionOpened(Result<WidgetSession, ClientError>),
    ProviderChosen(Box<Provider>),
    ProviderLoaded(Result<Provider, ClientError>),
    ChangeBank,
    CredentialsSubmitted {
        access_method_id: String,
        credentials: Credentials,
        save_secrets: bool,
    },
    AccessCreated(Result<Access, ClientError>),
    SyncStarted(Result<Sync, ClientError>),
    SyncPolled {
        seq: u32,
        result: Result<Sync, ClientError>,
    },
    Answer(ChallengeResponse),
    Answered(Result<(), ClientError>),
    OpenRedirect,
    PopupBlocked,
    PopupClosed,
    AccountsLoaded(Result<Vec<Account>, ClientError>),
    AccountsChosen(Vec<String>),
    Retry,
    Close,
    CancelConfirmed,
    Finished(Result<FinishRedirect, ClientError>),
}

/// What the controller must do.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    OpenSession,
    LoadProvider(String),
    CreateAccess(CreateAccessRequest),
    StartSync {
        access_id: String,
        request: SyncRequest,
    },
    PollSync {
        access_id: String,
        sync_id: String,
        seq: u32,
        delay_ms: u32,
    },
    Respond {
        access_id: String,
        sync_id: String,
        challenge_id: String,
        response: ChallengeResponse,
    },
    /// Top-level window: keep the record in `sessionStorage`, then go to the bank.
    GoToBank {
        location: String,
        record: Box<ResumeRecord>,
    },
    /// Iframe: open the bank's page in a popup and report when it closes.
    OpenPopup {
        location: String,
    },
    LoadAccounts,
    Complete(Vec<String>),
    Cancel,
    Fail(String),
    /// Navigate to, or post to the parent, the end of the flow.
    Deliver(FinishRedirect),
}
