//! camt.052: versions .02 and .08 (own fixtures shaped like German banks' documents),
//! booked + pending, DBIT negative, a batch with several TxDtls, namespace prefixes, errors.

use kontolink_fints::statements::{Entry, StatementError, parse_camt052};
use time::macros::date;

mod support;

use support::{fixture, some};

#[test]
fn camt052_001_02_booked_batch_and_pending() {
    let entries = parse_camt052(&fixture("camt052_v02.xml")).unwrap();
    assert_eq!(entries.len(), 4, "{entries:#?}");
    assert_eq!(
        entries[0],
        Entry {
            amount: "-89.90".into(),
            currency: "EUR".into(),
            booking_date: date!(2020 - 01 - 07),
            value_date: Some(date!(2020 - 01 - 07)),
            booked: true,
            purpose: some("Rechnung 2020-0001 Kundennummer 815"),
            counterparty_name: some("Elektro Schmidt & Soehne"),
            counterparty_iban: some("DE02120300000000202051"),
            counterparty_bic: some("BYLADEM1001"),
            transaction_type: some("ONLINE-UEBERWEISUNG"),
            end_to_end_id: some("E2E-INV-2020-0001"),
            bank_reference: some("2020010712345678"),
        }
    );

    // One batch booking of 150.00 with two TxDtls: one entry each, with its own amount.
    let (a, b) = (&entries[1], &entries[2]);
    assert_eq!(
        (a.amount.as_str(), b.amount.as_str()),
        ("-100.00", "-50.00")
    );
    assert_eq!(a.counterparty_name.as_deref(), Some("Versicherung A AG"));
    assert_eq!(
        a.counterparty_iban.as_deref(),
        Some("DE75512108001245126199")
    );
    assert_eq!(a.end_to_end_id.as_deref(), Some("BATCH-1"));
    assert_eq!(a.purpose.as_deref(), Some("Beitrag Januar Police 1"));
    assert_eq!(b.counterparty_name.as_deref(), Some("Verein B e.V."));
    assert_eq!(
        b.counterparty_iban.as_deref(),
        Some("0648489890"),
        "Othr/Id without IBAN"
    );
    assert_eq!(b.end_to_end_id, None, "NOTPROVIDED is no reference");
    assert_eq!(b.purpose.as_deref(), Some("Mitgliedsbeitrag"));
    for e in [a, b] {
        assert_eq!(e.bank_reference.as_deref(), Some("2020010799990001"));
        assert_eq!(e.transaction_type.as_deref(), Some("SAMMEL-LS"));
        assert_eq!(e.booking_date, date!(2020 - 01 - 07));
        assert!(e.booked);
    }

    // Pending credit: booking date from DtTm, the debtor is the counterparty.
    let e = &entries[3];
    assert!(!e.booked);
    assert_eq!(e.amount, "2500.00");
    assert_eq!(e.booking_date, date!(2020 - 01 - 08));
    assert_eq!(e.counterparty_name.as_deref(), Some("Arbeitgeber GmbH"));
    assert_eq!(
        e.counterparty_iban.as_deref(),
        Some("DE27100777770209299700")
    );
    assert_eq!(e.counterparty_bic.as_deref(), Some("NORSDE51XXX"));
    assert_eq!(e.purpose.as_deref(), Some("Lohn/Gehalt 01/2020"));
    assert_eq!(e.end_to_end_id.as_deref(), Some("LOHN-2020-01"));
    assert_eq!(
        e.transaction_type.as_deref(),
        Some("NTRF+166+9310"),
        "no AddtlNtryInf"
    );
    assert_eq!(e.bank_reference, None);
}

#[test]
fn camt052_001_08_parties_in_pty_and_latin1_text() {
    let entries = parse_camt052(&fixture("camt052_v08.xml")).unwrap();
    assert_eq!(entries.len(), 3, "{entries:#?}");
    let e = &entries[0];
    assert_eq!(e.amount, "35.00");
    assert!(e.booked);
    assert_eq!(e.booking_date, date!(2025 - 10 - 28));
    assert_eq!(e.value_date, Some(date!(2025 - 10 - 29)));
    assert_eq!(e.counterparty_name.as_deref(), Some("Jörg Müller"));
    assert_eq!(
        e.counterparty_iban.as_deref(),
        Some("DE44500105175407324931")
    );
    assert_eq!(e.counterparty_bic.as_deref(), Some("GENODEM1GLS"));
    assert_eq!(e.purpose.as_deref(), Some("Anteil Geschenk"));
    assert_eq!(e.transaction_type.as_deref(), Some("Überweisungsgutschr."));
    assert_eq!(e.end_to_end_id, None);
    assert_eq!(e.bank_reference.as_deref(), Some("2025102812344060000"));

    let e = &entries[1];
    assert_eq!(e.amount, "-29.63");
    assert_eq!(
        e.counterparty_name.as_deref(),
        Some("Stromversorger GmbH"),
        "Cdtr of a DBIT"
    );
    assert_eq!(
        e.counterparty_iban.as_deref(),
        Some("DE02120300000000202051")
    );
    assert_eq!(e.counterparty_bic.as_deref(), Some("DEUTDEFFXXX"));
    assert_eq!(
        e.purpose.as_deref(),
        Some(
            "Abschlag November EREF: SD36-1234-1234-1234 MREF: 1234-1234-1234 CRED: DE98ZZZ09999999999"
        )
    );
    assert_eq!(e.end_to_end_id.as_deref(), Some("SD36-1234-1234-1234"));
    assert_eq!(e.transaction_type.as_deref(), Some("Lastschrift"));

    // Pending, no BookgDt: the value date (DtTm) stands in; CDATA text; unknown elements.
    let e = &entries[2];
    assert!(!e.booked);
    assert_eq!(e.amount, "-12.00");
    assert_eq!(e.booking_date, date!(2025 - 11 - 28));
    assert_eq!(
        e.counterparty_name.as_deref(),
        Some("Kartenzahlung Bäckerei")
    );
    assert_eq!(
        e.purpose.as_deref(),
        Some("Kartenzahlung 27.11. <Filiale 3>")
    );
    assert_eq!(e.transaction_type.as_deref(), Some("NMSC+005+00931"));
    assert_eq!(e.counterparty_iban, None);
}

fn document(ntry: &str) -> String {
    format!(
        r#"<?xml version="1.0"?><ns2:Document xmlns:ns2="urn:iso:std:iso:20022:tech:xsd:camt.052.001.04"><ns2:BkToCstmrAcctRpt><ns2:Rpt>{ntry}</ns2:Rpt></ns2:BkToCstmrAcctRpt></ns2:Document>"#
    )
}

#[test]
fn prefixed_namespace_reversal_and_multiple_ustrd() {
    let ntry = r#"<ns2:Ntry><ns2:Amt Ccy="eur">10.00</ns2:Amt><ns2:CdtDbtInd>CRDT</ns2:CdtDbtInd>
        <ns2:RvslInd>true</ns2:RvslInd><ns2:Sts>BOOK</ns2:Sts>
        <ns2:BookgDt><ns2:Dt>2024-02-29</ns2:Dt></ns2:BookgDt>
        <ns2:NtryDtls><ns2:TxDtls><ns2:RltdPties>
          <ns2:Dbtr><ns2:Nm>Me</ns2:Nm></ns2:Dbtr><ns2:Cdtr><ns2:Nm>Shop &#x26; Co</ns2:Nm></ns2:Cdtr>
        </ns2:RltdPties><ns2:RmtInf><ns2:Ustrd>Rueckbuchung</ns2:Ustrd><ns2:Ustrd>Auftrag 7</ns2:Ustrd></ns2:RmtInf>
        </ns2:TxDtls></ns2:NtryDtls></ns2:Ntry>"#;
    let entries = parse_camt052(&document(ntry)).unwrap();
    assert_eq!(entries.len(), 1);
    let e = &entries[0];
    assert_eq!(e.amount, "10.00");
    assert_eq!(e.currency, "EUR");
    assert_eq!(e.booking_date, date!(2024 - 02 - 29));
    assert_eq!(e.value_date, None);
    // A reversed debit: the creditor of the original payment is the counterparty.
    assert_eq!(e.counterparty_name.as_deref(), Some("Shop & Co"));
    assert_eq!(e.purpose.as_deref(), Some("Rueckbuchung Auftrag 7"));
}

#[test]
fn an_empty_report_has_no_entries() {
    assert_eq!(parse_camt052(&document("")).unwrap(), vec![]);
}

fn camt_error(xml: &str) -> (String, String) {
    match parse_camt052(xml) {
        Err(StatementError::Camt { context, message }) => (context, message),
        other => panic!("expected a camt error, got {other:?}"),
    }
}

#[test]
fn errors_name_the_entry_and_element() {
    let ok = r#"<Ntry><Amt Ccy="EUR">1.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>2024-01-02</Dt></BookgDt></Ntry>"#;
    let (context, message) = camt_error(&document(&format!(
        r#"{ok}<Ntry><Amt Ccy="EUR">1.00</Amt><Sts>BOOK</Sts></Ntry>"#
    )));
    assert_eq!(
        (context.as_str(), message.as_str()),
        ("Ntry 2, CdtDbtInd", "missing")
    );

    let (context, message) = camt_error(&document(&ok.replace("1.00", "1,00")));
    assert_eq!(context, "Ntry 1, Amt");
    assert!(message.contains("1,00"), "{message}");

    let (context, _) = camt_error(&document(&ok.replace(r#" Ccy="EUR""#, "")));
    assert_eq!(context, "Ntry 1, Amt");

    let (context, message) = camt_error(&document(&ok.replace("2024-01-02", "2023-02-29")));
    assert_eq!(context, "Ntry 1, BookgDt");
    assert!(message.contains("2023-02-29"), "{message}");

    let (context, _) = camt_error(&document(
        &ok.replace("<BookgDt><Dt>2024-01-02</Dt></BookgDt>", ""),
    ));
    assert_eq!(context, "Ntry 1, BookgDt");

    let (context, _) = camt_error(&document(&ok.replace("DBIT", "DEBIT")));
    assert_eq!(context, "Ntry 1, CdtDbtInd");
}

#[test]
fn broken_xml_is_an_xml_error() {
    for broken in [
        "<Document><Ntry></Document>",
        "<Document><Ntry>",
        "not xml at all",
        "<Document>&bogus;</Document>",
    ] {
        let result = parse_camt052(broken);
        assert!(
            matches!(result, Err(StatementError::Xml { .. })),
            "{broken}: {result:?}"
        );
    }
}

#[test]
fn cut_off_documents_never_panic_and_mostly_fail() {
    let text = fixture("camt052_v08.xml");
    let mut failures = 0;
    for (cut, _) in text.char_indices() {
        failures += usize::from(parse_camt052(&text[..cut]).is_err());
    }
    // Every cut before the root's end tag is an unfinished document.
    let end = text.rfind("</Document>").unwrap();
    assert!(failures >= text[..end].chars().count(), "{failures}");
}
