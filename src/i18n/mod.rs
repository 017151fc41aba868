//! Translations: one typed table per language, so a missing string fails to compile.
//! Templates carry `{}` where [`fill`] puts a value.

mod de;
mod en;
mod es;
pub mod format;
mod fr;

pub use kontolink_api::Language;

/// Every string the widget shows.
#[derive(Debug)]
pub struct Texts {
    pub starting: &'static str,
    pub busy: &'static str,
    pub missing_token_title: &'static str,
    pub missing_token_text: &'static str,
    pub link_invalid_title: &'static str,
    pub link_invalid_text: &'static str,
    pub cancel: &'static str,
    pub cancel_title: &'static str,
    pub cancel_text: &'static str,
    pub cancel_confirm: &'static str,
    pub cancel_dismiss: &'static str,
    pub back: &'static str,
    // Bank selection
    pub bank_search_title: &'static str,
    pub bank_search_label: &'static str,
    pub bank_search_hint: &'static str,
    pub bank_search_searching: &'static str,
    pub bank_search_no_results: &'static str,
    /// Exactly one bank found.
    pub bank_search_count_one: &'static str,
    /// `{}` = number of banks found (all of them shown).
    pub bank_search_count: &'static str,
    /// More banks match than the search returned: `{}` = shown, `{}` = found in all.
    pub bank_search_count_more: &'static str,
    pub blz: &'static str,
    pub bic: &'static str,
    // Credentials
    /// `{}` = the bank's name.
    pub credentials_title: &'static str,
    pub credentials_intro: &'static str,
    pub access_method_label: &'static str,
    pub field_login: &'static str,
    pub field_pin: &'static str,
    pub field_password: &'static str,
    pub field_customer_id: &'static str,
    pub field_account_number: &'static str,
    pub optional: &'static str,
    pub consent_label: &'static str,
    pub login_submit: &'static str,
    pub required_missing: &'static str,
    pub error_credentials_invalid: &'static str,
    pub error_credentials_incomplete: &'static str,
    // Progress
    pub progress_title: &'static str,
    pub step_queued: &'static str,
    pub step_login: &'static str,
    pub step_accounts: &'static str,
    pub step_transactions: &'static str,
    pub step_auth: &'static str,
    pub step_working: &'static str,
    // Challenges
    pub challenge_title: &'static str,
    pub tan_label: &'static str,
    pub tan_submit: &'static str,
    pub tan_required: &'static str,
    pub error_tan_invalid: &'static str,
    pub photo_alt: &'static str,
    pub photo_invalid: &'static str,
    pub flicker_help: &'static str,
    pub flicker_alt: &'static str,
    pub flicker_invalid: &'static str,
    pub flicker_size: &'static str,
    pub flicker_smaller: &'static str,
    pub flicker_larger: &'static str,
    pub flicker_speed: &'static str,
    pub flicker_slower: &'static str,
    pub flicker_faster: &'static str,
    pub method_title: &'static str,
    pub medium_title: &'static str,
    pub choice_submit: &'static str,
    pub choice_required: &'static str,
    pub decoupled_title: &'static str,
    pub decoupled_text: &'static str,
    pub decoupled_check: &'static str,
    pub waiting_for_approval: &'static str,
    pub redirect_title: &'static str,
    pub redirect_text: &'static str,
    pub redirect_continue: &'static str,
    pub redirect_popup_text: &'static str,
    pub redirect_popup_blocked: &'static str,
    /// Access upgrade: the bank moved to a new interface; log in once more.
    pub notice_bank_upgraded: &'static str,
    /// `1029` on a credential attempt.
    pub error_too_many_attempts: &'static str,
    pub redirect_done: &'static str,
    pub popup_done_title: &'static str,
    pub popup_done_text: &'static str,
    // Accounts
    pub accounts_title: &'static str,
    pub accounts_intro_multi: &'static str,
    pub accounts_intro_single: &'static str,
    pub accounts_submit: &'static str,
    pub accounts_required: &'static str,
    pub balance: &'static str,
    pub account_types: AccountTypeNames,
    // Finish
    pub finish_title: &'static str,
    pub finish_redirecting: &'static str,
    pub finish_embedded: &'static str,
    // Problems
    pub error_title: &'static str,
    pub error_tan_invalid_text: &'static str,
    /// `{}` = when the next sync is possible.
    pub error_too_many_syncs: &'static str,
    pub error_too_many_syncs_later: &'static str,
    /// `20002` with the time from which to try again (`{}`).
    pub error_bank_unavailable_until: &'static str,
    pub error_locked: &'static str,
    pub error_bank_unavailable: &'static str,
    pub error_network: &'static str,
    pub error_no_accounts: &'static str,
    pub error_generic: &'static str,
    /// `{}` = the error code.
    pub error_code: &'static str,
    pub retry: &'static str,
    pub close: &'static str,
}

/// The names of the known account types ([`kontolink_api::ACCOUNT_TYPES`]).
#[derive(Debug)]
pub struct AccountTypeNames {
    pub giro: &'static str,
    pub savings: &'static str,
    pub fixed_term_deposit: &'static str,
    pub securities: &'static str,
    pub loan: &'static str,
    pub credit_card: &'static str,
    pub investment_fund: &'static str,
    pub building_savings: &'static str,
    pub insurance: &'static str,
    pub other: &'static str,
}

impl AccountTypeNames {
    /// The names in the order of [`kontolink_api::ACCOUNT_TYPES`].
    fn in_wire_order(&self) -> [&'static str; 10] {
        [
            self.giro,
            self.savings,
            self.fixed_term_deposit,
            self.securities,
            self.loan,
            self.credit_card,
            self.investment_fund,
            self.building_savings,
            self.insurance,
            self.other,
        ]
    }
}

/// The table of a language.
pub fn texts(language: Language) -> &'static Texts {
    match language {
        Language::De => &de::TEXTS,
        Language::En => &en::TEXTS,
        Language::Fr => &fr::TEXTS,
        Language::Es => &es::TEXTS,
    }
}

/// The language of the pages shown before the flow is known (missing or used link): the
/// first of the browser's preferred languages (`navigator.languages`, e.g. `fr-CH`) that the
/// widget speaks, else German, the default. Once the session is open, the flow's language
/// set by the integrator takes over.
pub fn preferred<S: AsRef<str>>(browser_languages: &[S]) -> Language {
    browser_languages
        .iter()
        .filter_map(|tag| {
            let primary = tag.as_ref().split(['-', '_']).next()?.to_ascii_lowercase();
            Language::from_code(&primary)
        })
        .next()
        .unwrap_or_default()
}

/// The browser's preferred languages, best first.
pub fn browser_languages() -> Vec<String> {
    web_sys::window()
        .map(|w| w.navigator().languages())
        .map(|list| list.iter().filter_map(|v| v.as_string()).collect())
        .unwrap_or_default()
}

/// Puts `value` where the template has `{}`.
pub fn fill(template: &str, value: &str) -> String {
    template.replacen("{}", value, 1)
}

/// The BCP 47 tag used for the browser's date formatting.
pub fn locale(language: Language) -> &'static str {
    match language {
        Language::De => "de-DE",
        Language::En => "en-GB",
        Language::Fr => "fr-FR",
        Language::Es => "es-ES",
    }
}

/// Label of a credential field: translated when its id is well known, else the provider's.
pub fn credential_label(texts: &Texts, id: &str, provider_label: &str) -> String {
    let normalized: String = id
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    let known = match normalized.as_str() {
        "login" | "loginname" | "userid" | "username" | "user" | "benutzerkennung" => {
            texts.field_login
        }
        "pin" => texts.field_pin,
        "password" | "passwort" => texts.field_password,
        "customerid" | "kundennummer" => texts.field_customer_id,
        "accountnumber" | "kontonummer" => texts.field_account_number,
        _ => return provider_label.to_owned(),
    };
    known.to_owned()
}

/// An account's type as the end-user reads it: a known type (the wire's English name, e.g.
/// `Giro account`) in the flow's language, any other as the bank sent it.
pub fn account_type_label(texts: &Texts, account_type: &str) -> String {
    kontolink_api::ACCOUNT_TYPES
        .iter()
        .zip(texts.account_types.in_wire_order())
        .find(|(wire, _)| wire.eq_ignore_ascii_case(account_type.trim()))
        .map_or_else(|| account_type.to_owned(), |(_, label)| label.to_owned())
}

/// The bank search's status once its answer is in: how many banks are shown and, when the
/// server cut the list at its limit, of how many (`total`, the server's count of matches).
pub fn bank_search_count(texts: &Texts, shown: usize, total: Option<u64>) -> String {
    match total {
        Some(total) if total > shown as u64 => fill(
            &fill(texts.bank_search_count_more, &shown.to_string()),
            &total.to_string(),
        ),
        _ if shown == 1 => texts.bank_search_count_one.to_owned(),
        _ => fill(texts.bank_search_count, &shown.to_string()),
    }
}
