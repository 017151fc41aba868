//! The FinTS 3.0 wire syntax: segments end with `'`, data elements are separated by `+`,
//! the components of a data element group by `:`; `?` escapes any of `+:'?@`, and
//! `@len@` introduces `len` raw bytes (binary data, never escaped). Text is ISO-8859-1.
//!
//! Nested data element groups are flattened on the wire, so a segment here is a list of
//! data elements, each a list of components. Parsing and writing are exact inverses for
//! every message written with the canonical escaping (which is the only one the
//! specification allows), so a parsed message re-serialises to the same bytes.
//!
//! ```
//! use kontolink_fints::codec::{parse, write};
//! let raw = b"HNHBK:1:3+000000000145+300+0+1'HKIDN:2:2+280:12030000+test?@user+0+1'";
//! let segments = parse(raw).unwrap();
//! assert_eq!(segments[1].kind(), "HKIDN");
//! assert_eq!(segments[1].text(2, 0).as_deref(), Some("test@user"));
//! assert_eq!(write(&segments), raw.to_vec());
//! ```

mod latin1;
mod parse;
mod segment;
mod write;

pub use latin1::{decode as decode_latin1, decode_lenient, encode as encode_latin1};
pub use parse::{CodecError, parse};
pub use segment::{Element, Segment, Value};
pub use write::{write, write_segment};

#[cfg(test)]
mod tests;
