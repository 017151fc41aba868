//! A scripted FinTS bank for tests and the demo (feature `testbank`): answers messages the
//! way a PSD2 bank does, from a script, without I/O. Not a bank simulator for production:
//! every answer comes from the fixed data below.
//!
//! - login name: anything; PIN `wrong` → `9931`, `locked` → `3938`, else accepted;
//! - TAN methods allowed (`3920`): `972` chipTAN optical (HHD_UC flicker code), `982`
//!   photoTAN (a PNG matrix code), `942` mobileTAN (needs a TAN medium: a dialog without
//!   one is refused with `9955`, `HKTAB` lists two; plain text challenge) — TAN `123456`,
//!   anything else → `9941` — and `921` pushTAN in the app (decoupled: `3955`, then `3956`
//!   for the first poll, approved on the second); SCA at every dialog init;
//! - two accounts (HKSPA, UPD), balances (HKSAL v7), statements as camt.052 (HKCAZ v1) or
//!   MT940 (HKKAZ v7: two pages for the first account, `3040` touchdown, plus one pending
//!   MT942 entry).

use crate::codec::{self, Element, Segment};
use crate::envelope;

/// The bank's state: its open dialogs.
#[derive(Debug, Default)]
pub struct TestBank {
    next_dialog: u32,
    /// Open SCA: task reference → polls so far.
    polls: std::collections::HashMap<String, u32>,
    /// The SCA of each dialog: (method, approved).
    dialogs: std::collections::HashMap<String, (String, bool)>,
    /// Today, for the statement dates (`YYYYMMDD`).
    pub today: Option<time::Date>,
}

const HHD_CHALLENGE: &str = "0248A0120452019980812345678";
pub const TAN: &str = "123456";

fn text(segment: &Segment, element: usize, component: usize) -> String {
    segment.text(element, component).unwrap_or_default()
}

fn ret(code: &str, message: &str) -> Element {
    Element::group([code, "", message])
}

fn hirmg(codes: &[(&str, &str)]) -> Segment {
    codes
        .iter()
        .fold(Segment::new("HIRMG", 0, 2), |s, (c, m)| s.push(ret(c, m)))
}

fn hirms(reference: u32, codes: &[(&str, &str)]) -> Segment {
    let segment = codes
        .iter()
        .fold(Segment::new("HIRMS", 0, 2), |s, (c, m)| s.push(ret(c, m)));
    with_ref(segment, reference)
}

fn with_ref(mut segment: Segment, reference: u32) -> Segment {
    segment.elements[0]
        .0
        .push(codec::Value::Text(reference.to_string().into_bytes()));
    segment
}

fn raw(wire: &str) -> Vec<Segment> {
    codec::parse(&codec::encode_latin1(wire)).unwrap_or_default()
}

fn bpd(blz: &str) -> Vec<Segment> {
    let methods = [
        "972:2:HHD1.4OPT:HHD:1.4:chipTAN optisch:6:1:TAN-Nummer:3:N:2:N:0:0:N:N:00:0:N:1:::::",
        "921:2:pushTAN-dec:Decoupled::pushTAN 2.0:6:1:Freigabe:3:N:2:N:0:0:N:N:00:0:N:1:5:2:1:J:J",
        "982:2:MS1.0.0:::photoTAN:7:1:TAN:3:N:2:N:0:0:N:N:00:0:N:1:::::",
        "942:2:mobileTAN:::mobileTAN:6:1:TAN:3:N:2:N:0:0:N:N:00:2:N:2:::::",
    ]
    .join(":");
    raw(&format!(
        "HIBPA:0:3+12+280:{blz}+Kontolink FinTS-Testbank+1+1+300+0'\
         HITANS:0:7+1+1+0+J:N:0:{methods}'\
         HIPINS:0:1+1+1+0+5:20:6:Benutzerkennung:Kunden-ID:HKSPA:N:HKSAL:N:HKKAZ:J:HKTAB:N'\
         HISPAS:0:3+1+1+0+J:J:N:sepade?:xsd?:pain.001.001.03.xsd'\
         HIKAZS:0:7+1+1+0+360:J:N'\
         HISALS:0:7+1+1+0'\
         HICAZS:0:1+1+1+0+360:J:N:urn?:iso?:std?:iso?:20022?:tech?:xsd?:camt.052.001.02'\
         HITABS:0:4+1+1+0'"
    ))
}

fn upd(blz: &str, user: &str) -> Vec<Segment> {
    raw(&format!(
        "HIUPA:0:4+{user}+3+0'\
         HIUPD:0:6+1234567890::280:{blz}+DE12{blz}1234567890+{user}+1+EUR+Erika Mustermann++Girokonto++HKSAL:1+HKKAZ:1+HKCAZ:1+HKSPA:1'\
         HIUPD:0:6+1234567891::280:{blz}+DE12{blz}1234567891+{user}+10+EUR+Erika Mustermann++Tagesgeld++HKSAL:1+HKKAZ:1+HKCAZ:1+HKSPA:1'"
    ))
}

fn yymmdd(date: time::Date) -> String {
    format!(
        "{:02}{:02}{:02}",
        date.year() % 100,
        u8::from(date.month()),
        date.day()
    )
}

fn mt940(blz: &str, account: &str, page: u8, today: time::Date) -> String {
    let day = |n: i64| yymmdd(today - time::Duration::days(n));
    let mmdd = |n: i64| yymmdd(today - time::Duration::days(n))[2..].to_owned();
    let entries = match (account.ends_with('0'), page) {
        (true, 1) => format!(
            ":61:{}{}DR42,50NDDTNONREF\r\n:86:105?00SEPA-BASISLASTSCHRIFT?20EREF+ABO-2211?21SVWZ+Stromabschlag November?32Stadtwerke Musterstadt?31DE89370400440532013000\r\n",
            day(5),
            mmdd(5)
        ),
        (true, _) => format!(
            ":61:{}{}CR2500,00NTRFNONREF\r\n:86:166?00GUTSCHR. UEBERWEISUNG?20SVWZ+Gehalt November?32Muster GmbH?31DE02120300000000202051\r\n\
             :61:{}{}DR3,80NTRFNONREF\r\n:86:106?00KARTENZAHLUNG?20SVWZ+Baeckerei am Markt?32Baeckerei am Markt\r\n",
            day(3),
            mmdd(3),
            day(1),
            mmdd(1)
        ),
        (false, _) => format!(
            ":61:{}{}CR1,25NINTNONREF\r\n:86:805?00ZINSEN?20SVWZ+Zinsen\r\n",
            day(4),
            mmdd(4)
        ),
    };
    format!(
        "\r\n:20:STARTUMSE\r\n:25:{blz}/{account}\r\n:28C:00001/001\r\n:60F:C{}EUR1000,00\r\n{entries}:62F:C{}EUR1523,42\r\n-",
        day(30),
        day(0)
    )
}

fn mt942(blz: &str, today: time::Date) -> String {
    let date = yymmdd(today);
    format!(
        "\r\n:20:STARTDISPE\r\n:25:{blz}/1234567890\r\n:28C:00001/001\r\n:34F:EUR0,\r\n:13D:{date}1200+0100\r\n\
         :61:{date}{}DR19,99NDDTNONREF\r\n:86:105?00SEPA-BASISLASTSCHRIFT?20SVWZ+Streaming Abo?32Streaming Service\r\n:90D:1EUR19,99\r\n-",
        &date[2..]
    )
}

/// A 1×1 PNG: the photoTAN "matrix code" (what matters is that it is a real image).
const PNG: [u8; 67] = [
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4,
    0x89, 0x00, 0x00, 0x00, 0x0a, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0x00, 0x01, 0x00, 0x00,
    0x05, 0x00, 0x01, 0x0d, 0x0a, 0x2d, 0xb4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae,
    0x42, 0x60, 0x82,
];

/// A matrix code as FinTS carries it: length + MIME type, length + image.
fn matrix_code() -> Vec<u8> {
    let mime = b"image/png";
    let mut out = (mime.len() as u16).to_be_bytes().to_vec();
    out.extend_from_slice(mime);
    out.extend_from_slice(&(PNG.len() as u16).to_be_bytes());
    out.extend_from_slice(&PNG);
    out
}

fn camt_entry(
    amount: &str,
    debit: bool,
    status: &str,
    day: time::Date,
    name: &str,
    iban: &str,
    purpose: &str,
) -> String {
    let (party, account) = if debit {
        ("Cdtr", "CdtrAcct")
    } else {
        ("Dbtr", "DbtrAcct")
    };
    format!(
        "<Ntry><Amt Ccy=\"EUR\">{amount}</Amt><CdtDbtInd>{}</CdtDbtInd><Sts>{status}</Sts>\
         <BookgDt><Dt>{day}</Dt></BookgDt><ValDt><Dt>{day}</Dt></ValDt><NtryDtls><TxDtls>\
         <RltdPties><{party}><Nm>{name}</Nm></{party}><{account}><Id><IBAN>{iban}</IBAN></Id></{account}></RltdPties>\
         <RmtInf><Ustrd>{purpose}</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>",
        if debit { "DBIT" } else { "CRDT" }
    )
}

/// A camt.052.001.02 report: booked or pending entries of one account.
fn camt(iban: &str, booked: bool, today: time::Date) -> String {
    let day = |n: i64| today - time::Duration::days(n);
    let entries = match (iban.ends_with('0'), booked) {
        (true, true) => [
            camt_entry(
                "42.50",
                true,
                "BOOK",
                day(5),
                "Stadtwerke Musterstadt",
                "DE89370400440532013000",
                "Stromabschlag November",
            ),
            camt_entry(
                "2500.00",
                false,
                "BOOK",
                day(3),
                "Muster GmbH",
                "DE02120300000000202051",
                "Gehalt November",
            ),
            camt_entry(
                "3.80",
                true,
                "BOOK",
                day(1),
                "Baeckerei am Markt",
                "DE02120300000000202052",
                "Baeckerei am Markt",
            ),
        ]
        .concat(),
        (true, false) => camt_entry(
            "19.99",
            true,
            "PDNG",
            today,
            "Streaming Service",
            "DE02120300000000202053",
            "Streaming Abo",
        ),
        (false, true) => camt_entry(
            "1.25",
            false,
            "BOOK",
            day(4),
            "Kontolink FinTS-Testbank",
            "DE02120300000000202054",
            "Zinsen",
        ),
        (false, false) => String::new(),
    };
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.052.001.02\">\
         <BkToCstmrAcctRpt><GrpHdr><MsgId>TESTBANK</MsgId><CreDtTm>{today}T08:00:00</CreDtTm></GrpHdr>\
         <Rpt><Id>1</Id><CreDtTm>{today}T08:00:00</CreDtTm><Acct><Id><IBAN>{iban}</IBAN></Id></Acct>{entries}</Rpt>\
         </BkToCstmrAcctRpt></Document>"
    )
}

impl TestBank {
    pub fn new() -> TestBank {
        TestBank::default()
    }

    /// A bank whose "today" is fixed (statement dates).
    pub fn on(today: time::Date) -> TestBank {
        TestBank {
            today: Some(today),
            ..TestBank::default()
        }
    }

    /// The bank's answer to one message.
    pub fn answer(&mut self, request: &[u8]) -> Vec<u8> {
        let today = self
            .today
            .unwrap_or_else(|| time::OffsetDateTime::now_utc().date());
        let Ok(message) = envelope::open(request) else {
            return self.frame("0", 1, vec![hirmg(&[("9010", "Nachricht nicht lesbar")])]);
        };
        let all = codec::parse(request).unwrap_or_default();
        let inner = all
            .iter()
            .find(|s| s.kind() == "HNVSD")
            .and_then(|s| codec::parse(s.bytes(1, 0).unwrap_or_default()).ok())
            .unwrap_or_default();
        let hnsha = inner.iter().find(|s| s.kind() == "HNSHA");
        let pin = hnsha.map(|s| text(s, 3, 0)).unwrap_or_default();
        let tan = hnsha.and_then(|s| s.text(3, 1));
        let hnshk = inner.iter().find(|s| s.kind() == "HNSHK");
        let method = hnshk.map(|s| text(s, 2, 0)).unwrap_or_else(|| "999".into());
        let segments = &message.segments;
        let find = |kind: &str| segments.iter().find(|s| s.kind() == kind);
        // The bank code: from HKIDN, else from the signature's key name (280:BLZ:user…).
        let blz = find("HKIDN")
            .map(|s| text(s, 1, 1))
            .or_else(|| hnshk.and_then(|s| s.text(11, 1)))
            .unwrap_or_else(|| "12030000".into());
        let dialog = if message.dialog_id == "0" {
            self.next_dialog += 1;
            format!("TESTDIALOG{}", self.next_dialog)
        } else {
            message.dialog_id.clone()
        };
        let number = message.message_number;
        if hnsha.is_some() {
            match pin.as_str() {
                "wrong" => {
                    return self.frame(
                        &dialog,
                        number,
                        vec![hirmg(&[
                            ("9800", "Dialog abgebrochen"),
                            ("9931", "Anmeldename oder PIN ist falsch."),
                        ])],
                    );
                }
                "locked" => {
                    return self.frame(
                        &dialog,
                        number,
                        vec![
                            hirmg(&[("9800", "Dialog abgebrochen")]),
                            hirms(3, &[("3938", "Der Zugang ist vorübergehend gesperrt.")]),
                        ],
                    );
                }
                _ => {}
            }
        }
        let mut out = vec![hirmg(&[("0010", "Nachricht entgegengenommen.")])];
        if let Some(hkidn) = find("HKIDN") {
            let user = text(hkidn, 2, 0);
            let anonymous = user == "9999999999";
            if text(find("HKVVB").unwrap_or(hkidn), 1, 0) != "12" {
                out.push(hirms(
                    hkidn.number(),
                    &[(
                        "3050",
                        "BPD nicht mehr aktuell, aktuelle Version enthalten.",
                    )],
                ));
                out.extend(bpd(&blz));
            }
            if !anonymous {
                out.extend(upd(&blz, &user));
                out.push(hirms(
                    hkidn.number(),
                    &[
                        (
                            "3920",
                            "Zugelassene Zwei-Schritt-Verfahren für den Benutzer.",
                        ),
                        ("0020", "Der Auftrag wurde ausgeführt."),
                    ],
                ));
                if let Some(last) = out.last_mut() {
                    last.elements[1].0.push(codec::Value::Text(b"972".to_vec()));
                    for method in ["921", "982", "942"] {
                        last.elements[1]
                            .0
                            .push(codec::Value::Text(method.as_bytes().to_vec()));
                    }
                }
            }
        }
        if let Some(hksyn) = find("HKSYN") {
            out.push(with_ref(
                Segment::new("HISYN", 0, 4).push(Element::text(format!("SYS{dialog}"))),
                hksyn.number(),
            ));
        }
        if let Some(hktan) = find("HKTAN") {
            let process = text(hktan, 1, 0);
            match process.as_str() {
                "4" if text(hktan, 2, 0) == "HKIDN"
                    && method == "942"
                    && hktan.text(11, 0).is_none() =>
                {
                    return self.frame(
                        &dialog,
                        number,
                        vec![
                            hirmg(&[("9800", "Dialog abgebrochen")]),
                            hirms(
                                hktan.number(),
                                &[("9955", "Bitte geben Sie ein TAN-Medium an.")],
                            ),
                        ],
                    );
                }
                "4" if text(hktan, 2, 0) == "HKTAB" => {
                    self.dialogs.insert(dialog.clone(), (method.clone(), true));
                    out.push(hirms(
                        hktan.number(),
                        &[("3076", "Starke Kundenauthentifizierung nicht notwendig.")],
                    ));
                }
                "4" if text(hktan, 2, 0) == "HKIDN" => {
                    let reference = format!("TASK-{dialog}");
                    self.dialogs.insert(dialog.clone(), (method.clone(), false));
                    let mut hitan = Segment::new("HITAN", 0, 7)
                        .push(Element::text("4"))
                        .push(Element::empty())
                        .push(Element::text(&reference));
                    if method == "921" {
                        hitan = hitan.push(Element::text(
                            "Bitte bestätigen Sie die Anmeldung in Ihrer Banking-App.",
                        ));
                        out.push(hirms(
                            hktan.number(),
                            &[
                                ("3955", "Sicherheitsfreigabe erfolgt über anderen Kanal."),
                                (
                                    "0030",
                                    "Auftrag empfangen - Sicherheitsfreigabe erforderlich",
                                ),
                            ],
                        ));
                    } else if method == "982" {
                        hitan = hitan
                            .push(Element::text(
                                "Bitte scannen Sie die Grafik mit Ihrer photoTAN-App.",
                            ))
                            .push(Element::binary(matrix_code()));
                        out.push(hirms(
                            hktan.number(),
                            &[(
                                "0030",
                                "Auftrag empfangen - Bitte die empfangene TAN eingeben.",
                            )],
                        ));
                    } else if method == "942" {
                        let medium = hktan.text(11, 0).unwrap_or_default();
                        hitan = hitan.push(Element::text(format!(
                            "Die TAN wurde an {medium} gesendet."
                        )));
                        out.push(hirms(
                            hktan.number(),
                            &[(
                                "0030",
                                "Auftrag empfangen - Bitte die empfangene TAN eingeben.",
                            )],
                        ));
                    } else {
                        hitan = hitan
                            .push(Element::text("Bitte stecken Sie Ihre Karte in den TAN-Generator und halten Sie ihn vor die Grafik."))
                            .push(Element::binary(HHD_CHALLENGE.as_bytes().to_vec()));
                        out.push(hirms(
                            hktan.number(),
                            &[(
                                "0030",
                                "Auftrag empfangen - Bitte die empfangene TAN eingeben.",
                            )],
                        ));
                    }
                    out.push(with_ref(hitan, hktan.number()));
                }
                "4" => {
                    out.push(hirms(
                        hktan.number(),
                        &[("3076", "Starke Kundenauthentifizierung nicht notwendig.")],
                    ));
                    out.push(with_ref(
                        Segment::new("HITAN", 0, 7)
                            .push(Element::text("4"))
                            .push(Element::empty())
                            .push(Element::text("noref"))
                            .push(Element::text("nochallenge")),
                        hktan.number(),
                    ));
                }
                "2" => {
                    if tan.as_deref() != Some(TAN) {
                        out = vec![
                            hirmg(&[("9050", "Die Nachricht enthält Fehler.")]),
                            hirms(hktan.number(), &[("9941", "TAN ungültig.")]),
                        ];
                    } else {
                        self.dialogs.insert(dialog.clone(), (method.clone(), true));
                        out.push(hirms(
                            hktan.number(),
                            &[("0020", "Der Auftrag wurde ausgeführt.")],
                        ));
                    }
                }
                "S" => {
                    let reference = text(hktan, 5, 0);
                    let polls = self.polls.entry(reference).or_insert(0);
                    *polls += 1;
                    if *polls < 2 {
                        out.push(hirms(
                            hktan.number(),
                            &[("3956", "Sicherheitsfreigabe noch nicht erfolgt.")],
                        ));
                    } else {
                        self.dialogs.insert(dialog.clone(), (method.clone(), true));
                        out.push(hirms(
                            hktan.number(),
                            &[("0020", "Der Auftrag wurde ausgeführt.")],
                        ));
                    }
                }
                _ => out.push(hirms(
                    hktan.number(),
                    &[("9210", "TAN-Prozess nicht unterstützt.")],
                )),
            }
        }
        let approved = self.dialogs.get(&dialog).is_some_and(|d| d.1);
        let business = ["HKSPA", "HKSAL", "HKKAZ", "HKCAZ", "HKTAB"];
        if !approved
            && segments
                .iter()
                .any(|s| business.contains(&s.kind().as_str()))
        {
            return self.frame(
                &dialog,
                number,
                vec![hirmg(&[
                    ("9800", "Dialog abgebrochen"),
                    ("9340", "Starke Kundenauthentifizierung fehlt."),
                ])],
            );
        }
        if let Some(hkspa) = find("HKSPA") {
            out.push(hirms(
                hkspa.number(),
                &[("0020", "Der Auftrag wurde ausgeführt.")],
            ));
            out.extend(raw(&format!("HISPA:0:3:{}+J:DE12{blz}1234567890:TESTDEFFXXX:1234567890::280:{blz}+J:DE12{blz}1234567891:TESTDEFFXXX:1234567891::280:{blz}'", hkspa.number())));
        }
        if let Some(hksal) = find("HKSAL") {
            let account = text(hksal, 1, 2);
            let amount = if account.ends_with('0') {
                "1523,42"
            } else {
                "10001,25"
            };
            let date = crate::segments::format_date(today);
            out.push(hirms(
                hksal.number(),
                &[("0020", "Der Auftrag wurde ausgeführt.")],
            ));
            out.extend(raw(&format!("HISAL:0:7:{}+DE12{blz}{account}:TESTDEFFXXX:{account}::280:{blz}+Konto+EUR+C:{amount}:EUR:{date}++0,:EUR+{amount}:EUR'", hksal.number())));
        }
        if let Some(hkkaz) = find("HKKAZ") {
            let account = text(hkkaz, 1, 2);
            let touchdown = hkkaz.text(6, 0);
            let first_account = account.ends_with('0');
            let page = if touchdown.is_some() { 2 } else { 1 };
            let mut codes = vec![("0020", "Der Auftrag wurde ausgeführt.")];
            if first_account && page == 1 {
                codes.push(("3040", "Es liegen weitere Informationen vor."));
            }
            let mut status = hirms(hkkaz.number(), &codes);
            if first_account && page == 1 {
                let last = status.elements.len() - 1;
                status.elements[last]
                    .0
                    .push(codec::Value::Text(b"PAGE2".to_vec()));
            }
            out.push(status);
            let booked = mt940(&blz, &account, page, today);
            let pending = if first_account && page == 2 {
                mt942(&blz, today)
            } else {
                String::new()
            };
            out.push(with_ref(
                Segment::new("HIKAZ", 0, 7)
                    .push(Element::binary(codec::encode_latin1(&booked)))
                    .push(Element::binary(codec::encode_latin1(&pending))),
                hkkaz.number(),
            ));
        }
        if let Some(hktab) = find("HKTAB") {
            out.push(hirms(
                hktab.number(),
                &[("0020", "Der Auftrag wurde ausgeführt.")],
            ));
            out.extend(raw(&format!(
                "HITAB:0:4:{}+0+M:1:::::::::::Handy Erika::::::::+M:1:::::::::::Tablet Erika::::::::'",
                hktab.number()
            )));
        }
        if let Some(hkcaz) = find("HKCAZ") {
            let iban = text(hkcaz, 1, 0);
            out.push(hirms(
                hkcaz.number(),
                &[("0020", "Der Auftrag wurde ausgeführt.")],
            ));
            out.push(with_ref(
                Segment::new("HICAZ", 0, 1)
                    .push(Element::group([iban.clone(), "TESTDEFFXXX".to_owned()]))
                    .push(Element::text(
                        "urn:iso:std:iso:20022:tech:xsd:camt.052.001.02",
                    ))
                    .push(Element::binary(camt(&iban, true, today).into_bytes()))
                    .push(Element::binary(camt(&iban, false, today).into_bytes())),
                hkcaz.number(),
            ));
        }
        if find("HKEND").is_some() {
            self.dialogs.remove(&dialog);
            out = vec![hirmg(&[
                ("0010", "Nachricht entgegengenommen."),
                ("0100", "Dialog beendet."),
            ])];
        }
        self.frame(&dialog, number, out)
    }

    fn frame(&self, dialog: &str, number: u32, segments: Vec<Segment>) -> Vec<u8> {
        envelope::anonymous(
            &envelope::Header {
                dialog_id: dialog,
                message_number: number,
                date: "20260101",
                time: "000000",
            },
            segments,
        )
    }
}
