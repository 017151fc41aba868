//! The codec on real bank messages: every request and answer of the recorded DKB and
//! ING-DiBa dialogs (and the encrypted part inside each `HNVSD`) parses and writes back to
//! the same bytes. With `KONTOLINK_PYFINTS_MESSAGES` naming the `tests/messages` folder of
//! python-fints's source distribution (installed by `scripts/setup.sh`, not part of this
//! repository), its sample messages are checked too.

use kontolink_fints::codec::{Segment, encode_latin1, parse, write};

/// Parses, writes, compares; then the same for every HNVSD's inner segments.
fn round_trip(name: &str, bytes: &[u8]) -> usize {
    let segments: Vec<Segment> = parse(bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(
        String::from_utf8_lossy(&write(&segments)),
        String::from_utf8_lossy(bytes),
        "{name} re-serialised differently"
    );
    let mut count = segments.len();
    for segment in segments.iter().filter(|s| s.kind() == "HNVSD") {
        count += round_trip(&format!("{name} HNVSD"), segment.bytes(1, 0).unwrap());
    }
    count
}

#[test]
fn every_recorded_message_round_trips() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/replay");
    let mut messages = 0;
    let mut segments = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        let json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        for exchange in json["exchanges"].as_array().unwrap() {
            for side in ["request", "response"] {
                let name = format!("{} {} {side}", path.display(), exchange["label"]);
                segments += round_trip(&name, &encode_latin1(exchange[side].as_str().unwrap()));
                messages += 1;
            }
        }
    }
    assert!(messages >= 60, "only {messages} messages");
    assert!(segments > 1000, "only {segments} segments");
}

#[test]
fn python_fints_sample_messages_round_trip() {
    let Ok(dir) = std::env::var("KONTOLINK_PYFINTS_MESSAGES") else {
        eprintln!("skipped: KONTOLINK_PYFINTS_MESSAGES is not set (scripts/test.sh sets it)");
        return;
    };
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{dir}: {e}")) {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        // The samples end with a line break after the last segment.
        let trimmed = bytes.trim_ascii_end();
        round_trip(&path.display().to_string(), trimmed);
        checked += 1;
    }
    assert!(checked >= 2, "no samples in {dir}");
}
