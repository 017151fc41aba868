//! Return codes: `HIRMG` (for the whole message) and `HIRMS` (for one request segment).
//!
//! Codes starting with `0` are successes, `3` warnings/notes, `9` errors.

use crate::codec::Segment;

/// One return code with its text and parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Return {
    pub code: String,
    /// The request segment it answers (`None` for `HIRMG`).
    pub segment: Option<u32>,
    pub text: String,
    pub params: Vec<String>,
}

impl Return {
    pub fn is_error(&self) -> bool {
        self.code.starts_with('9')
    }
}

/// Every return code of a message, message-level ones first, in order.
pub fn collect(segments: &[Segment]) -> Vec<Return> {
    let mut returns = Vec::new();
    for kind in ["HIRMG", "HIRMS"] {
        for segment in segments.iter().filter(|s| s.kind() == kind) {
            let reference = if kind == "HIRMS" {
                segment.reference()
            } else {
                None
            };
            for element in segment.elements.iter().skip(1) {
                let text_of = |i: usize| {
                    element
                        .component(i)
                        .map(|v| crate::codec::decode_lenient(v.bytes()))
                        .unwrap_or_default()
                };
                let code = text_of(0);
                if code.is_empty() {
                    continue;
                }
                returns.push(Return {
                    code,
                    segment: reference,
                    text: text_of(2),
                    params: (3..element.0.len()).map(text_of).collect(),
                });
            }
        }
    }
    returns
}

/// Helpers over a message's return codes.
pub trait Returns {
    fn has(&self, code: &str) -> bool;
    fn find(&self, code: &str) -> Option<&Return>;
    fn errors(&self) -> Vec<&Return>;
}

impl Returns for [Return] {
    fn has(&self, code: &str) -> bool {
        self.iter().any(|r| r.code == code)
    }

    fn find(&self, code: &str) -> Option<&Return> {
        self.iter().find(|r| r.code == code)
    }

    fn errors(&self) -> Vec<&Return> {
        self.iter().filter(|r| r.is_error()).collect()
    }
}
