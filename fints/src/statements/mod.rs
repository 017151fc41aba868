//! Bank statements as FinTS delivers them: MT940 (booked, `HIKAZ`), MT942 (pending, the
//! second binary element of `HIKAZ`) and camt.052 (`HICAZ`), each turned into a flat list
//! of [`Entry`].
//!
//! The input is text that the caller has already decoded (FinTS carries ISO-8859-1).
//!
//! Which crates carry what:
//! - camt.052: [`quick-xml`](https://docs.rs/quick-xml)'s pull reader tokenises the XML
//!   (entities, CDATA, namespace prefixes, comments); `camt` builds a small element tree
//!   from it and reads the entries by local element name, so every namespace and version
//!   (052.001.02 … .08, and camt.053/054, which share the `Ntry` layout) reads the same and
//!   unknown elements are skipped.
//! - MT940/MT942: a tolerant field splitter of our own in `mt940`, plus our own reader of
//!   the German `:86:` subfields (`?00`…`?63`) and SEPA tags (`EREF+`, `SVWZ+`, …), which
//!   no crate does. The documentation of the `mt940` module (`src/statements/mt940.rs`)
//!   says why the `mt940` crate did not fit, with the inputs it rejected.

mod camt;
mod mt940;
mod purpose;
mod xml;

/// One booking (or pending entry) of a bank statement, as the bank sends it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Entry {
    /// Signed decimal, '.' as separator, no thousands separator, e.g. "-12.00", "123.45".
    /// The fraction digits are the bank's (MT940 `12,` gives "12").
    pub amount: String,
    /// ISO 4217, from the statement (MT940: the currency of :60F:/:60M: / the account;
    /// camt: Amt/@Ccy).
    pub currency: String,
    pub booking_date: time::Date,
    pub value_date: Option<time::Date>,
    /// true for booked entries (MT940, camt Sts BOOK), false for pending (MT942, camt PDNG).
    pub booked: bool,
    /// Remittance information (Verwendungszweck), the SEPA subfields joined sensibly
    /// (without the "SVWZ+" tags etc.), None if empty.
    pub purpose: Option<String>,
    pub counterparty_name: Option<String>,
    /// The counterparty's IBAN, or its account number when the bank sends no IBAN.
    pub counterparty_iban: Option<String>,
    /// The counterparty's BIC; in MT940 whatever `?30` holds, which is the German bank code
    /// (BLZ) when `?31` is an account number rather than an IBAN.
    pub counterparty_bic: Option<String>,
    /// Posting text (Buchungstext, e.g. "ONLINE-UEBERWEISUNG", "GUTSCHR. UEBERW. DAUERAUFTR")
    /// or camt's AddtlNtryInf / BkTxCd proprietary code.
    pub transaction_type: Option<String>,
    /// SEPA EREF+ / camt EndToEndId (not NOTPROVIDED).
    pub end_to_end_id: Option<String>,
    /// MT940 :61: bank reference / camt AcctSvcrRef.
    pub bank_reference: Option<String>,
}

/// Why a statement could not be read. Each names where (line and field, or entry and
/// element) and what was wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StatementError {
    /// An MT940/MT942 field that does not have the form it must have.
    #[error("MT940 line {line}, field :{field}:: {message}")]
    Mt940 {
        /// 1-based line of the field's start (after `@@` became a line break).
        line: usize,
        /// The field tag, e.g. "61".
        field: String,
        message: String,
    },
    /// Text that is not well-formed XML.
    #[error("camt: not well-formed XML at byte {position}: {message}")]
    Xml { position: u64, message: String },
    /// A camt document whose content does not fit camt.052.
    #[error("camt: {context}: {message}")]
    Camt {
        /// Where, e.g. "Ntry 3, BookgDt".
        context: String,
        message: String,
    },
}

/// Reads MT940 (`booked` = true) or MT942 (`booked` = false) as FinTS `HIKAZ` delivers it:
/// records of `:20:` … `-`, line breaks `\r\n`, `\n` or `@@`. The pages of a touchdown
/// (3040) may be concatenated before the call or read one by one (a page may start or end
/// inside a record).
pub fn parse_mt940(text: &str, booked: bool) -> Result<Vec<Entry>, StatementError> {
    mt940::parse(text, booked)
}

/// Reads one camt.052 document (any version, namespace-agnostic; camt.053/054 entries read
/// the same). An entry with several `TxDtls` that each carry an amount becomes one
/// [`Entry`] per `TxDtls`.
pub fn parse_camt052(xml: &str) -> Result<Vec<Entry>, StatementError> {
    camt::parse(xml)
}

/// Trims and turns an empty string into None.
fn non_empty(s: &str) -> Option<String> {
    let t = s.trim();
    if t.is_empty() {
        None
    } else {
        Some(t.to_string())
    }
}
