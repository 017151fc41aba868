//! Strong customer authentication in answers: the TAN challenge (`HITAN`) and the list
//! of TAN media (`HITAB`).

use base64::Engine as _;
use serde::{Deserialize, Serialize};

use crate::codec::{self, Segment};

/// What the bank asks the end-user, from `HITAN` (process 4, or 2/S on a re-ask).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TanChallenge {
    pub task_reference: String,
    /// The bank's instruction text (may contain simple HTML).
    pub text: String,
    /// A flicker code challenge (HHD_UC, ASCII) for chipTAN optical.
    pub hhd: Option<String>,
    /// A matrix code (photoTAN, QR code) as an RFC 2397 data URI.
    pub image: Option<String>,
    pub medium: Option<String>,
}

impl std::fmt::Debug for TanChallenge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TanChallenge")
            .field("hhd", &self.hhd.is_some())
            .field("image", &self.image.is_some())
            .finish_non_exhaustive()
    }
}

impl TanChallenge {
    /// Whether the text uses markup (`<b>`, `<br>`, `<li>` …) the widget should render.
    pub fn is_html(&self) -> bool {
        let lower = self.text.to_ascii_lowercase();
        [
            "<b>", "<br", "<i>", "<u>", "<ul>", "<ol>", "<li>", "<p>", "<strong>", "<em>",
        ]
        .iter()
        .any(|tag| lower.contains(tag))
    }
}

/// The `HITAN` of an answer, if any (`noref` means "no challenge": SCA not needed).
pub fn challenge(segments: &[Segment]) -> Option<TanChallenge> {
    let hitan = super::first(segments, "HITAN")?;
    let task_reference = hitan.text(3, 0)?;
    if task_reference == "noref" {
        return None;
    }
    let mut text = hitan
        .bytes(4, 0)
        .map(codec::decode_lenient)
        .unwrap_or_default();
    let mut hhd = None;
    let mut image = None;
    if let Some(bytes) = hitan.bytes(5, 0).filter(|b| !b.is_empty()) {
        match matrix_code(bytes) {
            Some(uri) => image = Some(uri),
            None if bytes.is_ascii() => hhd = Some(codec::decode_latin1(bytes)),
            None => {}
        }
    }
    // HHD 1.3 banks put the flicker code into the text: `CHLGUC 0026…CHLGTEXT0244 text`.
    if hhd.is_none()
        && let Some(at) = text.find("CHLGUC")
    {
        let rest = &text[at..];
        if let Some(end) = rest.find("CHLGTEXT") {
            hhd = Some(rest[..end].to_owned());
            let message = &rest[end + "CHLGTEXT".len()..];
            text = message.get(4..).unwrap_or(message).trim().to_owned();
        }
    }
    Some(TanChallenge {
        task_reference,
        text,
        hhd,
        image,
        medium: hitan.text(7, 0),
    })
}

/// A matrix code: 2-byte length + MIME type, 2-byte length + image, as a data URI.
pub fn matrix_code(bytes: &[u8]) -> Option<String> {
    let mime_len = usize::from(u16::from_be_bytes([*bytes.first()?, *bytes.get(1)?]));
    let mime = std::str::from_utf8(bytes.get(2..2 + mime_len)?).ok()?;
    if !mime.starts_with("image/") {
        return None;
    }
    let at = 2 + mime_len;
    let image_len = usize::from(u16::from_be_bytes([*bytes.get(at)?, *bytes.get(at + 1)?]));
    let image = bytes.get(at + 2..at + 2 + image_len)?;
    Some(format!(
        "data:{mime};base64,{}",
        base64::engine::general_purpose::STANDARD.encode(image)
    ))
}

/// The names of the TAN media in `HITAB` (v4 and v5), active ones only where marked.
pub fn media(segments: &[Segment]) -> Vec<String> {
    let mut names = Vec::new();
    for hitab in super::all(segments, "HITAB") {
        let name_at = if hitab.version() >= 5 { 15 } else { 12 };
        for element in hitab.elements.iter().skip(2) {
            let text = |i: usize| {
                element
                    .component(i)
                    .map(|v| codec::decode_latin1(v.bytes()))
                    .filter(|t| !t.is_empty())
            };
            // Status 1 = active, 2 = available, 3 = active follow-up card …: keep active ones.
            if text(1).is_some_and(|status| status != "1") {
                continue;
            }
            if let Some(name) = text(name_at)
                && !names.contains(&name)
            {
                names.push(name);
            }
        }
    }
    names
}
