use super::*;

fn round_trip(raw: &[u8]) -> Vec<Segment> {
    let segments = parse(raw).unwrap();
    assert_eq!(
        decode_latin1(&write(&segments)),
        decode_latin1(raw),
        "re-serialised differently"
    );
    segments
}

#[test]
fn escapes_and_groups_round_trip() {
    let segments = round_trip(b"HKIDN:2:2+280:12030000+test?@user?:?+x?'y??z+0+1'");
    assert_eq!(segments.len(), 1);
    assert_eq!(segments[0].kind(), "HKIDN");
    assert_eq!(segments[0].number(), 2);
    assert_eq!(segments[0].version(), 2);
    assert_eq!(segments[0].text(1, 1).as_deref(), Some("12030000"));
    assert_eq!(segments[0].text(2, 0).as_deref(), Some("test@user:+x'y?z"));
}

#[test]
fn binary_data_may_hold_any_byte() {
    let raw = b"HNVSD:999:1+@12@HNSHK:2:4+'''";
    let segments = round_trip(raw);
    assert_eq!(segments[0].bytes(1, 0), Some(&b"HNSHK:2:4+''"[..]));
    let inner = parse(b"HIRMG:2:2+0010::Nachricht entgegengenommen.'").unwrap();
    assert_eq!(
        inner[0].text(1, 2).as_deref(),
        Some("Nachricht entgegengenommen.")
    );
}

#[test]
fn empty_and_trailing_elements_are_kept() {
    let segments = round_trip(b"HKTAN:5:6+4+HKIDN+++++++++SomePhone1'HNSHA:4:2+9999999++12345''");
    assert_eq!(segments[0].elements.len(), 12);
    assert_eq!(segments[0].text(11, 0).as_deref(), Some("SomePhone1"));
    assert_eq!(segments[0].text(3, 0), None);
    assert_eq!(segments[1].text(3, 0).as_deref(), Some("12345"));
}

#[test]
fn reference_of_an_answer() {
    let segments = round_trip(b"HIRMS:4:2:5+0020::Auftrag ausgefuhrt.'");
    assert_eq!(segments[0].reference(), Some(5));
}

#[test]
fn latin1_text_is_kept_byte_for_byte() {
    let raw = b"HIRMS:4:2:5+0020::Ums\xe4tze \xfcbermittelt.'";
    let segments = round_trip(raw);
    assert_eq!(
        segments[0].text(1, 2).as_deref(),
        Some("Umsätze übermittelt.")
    );
    assert_eq!(encode_latin1("Umsätze"), b"Ums\xe4tze".to_vec());
}

#[test]
fn line_breaks_between_segments_are_skipped() {
    let segments = parse(b"HIRMG:2:2+0010::ok'\r\nHIRMS:3:2:3+0020::ok'\r\n").unwrap();
    assert_eq!(segments[1].kind(), "HIRMS");
}

#[test]
fn errors_name_the_position_and_segment() {
    let err = parse(b"HIRMG:2:2+0010'HIRMS:3:2+@99@abc'").unwrap_err();
    assert_eq!(err.segment, 2);
    assert_eq!(err.reason, "binary data runs past the end");
    let err = parse(b"HIRMG:2:2+0010").unwrap_err();
    assert_eq!(err.reason, "the last segment has no terminator");
    let err = parse(b"HIRMG:2:2+@x@'").unwrap_err();
    assert_eq!(err.reason, "binary length is no number");
    assert!(parse(b"HIRMG:2:2+abc?").is_err());
    assert!(parse(b"HIRMG:2:2+@2@abc'").is_err());
}

#[test]
fn debug_output_shows_no_values() {
    let segments = parse(b"HNSHA:4:2+9999999++12345:777666'").unwrap();
    let shown = format!("{:?} {:?}", segments[0], segments[0].elements);
    assert!(!shown.contains("12345"), "{shown}");
    assert!(!shown.contains("777666"), "{shown}");
}

#[test]
fn bank_texts_in_utf8_are_read_as_utf8() {
    assert_eq!(decode_lenient("Pin ungültig".as_bytes()), "Pin ungültig");
    assert_eq!(decode_lenient(b"Pin ung\xfcltig"), "Pin ungültig");
    assert_eq!(decode_lenient(b"plain"), "plain");
}
