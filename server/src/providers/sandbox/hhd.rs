//! HHD 1.4 ("chipTAN optisch") flicker codes, rendered as in /work/shared/HHD.md §4:
//! `LC | LS | control bytes | start code | (LDE | DE)* | Luhn | XOR`, uppercase hex.

/// Renders the flicker code for a challenge with control bytes (HHD 1.4), a numeric start
/// code and up to three data elements.
pub fn render(control: &[u8], start_code: &str, data_elements: &[&str]) -> String {
    let start = bcd(start_code);
    let mut payload = String::new();
    let ls = (start.len() / 2) as u8 | if control.is_empty() { 0 } else { 0x80 };
    payload.push_str(&format!("{ls:02X}"));
    let mut luhn_input = String::new();
    for byte in control {
        payload.push_str(&format!("{byte:02X}"));
        luhn_input.push_str(&format!("{byte:02X}"));
    }
    payload.push_str(&start);
    luhn_input.push_str(&start);
    for element in data_elements {
        let (data, ascii) = if element.bytes().all(|b| b.is_ascii_digit()) {
            (bcd(element), false)
        } else {
            (ascii_hex(element), true)
        };
        let mut length = (data.len() / 2) as u8;
        if ascii {
            length |= 0x40;
        }
        payload.push_str(&format!("{length:02X}"));
        payload.push_str(&data);
        luhn_input.push_str(&data);
    }
    let lc = (payload.len() + 2) / 2;
    let mut code = format!("{lc:02X}{payload}");
    let xor = code.chars().fold(0u32, |acc, c| acc ^ nibble(c));
    code.push_str(&format!("{:X}{xor:X}", luhn(&luhn_input)));
    code
}

fn bcd(digits: &str) -> String {
    let mut out = digits.to_owned();
    if out.len() % 2 == 1 {
        out.push('F');
    }
    out
}

fn ascii_hex(text: &str) -> String {
    text.bytes().map(|b| format!("{b:02X}")).collect()
}

fn nibble(c: char) -> u32 {
    c.to_digit(16).unwrap_or(0)
}

fn luhn(hex: &str) -> u32 {
    let chars: Vec<char> = hex.chars().collect();
    let mut sum = 0;
    for pair in chars.chunks(2) {
        sum += nibble(pair[0]);
        if let Some(&second) = pair.get(1) {
            let doubled = 2 * nibble(second);
            sum += doubled / 10 + doubled % 10;
        }
    }
    (10 - sum % 10) % 10
}

#[cfg(test)]
mod tests {
    use super::render;

    #[test]
    fn matches_the_hbci4java_vectors() {
        // HHD.md §7 [H4J] test1, test2, test3, test5, test6.
        assert_eq!(
            render(&[0x01], "1049063", &["9876543210", "12345678", "1,00"]),
            "1784011049063F059876543210041234567844312C303019"
        );
        assert_eq!(
            render(&[0x01], "1041875", &["1234567890", "12030000", "0,20"]),
            "1784011041875F051234567890041203000044302C323015"
        );
        assert_eq!(
            render(&[0x01], "2045201998", &["12345678"]),
            "0D85012045201998041234567855"
        );
        assert_eq!(
            render(&[0x01], "2045201998", &["123F5678"]),
            "118501204520199848313233463536373875"
        );
        assert_eq!(
            render(&[0x01], "1120492", &["30084403", "450,00", "2"]),
            "1584011120492F0430084403463435302C3030012F05"
        );
    }
}
