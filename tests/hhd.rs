//! The flicker encoder against every known example of /work/shared/HHD.md §7.

use kontolink_widget::hhd::{self, HhdError, Version};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// (source, challenge, flicker code) — HHD.md §7.
const VECTORS: &[(&str, &str, &str)] = &[
    (
        "H4J test1",
        "039870110490631098765432100812345678041,00",
        "1784011049063F059876543210041234567844312C303019",
    ),
    (
        "H4J test2",
        "039870110418751012345678900812030000040,20",
        "1784011041875F051234567890041203000044302C323015",
    ),
    (
        "H4J test3",
        "0248A0120452019980812345678",
        "0D85012045201998041234567855",
    ),
    (
        "H4J test4",
        "Sie haben eine Überweisung beauftragt. TAN-Nummer: CHLGUC 002624088715131306389726041,00CHLGTEXT0244 Sie haben eine",
        "0F04871513130338972614312C30303B",
    ),
    (
        "H4J test5",
        "0248A01204520199808123F5678",
        "118501204520199848313233463536373875",
    ),
    (
        "H4J test6",
        "03287011120492083008440306450,00012",
        "1584011120492F0430084403463435302C3030012F05",
    ),
    (
        "H4J test9 (Sparda)",
        "044880120932160022DE125001051706484898900041,00",
        "23840120932160564445313235303031303531373036343834383938393044312C303005",
    ),
    (
        "H4J test10",
        "2908881904551000000039990515,00",
        "1204881904550500000039991531352C30308A",
    ),
    (
        "PYF hhd13",
        "2908881344731012345678900515,00",
        "1204881344730512345678901531352C30303B",
    ),
    (
        "PYF hhd13 leading 0",
        "02908881344731012345678900515,00",
        "1204881344730512345678901531352C30303B",
    ),
    (
        "PHP 1",
        "038 8A 01 2392302069 22 DE12500105170648489890",
        "1f8501239230206956444531323530303130353137303634383438393839305e",
    ),
    (
        "PHP 2",
        "038 8A 01 2392307899 22 DE12500105170648489890",
        "1f8501239230789956444531323530303130353137303634383438393839300c",
    ),
    ("F4K 1.3", "070A2082901998", "070520829019981A"),
    (
        "F4K 1.3 ASCII LDE 72",
        "070A208290199872IE99BOFI",
        "100520829019981849453939424F46494B",
    ),
    (
        "F4K amount",
        "2908881696281098765432100532,00",
        "1204881696280598765432101533322C30303A",
    ),
    ("F4K Luhn 0", "100880040243", "0604800402430B"),
    (
        "F4K IBAN",
        "0388A01239230124622DE26123456780987654321",
        "1F85012392301246564445323631323334353637383039383736353433323175",
    ),
    (
        "F4K IBAN amount",
        "0438701109374422DE2612345678098765432106100,00",
        "2584011093744F5644453236313233343536373830393837363534333231463130302C303008",
    ),
];

/// Already-rendered codes from HHD.md §7 (LC, Luhn and XOR check out).
const RENDERED: &[&str] = &[
    "11048714955205123456789F14302C303107",
    "100484652456044356435F14312C30304B",
    "11048718108705379090700F14362C30309B",
];

#[wasm_bindgen_test]
fn every_known_challenge_renders_to_its_flicker_code() {
    for (source, challenge, expected) in VECTORS {
        let code = hhd::flicker_code(challenge).unwrap_or_else(|e| panic!("{source}: {e}"));
        assert_eq!(code, expected.to_ascii_uppercase(), "{source}");
        assert!(
            hhd::is_rendered_code(&code),
            "{source}: rendered code checks out"
        );
    }
}

#[wasm_bindgen_test]
fn the_worked_example_parses_into_its_fields() {
    let challenge = hhd::parse("0248A0120452019980812345678").unwrap();
    assert_eq!(challenge.control, vec![0x01]);
    assert_eq!(challenge.start_code, "2045201998");
    assert_eq!(challenge.data_elements.len(), 1);
    assert_eq!(challenge.data_elements[0].data, "12345678");
    assert_eq!(challenge.version(), Version::Hhd14);
}

#[wasm_bindgen_test]
fn render_mode_comes_from_the_start_code() {
    // 3-digit LC but no control bytes: rendered as HHD 1.3.
    let raw = hhd::extract("CHLGUC 002624088715131306389726041,00CHLGTEXT0244 x");
    assert_eq!(raw, "24088715131306389726041,00");
    assert_eq!(hhd::parse(&raw).unwrap().version(), Version::Hhd13);
    let sparda = hhd::parse("044880120932160022DE125001051706484898900041,00").unwrap();
    assert_eq!(sparda.data_elements[0].data, "DE12500105170648489890");
    assert_eq!(sparda.data_elements[1].data, "1,00");
}

#[wasm_bindgen_test]
fn already_rendered_codes_are_taken_as_they_are() {
    for code in RENDERED {
        assert!(hhd::is_rendered_code(code), "{code}");
        assert_eq!(hhd::flicker_code(code).unwrap(), *code);
    }
    // Lowercase input, uppercase output.
    assert_eq!(
        hhd::flicker_code("0d85012045201998041234567855").unwrap(),
        "0D85012045201998041234567855"
    );
}

#[wasm_bindgen_test]
fn a_broken_checksum_or_garbage_is_rejected() {
    assert!(!hhd::is_rendered_code("0D85012045201998041234567856"));
    assert!(!hhd::is_rendered_code("0D850120452019980412345678"));
    assert_eq!(hhd::flicker_code("hello world"), Err(HhdError::Invalid));
    assert_eq!(hhd::flicker_code(""), Err(HhdError::Invalid));
    // LC larger than what follows.
    assert_eq!(hhd::flicker_code("0998A01"), Err(HhdError::Invalid));
}

#[wasm_bindgen_test]
fn long_ascii_cannot_be_written_in_hhd_1_3() {
    // 1.3 (no control bytes), DE1 of 16 ASCII characters.
    let challenge = "2808123456781612345678901234,X";
    let parsed = hhd::parse(challenge).unwrap();
    assert_eq!(parsed.version(), Version::Hhd13);
    assert_eq!(parsed.render(), Err(HhdError::TooLong));
}

#[wasm_bindgen_test]
fn checksums_of_the_worked_example() {
    assert_eq!(hhd::luhn("01204520199812345678"), 5);
    assert_eq!(hhd::xor("0D850120452019980412345678"), 5);
}

#[wasm_bindgen_test]
fn frames_of_the_worked_example_match_hbci4java() {
    let expected = "11111 01111 10000 00000 11111 01111 11111 01111 11011 01011 10000 00000 11010 01010 10001 00001 \
                    11000 01000 10000 00000 10000 00000 10100 00100 11010 01010 10010 00010 10000 00000 10100 00100 \
                    11001 01001 11000 01000 10001 00001 11001 01001 10010 00010 10000 00000 10100 00100 11000 01000 \
                    10010 00010 11100 01100 10110 00110 11010 01010 10001 00001 11110 01110 11010 01010 11010 01010";
    let frames = hhd::frames("0D85012045201998041234567855");
    assert_eq!(frames.len(), 64);
    assert_eq!(hhd::frames_to_string(&frames), expected);
}

#[wasm_bindgen_test]
fn frames_of_php_1_start_with_the_sync_and_have_136() {
    let code = hhd::flicker_code("038 8A 01 2392302069 22 DE12500105170648489890").unwrap();
    let frames = hhd::frames(&code);
    assert_eq!(frames.len(), 136);
    assert_eq!(
        hhd::frames_to_string(&frames[..20]),
        "11111 01111 10000 00000 11111 01111 11111 01111 11111 01111 11000 01000 11010 01010 10001 00001 11000 01000 10000 00000"
    );
    // Every nibble: clock high, then clock low, same data.
    for pair in frames.chunks(2) {
        assert!(pair[0][0] && !pair[1][0]);
        assert_eq!(pair[0][1..], pair[1][1..]);
    }
}
