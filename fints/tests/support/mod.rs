//! Shared by the statement tests: the fixtures as the caller hands them over.

/// A fixture of `tests/fixtures/statements/`, its bytes decoded as ISO-8859-1 (as FinTS
/// carries them; ASCII reads the same either way).
pub fn fixture(name: &str) -> String {
    let path = format!(
        "{}/tests/fixtures/statements/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    kontolink_fints::codec::decode_latin1(&bytes)
}

pub fn some(s: &str) -> Option<String> {
    Some(s.to_string())
}
