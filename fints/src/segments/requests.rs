//! Builders for the request segments (`HK…`). Segment numbers are set when the message is
//! assembled ([`crate::envelope`]), so every builder leaves them at 0.

use crate::codec::{Element, Segment};

use super::account::AccountRef;

/// The product registration the bank sees in `HKVVB`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Product {
    pub id: String,
    pub version: String,
}

/// `HKIDN` v2: identification. `customer_id` `9999999999` and system id `0` for an
/// anonymous dialog.
pub fn hkidn(blz: &str, customer_id: &str, system_id: &str, system_id_required: bool) -> Segment {
    Segment::new("HKIDN", 0, 2)
        .push(Element::group(["280", blz]))
        .push(Element::text(customer_id))
        .push(Element::text(system_id))
        .push(Element::text(if system_id_required { "1" } else { "0" }))
}

/// `HKVVB` v3: processing preparation (BPD/UPD versions, language, product).
pub fn hkvvb(bpd_version: u32, upd_version: u32, product: &Product) -> Segment {
    Segment::new("HKVVB", 0, 3)
        .push(Element::text(bpd_version.to_string()))
        .push(Element::text(upd_version.to_string()))
        .push(Element::text("0"))
        .push(Element::text(&product.id))
        .push(Element::text(&product.version))
}

/// `HKSYN` v3 mode 0: "give me a new customer system id".
pub fn hksyn() -> Segment {
    Segment::new("HKSYN", 0, 3).push(Element::text("0"))
}

/// `HKEND` v1.
pub fn hkend(dialog_id: &str) -> Segment {
    Segment::new("HKEND", 0, 1).push(Element::text(dialog_id))
}

/// `HKTAN` process 4: "this request may need SCA" (`segment` = the request's type).
pub fn hktan_process4(version: u32, segment: &str, medium: Option<&str>) -> Segment {
    let mut tan = Segment::new("HKTAN", 0, version)
        .push(Element::text("4"))
        .push(Element::text(segment));
    for _ in 3..11 {
        tan = tan.push(Element::empty());
    }
    match medium {
        Some(name) => tan.push(Element::text(name)),
        None => {
            // Trailing empty elements are left out.
            tan.elements.truncate(3);
            tan
        }
    }
}

/// `HKTAN` process 2 (the TAN travels in `HNSHA`) or `S` (decoupled status poll).
pub fn hktan_followup(version: u32, process: &str, task_reference: &str) -> Segment {
    Segment::new("HKTAN", 0, version)
        .push(Element::text(process))
        .push(Element::empty())
        .push(Element::empty())
        .push(Element::empty())
        .push(Element::text(task_reference))
        .push(Element::text("N"))
}

/// `HKTAB` v4/v5: list the TAN media (all of them, every class).
pub fn hktab(version: u32) -> Segment {
    Segment::new("HKTAB", 0, version)
        .push(Element::text("0"))
        .push(Element::text("A"))
}

/// `HKSPA` v1–3 with no account: every SEPA account of the user.
pub fn hkspa(version: u32) -> Segment {
    Segment::new("HKSPA", 0, version)
}

/// The touchdown point of a continued request, after the (empty) maximum entries.
fn with_touchdown(segment: Segment, touchdown: Option<&str>) -> Segment {
    match touchdown {
        Some(point) => segment.push(Element::empty()).push(Element::text(point)),
        None => segment,
    }
}

fn account_element(version_uses_kti: bool, account: &AccountRef) -> Element {
    if version_uses_kti {
        account.kti()
    } else {
        account.ktv()
    }
}

/// `HKSAL` v5–7 (v7 names the account by IBAN).
pub fn hksal(version: u32, account: &AccountRef, touchdown: Option<&str>) -> Segment {
    let segment = Segment::new("HKSAL", 0, version)
        .push(account_element(version >= 7, account))
        .push(Element::text("N"));
    with_touchdown(segment, touchdown)
}

/// `HKKAZ` v5–7: booked (MT940) and pending (MT942) bookings since a day.
pub fn hkkaz(
    version: u32,
    account: &AccountRef,
    since: time::Date,
    until: time::Date,
    touchdown: Option<&str>,
) -> Segment {
    let segment = Segment::new("HKKAZ", 0, version)
        .push(account_element(version >= 7, account))
        .push(Element::text("N"))
        .push(Element::text(super::format_date(since)))
        .push(Element::text(super::format_date(until)));
    with_touchdown(segment, touchdown)
}

/// `HKCAZ` v1: camt.052 statements in one of the bank's formats.
pub fn hkcaz(
    account: &AccountRef,
    format: &str,
    since: time::Date,
    until: time::Date,
    touchdown: Option<&str>,
) -> Segment {
    let segment = Segment::new("HKCAZ", 0, 1)
        .push(account.kti())
        .push(Element::text(format))
        .push(Element::text("N"))
        .push(Element::text(super::format_date(since)))
        .push(Element::text(super::format_date(until)));
    with_touchdown(segment, touchdown)
}
