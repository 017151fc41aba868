//! The German `:86:` (Mehrzweckfeld) of MT940/MT942: `GVC?00Buchungstext?10Primanota
//! ?20…?29 purpose?30 BLZ/BIC?31 account/IBAN?32?33 name?34 key?60…?63 more purpose`, and
//! the SEPA tags (`EREF+`, `SVWZ+`, …) inside the purpose lines.
//!
//! Subfields hold 27 characters and banks cut words there, so lines are joined directly
//! after a full line and with a blank after a shorter one. Where a word ends exactly at a
//! full line the blank is lost: DKB's "…22.19 UHR" (27) + "1.TAN 012345" reads
//! "…22.19 UHR1.TAN 012345". No rule can tell that from a cut word ("…-33333" + "333").

use super::non_empty;

/// A subfield holds at most 27 characters; a full one was cut by the bank, a shorter one
/// ended a word or a line (its trailing blanks trimmed).
const SUBFIELD_WIDTH: usize = 27;

/// The SEPA tags German banks put into the purpose lines (DFÜ-Abkommen Anlage 3).
const SEPA_TAGS: &[&str] = &[
    "EREF", "KREF", "MREF", "CRED", "DEBT", "SVWZ", "ABWA", "ABWE", "IBAN", "BIC", "COAM", "OAMT",
    "SQTP", "PURP", "BREF", "RREF",
];

#[derive(Debug, Default)]
pub(super) struct Details {
    pub posting_text: Option<String>,
    pub purpose: Option<String>,
    pub name: Option<String>,
    pub account: Option<String>,
    pub bank: Option<String>,
    pub end_to_end_id: Option<String>,
}

/// Reads one `:86:` whose lines have been joined without separators.
pub(super) fn parse_86(text: &str) -> Details {
    let Some(subfields) = subfields(text) else {
        // Unstructured (SWIFT free text, or GVC 999 + text): all of it is the purpose.
        let free = text
            .get(..3)
            .filter(|g| g == &"999")
            .map_or(text, |_| &text[3..]);
        let (purpose, eref) = split_tags(&[free.trim()]);
        return Details {
            purpose,
            end_to_end_id: eref,
            ..Details::default()
        };
    };
    let mut details = Details::default();
    let mut purpose_lines = Vec::new();
    let mut name_lines = Vec::new();
    for (code, value) in subfields {
        match code {
            0 => details.posting_text = non_empty(value),
            20..=29 | 60..=63 => purpose_lines.push(value),
            30 => details.bank = non_empty(value),
            31 => details.account = non_empty(value),
            32 | 33 => name_lines.push(value),
            _ => {}
        }
    }
    let (purpose, eref) = split_tags(&purpose_lines);
    details.purpose = purpose;
    details.end_to_end_id = eref;
    details.name = non_empty(&join_lines(&name_lines).0);
    details
}

/// `GVC` + separator + `NNvalue` + separator + …: the subfields, or None if unstructured.
fn subfields(text: &str) -> Option<Vec<(u8, &str)>> {
    let b = text.as_bytes();
    if b.len() < 4 || !b[..3].iter().all(u8::is_ascii_digit) {
        return None;
    }
    let sep = b[3];
    if sep.is_ascii_alphanumeric() || sep.is_ascii_whitespace() || !sep.is_ascii() {
        return None;
    }
    let starts: Vec<usize> = (3..b.len().saturating_sub(2))
        .filter(|&i| b[i] == sep && b[i + 1].is_ascii_digit() && b[i + 2].is_ascii_digit())
        .collect();
    if starts.first() != Some(&3) {
        return None;
    }
    let mut out = Vec::with_capacity(starts.len());
    for (k, &s) in starts.iter().enumerate() {
        let end = starts.get(k + 1).copied().unwrap_or(b.len());
        let code = (b[s + 1] - b'0') * 10 + (b[s + 2] - b'0');
        out.push((code, &text[s + 3..end]));
    }
    Some(out)
}

/// Joins subfield lines: directly after a full line (the bank cut a word there), with one
/// blank after a shorter one. Also gives the byte offsets where each line starts.
fn join_lines(lines: &[&str]) -> (String, Vec<usize>) {
    let mut joined = String::new();
    let mut starts = Vec::with_capacity(lines.len());
    let mut previous_full = true;
    for line in lines {
        if !joined.is_empty() && !previous_full && !joined.ends_with(' ') && !line.starts_with(' ')
        {
            joined.push(' ');
        }
        starts.push(joined.len());
        joined.push_str(line);
        previous_full = line.chars().count() >= SUBFIELD_WIDTH;
    }
    (joined, starts)
}

/// The purpose and the end-to-end reference of the purpose lines. With SEPA tags, the
/// purpose is the `SVWZ+` text (or, without one, the text before the first tag); without,
/// all of it.
fn split_tags(lines: &[&str]) -> (Option<String>, Option<String>) {
    let (text, line_starts) = join_lines(lines);
    let b = text.as_bytes();
    // A tag counts at the start of a line or after a blank, never inside a word.
    let mut tags: Vec<(usize, &str)> = Vec::new();
    for (i, _) in text.char_indices() {
        let boundary = i == 0 || line_starts.contains(&i) || b[i - 1] == b' ';
        if !boundary {
            continue;
        }
        if let Some(tag) = SEPA_TAGS
            .iter()
            .find(|t| text[i..].starts_with(*t) && b.get(i + t.len()) == Some(&b'+'))
        {
            tags.push((i, tag));
        }
    }
    if tags.is_empty() {
        return (non_empty(&collapse(&text)), None);
    }
    let value = |k: usize| {
        let (start, tag) = tags[k];
        let end = tags.get(k + 1).map_or(text.len(), |t| t.0);
        collapse(&text[start + tag.len() + 1..end])
    };
    let find = |name: &str| tags.iter().position(|t| t.1 == name).map(value);
    let purpose = find("SVWZ").or_else(|| Some(collapse(&text[..tags[0].0])));
    let eref = find("EREF").filter(|e| e != "NOTPROVIDED");
    (
        purpose.and_then(|p| non_empty(&p)),
        eref.and_then(|e| non_empty(&e)),
    )
}

/// Trims and collapses runs of blanks into one.
fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}
