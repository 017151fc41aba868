//! Segments → bytes, with the canonical escaping.

use super::segment::{Segment, Value};

/// Writes segments one after another.
pub fn write(segments: &[Segment]) -> Vec<u8> {
    let mut out = Vec::new();
    for segment in segments {
        write_segment(segment, &mut out);
    }
    out
}

/// Appends one segment, terminator included.
pub fn write_segment(segment: &Segment, out: &mut Vec<u8>) {
    for (e, element) in segment.elements.iter().enumerate() {
        if e > 0 {
            out.push(b'+');
        }
        for (c, component) in element.0.iter().enumerate() {
            if c > 0 {
                out.push(b':');
            }
            match component {
                Value::Text(text) => {
                    for &byte in text {
                        if matches!(byte, b'?' | b'@' | b':' | b'+' | b'\'') {
                            out.push(b'?');
                        }
                        out.push(byte);
                    }
                }
                Value::Binary(data) => {
                    out.extend_from_slice(format!("@{}@", data.len()).as_bytes());
                    out.extend_from_slice(data);
                }
            }
        }
    }
    out.push(b'\'');
}
