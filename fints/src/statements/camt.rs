//! camt.052 (and the same `Ntry` of camt.053/054), any version, by local element names.
//!
//! Differences between the versions handled here: `Sts` is text in .02 and `Sts/Cd` from
//! .08 on; parties are `Dbtr/Nm` in .02 and `Dbtr/Pty/Nm` from .08 on; the BIC is `BIC`
//! in .02 and `BICFI` later.

use super::xml::{self, Element};
use super::{Entry, StatementError, non_empty};
use time::{Date, Month};

pub(super) fn parse(text: &str) -> Result<Vec<Entry>, StatementError> {
    let root = xml::parse(text)?;
    let mut entries = Vec::new();
    let mut ntrys = Vec::new();
    root.descendants("Ntry", &mut ntrys);
    for (index, ntry) in ntrys.into_iter().enumerate() {
        read_entry(index + 1, ntry, &mut entries)?;
    }
    Ok(entries)
}

fn err(index: usize, element: &str, message: impl Into<String>) -> StatementError {
    StatementError::Camt {
        context: format!("Ntry {index}, {element}"),
        message: message.into(),
    }
}

/// `Amt` with its `Ccy`: (unsigned decimal, currency).
fn amount(index: usize, amt: &Element) -> Result<(String, String), StatementError> {
    let value = amt.text.trim();
    let ok = !value.is_empty()
        && value.bytes().all(|c| c.is_ascii_digit() || c == b'.')
        && value.bytes().filter(|&c| c == b'.').count() <= 1
        && !value.starts_with('.');
    if !ok {
        return Err(err(
            index,
            "Amt",
            format!("expected a decimal like 12.34, got {value:?}"),
        ));
    }
    let currency = amt
        .attribute("Ccy")
        .map(str::trim)
        .filter(|c| c.len() == 3)
        .ok_or_else(|| err(index, "Amt", "no currency (attribute Ccy)"))?;
    Ok((value.to_string(), currency.to_ascii_uppercase()))
}

fn signed(value: &str, debit: bool) -> String {
    let zero = value.bytes().all(|c| c == b'0' || c == b'.');
    if debit && !zero {
        format!("-{value}")
    } else {
        value.to_string()
    }
}

/// `CdtDbtInd`: true for DBIT.
fn is_debit(index: usize, e: &Element) -> Result<Option<bool>, StatementError> {
    match e.text_at(&["CdtDbtInd"]).as_deref() {
        None => Ok(None),
        Some("DBIT") => Ok(Some(true)),
        Some("CRDT") => Ok(Some(false)),
        Some(other) => Err(err(
            index,
            "CdtDbtInd",
            format!("expected CRDT or DBIT, got {other:?}"),
        )),
    }
}

/// A date element holding `Dt` (YYYY-MM-DD) or `DtTm` (YYYY-MM-DDThh:mm:ss…).
fn date(index: usize, name: &str, e: Option<&Element>) -> Result<Option<Date>, StatementError> {
    let Some(e) = e else { return Ok(None) };
    let Some(text) = e.text_at(&["Dt"]).or_else(|| e.text_at(&["DtTm"])) else {
        return Ok(None);
    };
    let parsed = (|| {
        let y: i32 = text.get(0..4)?.parse().ok()?;
        let m: u8 = text.get(5..7)?.parse().ok()?;
        let d: u8 = text.get(8..10)?.parse().ok()?;
        (text.get(4..5) == Some("-") && text.get(7..8) == Some("-")).then_some(())?;
        Date::from_calendar_date(y, Month::try_from(m).ok()?, d).ok()
    })();
    parsed.map(Some).ok_or_else(|| {
        err(
            index,
            name,
            format!("expected a date YYYY-MM-DD, got {text:?}"),
        )
    })
}

fn read_entry(index: usize, ntry: &Element, out: &mut Vec<Entry>) -> Result<(), StatementError> {
    let amt = ntry
        .child("Amt")
        .ok_or_else(|| err(index, "Amt", "missing"))?;
    let (value, currency) = amount(index, amt)?;
    let debit = is_debit(index, ntry)?.ok_or_else(|| err(index, "CdtDbtInd", "missing"))?;
    let reversal = ntry
        .text_at(&["RvslInd"])
        .is_some_and(|r| r == "true" || r == "1");
    let status = ntry
        .text_at(&["Sts", "Cd"])
        .or_else(|| ntry.text_at(&["Sts"]))
        .or_else(|| ntry.text_at(&["Sts", "Prtry"]))
        .unwrap_or_default();
    let booked = status == "BOOK";
    let value_date = date(index, "ValDt", ntry.child("ValDt"))?;
    let booking_date = date(index, "BookgDt", ntry.child("BookgDt"))?
        .or(value_date)
        .ok_or_else(|| err(index, "BookgDt", "neither a booking date nor a value date"))?;
    let entry_type = ntry.text_at(&["AddtlNtryInf"]);
    let entry_code = ntry.text_at(&["BkTxCd", "Prtry", "Cd"]);
    let template = Entry {
        amount: signed(&value, debit),
        currency,
        booking_date,
        value_date,
        booked,
        purpose: None,
        counterparty_name: None,
        counterparty_iban: None,
        counterparty_bic: None,
        transaction_type: entry_type.clone().or_else(|| entry_code.clone()),
        end_to_end_id: None,
        bank_reference: ntry.text_at(&["AcctSvcrRef"]),
    };
    let mut details = Vec::new();
    for ntry_dtls in ntry.children("NtryDtls") {
        details.extend(ntry_dtls.children("TxDtls"));
    }
    fn tx_amount(tx: &Element) -> Option<&Element> {
        tx.child("Amt")
            .or_else(|| tx.at(&["AmtDtls", "TxAmt", "Amt"]))
    }
    if details.len() > 1 && details.iter().all(|tx| tx_amount(tx).is_some()) {
        // A batch booking: one entry per transaction, each with its own amount.
        for tx in details {
            let (value, currency) = amount(index, tx_amount(tx).unwrap_or(amt))?;
            let tx_debit = is_debit(index, tx)?.unwrap_or(debit);
            let mut entry = Entry {
                amount: signed(&value, tx_debit),
                currency,
                ..template.clone()
            };
            fill(&mut entry, tx, tx_debit != reversal);
            out.push(entry);
        }
        return Ok(());
    }
    let mut entry = template;
    if let Some(tx) = details.first() {
        fill(&mut entry, tx, debit != reversal);
        if details.len() > 1 {
            // Without amounts per transaction the entry stays one; all purposes go into it.
            let purposes: Vec<String> = details.iter().filter_map(|tx| remittance(tx)).collect();
            entry.purpose = non_empty(&purposes.join(" / "));
        }
    }
    out.push(entry);
    Ok(())
}

/// Fills in what one `TxDtls` says. `outgoing`: money went to the counterparty (a debit
/// that is no reversal), so it is the creditor; else the debtor.
fn fill(entry: &mut Entry, tx: &Element, outgoing: bool) {
    let (party, account, agent) = if outgoing {
        ("Cdtr", "CdtrAcct", "CdtrAgt")
    } else {
        ("Dbtr", "DbtrAcct", "DbtrAgt")
    };
    let parties = tx.child("RltdPties");
    entry.counterparty_name = parties.and_then(|p| {
        p.text_at(&[party, "Pty", "Nm"])
            .or_else(|| p.text_at(&[party, "Nm"]))
    });
    entry.counterparty_iban = parties.and_then(|p| {
        p.text_at(&[account, "Id", "IBAN"])
            .or_else(|| p.text_at(&[account, "Id", "Othr", "Id"]))
    });
    let bic = |leaf: &str| tx.text_at(&["RltdAgts", agent, "FinInstnId", leaf]);
    entry.counterparty_bic = bic("BICFI").or_else(|| bic("BIC"));
    entry.purpose = remittance(tx);
    entry.end_to_end_id = tx
        .text_at(&["Refs", "EndToEndId"])
        .filter(|id| id != "NOTPROVIDED");
    if let Some(reference) = tx.text_at(&["Refs", "AcctSvcrRef"]) {
        entry.bank_reference.get_or_insert(reference);
    }
    if entry.transaction_type.is_none() {
        entry.transaction_type = tx
            .text_at(&["AddtlTxInf"])
            .or_else(|| tx.text_at(&["BkTxCd", "Prtry", "Cd"]));
    }
}

/// `RmtInf/Ustrd` lines joined (directly after a full 140-character line, else with a
/// blank), or the structured creditor reference.
fn remittance(tx: &Element) -> Option<String> {
    let rmt = tx.child("RmtInf")?;
    let mut joined = String::new();
    let mut previous_full = true;
    for line in rmt.children("Ustrd") {
        if !previous_full && !joined.ends_with(' ') && !line.text.starts_with(' ') {
            joined.push(' ');
        }
        joined.push_str(&line.text);
        previous_full = line.text.chars().count() >= 140;
    }
    let joined = joined.split_whitespace().collect::<Vec<_>>().join(" ");
    non_empty(&joined).or_else(|| rmt.text_at(&["Strd", "CdtrRefInf", "Ref"]))
}
