//! The sync state machine: `QUEUED → RUNNING ⇄ AWAIT_AUTH → COMPLETED | FAILED`.
//!
//! [`SyncStatus::transition`] is the only way the engine moves a sync; the store repeats the
//! rule in its conditional `UPDATE … WHERE status IN (allowed sources)` and the SQLite schema
//! once more in a trigger, so no code path can skip it.

use std::fmt;
use std::str::FromStr;

use thiserror::Error;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SyncStatus {
    Queued,
    Running,
    AwaitAuth,
    Completed,
    Failed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[error("a sync cannot go from {from} to {to}")]
pub struct InvalidTransition {
    pub from: SyncStatus,
    pub to: SyncStatus,
}

impl SyncStatus {
    pub const ALL: [SyncStatus; 5] = [
        SyncStatus::Queued,
        SyncStatus::Running,
        SyncStatus::AwaitAuth,
        SyncStatus::Completed,
        SyncStatus::Failed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SyncStatus::Queued => "QUEUED",
            SyncStatus::Running => "RUNNING",
            SyncStatus::AwaitAuth => "AWAIT_AUTH",
            SyncStatus::Completed => "COMPLETED",
            SyncStatus::Failed => "FAILED",
        }
    }

    /// A finished sync never changes again.
    pub fn is_final(self) -> bool {
        matches!(self, SyncStatus::Completed | SyncStatus::Failed)
    }

    /// Queued, running or waiting for the end-user.
    pub fn is_active(self) -> bool {
        !self.is_final()
    }

    /// The states a sync may enter `to` from.
    pub fn sources(to: SyncStatus) -> &'static [SyncStatus] {
        match to {
            SyncStatus::Queued => &[],
            SyncStatus::Running => &[SyncStatus::Queued, SyncStatus::AwaitAuth],
            SyncStatus::AwaitAuth => &[SyncStatus::Running],
            SyncStatus::Completed => &[SyncStatus::Running],
            SyncStatus::Failed => &[SyncStatus::Running, SyncStatus::AwaitAuth],
        }
    }

    /// The one transition function of the state machine.
    pub fn transition(self, to: SyncStatus) -> Result<SyncStatus, InvalidTransition> {
        if Self::sources(to).contains(&self) {
            Ok(to)
        } else {
            Err(InvalidTransition { from: self, to })
        }
    }
}

impl fmt::Display for SyncStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Error)]
#[error("unknown sync status {0:?}")]
pub struct UnknownStatus(String);

impl FromStr for SyncStatus {
    type Err = UnknownStatus;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        SyncStatus::ALL
            .into_iter()
            .find(|status| status.as_str() == s)
            .ok_or_else(|| UnknownStatus(s.to_owned()))
    }
}

impl From<SyncStatus> for kontolink_api::SyncStatus {
    fn from(status: SyncStatus) -> Self {
        match status {
            SyncStatus::Queued => kontolink_api::SyncStatus::Queued,
            SyncStatus::Running => kontolink_api::SyncStatus::Running,
            SyncStatus::AwaitAuth => kontolink_api::SyncStatus::AwaitAuth,
            SyncStatus::Completed => kontolink_api::SyncStatus::Completed,
            SyncStatus::Failed => kontolink_api::SyncStatus::Failed,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::SyncStatus::{self, *};

    #[test]
    fn only_the_contracts_transitions_exist() {
        let allowed = [
            (Queued, Running),
            (Running, AwaitAuth),
            (AwaitAuth, Running),
            (Running, Completed),
            (Running, Failed),
            (AwaitAuth, Failed),
        ];
        for from in SyncStatus::ALL {
            for to in SyncStatus::ALL {
                let expected = allowed.contains(&(from, to));
                assert_eq!(from.transition(to).is_ok(), expected, "{from} → {to}");
            }
        }
    }

    #[test]
    fn finished_syncs_never_change() {
        for to in SyncStatus::ALL {
            assert!(Completed.transition(to).is_err());
            assert!(Failed.transition(to).is_err());
        }
    }

    #[test]
    fn text_round_trips() {
        for status in SyncStatus::ALL {
            assert_eq!(status.as_str().parse::<SyncStatus>().unwrap(), status);
        }
        assert!("DONE".parse::<SyncStatus>().is_err());
    }
}
