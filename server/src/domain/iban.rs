//! IBANs, checked with the ISO 13616 mod-97 checksum.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IbanError {
    #[error("an IBAN has 15 to 34 letters and digits, got {0}")]
    Length(usize),
    #[error("an IBAN contains only letters and digits")]
    Characters,
    #[error("an IBAN starts with a two-letter country code and two check digits")]
    Prefix,
    #[error("a German IBAN has 22 characters")]
    GermanLength,
    #[error("the IBAN's check digits do not match (mod-97 check failed)")]
    Checksum,
}

/// A syntactically valid IBAN in electronic form (upper case, no spaces).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Iban(String);

impl Iban {
    /// Accepts the paper form too (`DE82 9009 …`, lower case) and normalises it.
    pub fn parse(text: &str) -> Result<Iban, IbanError> {
        let compact: String = text
            .chars()
            .filter(|c| *c != ' ')
            .map(|c| c.to_ascii_uppercase())
            .collect();
        if !compact.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(IbanError::Characters);
        }
        if !(15..=34).contains(&compact.len()) {
            return Err(IbanError::Length(compact.len()));
        }
        let bytes = compact.as_bytes();
        if !bytes[..2].iter().all(u8::is_ascii_alphabetic)
            || !bytes[2..4].iter().all(u8::is_ascii_digit)
        {
            return Err(IbanError::Prefix);
        }
        if compact.starts_with("DE") && compact.len() != 22 {
            return Err(IbanError::GermanLength);
        }
        if mod97(&compact) != 1 {
            return Err(IbanError::Checksum);
        }
        Ok(Iban(compact))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn country(&self) -> &str {
        &self.0[..2]
    }

    /// The German bank code (Bankleitzahl, characters 5 to 12) of a `DE` IBAN.
    pub fn german_bank_code(&self) -> Option<&str> {
        (self.country() == "DE").then(|| &self.0[4..12])
    }
}

impl fmt::Display for Iban {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The remainder of the rearranged IBAN (country and check digits moved to the end,
/// letters as 10..35) divided by 97, computed digit by digit.
fn mod97(iban: &str) -> u32 {
    let rearranged = iban[4..].chars().chain(iban[..4].chars());
    let mut remainder = 0u32;
    for c in rearranged {
        let value = c.to_digit(36).unwrap_or(0);
        remainder = if value < 10 {
            (remainder * 10 + value) % 97
        } else {
            (remainder * 100 + value) % 97
        };
    }
    remainder
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sandbox_iban_is_valid_and_names_its_bank_code() {
        let iban = Iban::parse("DE82900948150000002881").unwrap();
        assert_eq!(iban.german_bank_code(), Some("90094815"));
    }

    #[test]
    fn paper_form_is_normalised() {
        let iban = Iban::parse("de89 3704 0044 0532 0130 00").unwrap();
        assert_eq!(iban.as_str(), "DE89370400440532013000");
    }

    #[test]
    fn foreign_ibans_are_checked_too() {
        assert!(Iban::parse("GB82WEST12345698765432").is_ok());
        assert!(Iban::parse("FR1420041010050500013M02606").is_ok());
        assert_eq!(
            Iban::parse("GB82WEST12345698765432")
                .unwrap()
                .german_bank_code(),
            None
        );
    }

    #[test]
    fn a_wrong_check_digit_is_refused() {
        assert_eq!(
            Iban::parse("DE83900948150000002881"),
            Err(IbanError::Checksum)
        );
    }

    #[test]
    fn malformed_ibans_are_refused() {
        assert_eq!(Iban::parse("DE8"), Err(IbanError::Length(3)));
        assert_eq!(
            Iban::parse("DE82-9009481500000028"),
            Err(IbanError::Characters)
        );
        assert_eq!(
            Iban::parse("1282900948150000002881"),
            Err(IbanError::Prefix)
        );
        assert_eq!(
            Iban::parse("DE8290094815000000288"),
            Err(IbanError::GermanLength)
        );
    }
}
