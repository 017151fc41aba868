//! chipTAN optical "flicker code" (HHD 1.3 / 1.4): from the bank's challenge string to the
//! rendered flicker hex code and its frames, exactly as `/work/shared/HHD.md` specifies.
//!
//! ```
//! use kontolink_widget::hhd;
//! let code = hhd::flicker_code("0248A0120452019980812345678").unwrap();
//! assert_eq!(code, "0D85012045201998041234567855");
//! assert_eq!(hhd::frames(&code).len(), 2 * (4 + code.len()));
//! ```

mod parse;
mod render;

pub use parse::{extract, parse};
pub use render::{is_rendered_code, luhn, xor};

/// Why a string is no flicker code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum HhdError {
    /// None of the three HHD layouts fits the string.
    #[error("not a chipTAN flicker code")]
    Invalid,
    /// An ASCII data element longer than 15 bytes cannot be written in HHD 1.3.
    #[error("data element too long for HHD 1.3")]
    TooLong,
}

/// Which layout the code is rendered in: control bytes present → 1.4, else 1.3.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    Hhd13,
    Hhd14,
}

/// One data element (DE1–DE3) of a challenge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataElement {
    pub data: String,
    /// LDE bit 6: the bank asks for ASCII even when the data is all digits.
    pub ascii_requested: bool,
}

/// A parsed challenge (HHD_UC).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HhdChallenge {
    pub control: Vec<u8>,
    pub start_code: String,
    pub data_elements: Vec<DataElement>,
}

impl HhdChallenge {
    pub fn version(&self) -> Version {
        if self.control.is_empty() {
            Version::Hhd13
        } else {
            Version::Hhd14
        }
    }

    /// The flicker hex code (uppercase): LC, LS, control, start code, DEs, Luhn, XOR.
    pub fn render(&self) -> Result<String, HhdError> {
        render::render(self)
    }
}

/// The flicker code to animate for a challenge's `data`: an already-rendered code whose
/// length and checksums are right (checked first: a raw challenge cannot pass that check,
/// its decimal LC never equals its hex byte count), else a raw challenge string in any of
/// the three layouts, also embedded as `CHLGUC … CHLGTEXT`.
pub fn flicker_code(input: &str) -> Result<String, HhdError> {
    let raw = extract(input);
    let upper = raw.to_ascii_uppercase();
    if is_rendered_code(&upper) {
        return Ok(upper);
    }
    parse(&raw)?.render()
}

/// One frame: `[clock, 2^0, 2^1, 2^2, 2^3]`, `true` = white bar.
pub type Frame = [bool; 5];

/// One full cycle of frames for a rendered code: the sync `0FFF` first, every hex pair sent
/// low nibble first, every nibble as two frames (clock high, then clock low).
pub fn frames(code: &str) -> Vec<Frame> {
    let stream = format!("0FFF{code}");
    let nibbles: Vec<u8> = stream
        .chars()
        .filter_map(|c| c.to_digit(16))
        .map(|d| d as u8)
        .collect();
    let mut frames = Vec::with_capacity(nibbles.len() * 2);
    for pair in nibbles.chunks(2) {
        let ordered = match pair {
            [high, low] => [*low, *high],
            [single] => [*single, *single],
            _ => continue,
        };
        for v in ordered.into_iter().take(pair.len()) {
            let bits = [v & 1 != 0, v & 2 != 0, v & 4 != 0, v & 8 != 0];
            frames.push([true, bits[0], bits[1], bits[2], bits[3]]);
            frames.push([false, bits[0], bits[1], bits[2], bits[3]]);
        }
    }
    frames
}

/// Frames written as in the sources' tests: `"11111 01111 10000 …"`.
pub fn frames_to_string(frames: &[Frame]) -> String {
    frames
        .iter()
        .map(|f| {
            f.iter()
                .map(|&b| if b { '1' } else { '0' })
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join(" ")
}
