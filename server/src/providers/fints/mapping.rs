//! From the FinTS job's words to the engine's: accounts, transactions with stable ids,
//! challenges, errors.

use kontolink_api::{AuthMethod, Challenge, ChallengeFormat, ChallengeType};
use kontolink_fints::dialog::{AccountResult, FintsError};
use kontolink_fints::segments::bpd::TanMethod;
use kontolink_fints::segments::tan::TanChallenge;
use kontolink_fints::statements::Entry;
use sha2::{Digest, Sha256};
use time::Date;

use crate::engine::SyncFailure;
use crate::providers::{BankAccount, BankError, BankTransaction, blank_challenge};

/// The contract's account type for a FinTS account type code (HIUPD).
pub fn account_type(code: Option<u32>) -> &'static str {
    match code.unwrap_or(1) {
        1..=9 => "Giro account",
        10..=19 => "Savings account",
        20..=29 => "Fixed term deposit account",
        30..=39 => "Securities account",
        40..=49 => "Loan account",
        50..=59 => "Credit card",
        60..=69 => "Investment fund",
        70..=79 => "Building savings account",
        80..=89 => "Insurance",
        _ => "Other",
    }
}

pub fn account(result: &AccountResult, today: Date) -> BankAccount {
    let upd = result.upd.as_ref();
    let (balance, balance_currency, balance_date) = result
        .balance
        .clone()
        .map(|(amount, currency, date)| (amount, Some(currency), date))
        .unwrap_or_else(|| ("0".to_owned(), None, None));
    let currency = upd
        .and_then(|u| u.currency.clone())
        .or(balance_currency)
        .unwrap_or_else(|| "EUR".to_owned());
    let name = upd
        .and_then(|u| u.product_name.clone())
        .or_else(|| result.account.iban.clone())
        .or_else(|| result.account.number.clone())
        .unwrap_or_else(|| "Account".to_owned());
    BankAccount {
        provider_account_id: result.account.key(),
        iban: result.account.iban.clone(),
        name,
        account_type: account_type(upd.and_then(|u| u.account_type)).to_owned(),
        currency,
        owner: upd.and_then(|u| u.owner.clone()),
        balance,
        available: result.available.clone(),
        balance_date: balance_date.unwrap_or(today),
    }
}

/// Transactions with ids that survive a re-sync although FinTS gives none: a hash of the
/// account, amount, currency, value day (booking day when there is none), counterparty
/// IBAN and purpose (spaces and case folded), plus the number of earlier entries in the
/// same answer with the same hash (two equal bookings on one day stay two). The booking
/// state and the booking day are not part of it, so a pending entry that gets booked
/// keeps its id and is updated to `booked: true`.
pub fn transactions(account_key: &str, entries: &[Entry], currency: &str) -> Vec<BankTransaction> {
    // Counted apart, so the n-th pending copy of a booking gets the n-th booked one's id.
    let mut seen: std::collections::HashMap<(bool, String), u32> = std::collections::HashMap::new();
    // Booked first: when the same booking shows up as booked and (still) pending in one
    // answer, the booked one takes the first id.
    let mut ordered: Vec<&Entry> = entries.iter().filter(|e| e.booked).collect();
    ordered.extend(entries.iter().filter(|e| !e.booked));
    let mut out = Vec::with_capacity(entries.len());
    for entry in ordered {
        let purpose: String = entry
            .purpose
            .as_deref()
            .unwrap_or_default()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase();
        let day = entry.value_date.unwrap_or(entry.booking_date);
        let base = format!(
            "{account_key}|{}|{}|{day}|{}|{purpose}",
            entry.amount,
            entry.currency,
            entry.counterparty_iban.as_deref().unwrap_or_default()
        );
        let n = seen.entry((entry.booked, base.clone())).or_insert(0);
        let id = hex::encode(&Sha256::digest(format!("{base}|{n}").as_bytes())[..16]);
        *n += 1;
        if !entry.booked
            && out
                .iter()
                .any(|t: &BankTransaction| t.provider_transaction_id == id)
        {
            continue;
        }
        out.push(BankTransaction {
            provider_transaction_id: id,
            amount: entry.amount.clone(),
            currency: if entry.currency.is_empty() {
                currency.to_owned()
            } else {
                entry.currency.clone()
            },
            booking_date: entry.booking_date,
            value_date: entry.value_date,
            booked: entry.booked,
            purpose: entry.purpose.clone(),
            name: entry.counterparty_name.clone(),
            iban: entry.counterparty_iban.clone(),
            transaction_type: entry.transaction_type.clone(),
        });
    }
    out
}

fn input_format(method: Option<&TanMethod>) -> Option<String> {
    match method.and_then(|m| m.tan_format.as_deref()) {
        Some("1") => Some("NUMERIC".to_owned()),
        Some("2") => Some("ALPHANUMERIC".to_owned()),
        _ => None,
    }
}

/// A TAN to enter: flicker code, matrix image, or text.
pub fn tan_challenge(challenge: &TanChallenge, method: Option<&TanMethod>) -> Challenge {
    let (format, data) = if let Some(image) = &challenge.image {
        (ChallengeFormat::Photo, image.clone())
    } else if let Some(code) = &challenge.hhd {
        (ChallengeFormat::Hhd, code.clone())
    } else if challenge.is_html() {
        (ChallengeFormat::Html, challenge.text.clone())
    } else {
        (ChallengeFormat::Text, challenge.text.clone())
    };
    Challenge {
        format: Some(format),
        label: Some(
            method
                .map(|m| m.name.clone())
                .unwrap_or_else(|| "TAN".to_owned()),
        ),
        input_format: input_format(method),
        min_length: Some(1),
        max_length: method.and_then(|m| m.max_tan_length).filter(|l| *l > 0),
        additional_info: (format != ChallengeFormat::Text && format != ChallengeFormat::Html)
            .then(|| challenge.text.clone())
            .filter(|t| !t.is_empty())
            .or_else(|| challenge.medium.clone().map(|m| format!("TAN medium: {m}"))),
        data: Some(data),
        ..blank_challenge(ChallengeType::Embedded)
    }
}

pub fn decoupled_challenge(challenge: &TanChallenge, method: Option<&TanMethod>) -> Challenge {
    Challenge {
        label: method.map(|m| m.name.clone()),
        additional_info: Some(challenge.text.clone()).filter(|t| !t.is_empty()),
        ..blank_challenge(ChallengeType::Decoupled)
    }
}

pub fn method_select(methods: &[TanMethod]) -> Challenge {
    Challenge {
        // The widget's own (translated) heading says what to do; no English label here.
        label: None,
        auth_methods: methods
            .iter()
            .map(|m| AuthMethod {
                id: m.security_function.clone(),
                medium_name: None,
                // The bank's name of the method ("chipTAN optisch", "pushTAN 2.0"), what
                // the end-user knows it by; the widget shows it.
                method_type: Some(m.name.clone()),
                additional_info: None,
            })
            .collect(),
        ..blank_challenge(ChallengeType::AuthMethodSelect)
    }
}

pub fn medium_select(media: &[String]) -> Challenge {
    Challenge {
        label: None,
        auth_methods: media
            .iter()
            .map(|name| AuthMethod {
                id: name.clone(),
                medium_name: Some(name.clone()),
                method_type: None,
                additional_info: None,
            })
            .collect(),
        ..blank_challenge(ChallengeType::AuthMediumSelect)
    }
}

/// The bank's answer as the contract's error (§7, §9), its own text in `description`.
pub fn error(error: FintsError) -> BankError {
    let fatal = |code: u32, message: &str, description: String| {
        BankError::Fatal(SyncFailure::new(code, message, description))
    };
    match error {
        FintsError::PinWrong(text) => fatal(10000, "Credentials invalid", text),
        FintsError::Blocked(text) => fatal(10012, "Access blocked", text),
        FintsError::TanWrong(text) => fatal(10004, "TAN invalid", text),
        FintsError::ApprovalTimeout => fatal(
            10021,
            "Challenge not answered in time",
            "the approval in the banking app did not arrive within the bank's limit".to_owned(),
        ),
        FintsError::Bank {
            temporary: true,
            code,
            text,
        } => BankError::Retryable(format!("bank answered {code}: {text}")),
        FintsError::Bank { code, text, .. } => fatal(
            20000,
            "Bank error",
            format!("the bank refused the request ({code}): {text}"),
        ),
        FintsError::Protocol(text) => fatal(
            20000,
            "Bank error",
            format!("unexpected answer from the bank: {text}"),
        ),
        FintsError::Unsupported(text) => fatal(20001, "Bank connection not available", text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(amount: &str, booked: bool, booking: Date, purpose: &str) -> Entry {
        Entry {
            amount: amount.into(),
            currency: "EUR".into(),
            booking_date: booking,
            value_date: Some(time::macros::date!(2026 - 11 - 20)),
            booked,
            purpose: Some(purpose.into()),
            counterparty_name: Some("Shop".into()),
            counterparty_iban: Some("DE02120300000000202051".into()),
            counterparty_bic: None,
            transaction_type: None,
            end_to_end_id: None,
            bank_reference: None,
        }
    }

    #[test]
    fn ids_survive_a_resync_and_a_pending_entry_that_gets_booked_keeps_its_id() {
        let day = time::macros::date!(2026 - 11 - 20);
        let pending = transactions(
            "acct",
            &[entry("-12.00", false, day, "Coffee  beans")],
            "EUR",
        );
        let booked = transactions(
            "acct",
            &[entry(
                "-12.00",
                true,
                time::macros::date!(2026 - 11 - 21),
                "COFFEE beans",
            )],
            "EUR",
        );
        assert_eq!(
            pending[0].provider_transaction_id,
            booked[0].provider_transaction_id
        );
        assert!(!pending[0].booked && booked[0].booked);
        let again = transactions("acct", &[entry("-12.00", true, day, "COFFEE beans")], "EUR");
        assert_eq!(
            again[0].provider_transaction_id,
            booked[0].provider_transaction_id
        );
    }

    #[test]
    fn two_equal_bookings_on_one_day_stay_two_and_other_accounts_differ() {
        let day = time::macros::date!(2026 - 11 - 20);
        let twice = [
            entry("-1.00", true, day, "x"),
            entry("-1.00", true, day, "x"),
        ];
        let ids: Vec<String> = transactions("acct", &twice, "EUR")
            .into_iter()
            .map(|t| t.provider_transaction_id)
            .collect();
        assert_eq!(ids.len(), 2);
        assert_ne!(ids[0], ids[1]);
        let other = transactions("other", &twice[..1], "EUR");
        assert_ne!(other[0].provider_transaction_id, ids[0]);
    }

    #[test]
    fn a_pending_copy_of_a_booked_entry_in_one_answer_is_dropped() {
        let day = time::macros::date!(2026 - 11 - 20);
        let both = [
            entry("-5.00", false, day, "x"),
            entry("-5.00", true, day, "x"),
        ];
        let out = transactions("acct", &both, "EUR");
        assert_eq!(out.len(), 1);
        assert!(out[0].booked);
    }

    #[test]
    fn every_fints_account_kind_is_a_published_account_type() {
        for code in 0..=99 {
            assert!(kontolink_api::ACCOUNT_TYPES.contains(&account_type(Some(code))));
        }
    }

    #[test]
    fn account_types_follow_the_fints_ranges() {
        assert_eq!(account_type(Some(1)), "Giro account");
        assert_eq!(account_type(Some(10)), "Savings account");
        assert_eq!(account_type(Some(50)), "Credit card");
        assert_eq!(account_type(None), "Giro account");
    }
}
