//! Reading a challenge string (HHD.md §1–§3).

use super::{DataElement, HhdChallenge, HhdError};

/// The challenge without spaces; the code part alone when it is embedded in a HHD 1.3
/// challenge text (`… CHLGUC 0026<code>CHLGTEXT0244 …`).
pub fn extract(input: &str) -> String {
    let compact: String = input.chars().filter(|c| !c.is_whitespace()).collect();
    let Some(at) = compact.find("CHLGUC") else {
        return compact;
    };
    let after = &compact[at + "CHLGUC".len()..];
    let digits = after
        .get(..4)
        .filter(|d| d.bytes().all(|b| b.is_ascii_digit()));
    let Some(len) = digits.and_then(|d| d.parse::<usize>().ok()) else {
        return compact;
    };
    let code = &after[4..];
    let end = code.find("CHLGTEXT").unwrap_or(code.len()).min(len);
    code.get(..end).unwrap_or(code).to_owned()
}

/// Parses a challenge, trying HHD 1.4, Sparda (3-digit LDE) and HHD 1.3 in that order.
pub fn parse(input: &str) -> Result<HhdChallenge, HhdError> {
    let compact: String = input.chars().filter(|c| !c.is_whitespace()).collect();
    if !compact.is_ascii() {
        return Err(HhdError::Invalid);
    }
    [(3, 2), (3, 3), (2, 2)]
        .into_iter()
        .find_map(|(lc_width, lde_width)| attempt(&compact, lc_width, lde_width))
        .ok_or(HhdError::Invalid)
}

struct Cursor<'a> {
    rest: &'a str,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Option<&'a str> {
        let head = self.rest.get(..n)?;
        self.rest = &self.rest[n..];
        Some(head)
    }

    fn decimal(&mut self, n: usize) -> Option<usize> {
        let digits = self.take(n)?;
        if !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        digits.parse().ok()
    }

    fn hex_byte(&mut self) -> Option<u8> {
        let digits = self.take(2)?;
        if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        u8::from_str_radix(digits, 16).ok()
    }
}

/// Control bytes are read until one has bit 7 clear, at most this many.
const MAX_CONTROL_BYTES: usize = 10;

fn attempt(input: &str, lc_width: usize, lde_width: usize) -> Option<HhdChallenge> {
    let mut cursor = Cursor { rest: input };
    let lc = cursor.decimal(lc_width)?;
    if lc > cursor.rest.len() {
        return None;
    }
    let ls = cursor.hex_byte()?;
    let mut control = Vec::new();
    if ls & 0x80 != 0 {
        loop {
            let byte = cursor.hex_byte()?;
            control.push(byte);
            if byte & 0x80 == 0 {
                break;
            }
            if control.len() >= MAX_CONTROL_BYTES {
                return None;
            }
        }
    }
    let start_code = cursor.take(usize::from(ls & 0x3F))?.to_owned();
    let mut data_elements = Vec::new();
    while !cursor.rest.is_empty() {
        if data_elements.len() == 3 {
            return None;
        }
        let lde = cursor.decimal(lde_width)?;
        let data = cursor.take(lde & 0x3F)?.to_owned();
        data_elements.push(DataElement {
            data,
            ascii_requested: lde & 0x40 != 0,
        });
    }
    Some(HhdChallenge {
        control,
        start_code,
        data_elements,
    })
}
