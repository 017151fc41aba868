//! The PIN/TAN message envelope: `HNHBK` (header with the message length), `HNVSK` +
//! `HNVSD` (the "encryption" header and the data, which PIN/TAN leaves in clear text),
//! `HNSHK` … `HNSHA` (the signature, whose closing segment carries PIN and TAN) and
//! `HNHBS` (the trailer). Anonymous messages have no encryption and no signature.

use secrecy::{ExposeSecret, SecretString};

use crate::codec::{self, CodecError, Element, Segment};

/// Who signs a message, and with what. The PIN and TAN are only ever written into the
/// `HNSHA` segment of the message bytes.
pub struct Signer<'a> {
    pub blz: &'a str,
    /// The login name (Benutzerkennung), used as the key name.
    pub user_id: &'a str,
    /// The customer system id, `0` before HKSYN.
    pub system_id: &'a str,
    /// `999` (one-step) or the two-step method's security function.
    pub security_function: &'a str,
    pub pin: &'a SecretString,
    pub tan: Option<&'a SecretString>,
}

impl std::fmt::Debug for Signer<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signer")
            .field("blz", &self.blz)
            .field("security_function", &self.security_function)
            .finish_non_exhaustive()
    }
}

/// Header fields of a message to send.
#[derive(Debug, Clone, Copy)]
pub struct Header<'a> {
    pub dialog_id: &'a str,
    pub message_number: u32,
    /// `YYYYMMDD` and `HHMMSS` for the security date/time fields.
    pub date: &'a str,
    pub time: &'a str,
}

fn number_all(segments: &mut [Segment], first: u32) -> u32 {
    let mut next = first;
    for segment in segments.iter_mut() {
        segment.set_number(next);
        next += 1;
    }
    next
}

fn frame(header: &Header<'_>, body: Vec<Segment>, trailer_number: u32) -> Vec<u8> {
    let hnhbk = |size: usize| {
        Segment::new("HNHBK", 1, 3)
            .push(Element::text(format!("{size:012}")))
            .push(Element::text("300"))
            .push(Element::text(header.dialog_id))
            .push(Element::text(header.message_number.to_string()))
    };
    let hnhbs = Segment::new("HNHBS", trailer_number, 1)
        .push(Element::text(header.message_number.to_string()));
    let mut rest = codec::write(&body);
    codec::write_segment(&hnhbs, &mut rest);
    let head_len = codec::write(&[hnhbk(0)]).len();
    let mut message = codec::write(&[hnhbk(head_len + rest.len())]);
    message.extend_from_slice(&rest);
    message
}

/// An anonymous message (BPD without login).
pub fn anonymous(header: &Header<'_>, mut segments: Vec<Segment>) -> Vec<u8> {
    let trailer = number_all(&mut segments, 2);
    frame(header, segments, trailer)
}

/// A signed PIN/TAN message around `segments`.
pub fn signed(header: &Header<'_>, signer: &Signer<'_>, mut segments: Vec<Segment>) -> Vec<u8> {
    let profile = if signer.security_function == "999" {
        "1"
    } else {
        "2"
    };
    let control = format!("{}", 1_000_000 + header.message_number);
    let key_name = |kind: &str| Element::group(["280", signer.blz, signer.user_id, kind, "0", "0"]);
    let hnshk = Segment::new("HNSHK", 2, 4)
        .push(Element::group(["PIN", profile]))
        .push(Element::text(signer.security_function))
        .push(Element::text(&control))
        .push(Element::text("1"))
        .push(Element::text("1"))
        .push(Element::group(["1", "", signer.system_id]))
        .push(Element::text("1"))
        .push(Element::group(["1", header.date, header.time]))
        .push(Element::group(["1", "999", "1"]))
        .push(Element::group(["6", "10", "16"]))
        .push(key_name("S"));
    let after = number_all(&mut segments, 3);
    let mut secrets = vec![signer.pin.expose_secret().to_owned()];
    if let Some(tan) = signer.tan {
        secrets.push(tan.expose_secret().to_owned());
    }
    let hnsha = Segment::new("HNSHA", after, 2)
        .push(Element::text(&control))
        .push(Element::empty())
        .push(Element::group(secrets));
    let mut inner = vec![hnshk];
    inner.extend(segments);
    inner.push(hnsha);
    let hnvsk = Segment::new("HNVSK", 998, 3)
        .push(Element::group(["PIN", profile]))
        .push(Element::text("998"))
        .push(Element::text("1"))
        .push(Element::group(["1", "", signer.system_id]))
        .push(Element::group(["1", header.date, header.time]))
        .push(Element(vec![
            codec::Value::Text(b"2".to_vec()),
            codec::Value::Text(b"2".to_vec()),
            codec::Value::Text(b"13".to_vec()),
            codec::Value::Binary(b"00000000".to_vec()),
            codec::Value::Text(b"5".to_vec()),
            codec::Value::Text(b"1".to_vec()),
        ]))
        .push(key_name("V"))
        .push(Element::text("0"));
    let hnvsd = Segment::new("HNVSD", 999, 1).push(Element::binary(codec::write(&inner)));
    frame(header, vec![hnvsk, hnvsd], after + 1)
}

/// A bank's answer, unwrapped.
#[derive(Debug, Clone)]
pub struct Answer {
    pub dialog_id: String,
    pub message_number: u32,
    /// Every segment but the envelope's, the encrypted ones included, in order.
    pub segments: Vec<Segment>,
}

const ENVELOPE: [&str; 6] = ["HNHBK", "HNHBS", "HNVSK", "HNVSD", "HNSHK", "HNSHA"];

/// Reads an answer: the header and the business segments inside `HNVSD`.
pub fn open(bytes: &[u8]) -> Result<Answer, CodecError> {
    let outer = codec::parse(bytes)?;
    let header = outer.iter().find(|s| s.kind() == "HNHBK");
    let dialog_id = header.and_then(|h| h.text(3, 0)).unwrap_or_default();
    let message_number = header.and_then(|h| h.number_at(4, 0)).unwrap_or(0);
    let mut segments = Vec::new();
    for segment in outer {
        if segment.kind() == "HNVSD" {
            let inner = codec::parse(segment.bytes(1, 0).unwrap_or_default())?;
            segments.extend(
                inner
                    .into_iter()
                    .filter(|s| !ENVELOPE.contains(&s.kind().as_str())),
            );
        } else if !ENVELOPE.contains(&segment.kind().as_str()) {
            segments.push(segment);
        }
    }
    Ok(Answer {
        dialog_id,
        message_number,
        segments,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anonymous_message_has_its_own_length_in_the_header() {
        let header = Header {
            dialog_id: "0",
            message_number: 1,
            date: "20190102",
            time: "030405",
        };
        let message = anonymous(
            &header,
            vec![crate::segments::requests::hkidn(
                "12030000",
                "9999999999",
                "0",
                false,
            )],
        );
        let text = codec::decode_latin1(&message);
        assert!(
            text.starts_with(&format!("HNHBK:1:3+{:012}+300+0+1'", message.len())),
            "{text}"
        );
        assert!(
            text.contains("HKIDN:2:2+280:12030000+9999999999+0+0'HNHBS:3:1+1'"),
            "{text}"
        );
    }

    #[test]
    fn signed_message_carries_pin_and_tan_in_hnsha_and_reopens() {
        let header = Header {
            dialog_id: "DIALOG1",
            message_number: 3,
            date: "20190102",
            time: "030405",
        };
        let pin = SecretString::from("12345");
        let tan = SecretString::from("777666");
        let signer = Signer {
            blz: "12030000",
            user_id: "test@user",
            system_id: "SYS",
            security_function: "921",
            pin: &pin,
            tan: Some(&tan),
        };
        let message = signed(
            &header,
            &signer,
            vec![crate::segments::requests::hktan_followup(6, "2", "REF")],
        );
        let text = codec::decode_latin1(&message);
        assert!(
            text.contains("HKTAN:3:6+2++++REF+N'HNSHA:4:2+1000003++12345:777666''HNHBS:5:1+3'"),
            "{text}"
        );
        assert!(text.contains("280:12030000:test?@user:S:0:0'"), "{text}");
        assert_eq!(&text[10..22], format!("{:012}", message.len()));
        let opened = open(&message).unwrap();
        assert_eq!(opened.dialog_id, "DIALOG1");
        assert_eq!(opened.message_number, 3);
        assert_eq!(opened.segments.len(), 1);
        assert_eq!(opened.segments[0].kind(), "HKTAN");
        assert!(!format!("{signer:?}").contains("12345"));
    }
}
