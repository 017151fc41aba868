//! What a synchronisation can fail with, classified from the bank's return codes.

use crate::segments::returns::Return;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FintsError {
    /// Login name or PIN wrong.
    #[error("the bank rejected the login: {0}")]
    PinWrong(String),
    /// PIN, access or TAN procedure blocked (also temporarily).
    #[error("the access is blocked: {0}")]
    Blocked(String),
    #[error("the TAN was rejected: {0}")]
    TanWrong(String),
    /// The decoupled approval did not come within the bank's polling limit.
    #[error("the approval in the banking app did not arrive in time")]
    ApprovalTimeout,
    /// Any other error the bank answered; `temporary` when trying later may help.
    #[error("the bank answered {code}: {text}")]
    Bank {
        code: String,
        text: String,
        temporary: bool,
    },
    /// The answer could not be read or made no sense.
    #[error("unexpected answer from the bank: {0}")]
    Protocol(String),
    /// The bank offers nothing Kontolink can use (e.g. no two-step TAN method).
    #[error("{0}")]
    Unsupported(String),
}

fn lower(r: &Return) -> String {
    r.text.to_lowercase()
}

/// The error of an answer's return codes, if any (`9…` codes; `9800` "dialog aborted"
/// only says that another code ended it).
pub fn classify(returns: &[Return]) -> Option<FintsError> {
    // `3938` ("access temporarily locked") is a warning by its number, but ends the login.
    let errors: Vec<&Return> = returns
        .iter()
        .filter(|r| r.is_error() || r.code == "3938")
        .collect();
    if errors.is_empty() {
        return None;
    }
    let main = errors
        .iter()
        .find(|r| r.code != "9800" && r.code != "9050" && r.code != "9010")
        .or_else(|| errors.iter().find(|r| r.code != "9800"))
        .unwrap_or(&errors[0]);
    let text = if main.text.is_empty() {
        format!("return code {}", main.code)
    } else {
        main.text.clone()
    };
    let all = errors
        .iter()
        .map(|r| lower(r))
        .collect::<Vec<_>>()
        .join(" ");
    let blocked = all.contains("gesperrt") || all.contains("blocked") || all.contains("sperre ");
    let is_tan = all.contains("tan") && !all.contains("pin");
    let wrong = [
        "falsch",
        "ungültig",
        "ungueltig",
        "fehlgeschlagen",
        "nicht korrekt",
        "invalid",
        "wrong",
    ]
    .iter()
    .any(|w| all.contains(w));
    let code = main.code.as_str();
    Some(match code {
        "9931" | "9942" | "9930" | "9340" | "9910"
            if !blocked && (code != "9910" || all.contains("pin")) =>
        {
            FintsError::PinWrong(text)
        }
        "3938" | "9938" | "9943" | "9936" => FintsError::Blocked(text),
        "9941" | "9954" => FintsError::TanWrong(text),
        _ if blocked => FintsError::Blocked(text),
        _ if wrong && is_tan => FintsError::TanWrong(text),
        _ if wrong
            && (all.contains("pin")
                || all.contains("log-in")
                || all.contains("login")
                || all.contains("anmeld")
                || all.contains("kennung")) =>
        {
            FintsError::PinWrong(text)
        }
        _ => FintsError::Bank {
            code: main.code.clone(),
            temporary: [
                "derzeit",
                "vorübergehend",
                "später",
                "wartung",
                "momentan",
                "zur zeit",
                "zurzeit",
            ]
            .iter()
            .any(|w| all.contains(w))
                || code == "9999",
            text,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(code: &str, text: &str) -> Return {
        Return {
            code: code.into(),
            segment: None,
            text: text.into(),
            params: vec![],
        }
    }

    #[test]
    fn pin_tan_blocked_and_bank_errors_are_told_apart() {
        assert_eq!(
            classify(&[
                r("9800", "Der Dialog wurde abgebrochen."),
                r(
                    "9942",
                    "Log-in fehlgeschlagen. 3 Fehlversuche fuhren zur Sperrung."
                )
            ]),
            Some(FintsError::PinWrong(
                "Log-in fehlgeschlagen. 3 Fehlversuche fuhren zur Sperrung.".into()
            ))
        );
        assert!(matches!(
            classify(&[r("9931", "Anmeldename oder PIN ist falsch.")]),
            Some(FintsError::PinWrong(_))
        ));
        assert!(matches!(
            classify(&[r("3938", "Ihr Zugang ist gesperrt.")]),
            Some(FintsError::Blocked(_))
        ));
        assert!(matches!(
            classify(&[r("9942", "PIN gesperrt.")]),
            Some(FintsError::Blocked(_))
        ));
        assert!(matches!(
            classify(&[r("9941", "TAN ungültig.")]),
            Some(FintsError::TanWrong(_))
        ));
        assert!(matches!(
            classify(&[r("9210", "Die angegebene TAN ist falsch.")]),
            Some(FintsError::TanWrong(_))
        ));
        assert!(matches!(
            classify(&[r("9010", "Verarbeitung derzeit nicht möglich.")]),
            Some(FintsError::Bank {
                temporary: true,
                ..
            })
        ));
        assert!(matches!(
            classify(&[r("9050", "Teilweise fehlerhaft."), r("9110", "Unbekannter Aufbau.")]),
            Some(FintsError::Bank { temporary: false, ref code, .. }) if code == "9110"
        ));
        assert_eq!(classify(&[r("0020", "ok"), r("3076", "no SCA")]), None);
    }
}
