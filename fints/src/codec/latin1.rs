//! ISO-8859-1, the character set of FinTS 3.0: each byte is the code point of the same
//! number, so no table is needed. Characters outside it are written as `?` (FinTS has no
//! way to carry them).

/// Bytes → text.
pub fn decode(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| char::from(b)).collect()
}

/// Text → bytes; characters above U+00FF become `?`.
pub fn encode(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?'))
        .collect()
}

/// Text a bank wrote for people (return messages, challenge texts): ISO-8859-1 as the
/// specification says, unless the bytes are valid UTF-8 with non-ASCII characters, which
/// some banks send instead.
pub fn decode_lenient(bytes: &[u8]) -> String {
    if !bytes.is_ascii()
        && let Ok(text) = std::str::from_utf8(bytes)
    {
        return text.to_owned();
    }
    decode(bytes)
}
