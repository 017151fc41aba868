//! Accounts: the SEPA account list (`HISPA`) and how a request names an account
//! (`KTV`: number, subaccount, country, BLZ; `KTI`: IBAN, BIC, then the same).

use serde::{Deserialize, Serialize};

use crate::codec::{Element, Segment};

/// An account as the bank names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountRef {
    pub iban: Option<String>,
    pub bic: Option<String>,
    pub number: Option<String>,
    pub subaccount: Option<String>,
    pub blz: String,
}

impl AccountRef {
    /// `KTV`: `number:subaccount:280:blz`.
    pub fn ktv(&self) -> Element {
        Element::group([
            self.number.clone().unwrap_or_default(),
            self.subaccount.clone().unwrap_or_default(),
            "280".to_owned(),
            self.blz.clone(),
        ])
    }

    /// `KTI`: `iban:bic:number:subaccount:280:blz`.
    pub fn kti(&self) -> Element {
        Element::group([
            self.iban.clone().unwrap_or_default(),
            self.bic.clone().unwrap_or_default(),
            self.number.clone().unwrap_or_default(),
            self.subaccount.clone().unwrap_or_default(),
            "280".to_owned(),
            self.blz.clone(),
        ])
    }

    /// A stable key for the account: the IBAN as sent, else BLZ/number/subaccount.
    pub fn key(&self) -> String {
        match &self.iban {
            Some(iban) => iban.clone(),
            None => format!(
                "{}/{}/{}",
                self.blz,
                self.number.as_deref().unwrap_or_default(),
                self.subaccount.as_deref().unwrap_or_default()
            ),
        }
    }

    /// Whether two references name the same account (IBAN, else number and subaccount).
    pub fn same_as(&self, other: &AccountRef) -> bool {
        match (&self.iban, &other.iban) {
            (Some(a), Some(b)) => a == b,
            _ => {
                self.number.is_some()
                    && self.number == other.number
                    && self.subaccount.as_deref().unwrap_or_default()
                        == other.subaccount.as_deref().unwrap_or_default()
            }
        }
    }
}

/// The accounts of every `HISPA` in an answer.
pub fn sepa_accounts(segments: &[Segment]) -> Vec<AccountRef> {
    let mut accounts = Vec::new();
    for segment in super::all(segments, "HISPA") {
        for element in segment.elements.iter().skip(1) {
            let text = |i: usize| {
                element
                    .component(i)
                    .map(|v| crate::codec::decode_latin1(v.bytes()))
                    .filter(|t| !t.is_empty())
            };
            // is_sepa : iban : bic : number : subaccount : 280 : blz
            let Some(blz) = text(6) else { continue };
            if text(1).is_none() && text(3).is_none() {
                continue;
            }
            accounts.push(AccountRef {
                iban: text(1),
                bic: text(2),
                number: text(3),
                subaccount: text(4),
                blz,
            });
        }
    }
    accounts
}
