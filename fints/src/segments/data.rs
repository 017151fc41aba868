//! Answers with account data: balance (`HISAL`), statements as MT940/MT942 (`HIKAZ`) and
//! as camt.052 (`HICAZ`).

use crate::codec::{self, Segment};

/// A balance from `HISAL`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Balance {
    /// Signed decimal with `.`.
    pub booked: String,
    pub currency: String,
    pub date: Option<time::Date>,
    pub available: Option<String>,
    pub product_name: Option<String>,
}

/// `C:123,45:EUR:20200409` → (signed amount, currency, date).
fn signed_balance(
    segment: &Segment,
    element: usize,
) -> Option<(String, String, Option<time::Date>)> {
    let mark = segment.text(element, 0)?;
    let amount = super::parse_amount(&segment.text(element, 1)?)?;
    let currency = segment.text(element, 2).unwrap_or_default();
    let date = segment.text(element, 3).and_then(|d| super::parse_date(&d));
    let amount = if mark == "D" && !amount.trim_start_matches(['0', '.']).is_empty() {
        format!("-{amount}")
    } else {
        amount
    };
    Some((amount, currency, date))
}

/// The first `HISAL` of an answer.
pub fn balance(segments: &[Segment]) -> Option<Balance> {
    let hisal = super::first(segments, "HISAL")?;
    let (booked, currency, date) = signed_balance(hisal, 4)?;
    let available = hisal.text(7, 0).and_then(|a| super::parse_amount(&a));
    Some(Balance {
        booked,
        currency: if currency.is_empty() {
            hisal.text(3, 0).unwrap_or_default()
        } else {
            currency
        },
        date,
        available,
        product_name: hisal.text(2, 0),
    })
}

/// Statement pages of one answer: booked and pending texts / documents.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StatementPage {
    pub booked: Vec<String>,
    pub pending: Vec<String>,
}

/// `HIKAZ`: MT940 (booked) and MT942 (pending), decoded from ISO-8859-1.
pub fn mt940(segments: &[Segment]) -> StatementPage {
    let mut page = StatementPage::default();
    for hikaz in super::all(segments, "HIKAZ") {
        if let Some(bytes) = hikaz.bytes(1, 0).filter(|b| !b.is_empty()) {
            page.booked.push(codec::decode_latin1(bytes));
        }
        if let Some(bytes) = hikaz.bytes(2, 0).filter(|b| !b.is_empty()) {
            page.pending.push(codec::decode_latin1(bytes));
        }
    }
    page
}

/// `HICAZ`: camt.052 documents (XML, UTF-8 as the documents declare).
pub fn camt(segments: &[Segment]) -> StatementPage {
    let mut page = StatementPage::default();
    for hicaz in super::all(segments, "HICAZ") {
        if let Some(booked) = hicaz.element(3) {
            for value in &booked.0 {
                if !value.is_empty() {
                    page.booked.push(decode_xml(value.bytes()));
                }
            }
        }
        if let Some(bytes) = hicaz.bytes(4, 0).filter(|b| !b.is_empty()) {
            page.pending.push(decode_xml(bytes));
        }
    }
    page
}

/// XML documents are UTF-8 unless they say otherwise; anything else is read as ISO-8859-1.
fn decode_xml(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_owned(),
        Err(_) => codec::decode_latin1(bytes),
    }
}
