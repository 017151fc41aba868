//! Typed views of the segments Kontolink speaks, built on [`crate::codec::Segment`]:
//! builders for the requests (`HK…`) and readers for the answers (`HI…`). Every other
//! segment stays a generic [`Segment`](crate::codec::Segment).

pub mod account;
pub mod bpd;
pub mod data;
pub mod requests;
pub mod returns;
pub mod tan;
pub mod upd;

use crate::codec::Segment;

/// The segments of one type, in message order.
pub fn all<'a>(segments: &'a [Segment], kind: &'a str) -> impl Iterator<Item = &'a Segment> + 'a {
    segments.iter().filter(move |s| s.kind() == kind)
}

/// The first segment of one type.
pub fn first<'a>(segments: &'a [Segment], kind: &str) -> Option<&'a Segment> {
    segments.iter().find(|s| s.kind() == kind)
}

/// `YYYYMMDD` → a date.
pub fn parse_date(text: &str) -> Option<time::Date> {
    let text = text.trim();
    if text.len() != 8 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let year: i32 = text[..4].parse().ok()?;
    let month: u8 = text[4..6].parse().ok()?;
    let day: u8 = text[6..8].parse().ok()?;
    time::Date::from_calendar_date(year, time::Month::try_from(month).ok()?, day).ok()
}

/// A date → `YYYYMMDD`.
pub fn format_date(date: time::Date) -> String {
    format!(
        "{:04}{:02}{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

/// A FinTS amount (`1234,5`, `0,`) → a decimal with `.` (`1234.5`, `0`).
pub fn parse_amount(text: &str) -> Option<String> {
    let text = text.trim();
    if text.is_empty()
        || !text
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b',' || b == b'-')
    {
        return None;
    }
    let (int, frac) = text.split_once(',').unwrap_or((text, ""));
    let int = if int.is_empty() { "0" } else { int };
    Some(if frac.is_empty() {
        int.to_owned()
    } else {
        format!("{int}.{frac}")
    })
}
