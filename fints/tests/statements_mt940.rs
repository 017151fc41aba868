//! MT940/MT942: the real DKB recordings and our own variants (storno, year wrap, MT942,
//! purpose without SEPA tags, `@@`), plus errors that name the field.

use kontolink_fints::statements::{Entry, StatementError, parse_mt940};
use time::macros::date;

mod support;

use support::{fixture, some};

fn dkb_first() -> Entry {
    Entry {
        amount: "-12.00".into(),
        currency: "EUR".into(),
        booking_date: date!(2019 - 09 - 04),
        value_date: Some(date!(2019 - 09 - 03)),
        booked: true,
        // ?21 "SVWZ+32301000-P111111-33333" and ?23 "DATUM 02.09.2019, 22.19 UHR" fill
        // their 27 characters, so what follows them is joined without a blank.
        purpose: some("32301000-P111111-33333333 DATUM 02.09.2019, 22.19 UHR1.TAN 012345"),
        counterparty_name: some("EMPFAENGER ABCDE"),
        counterparty_iban: some("DExx123412341234123431"),
        counterparty_bic: some("DEUTDEBBXXX"),
        transaction_type: some("ONLINE-UEBERWEISUNG"),
        end_to_end_id: None,
        bank_reference: None,
    }
}

fn dkb_second() -> Entry {
    Entry {
        amount: "123.45".into(),
        currency: "EUR".into(),
        booking_date: date!(2019 - 09 - 14),
        value_date: Some(date!(2019 - 09 - 13)),
        booked: true,
        purpose: some("Irgendein Käse"),
        counterparty_name: some("Sender Name1"),
        counterparty_iban: some("DExx123412341234123417"),
        counterparty_bic: some("DAAEDEDD"),
        transaction_type: some("GUTSCHR. UEBERW. DAUERAUFTR"),
        end_to_end_id: None,
        bank_reference: None,
    }
}

#[test]
fn dkb_statement_reads_both_records() {
    let entries = parse_mt940(&fixture("dkb_full.mt940"), true).unwrap();
    assert_eq!(entries, vec![dkb_first(), dkb_second()]);
}

#[test]
fn dkb_touchdown_pages_read_alone_and_joined() {
    let page1 = fixture("dkb_paginated_1.mt940");
    let page2 = fixture("dkb_paginated_2.mt940");
    assert_eq!(parse_mt940(&page1, true).unwrap(), vec![dkb_first()]);
    // The second page starts inside a record: its currency comes from :62F:.
    assert_eq!(parse_mt940(&page2, true).unwrap(), vec![dkb_second()]);
    let joined = format!("{page1}{page2}");
    assert_eq!(
        parse_mt940(&joined, true).unwrap(),
        vec![dkb_first(), dkb_second()]
    );
}

#[test]
fn dkb_statement_reads_the_same_with_lf_and_at_signs() {
    let text = fixture("dkb_full.mt940");
    let expected = vec![dkb_first(), dkb_second()];
    assert_eq!(
        parse_mt940(&text.replace("\r\n", "\n"), true).unwrap(),
        expected
    );
    assert_eq!(
        parse_mt940(&text.replace("\r\n", "@@"), true).unwrap(),
        expected
    );
    assert_eq!(
        parse_mt940(&format!("-{}", text.trim_start()), true).unwrap(),
        expected
    );
    let without_28c = text.replace(":28C:00000/001\r\n", "");
    assert_eq!(parse_mt940(&without_28c, true).unwrap(), expected);
}

#[test]
fn ing_empty_statement_has_no_entries() {
    // ING-DiBa answers HIKAZ:4:5:3+@0@ when nothing was booked.
    assert_eq!(parse_mt940("", true).unwrap(), vec![]);
    assert_eq!(parse_mt940("\r\n-\r\n", true).unwrap(), vec![]);
}

#[test]
fn own_variants() {
    let entries = parse_mt940(&fixture("variants_own.mt940"), true).unwrap();
    assert_eq!(entries.len(), 5);

    // Year wrap: value date 2019-12-31, booked 0102 -> 2020-01-02; SEPA direct debit.
    let e = &entries[0];
    assert_eq!(e.amount, "-49.99");
    assert_eq!(e.value_date, Some(date!(2019 - 12 - 31)));
    assert_eq!(e.booking_date, date!(2020 - 01 - 02));
    assert_eq!(
        e.purpose.as_deref(),
        Some("Strom Dezember Kundennummer 4711")
    );
    assert_eq!(e.end_to_end_id.as_deref(), Some("RG-2019-12-0815"));
    assert_eq!(
        e.counterparty_name.as_deref(),
        Some("Stadtwerke Musterstaedter GmbH")
    );
    assert_eq!(
        e.counterparty_iban.as_deref(),
        Some("DE02100100100006820101")
    );
    assert_eq!(e.counterparty_bic.as_deref(), Some("DEUTDEFFXXX"));
    assert_eq!(e.transaction_type.as_deref(), Some("FOLGELASTSCHRIFT"));
    assert_eq!(e.bank_reference.as_deref(), Some("POS 4711"));

    // Storno of a credit (RC) takes money away.
    let e = &entries[1];
    assert_eq!(e.amount, "-100.00");
    assert_eq!(e.booking_date, date!(2020 - 01 - 02));
    assert_eq!(
        e.purpose.as_deref(),
        Some("Storno der Gutschrift vom 30.12.2019")
    );
    assert_eq!(e.counterparty_name.as_deref(), Some("Max Mustermann"));
    assert_eq!(e.bank_reference.as_deref(), Some("STORNO1"));

    // Storno of a debit (RD) with funds code R and a supplementary details line gives back.
    let e = &entries[2];
    assert_eq!(e.amount, "12.50");
    assert_eq!(e.currency, "EUR");
    assert_eq!(e.bank_reference.as_deref(), Some("BANKREF2"));
    assert_eq!(e.transaction_type.as_deref(), Some("RUECKLASTSCHRIFT"));
    assert_eq!(e.purpose.as_deref(), Some("Ruecklastschrift Beitrag"));

    // No SEPA tags: all ?2x lines, joined with a blank after a short line; account + BLZ.
    let e = &entries[3];
    assert_eq!(e.amount, "1234.56");
    assert_eq!(e.value_date, Some(date!(2020 - 01 - 03)));
    assert_eq!(
        e.booking_date,
        date!(2020 - 01 - 03),
        "no booking date: the value date"
    );
    assert_eq!(
        e.purpose.as_deref(),
        Some("Gehalt Januar 2020 Personalnummer 42")
    );
    assert_eq!(e.counterparty_iban.as_deref(), Some("0987654321"));
    assert_eq!(e.counterparty_bic.as_deref(), Some("10020030"));
    assert_eq!(e.counterparty_name.as_deref(), Some("Firma Beispiel AG"));
    assert_eq!(e.end_to_end_id, None);

    // Unstructured :86:, amount without full decimals.
    let e = &entries[4];
    assert_eq!(e.amount, "-0.5");
    assert_eq!(e.purpose.as_deref(), Some("Kontofuehrungsgebuehr Dezember"));
    assert_eq!(e.transaction_type, None);
    assert_eq!(e.counterparty_name, None);
    assert!(entries.iter().all(|e| e.booked && e.currency == "EUR"));
}

#[test]
fn booking_date_in_the_previous_year() {
    let text = ":20:X\n:60F:C200101EUR1,00\n:61:2001021231D1,00NMSCNONREF\n:62F:C200102EUR0,00\n-";
    let entries = parse_mt940(text, true).unwrap();
    assert_eq!(entries[0].value_date, Some(date!(2020 - 01 - 02)));
    assert_eq!(entries[0].booking_date, date!(2019 - 12 - 31));
}

#[test]
fn mt942_entries_are_pending() {
    let entries = parse_mt940(&fixture("pending_own.mt942"), false).unwrap();
    assert_eq!(entries.len(), 2);
    assert!(entries.iter().all(|e| !e.booked));
    let e = &entries[0];
    assert_eq!(e.amount, "-25.00");
    assert_eq!(e.currency, "EUR", "from :34F: (no :60F: in MT942)");
    assert_eq!(e.booking_date, date!(2020 - 01 - 07));
    assert_eq!(e.purpose.as_deref(), Some("Mitgliedsbeitrag Verein Januar"));
    assert_eq!(e.end_to_end_id, None, "NOTPROVIDED is no reference");
    assert_eq!(e.counterparty_name.as_deref(), Some("Sportverein Süd e.V."));
    assert_eq!(
        e.counterparty_iban.as_deref(),
        Some("DE12500105170648489890")
    );
    assert_eq!(entries[1].amount, "7.30");
    assert_eq!(entries[1].purpose.as_deref(), Some("Erstattung"));
}

#[test]
fn a_dash_line_inside_86_text_does_not_end_the_record() {
    let text = ":20:X\n:60F:C200101EUR1,00\n:61:200102D1,00NMSCNONREF\n:86:999Miete Januar\n-\nund Februar\n:62F:C200102EUR0,00\n-";
    let entries = parse_mt940(text, true).unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(
        entries[0].purpose.as_deref(),
        Some("Miete Januar-und Februar")
    );
}

fn mt940_error(text: &str) -> (usize, String, String) {
    match parse_mt940(text, true) {
        Err(StatementError::Mt940 {
            line,
            field,
            message,
        }) => (line, field, message),
        other => panic!("expected an MT940 error, got {other:?}"),
    }
}

#[test]
fn malformed_61_names_line_and_field() {
    let head = ":20:X\r\n:25:1/2\r\n:60F:C200101EUR1,00\r\n";
    let (line, field, message) = mt940_error(&format!("{head}:61:20013XD1,00NMSCNONREF\r\n-"));
    assert_eq!((line, field.as_str()), (4, "61"));
    assert!(message.contains("value date"), "{message}");

    let (_, field, message) = mt940_error(&format!("{head}:61:200102X1,00NMSCNONREF\r\n-"));
    assert_eq!(field, "61");
    assert!(message.contains("mark"), "{message}");

    let (_, _, message) = mt940_error(&format!("{head}:61:200102D1.00NMSCNONREF\r\n-"));
    assert!(message.contains("amount"), "{message}");

    let (_, _, message) = mt940_error(&format!("{head}:61:2001021340D1,00NMSCNONREF\r\n-"));
    assert!(message.contains("booking date"), "{message}");

    let (_, _, message) = mt940_error(&format!("{head}:61:200102D1,00\r\n-"));
    assert!(message.contains("transaction type"), "{message}");

    let err = parse_mt940(&format!("{head}:61:2013XX\r\n-"), true).unwrap_err();
    assert!(
        err.to_string().starts_with("MT940 line 4, field :61:"),
        "{err}"
    );
}

#[test]
fn an_entry_without_any_currency_is_an_error() {
    let (_, field, message) = mt940_error(":61:200102D1,00NMSCNONREF\n-");
    assert_eq!(field, "61");
    assert!(message.contains("currency"), "{message}");
}

#[test]
fn lower_case_marks_and_a_statement_86_after_the_balance() {
    let text = ":20:X\n:60f:C200101EUR1,00\n:61:2001020102d1,00nmscKREF//bank 1\n:86:166?00\n:62F:C200102EUR0,00\n:86:Auszug 1\n-";
    let entries = parse_mt940(text, true).unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].amount, "-1.00");
    assert_eq!(entries[0].bank_reference.as_deref(), Some("bank 1"));
    assert_eq!(
        entries[0].purpose, None,
        "the :86: after :62F: belongs to no entry"
    );
}

#[test]
fn cut_off_input_never_panics() {
    for name in ["dkb_full.mt940", "variants_own.mt940", "pending_own.mt942"] {
        let text = fixture(name);
        for (cut, _) in text.char_indices() {
            let _ = parse_mt940(&text[..cut], true);
            let _ = parse_mt940(&text[cut..], true);
        }
    }
}
