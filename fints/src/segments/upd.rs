//! The user parameter data (UPD): `HIUPA` and one `HIUPD` per account, with the account's
//! type, product name, owner, currency and allowed business transactions.

use serde::{Deserialize, Serialize};

use crate::codec::Segment;

/// One `HIUPD`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpdAccount {
    pub account_number: Option<String>,
    pub subaccount: Option<String>,
    pub blz: Option<String>,
    pub iban: Option<String>,
    pub customer_id: Option<String>,
    /// The FinTS account type (1–9 giro, 10–19 savings, 20–29 fixed deposit, 30–39
    /// securities, 40–49 loan, 50–59 credit card, 60–69 fund, 70–79 building savings,
    /// 80–89 insurance, 90–99 other).
    pub account_type: Option<u32>,
    pub currency: Option<String>,
    pub owner: Option<String>,
    pub product_name: Option<String>,
    /// The business transactions allowed on this account (`HKSAL`, `HKKAZ`, …).
    pub allowed: Vec<String>,
}

impl UpdAccount {
    pub fn allows(&self, request: &str) -> bool {
        // A bank that lists no transactions restricts none.
        self.allowed.is_empty() || self.allowed.iter().any(|a| a == request)
    }
}

/// The UPD: its version and accounts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Upd {
    pub version: u32,
    pub accounts: Vec<UpdAccount>,
}

impl Upd {
    /// The UPD in an answer, if it carries one.
    pub fn from_answer(segments: &[Segment]) -> Option<Upd> {
        let hiupa = super::first(segments, "HIUPA")?;
        let version = hiupa.number_at(2, 0).unwrap_or(0);
        let accounts = super::all(segments, "HIUPD").map(read_hiupd).collect();
        Some(Upd { version, accounts })
    }
}

fn read_hiupd(segment: &Segment) -> UpdAccount {
    let version = segment.version();
    // HIUPD v4/v5 carry no IBAN element; v6 does (element 2).
    let (iban, customer, shift) = if version >= 6 {
        (segment.text(2, 0), segment.text(3, 0), 0)
    } else {
        (None, segment.text(2, 0), 1)
    };
    let at = |i: usize| i - shift;
    let name1 = segment.text(at(6), 0);
    let name2 = segment.text(at(7), 0);
    let owner = match (name1, name2) {
        (Some(a), Some(b)) => Some(format!("{a} {b}")),
        (a, b) => a.or(b),
    };
    let allowed = segment
        .elements
        .iter()
        .skip(at(10))
        .filter_map(|e| {
            let kind = crate::codec::decode_latin1(e.component(0)?.bytes());
            (kind.len() == 5 && kind.bytes().all(|b| b.is_ascii_uppercase())).then_some(kind)
        })
        .collect();
    UpdAccount {
        account_number: segment.text(1, 0),
        subaccount: segment.text(1, 1),
        blz: segment.text(1, 3),
        iban,
        customer_id: customer,
        account_type: segment.number_at(at(4), 0),
        currency: segment.text(at(5), 0),
        owner,
        product_name: segment.text(at(8), 0),
        allowed,
    }
}
