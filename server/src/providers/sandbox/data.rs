//! The sandbox bank's deterministic data: accounts and bookings are derived from a seed
//! (SHA-256 of the login), so the same login always yields the same accounts and the same
//! transactions with the same ids, whichever access or process fetches them.

use sha2::{Digest, Sha256};
use time::{Date, Duration};

use crate::providers::{BankAccount, BankTransaction};

pub const BLZ: &str = "90094815";

pub type Seed = [u8; 32];

pub fn seed(login: &str) -> Seed {
    hash(&[b"kontolink-sandbox", login.as_bytes()])
}

fn hash(parts: &[&[u8]]) -> Seed {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update((part.len() as u32).to_be_bytes());
        hasher.update(part);
    }
    hasher.finalize().into()
}

fn number(bytes: &[u8]) -> u64 {
    let mut buf = [0u8; 8];
    buf.copy_from_slice(&bytes[..8]);
    u64::from_be_bytes(buf)
}

/// A German IBAN at the sandbox bank with correct check digits.
pub fn iban(account_number: u64) -> String {
    let bban = format!("{BLZ}{account_number:010}");
    // "DE" = 13 14, check digits 00 while computing.
    let numeric = format!("{bban}131400");
    let remainder = numeric
        .bytes()
        .fold(0u64, |acc, digit| (acc * 10 + u64::from(digit - b'0')) % 97);
    format!("DE{:02}{bban}", 98 - remainder)
}

fn cents(value: i64) -> String {
    let sign = if value < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", value.abs() / 100, value.abs() % 100)
}

/// `giro` and `savings`; `count` = how many of them exist.
pub fn accounts(seed: &Seed, count: usize, today: Date) -> Vec<BankAccount> {
    [
        ("giro", "Girokonto", "Giro account"),
        ("savings", "Tagesgeld", "Savings account"),
    ]
    .into_iter()
    .take(count)
    .map(|(id, name, account_type)| {
        let h = hash(&[seed, id.as_bytes()]);
        let balance = (number(&h) % 1_000_000) as i64 + if id == "giro" { 0 } else { 500_000 };
        BankAccount {
            provider_account_id: id.to_owned(),
            iban: Some(iban(number(&h[8..]) % 10_000_000_000)),
            name: name.to_owned(),
            account_type: account_type.to_owned(),
            currency: "EUR".to_owned(),
            owner: Some("Erika Mustermann".to_owned()),
            balance: cents(balance),
            available: Some(cents(balance + if id == "giro" { 100_000 } else { 0 })),
            balance_date: today,
        }
    })
    .collect()
}

const COUNTERPARTIES: [(&str, &str); 6] = [
    ("REWE Markt GmbH", "Einkauf REWE"),
    ("Stadtwerke Musterstadt", "Abschlag Strom"),
    ("Deutsche Bahn AG", "Fahrkarte"),
    ("Musterfirma GmbH", "Gehalt"),
    ("Hausverwaltung Schmidt", "Miete"),
    ("Buchhandlung am Markt", "Buecher"),
];

/// Bookings from `since` to `today`, 0–2 per day; the last two days are not yet booked.
pub fn transactions(
    seed: &Seed,
    account: &BankAccount,
    since: Date,
    today: Date,
) -> Vec<BankTransaction> {
    let mut out = Vec::new();
    let mut day = since;
    while day <= today {
        let day_text = day.to_string();
        let per_day = hash(&[
            seed,
            account.provider_account_id.as_bytes(),
            day_text.as_bytes(),
        ]);
        for n in 0..(per_day[0] % 3) {
            let h = hash(&[&per_day, &[n]]);
            let (name, purpose) = COUNTERPARTIES[(h[0] % 6) as usize];
            let magnitude = (number(&h[1..]) % 20_000 + 100) as i64;
            let amount = if name == "Musterfirma GmbH" {
                magnitude * 10
            } else {
                -magnitude
            };
            out.push(BankTransaction {
                provider_transaction_id: hex::encode(&h[..12]),
                amount: cents(amount),
                currency: account.currency.clone(),
                booking_date: day,
                value_date: Some(day),
                booked: day + Duration::days(2) <= today,
                purpose: Some(format!("{purpose} {}", &day_text)),
                name: Some(name.to_owned()),
                iban: Some(iban(number(&h[9..]) % 10_000_000_000)),
                transaction_type: Some(
                    if amount < 0 {
                        "Lastschrift"
                    } else {
                        "Gutschrift"
                    }
                    .to_owned(),
                ),
            });
        }
        match day.next_day() {
            Some(next) => day = next,
            None => break,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn ibans_have_valid_check_digits() {
        assert_eq!(iban(2881), "DE82900948150000002881");
    }

    #[test]
    fn the_same_login_always_yields_the_same_data() {
        let today = date!(2026 - 11 - 21);
        let since = today - Duration::days(90);
        let a = accounts(&seed("demo"), 2, today);
        let b = accounts(&seed("demo"), 2, today);
        assert_eq!(a, b);
        let ta = transactions(&seed("demo"), &a[0], since, today);
        assert_eq!(ta, transactions(&seed("demo"), &b[0], since, today));
        assert!(ta.len() > 30, "about one booking a day, got {}", ta.len());
        assert!(
            ta.iter()
                .all(|t| t.booking_date >= since && t.booking_date <= today)
        );
        let ids: std::collections::HashSet<_> =
            ta.iter().map(|t| &t.provider_transaction_id).collect();
        assert_eq!(ids.len(), ta.len());
        assert_ne!(a, accounts(&seed("other"), 2, today));
    }
}
