//! MT940/MT942 as German banks deliver them over FinTS.
//!
//! A tolerant field splitter of our own: lines (`\r\n`, `\n`, `\r` or `@@`), a field starts
//! at `:NN:`/`:NNa:` at the start of a line, other lines continue it, a line `-` ends a
//! record (unless the next line is not a field, then it is text of a `:86:` that ended in
//! `-`). Only what an `Entry` needs is read: the currency of the record (`:60F:`/`:60M:`,
//! else `:62F:`/`:62M:`, `:64:`, MT942's `:34F:`/`:90D:`/`:90C:`), every `:61:`
//! and the `:86:` after it (`purpose.rs` reads its subfields). Unknown fields are
//! skipped; nothing is required but a well-formed `:61:` and some currency in its record.
//!
//! Why not the `mt940` crate (1.1.1, "a strict MT940 bank statement parser", a pest
//! grammar over SWIFT's syntax, with chrono and rust_decimal): FinTS delivers what banks
//! make of SWIFT, and the crate rejects it. Tried on the DKB recording in
//! `tests/fixtures/statements/` (`dkb_full.mt940` and its variants):
//! - as delivered: `Pest parsing error --> 18:64 … SVWZ+Irgendein Kä … expected EOI or tag`
//!   (ISO-8859-1 letters are outside the SWIFT character set). Only after its own
//!   `sanitizers::sanitize` does it parse, and then the purpose reads "Irgendein Kase";
//! - the two touchdown pages (`dkb_paginated_1.mt940`, `dkb_paginated_2.mt940`), each even
//!   sanitized: "Required tag '62' not found." and "Required tag '20' not found.";
//! - without the `:28C:` line: "Unexpected tag '60F' found. Expected one of '["28", "28C"]'";
//! - with `@@` as line separator: "Pest parsing error --> 1:1 … expected tag";
//! - MT942 (pending, `:34F:`, `:13D:`, `:90D:`): "Unknown tag: '34F'".
//!
//! Its `:86:` reader does split the German subfields, but leaves the SEPA tags in the
//! purpose ("KREF+HKCCS12345SVWZ+3230…"), so that part would be ours anyway.

use super::purpose::{Details, parse_86};
use super::{Entry, StatementError};
use time::{Date, Month};

/// One field: tag, 1-based line of its start, its lines (the first without the tag).
struct Field<'a> {
    tag: String,
    line: usize,
    lines: Vec<&'a str>,
}

pub(super) fn parse(text: &str, booked: bool) -> Result<Vec<Entry>, StatementError> {
    let normalized = text
        .replace("@@", "\n")
        .replace("\r\n", "\n")
        .replace('\r', "\n");
    let lines: Vec<&str> = normalized.split('\n').collect();
    let mut entries = Vec::new();
    let mut record: Vec<Field> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let raw = lines[i];
        let line_no = i + 1;
        i += 1;
        let trimmed = raw.trim_end();
        if trimmed == "-" || trimmed == "-}" {
            // The end of a record, unless the text of a field goes on after it.
            let next = lines[i..].iter().find(|l| !l.trim().is_empty());
            if next.is_none_or(|l| field_start(l.trim_start_matches('-')).is_some()) {
                read_record(std::mem::take(&mut record), booked, &mut entries)?;
                continue;
            }
        }
        let candidate = raw.strip_prefix('-').unwrap_or(raw);
        if let Some((tag, rest)) = field_start(candidate) {
            if tag == "20" && !record.is_empty() {
                read_record(std::mem::take(&mut record), booked, &mut entries)?;
            }
            record.push(Field {
                tag,
                line: line_no,
                lines: vec![rest],
            });
        } else if let Some(field) = record.last_mut() {
            field.lines.push(raw);
        }
        // Text before the first field (blank lines, a lone "-") is no field: skipped.
    }
    read_record(record, booked, &mut entries)?;
    Ok(entries)
}

/// `:NN:` or `:NNa:` at the start of a line: the tag (upper case) and the rest.
fn field_start(line: &str) -> Option<(String, &str)> {
    let rest = line.strip_prefix(':')?;
    let end = rest.find(':')?;
    let tag = &rest[..end];
    let b = tag.as_bytes();
    let ok = match b.len() {
        2 => b[0].is_ascii_digit() && b[1].is_ascii_digit(),
        3 => b[0].is_ascii_digit() && b[1].is_ascii_digit() && b[2].is_ascii_alphabetic(),
        _ => false,
    };
    ok.then(|| (tag.to_ascii_uppercase(), &rest[end + 1..]))
}

fn read_record(
    record: Vec<Field>,
    booked: bool,
    entries: &mut Vec<Entry>,
) -> Result<(), StatementError> {
    let mut currency: Option<String> = None;
    let mut fallback_currency: Option<String> = None;
    let start = entries.len();
    let mut first_line = None;
    let mut awaiting_86 = false;
    for field in &record {
        match field.tag.as_str() {
            "60F" | "60M" => currency = Some(balance_currency(field)?),
            "62F" | "62M" | "64" | "65" | "90D" | "90C" if fallback_currency.is_none() => {
                fallback_currency = Some(balance_currency(field)?);
            }
            "34F" if fallback_currency.is_none() => {
                let c: String = field.lines[0].trim().chars().take(3).collect();
                fallback_currency = Some(c.to_ascii_uppercase());
            }
            "61" => {
                first_line.get_or_insert(field.line);
                let mut entry = parse_61(field, booked)?;
                entry.currency = currency.clone().unwrap_or_default();
                entries.push(entry);
                awaiting_86 = true;
            }
            "86" => {
                // Information to the account owner after a :61: belongs to that entry;
                // a :86: of the whole statement (after :62F:) has no entry to go to.
                if let Some(entry) = entries[start..].last_mut().filter(|_| awaiting_86) {
                    apply_details(entry, parse_86(&field.lines.concat()));
                }
                awaiting_86 = false;
            }
            _ => {}
        }
    }
    for entry in &mut entries[start..] {
        if entry.currency.is_empty() {
            match currency.as_ref().or(fallback_currency.as_ref()) {
                Some(c) => entry.currency = c.clone(),
                None => {
                    return Err(StatementError::Mt940 {
                        line: first_line.unwrap_or(0),
                        field: "61".into(),
                        message: "no currency: the record has no :60F:/:60M:/:62F:/:34F:".into(),
                    });
                }
            }
        }
    }
    Ok(())
}

fn apply_details(entry: &mut Entry, d: Details) {
    entry.purpose = d.purpose;
    entry.counterparty_name = d.name;
    entry.counterparty_iban = d.account;
    entry.counterparty_bic = d.bank;
    entry.transaction_type = d.posting_text;
    entry.end_to_end_id = d.end_to_end_id;
}

fn err(field: &Field, message: impl Into<String>) -> StatementError {
    StatementError::Mt940 {
        line: field.line,
        field: field.tag.clone(),
        message: message.into(),
    }
}

/// The currency of a balance `[C|D]YYMMDDCCCamount` (or MT942's `:90D:` `nCCCamount`).
fn balance_currency(field: &Field) -> Result<String, StatementError> {
    let v = field.lines[0].trim();
    let rest = match field.tag.as_str() {
        "90D" | "90C" => v.trim_start_matches(|c: char| c.is_ascii_digit()),
        _ => v.get(7..).unwrap_or(""),
    };
    let cur: String = rest.chars().take(3).collect();
    if cur.len() == 3 && cur.chars().all(|c| c.is_ascii_alphabetic()) {
        Ok(cur.to_ascii_uppercase())
    } else {
        Err(err(field, format!("expected a currency code in {v:?}")))
    }
}

/// `:61:` YYMMDD[MMDD](C|D|RC|RD)[funds code]amount(N|F|S)xxx customer ref[//bank ref]
/// [\n supplementary details].
fn parse_61(field: &Field, booked: bool) -> Result<Entry, StatementError> {
    let v = field.lines[0].trim();
    // Marks and type codes in upper case (some banks write `d`, `c`, `nmsc`); ASCII upper
    // case keeps byte positions, so the references are cut from the original.
    let upper = v.to_ascii_uppercase();
    let b = upper.as_bytes();
    let digits = |from: usize, n: usize| {
        b.len() >= from + n && b[from..from + n].iter().all(u8::is_ascii_digit)
    };
    if !digits(0, 6) {
        return Err(err(
            field,
            format!("expected the value date YYMMDD at the start of {v:?}"),
        ));
    }
    let num = |from: usize| (b[from] - b'0') * 10 + (b[from + 1] - b'0');
    let value_date = date(2000 + i32::from(num(0)), num(2), num(4))
        .ok_or_else(|| err(field, format!("value date {:?} is no date", &v[..6])))?;
    let mut pos = 6;
    let booking_date = if digits(6, 4) {
        pos = 10;
        Some(
            booking_near(value_date, num(6), num(8))
                .ok_or_else(|| err(field, format!("booking date {:?} is no date", &v[6..10])))?,
        )
    } else {
        None
    };
    let (negative, mark_len) = match (b.get(pos), b.get(pos + 1)) {
        (Some(b'R'), Some(b'C')) => (true, 2), // storno of a credit: a debit
        (Some(b'R'), Some(b'D')) => (false, 2), // storno of a debit: a credit
        (Some(b'C'), _) => (false, 1),
        (Some(b'D'), _) => (true, 1),
        _ => {
            return Err(err(
                field,
                format!(
                    "expected the mark C, D, RC or RD at position {} of {v:?}",
                    pos + 1
                ),
            ));
        }
    };
    pos += mark_len;
    if b.get(pos).is_some_and(u8::is_ascii_alphabetic) {
        pos += 1; // the funds code, the third letter of the currency
    }
    let amount_len = b[pos..]
        .iter()
        .take_while(|c| c.is_ascii_digit() || **c == b',')
        .count();
    let raw_amount = &v[pos..pos + amount_len];
    let amount = decimal(raw_amount, negative)
        .ok_or_else(|| err(field, format!("expected an amount like 123,45 in {v:?}")))?;
    pos += amount_len;
    if !matches!(b.get(pos), Some(b'N' | b'F' | b'S')) || v.len() < pos + 4 {
        return Err(err(
            field,
            format!("expected the transaction type N/F/S + 3 characters after the amount in {v:?}"),
        ));
    }
    pos += 4;
    let references = v.get(pos..).unwrap_or("");
    let bank_reference = references
        .split_once("//")
        .and_then(|(_, bank)| super::non_empty(bank));
    Ok(Entry {
        amount,
        currency: String::new(),
        booking_date: booking_date.unwrap_or(value_date),
        value_date: Some(value_date),
        booked,
        purpose: None,
        counterparty_name: None,
        counterparty_iban: None,
        counterparty_bic: None,
        transaction_type: None,
        end_to_end_id: None,
        bank_reference,
    })
}

fn date(year: i32, month: u8, day: u8) -> Option<Date> {
    Date::from_calendar_date(year, Month::try_from(month).ok()?, day).ok()
}

/// The booking date MMDD in the year before, of or after the value date, whichever is
/// nearest to it (value 2019-12-31, booking 0102 → 2020-01-02).
fn booking_near(value: Date, month: u8, day: u8) -> Option<Date> {
    (value.year() - 1..=value.year() + 1)
        .filter_map(|y| date(y, month, day))
        .min_by_key(|d| (*d - value).whole_days().abs())
}

/// MT940 amount `1234,5` → `1234.5` (sign in front when `negative` and not zero).
fn decimal(raw: &str, negative: bool) -> Option<String> {
    let (int, frac) = raw.split_once(',')?;
    if int.is_empty() || frac.contains(',') {
        return None;
    }
    let int = int.trim_start_matches('0');
    let int = if int.is_empty() { "0" } else { int };
    let zero = int == "0" && frac.bytes().all(|c| c == b'0');
    let sign = if negative && !zero { "-" } else { "" };
    Some(if frac.is_empty() {
        format!("{sign}{int}")
    } else {
        format!("{sign}{int}.{frac}")
    })
}
