use leptos::prelude::*;

use crate::flow::Notice;
use crate::i18n::{Texts, fill};

/// `data-testid` suffix and text of a notice.
pub fn describe(texts: &Texts, notice: &Notice) -> (&'static str, String) {
    match notice {
        Notice::CredentialsInvalid => (
            "credentials-invalid",
            texts.error_credentials_invalid.into(),
        ),
        Notice::CredentialsIncomplete => (
            "credentials-incomplete",
            texts.error_credentials_incomplete.into(),
        ),
        Notice::TanInvalid => ("tan-invalid", texts.error_tan_invalid.into()),
        Notice::PopupBlocked => ("popup-blocked", texts.redirect_popup_blocked.into()),
        Notice::BankUpgraded => ("bank-upgraded", texts.notice_bank_upgraded.into()),
        Notice::TooManyAttempts => ("too-many-attempts", texts.error_too_many_attempts.into()),
        Notice::Network => ("network", texts.error_network.into()),
        Notice::Error(code) => (
            "generic",
            format!(
                "{} {}",
                texts.error_generic,
                fill(texts.error_code, &code.to_string())
            ),
        ),
    }
}

/// A message about the last attempt, announced at once (`role="alert"`).
#[component]
pub fn NoticeView(notice: Option<Notice>, texts: &'static Texts) -> impl IntoView {
    notice.map(|notice| {
        let (kind, text) = describe(texts, &notice);
        // Information (not a failure) is announced politely and styled as such.
        let (class, role, testid) = match notice {
            Notice::BankUpgraded => ("kl-notice kl-notice-info", "status", "notice"),
            _ => ("kl-notice", "alert", "error"),
        };
        view! {
            <p class=class role=role data-testid=format!("{testid}-{kind}")>{text}</p>
        }
    })
}

/// A message about the form itself (a required field left empty).
#[component]
pub fn FormError(message: RwSignal<Option<&'static str>>) -> impl IntoView {
    move || {
        message.get().map(|text| {
            view! { <p class="kl-notice" role="alert" data-testid="error-form">{text}</p> }
        })
    }
}
