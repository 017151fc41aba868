//! Writing the flicker code (HHD.md §4) and checking an already-rendered one.

use super::{HhdChallenge, HhdError, Version};

struct Encoded {
    hex: String,
    bytes: usize,
    bcd: bool,
}

/// BCD when all characters are digits (and ASCII was not requested), else ASCII.
fn encode(data: &str, ascii_requested: bool) -> Encoded {
    if !ascii_requested && data.bytes().all(|b| b.is_ascii_digit()) {
        let mut hex = data.to_owned();
        if hex.len() % 2 == 1 {
            hex.push('F');
        }
        Encoded {
            bytes: hex.len() / 2,
            hex,
            bcd: true,
        }
    } else {
        Encoded {
            hex: data.bytes().map(|b| format!("{b:02X}")).collect(),
            bytes: data.len(),
            bcd: false,
        }
    }
}

pub(super) fn render(challenge: &HhdChallenge) -> Result<String, HhdError> {
    let version = challenge.version();
    let control: String = challenge
        .control
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect();
    let start = encode(&challenge.start_code, false);
    let ls = start.bytes | if version == Version::Hhd14 { 0x80 } else { 0 };
    if start.bytes > 0x3F {
        return Err(HhdError::TooLong);
    }
    let mut body = format!("{ls:02X}{control}{}", start.hex);
    let mut luhn_input = format!("{control}{}", start.hex);
    for de in &challenge.data_elements {
        let encoded = encode(&de.data, de.ascii_requested);
        let length = match (encoded.bcd, version) {
            (true, _) => encoded.bytes,
            (false, Version::Hhd14) => encoded.bytes | 0x40,
            (false, Version::Hhd13) if encoded.bytes > 0x0F => return Err(HhdError::TooLong),
            (false, Version::Hhd13) => encoded.bytes | 0x10,
        };
        if encoded.bytes > 0x3F {
            return Err(HhdError::TooLong);
        }
        body.push_str(&format!("{length:02X}{}", encoded.hex));
        luhn_input.push_str(&encoded.hex);
    }
    let lc = (body.len() + 2) / 2;
    if lc > 0xFF {
        return Err(HhdError::TooLong);
    }
    let mut code = format!("{lc:02X}{body}");
    let luhn = luhn(&luhn_input);
    let xor = xor(&code);
    code.push_str(&format!("{luhn:X}{xor:X}"));
    Ok(code)
}

fn nibble(c: u8) -> u32 {
    char::from(c).to_digit(16).unwrap_or(0)
}

/// The Luhn digit over control bytes, start code and DE data (rendered hex, no lengths).
pub fn luhn(data: &str) -> u32 {
    let sum: u32 = data
        .as_bytes()
        .chunks(2)
        .map(|pair| {
            let first = nibble(pair[0]);
            let doubled = pair.get(1).map_or(0, |&c| 2 * nibble(c));
            first + doubled / 10 + doubled % 10
        })
        .sum();
    (10 - sum % 10) % 10
}

/// XOR of the nibble values of every hex character.
pub fn xor(data: &str) -> u32 {
    data.bytes().fold(0, |acc, c| acc ^ nibble(c))
}

/// Whether `code` is a rendered flicker code: hex, LC matching its length, and both
/// checksums right.
pub fn is_rendered_code(code: &str) -> bool {
    let bytes = code.as_bytes();
    if bytes.len() < 6 || bytes.len() % 2 == 1 || !bytes.iter().all(u8::is_ascii_hexdigit) {
        return false;
    }
    let byte_at = |i: usize| (nibble(bytes[i]) << 4 | nibble(bytes[i + 1])) as usize;
    if byte_at(0) * 2 != bytes.len() - 2 {
        return false;
    }
    let (body, checks) = code.split_at(code.len() - 2);
    let Some(luhn_input) = luhn_input_of(body) else {
        return false;
    };
    let expected = format!("{:X}{:X}", luhn(&luhn_input), xor(body));
    checks.eq_ignore_ascii_case(&expected)
}

/// Walks a rendered code (without its checksums) and collects the Luhn input.
fn luhn_input_of(body: &str) -> Option<String> {
    let bytes = body.as_bytes();
    let byte_at = |i: usize| -> Option<usize> {
        let pair = bytes.get(i..i + 2)?;
        Some((nibble(pair[0]) << 4 | nibble(pair[1])) as usize)
    };
    let ls = byte_at(2)?;
    let mut at = 4;
    let mut input = String::new();
    let version_14 = ls & 0x80 != 0;
    if version_14 {
        loop {
            let control = byte_at(at)?;
            input.push_str(body.get(at..at + 2)?);
            at += 2;
            if control & 0x80 == 0 {
                break;
            }
        }
    }
    let start_len = 2 * (ls & 0x3F);
    input.push_str(body.get(at..at + start_len)?);
    at += start_len;
    while at < body.len() {
        let length = byte_at(at)?;
        let data_len = 2 * if version_14 {
            length & 0x3F
        } else if length & 0x10 != 0 {
            length & 0x0F
        } else {
            length
        };
        at += 2;
        input.push_str(body.get(at..at + data_len)?);
        at += data_len;
    }
    Some(input)
}
