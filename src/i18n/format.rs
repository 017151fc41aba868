//! Amounts, dates and IBANs written the way each language writes them.
//!
//! Amounts arrive as exact decimal strings (`"-1234.5"`) and are formatted without floats:
//! `de` `-1.234,50 €`, `en` `-€1,234.50`, `fr` `-1 234,50 €`, `es` `-1234,50 €`
//! (Spanish groups thousands from five digits on: `12.345,00 €`). The space before a trailing
//! symbol is a no-break space (U+00A0), French groups with a narrow no-break space (U+202F).

use super::Language;

const NBSP: char = '\u{a0}';
const NNBSP: char = '\u{202f}';

struct Decimal<'a> {
    negative: bool,
    integer: &'a str,
    fraction: &'a str,
}

fn parse_decimal(amount: &str) -> Option<Decimal<'_>> {
    let trimmed = amount.trim();
    let (negative, unsigned) = match trimmed.as_bytes().first()? {
        b'-' => (true, &trimmed[1..]),
        b'+' => (false, &trimmed[1..]),
        _ => (false, trimmed),
    };
    let (integer, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if integer.is_empty() || !digits(integer) || !digits(fraction) {
        return None;
    }
    let integer = integer.trim_start_matches('0');
    Some(Decimal {
        negative: negative
            && (integer.bytes().any(|b| b != b'0') || fraction.bytes().any(|b| b != b'0')),
        integer: if integer.is_empty() { "0" } else { integer },
        fraction,
    })
}

fn group(integer: &str, separator: char, min_digits: usize) -> String {
    if integer.len() < min_digits {
        return integer.to_owned();
    }
    let mut out = String::with_capacity(integer.len() + integer.len() / 3);
    for (i, c) in integer.chars().enumerate() {
        if i > 0 && (integer.len() - i).is_multiple_of(3) {
            out.push(separator);
        }
        out.push(c);
    }
    out
}

fn symbol(currency: &str) -> Option<&'static str> {
    match currency {
        "EUR" => Some("€"),
        "USD" => Some("$"),
        "GBP" => Some("£"),
        _ => None,
    }
}

/// `amount` (a decimal string) in `currency` (ISO 4217), e.g. `1.234,56 €` in `de`.
pub fn format_amount(language: Language, amount: &str, currency: &str) -> String {
    let Some(decimal) = parse_decimal(amount) else {
        return format!("{amount}{NBSP}{currency}");
    };
    let (group_sep, decimal_sep, min_group) = match language {
        Language::De => ('.', ',', 4),
        Language::En => (',', '.', 4),
        Language::Fr => (NNBSP, ',', 4),
        Language::Es => ('.', ',', 5),
    };
    let mut fraction = decimal.fraction.to_owned();
    while fraction.len() < 2 {
        fraction.push('0');
    }
    let number = format!(
        "{}{decimal_sep}{fraction}",
        group(decimal.integer, group_sep, min_group)
    );
    let sign = if decimal.negative { "-" } else { "" };
    match (language, symbol(currency)) {
        (Language::En, Some(symbol)) => format!("{sign}{symbol}{number}"),
        (Language::En, None) => format!("{sign}{currency}{NBSP}{number}"),
        (_, symbol) => format!("{sign}{number}{NBSP}{}", symbol.unwrap_or(currency)),
    }
}

/// A calendar date `YYYY-MM-DD`: `21.11.2026` (de), `21/11/2026` (en, fr, es).
pub fn format_date(language: Language, date: &str) -> String {
    let parts: Vec<&str> = date.get(..10).unwrap_or(date).split('-').collect();
    let [year, month, day] = parts.as_slice() else {
        return date.to_owned();
    };
    let separator = if language == Language::De { '.' } else { '/' };
    format!("{day}{separator}{month}{separator}{year}")
}

/// A moment (RFC 3339) in the end-user's time zone, written by the browser's `Intl`.
pub fn format_timestamp(language: Language, timestamp: &str) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_str(timestamp));
    if date.get_time().is_nan() {
        return timestamp.to_owned();
    }
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&options, &"dateStyle".into(), &"long".into());
    let _ = js_sys::Reflect::set(&options, &"timeStyle".into(), &"short".into());
    date.to_locale_string(super::locale(language), &options)
        .into()
}

/// An IBAN in groups of four: `DE82 9009 4815 0000 0028 81`.
pub fn format_iban(iban: &str) -> String {
    let compact: Vec<char> = iban.chars().filter(|c| !c.is_whitespace()).collect();
    compact
        .chunks(4)
        .map(|chunk| chunk.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join(" ")
}
