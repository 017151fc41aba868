//! Bytes → segments.

use super::segment::{Element, Segment, Value};

/// Why a message could not be read: what, at which byte, in which segment.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("FinTS syntax error at byte {position} (segment {segment}): {reason}")]
pub struct CodecError {
    pub position: usize,
    /// The 1-based index of the segment in the message.
    pub segment: usize,
    pub reason: &'static str,
}

/// Parses a whole message (or any run of segments). Trailing whitespace after the last
/// segment is ignored; anything else after it is an error.
pub fn parse(input: &[u8]) -> Result<Vec<Segment>, CodecError> {
    let mut segments = Vec::new();
    let mut elements: Vec<Element> = Vec::new();
    let mut components: Vec<Value> = Vec::new();
    let mut text: Vec<u8> = Vec::new();
    let mut binary: Option<Vec<u8>> = None;
    let mut i = 0;
    let error = |position: usize, segment: usize, reason| CodecError {
        position,
        segment,
        reason,
    };
    while i < input.len() {
        let byte = input[i];
        match byte {
            b'?' => {
                let Some(&next) = input.get(i + 1) else {
                    return Err(error(i, segments.len() + 1, "escape character at the end"));
                };
                if binary.is_some() {
                    return Err(error(i, segments.len() + 1, "text after binary data"));
                }
                text.push(next);
                i += 2;
                continue;
            }
            b'@' => {
                if binary.is_some() || !text.is_empty() {
                    return Err(error(i, segments.len() + 1, "binary data inside text"));
                }
                let start = i + 1;
                let Some(end) = input[start..].iter().position(|&b| b == b'@') else {
                    return Err(error(i, segments.len() + 1, "unterminated binary length"));
                };
                let digits = &input[start..start + end];
                let len: usize = std::str::from_utf8(digits)
                    .ok()
                    .filter(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
                    .and_then(|d| d.parse().ok())
                    .ok_or_else(|| error(i, segments.len() + 1, "binary length is no number"))?;
                let data_start = start + end + 1;
                let data_end = data_start
                    .checked_add(len)
                    .filter(|&e| e <= input.len())
                    .ok_or_else(|| error(i, segments.len() + 1, "binary data runs past the end"))?;
                binary = Some(input[data_start..data_end].to_vec());
                i = data_end;
                continue;
            }
            b':' | b'+' | b'\'' => {
                let value = match binary.take() {
                    Some(data) => Value::Binary(data),
                    None => Value::Text(std::mem::take(&mut text)),
                };
                components.push(value);
                if byte != b':' {
                    elements.push(Element(std::mem::take(&mut components)));
                }
                if byte == b'\'' {
                    segments.push(Segment {
                        elements: std::mem::take(&mut elements),
                    });
                }
            }
            b'\r' | b'\n' if elements.is_empty() && components.is_empty() && text.is_empty() => {
                // Line breaks between segments, as some banks send them.
            }
            _ => {
                if binary.is_some() {
                    return Err(error(i, segments.len() + 1, "text after binary data"));
                }
                text.push(byte);
            }
        }
        i += 1;
    }
    let rest_is_blank = text.iter().all(|b| b.is_ascii_whitespace())
        && binary.is_none()
        && components.is_empty()
        && elements.is_empty();
    if !rest_is_blank {
        return Err(error(
            input.len(),
            segments.len() + 1,
            "the last segment has no terminator",
        ));
    }
    Ok(segments)
}
