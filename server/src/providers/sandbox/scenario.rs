//! The sandbox bank's scenarios (contract §6): the login name picks one.

use kontolink_api::{AuthMethod, Challenge, ChallengeFormat, ChallengeType};

use crate::providers::{UpgradeKind, blank_challenge};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scenario {
    Demo,
    Embedded,
    Photo,
    Flicker,
    Methods,
    Decoupled,
    Redirect,
    Multi,
    Locked,
    Upgrade(UpgradeKind),
    Slow,
    Flaky,
    /// Not in the contract's table: one account on the first sync, a second one later
    /// (shows that scope `ACCOUNTS` adds new provider accounts to the access).
    Grow,
}

impl Scenario {
    /// Unknown logins behave like `demo`.
    pub fn from_login(login: &str) -> Scenario {
        match login {
            "embedded" => Scenario::Embedded,
            "photo" => Scenario::Photo,
            "flicker" => Scenario::Flicker,
            "methods" => Scenario::Methods,
            "decoupled" => Scenario::Decoupled,
            "redirect" => Scenario::Redirect,
            "multi" => Scenario::Multi,
            "locked" => Scenario::Locked,
            "upgrade1" => Scenario::Upgrade(UpgradeKind::Direct),
            "upgrade2" => Scenario::Upgrade(UpgradeKind::Split),
            "upgrade3" => Scenario::Upgrade(UpgradeKind::Partial),
            "slow" => Scenario::Slow,
            "flaky" => Scenario::Flaky,
            "grow" => Scenario::Grow,
            _ => Scenario::Demo,
        }
    }
}

/// One thing the bank asks during login.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Tan(ChallengeFormat),
    SecondTan,
    MethodSelect,
    MediumSelect,
    Decoupled,
    Redirect,
}

pub const TAN: &str = "123456";

pub const METHODS: [(&str, &str); 3] = [
    ("901", "pushTAN"),
    ("902", "chipTAN optisch"),
    ("903", "smsTAN"),
];
pub const MEDIA: [(&str, &str); 2] = [("phone-1", "Pixel 8"), ("phone-2", "iPhone 15")];

/// The stages of a login, given what the access remembers.
pub fn stages(scenario: Scenario, method: Option<&str>, medium: Option<&str>) -> Vec<Stage> {
    match scenario {
        Scenario::Embedded => vec![Stage::Tan(ChallengeFormat::Text)],
        Scenario::Photo => vec![Stage::Tan(ChallengeFormat::Photo)],
        Scenario::Flicker => vec![Stage::Tan(ChallengeFormat::Hhd)],
        Scenario::Methods => {
            let mut stages = Vec::new();
            if !method.is_some_and(|m| METHODS.iter().any(|(id, _)| *id == m)) {
                stages.push(Stage::MethodSelect);
            }
            if !medium.is_some_and(|m| MEDIA.iter().any(|(id, _)| *id == m)) {
                stages.push(Stage::MediumSelect);
            }
            stages.push(Stage::Tan(ChallengeFormat::Text));
            stages
        }
        Scenario::Decoupled => vec![Stage::Decoupled],
        Scenario::Redirect => vec![Stage::Redirect],
        Scenario::Multi => vec![Stage::Tan(ChallengeFormat::Text), Stage::SecondTan],
        _ => Vec::new(),
    }
}

pub fn tan_challenge(format: ChallengeFormat, data: String, label: &str) -> Challenge {
    Challenge {
        format: Some(format),
        data: Some(data),
        label: Some(label.to_owned()),
        input_format: Some("NUMERIC".to_owned()),
        min_length: Some(6),
        max_length: Some(6),
        additional_info: Some("Kontolink Sandbox Bank: every TAN is 123456".to_owned()),
        ..blank_challenge(ChallengeType::Embedded)
    }
}

/// The choices carry only the bank's names of its methods and devices ("pushTAN",
/// "Pixel 8"), as a real bank's do (FinTS sends no such label): what to do is said by the
/// client in the end-user's language (the widget's own heading), not by the bank in English.
pub fn method_select() -> Challenge {
    Challenge {
        label: None,
        auth_methods: METHODS
            .iter()
            .map(|(id, kind)| AuthMethod {
                id: (*id).to_owned(),
                medium_name: None,
                method_type: Some((*kind).to_owned()),
                additional_info: None,
            })
            .collect(),
        ..blank_challenge(ChallengeType::AuthMethodSelect)
    }
}

pub fn medium_select() -> Challenge {
    Challenge {
        label: None,
        auth_methods: MEDIA
            .iter()
            .map(|(id, name)| AuthMethod {
                id: (*id).to_owned(),
                medium_name: Some((*name).to_owned()),
                method_type: Some("smsTAN".to_owned()),
                additional_info: None,
            })
            .collect(),
        ..blank_challenge(ChallengeType::AuthMediumSelect)
    }
}
