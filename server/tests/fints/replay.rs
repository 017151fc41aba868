//! A FinTS 3.0 replay bank on loopback for the integration tests: it answers a client with
//! the real, anonymised bank responses recorded in a scenario file (`fixtures/*.json`, see
//! `fixtures/README.md`) and records how well the client's requests matched the recording.
//!
//! ```ignore
//! let bank = ReplayBank::start_fixture("dkb_full"); // or ::start(path or JSON text)
//! // ... point the FinTS client at bank.url() ...
//! let log = bank.log();
//! assert!(log.clean, "{log:#?}");
//! ```
//!
//! Matching (deliberately simpler than a real bank, but never lenient about what it checks):
//! - A request's business segments are all segments but HNHBK, HNHBS, HNVSK, HNVSD, HNSHK and
//!   HNSHA, the inner ones unwrapped from HNVSD's binary element. Each is keyed by type and
//!   version, plus: HKTAN's process (`HKTAN:6[4]`), an anonymous HKIDN (`HKIDN:2[anonymous]`),
//!   a touchdown point in HKKAZ/HKCAZ/HKSAL (`HKKAZ:5[touchdown]`). The ordered key list must
//!   equal the recorded one of the next unanswered exchange; optional exchanges (the
//!   anonymous BPD dialog) may be skipped. One tolerance: an anonymous dialog initialisation
//!   may come with or without HKTAN (a client cannot know the HKTAN version before the BPD).
//! - A signed request's user (HNSHK key name, else HKIDN) and PIN (HNSHA) must be the
//!   scenario's `credentials`; an exchange recorded with a TAN wants that TAN.
//! - Client checks: HNHBK size equals the message length, a dialog starts with message 1,
//!   message numbers are consecutive within a dialog, the bank's dialog id is echoed.
//!
//! The answer is the recorded response with only the message numbers (HNHBK, its reference,
//! HNHBS) set to the request's and the HNHBK size recomputed; segment references inside it
//! are as recorded. A mismatch is answered with `HIRMG` `9010` "unexpected request", a wrong
//! PIN with `9800`/`9942` (or, in a scenario about a PIN error, its recorded answer).
//! Requests come base64-encoded (as banks take them) or raw (starting with `HNHBK`); the
//! answer uses the same encoding. `GET` on any path describes the bank and its log.

#![allow(dead_code)] // shared by several test modules; not every module uses every helper

use std::fmt::Write as _;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde_json::Value;

/// The customer id of an anonymous dialog.
pub const ANONYMOUS_CUSTOMER: &[u8] = b"9999999999";
/// Segments that frame a message rather than carry business content.
pub const FRAMING: [&str; 6] = ["HNHBK", "HNHBS", "HNVSK", "HNVSD", "HNSHK", "HNSHA"];

/// A scenario file of the fixtures folder, by name (`"dkb_full"` → `fixtures/dkb_full.json`).
pub fn fixture(name: &str) -> PathBuf {
    fixtures_dir().join(format!("{name}.json"))
}

pub fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fints/fixtures")
}

// ------------------------------------------------------------------------------- wire

/// One FinTS segment: its data elements, each a list of group elements, unescaped
/// (`?x` → `x`; a binary `@len@` element holds its raw bytes). `raw` is the segment as sent,
/// through its closing `'`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    pub elements: Vec<Vec<Vec<u8>>>,
    pub raw: Vec<u8>,
}

impl Segment {
    /// Group element `group` of data element `element` (element 0 is the header).
    pub fn get(&self, element: usize, group: usize) -> Option<&[u8]> {
        self.elements.get(element)?.get(group).map(Vec::as_slice)
    }

    /// Like [`Segment::get`] as text (ISO-8859-1), empty when absent.
    pub fn text(&self, element: usize, group: usize) -> String {
        latin1(self.get(element, group).unwrap_or_default())
    }

    pub fn kind(&self) -> String {
        self.text(0, 0)
    }

    pub fn number(&self) -> Option<u32> {
        self.text(0, 1).parse().ok()
    }

    pub fn version(&self) -> Option<u32> {
        self.text(0, 2).parse().ok()
    }
}

/// ISO-8859-1 bytes as a string (every byte is the code point of the same value).
pub fn latin1(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| char::from(b)).collect()
}

/// A string of code points up to U+00FF (as the scenario files hold messages) as bytes.
pub fn latin1_bytes(text: &str) -> Result<Vec<u8>, String> {
    text.chars()
        .map(|c| u8::try_from(u32::from(c)).map_err(|_| format!("{c:?} is not ISO-8859-1")))
        .collect()
}

/// Splits a message (or an HNVSD payload) into segments: `'` ends a segment, `+` a data
/// element, `:` a group element, `?` escapes the next byte, and `@len@` at the start of an
/// element introduces `len` raw bytes.
pub fn split_segments(message: &[u8]) -> Result<Vec<Segment>, String> {
    let mut segments = Vec::new();
    let mut elements: Vec<Vec<Vec<u8>>> = Vec::new();
    let mut groups: Vec<Vec<u8>> = Vec::new();
    let mut current: Vec<u8> = Vec::new();
    let mut binary = false;
    let mut start = 0;
    let mut i = 0;
    while i < message.len() {
        let b = message[i];
        match b {
            b'?' => {
                let next = *message
                    .get(i + 1)
                    .ok_or_else(|| format!("escape character at the end (byte {i})"))?;
                current.push(next);
                i += 2;
                continue;
            }
            b'@' if current.is_empty() && !binary => {
                let digits_end = message[i + 1..]
                    .iter()
                    .position(|&c| c == b'@')
                    .map(|p| i + 1 + p)
                    .ok_or_else(|| format!("unterminated binary length at byte {i}"))?;
                let len: usize = std::str::from_utf8(&message[i + 1..digits_end])
                    .ok()
                    .filter(|d| !d.is_empty() && d.bytes().all(|c| c.is_ascii_digit()))
                    .and_then(|d| d.parse().ok())
                    .ok_or_else(|| format!("bad binary length at byte {i}"))?;
                let data_start = digits_end + 1;
                let data_end = data_start
                    .checked_add(len)
                    .filter(|&end| end <= message.len())
                    .ok_or_else(|| {
                        format!("binary element of {len} bytes at byte {i} runs past the end")
                    })?;
                current.extend_from_slice(&message[data_start..data_end]);
                binary = true;
                i = data_end;
                continue;
            }
            b':' => groups.push(std::mem::take(&mut current)),
            b'+' => {
                groups.push(std::mem::take(&mut current));
                elements.push(std::mem::take(&mut groups));
            }
            b'\'' => {
                groups.push(std::mem::take(&mut current));
                elements.push(std::mem::take(&mut groups));
                let segment = Segment {
                    elements: std::mem::take(&mut elements),
                    raw: message[start..=i].to_vec(),
                };
                let kind = segment.kind();
                if kind.is_empty() || !kind.bytes().all(|c| c.is_ascii_alphanumeric()) {
                    return Err(format!(
                        "segment at byte {start} has no valid type: {kind:?}"
                    ));
                }
                if segment.version().is_none() {
                    return Err(format!("segment {kind} at byte {start} has no version"));
                }
                segments.push(segment);
                start = i + 1;
            }
            _ => current.push(b),
        }
        if matches!(b, b':' | b'+' | b'\'') {
            binary = false;
        }
        i += 1;
    }
    if !message[start..].iter().all(u8::is_ascii_whitespace) {
        return Err(format!("unterminated segment at byte {start}"));
    }
    Ok(segments)
}

/// Escapes `?`, `@`, `'`, `+` and `:` for a text element.
pub fn escape(value: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(value.len());
    for &b in value {
        if matches!(b, b'?' | b'@' | b'\'' | b'+' | b':') {
            out.push(b'?');
        }
        out.push(b);
    }
    out
}

/// A segment from text elements (no binary ones), escaped, empty trailing groups kept.
pub fn build_segment(elements: &[Vec<Vec<u8>>]) -> Vec<u8> {
    let mut out = Vec::new();
    for (k, element) in elements.iter().enumerate() {
        if k > 0 {
            out.push(b'+');
        }
        for (g, group) in element.iter().enumerate() {
            if g > 0 {
                out.push(b':');
            }
            out.extend_from_slice(&escape(group));
        }
    }
    out.push(b'\'');
    out
}

/// A parsed message: its top-level segments, and the inner segments of HNVSD if present.
#[derive(Debug, Clone)]
pub struct Message {
    pub segments: Vec<Segment>,
    pub inner: Vec<Segment>,
}

impl Message {
    pub fn parse(bytes: &[u8]) -> Result<Message, String> {
        let segments = split_segments(bytes)?;
        if segments.first().map(Segment::kind).as_deref() != Some("HNHBK") {
            return Err("the message does not start with HNHBK".into());
        }
        let mut inner = Vec::new();
        for segment in segments.iter().filter(|s| s.kind() == "HNVSD") {
            let payload = segment.get(1, 0).unwrap_or_default();
            inner.extend(split_segments(payload).map_err(|e| format!("inside HNVSD: {e}"))?);
        }
        Ok(Message { segments, inner })
    }

    pub fn header(&self) -> &Segment {
        &self.segments[0]
    }

    /// The size HNHBK declares.
    pub fn declared_size(&self) -> Option<usize> {
        self.header().text(1, 0).parse().ok()
    }

    pub fn dialog_id(&self) -> String {
        self.header().text(3, 0)
    }

    pub fn message_number(&self) -> Option<u32> {
        self.header().text(4, 0).parse().ok()
    }

    /// Every segment, the encrypted ones in place of HNVSD.
    pub fn all(&self) -> impl Iterator<Item = &Segment> {
        self.segments
            .iter()
            .filter(|s| s.kind() != "HNVSD")
            .chain(self.inner.iter())
    }

    pub fn find(&self, kind: &str) -> Option<&Segment> {
        self.all().find(|s| s.kind() == kind)
    }

    /// The business segments, in order (inner ones where HNVSD was).
    pub fn business(&self) -> Vec<&Segment> {
        let mut out = Vec::new();
        for segment in &self.segments {
            if segment.kind() == "HNVSD" {
                out.extend(self.inner.iter().filter(|s| !is_framing(s)));
            } else if !is_framing(segment) {
                out.push(segment);
            }
        }
        out
    }

    /// Return codes of HIRMG and HIRMS, in order.
    pub fn return_codes(&self) -> Vec<String> {
        self.all()
            .filter(|s| matches!(s.kind().as_str(), "HIRMG" | "HIRMS"))
            .flat_map(|s| (1..s.elements.len()).map(move |e| s.text(e, 0)))
            .collect()
    }

    /// PIN and TAN of HNSHA (`++PIN` or `++PIN:TAN`).
    pub fn pin_tan(&self) -> Option<(String, Option<String>)> {
        let sha = self.find("HNSHA")?;
        let pin = sha.text(3, 0);
        let tan = sha.get(3, 1).filter(|t| !t.is_empty()).map(latin1);
        Some((pin, tan))
    }

    /// The user a signed message names: HNSHK's key name, else a personal HKIDN.
    pub fn user(&self) -> Option<String> {
        if let Some(user) = self.find("HNSHK").and_then(|s| s.get(11, 2)) {
            return Some(latin1(user));
        }
        self.find("HKIDN")
            .filter(|s| s.get(2, 0) != Some(ANONYMOUS_CUSTOMER))
            .map(|s| s.text(2, 0))
    }
}

fn is_framing(segment: &Segment) -> bool {
    FRAMING.contains(&segment.kind().as_str())
}

/// The matching key of a business segment, e.g. `HKTAN:6[4]`, `HKKAZ:5[touchdown]`.
pub fn segment_key(segment: &Segment) -> String {
    let kind = segment.kind();
    let mut key = format!("{kind}:{}", segment.version().unwrap_or(0));
    let touchdown_element = match kind.as_str() {
        "HKKAZ" => Some(6),
        "HKCAZ" => Some(7),
        "HKSAL" => Some(4),
        _ => None,
    };
    if kind == "HKTAN" {
        let _ = write!(key, "[{}]", segment.text(1, 0));
    } else if kind == "HKIDN" && segment.get(2, 0) == Some(ANONYMOUS_CUSTOMER) {
        key.push_str("[anonymous]");
    } else if let Some(element) = touchdown_element
        && segment.get(element, 0).is_some_and(|t| !t.is_empty())
    {
        key.push_str("[touchdown]");
    }
    key
}

/// The message with HNHBK's dialog id (if given) and message number, the message number of
/// its reference (if any) and of HNHBS replaced, and the HNHBK size recomputed.
pub fn rewrite_header(message: &[u8], dialog_id: Option<&[u8]>, number: u32) -> Vec<u8> {
    let Ok(segments) = split_segments(message) else {
        return message.to_vec();
    };
    let number = number.to_string().into_bytes();
    let mut out = Vec::with_capacity(message.len());
    for segment in &segments {
        match segment.kind().as_str() {
            "HNHBK" => {
                let mut elements = segment.elements.clone();
                elements.resize(elements.len().max(5), vec![Vec::new()]);
                elements[1] = vec![b"000000000000".to_vec()];
                if let Some(dialog_id) = dialog_id {
                    elements[3] = vec![dialog_id.to_vec()];
                }
                elements[4] = vec![number.clone()];
                if let Some(reference) = elements.get_mut(5)
                    && reference.len() > 1
                {
                    reference[1] = number.clone();
                }
                out.extend(build_segment(&elements));
            }
            "HNHBS" => {
                let mut elements = segment.elements.clone();
                elements.resize(elements.len().max(2), vec![Vec::new()]);
                elements[1] = vec![number.clone()];
                out.extend(build_segment(&elements));
            }
            _ => out.extend_from_slice(&segment.raw),
        }
    }
    fix_size(out)
}

/// Writes the message's length into HNHBK's 12-digit size field.
pub fn fix_size(mut message: Vec<u8>) -> Vec<u8> {
    // HNHBK:1:3+ then the size: find the first `+` and the next one.
    if let Some(first) = message.iter().position(|&b| b == b'+') {
        let end = message[first + 1..]
            .iter()
            .position(|&b| b == b'+')
            .map(|p| first + 1 + p);
        if let Some(end) = end {
            let old = end - first - 1;
            let len = message.len() - old + 12;
            let size = format!("{len:012}").into_bytes();
            message.splice(first + 1..end, size);
        }
    }
    message
}

/// A minimal unencrypted answer: HNHBK, one HIRMG with the given codes, HNHBS.
pub fn error_message(dialog_id: &[u8], number: u32, codes: &[(&str, &str)]) -> Vec<u8> {
    let number = number.to_string().into_bytes();
    let mut out = build_segment(&[
        vec![b"HNHBK".to_vec(), b"1".to_vec(), b"3".to_vec()],
        vec![b"000000000000".to_vec()],
        vec![b"300".to_vec()],
        vec![dialog_id.to_vec()],
        vec![number.clone()],
        vec![dialog_id.to_vec(), number.clone()],
    ]);
    let mut hirmg = vec![vec![b"HIRMG".to_vec(), b"2".to_vec(), b"2".to_vec()]];
    for (code, text) in codes {
        hirmg.push(vec![
            code.as_bytes().to_vec(),
            Vec::new(),
            latin1_bytes(text).unwrap_or_default(),
        ]);
    }
    out.extend(build_segment(&hirmg));
    out.extend(build_segment(&[
        vec![b"HNHBS".to_vec(), b"3".to_vec(), b"1".to_vec()],
        vec![number],
    ]));
    fix_size(out)
}

// ------------------------------------------------------------------------------- scenario

/// One recorded request/response pair of a scenario.
#[derive(Debug, Clone)]
pub struct Exchange {
    pub label: String,
    pub optional: bool,
    /// The recorded request as stored: a full message or the inner (HNSHK..HNSHA) slice.
    pub request: Vec<u8>,
    pub request_is_full: bool,
    /// The security function of a signed recorded request (`999`, `921`, …).
    pub security_function: Option<String>,
    pub keys: Vec<String>,
    pub response: Vec<u8>,
    pub recorded_tan: Option<String>,
    pub error_codes: bool,
}

impl Exchange {
    pub fn is_init(&self) -> bool {
        self.keys.iter().any(|k| k.starts_with("HKIDN:"))
    }

    pub fn is_anonymous_init(&self) -> bool {
        self.keys
            .iter()
            .any(|k| k.starts_with("HKIDN:") && k.ends_with("[anonymous]"))
    }
}

#[derive(Debug, Clone)]
pub struct Scenario {
    pub id: String,
    pub blz: String,
    pub user: String,
    pub pin: String,
    pub expected_error: bool,
    pub exchanges: Vec<Exchange>,
}

impl Scenario {
    /// From a scenario file's path or its JSON text.
    pub fn load(path_or_json: &str) -> Result<Scenario, String> {
        let text = if path_or_json.trim_start().starts_with('{') {
            path_or_json.to_string()
        } else {
            std::fs::read_to_string(path_or_json).map_err(|e| format!("{path_or_json}: {e}"))?
        };
        let json: Value = serde_json::from_str(&text).map_err(|e| format!("scenario JSON: {e}"))?;
        let string = |v: &Value, name: &str| -> Result<String, String> {
            v.get(name)
                .and_then(Value::as_str)
                .map(str::to_string)
                .ok_or_else(|| format!("scenario: no string {name:?}"))
        };
        let mut exchanges = Vec::new();
        for (k, ex) in json["exchanges"]
            .as_array()
            .ok_or("scenario: no exchanges")?
            .iter()
            .enumerate()
        {
            let label = string(ex, "label").unwrap_or_else(|_| format!("step {k}"));
            let request = latin1_bytes(&string(ex, "request")?)?;
            let response = latin1_bytes(&string(ex, "response")?)?;
            let request_is_full = request.starts_with(b"HNHBK");
            let keys = if request_is_full {
                let message = Message::parse(&request).map_err(|e| format!("{label}: {e}"))?;
                message.business().into_iter().map(segment_key).collect()
            } else {
                split_segments(&request)
                    .map_err(|e| format!("{label}: {e}"))?
                    .iter()
                    .filter(|s| !is_framing(s))
                    .map(segment_key)
                    .collect()
            };
            let codes = Message::parse(&response)
                .map_err(|e| format!("{label} response: {e}"))?
                .return_codes();
            exchanges.push(Exchange {
                label,
                optional: ex["optional"].as_bool().unwrap_or(false),
                request,
                request_is_full,
                security_function: ex["security_function"].as_str().map(str::to_string),
                keys,
                response,
                recorded_tan: ex["recorded_tan"].as_str().map(str::to_string),
                error_codes: codes.iter().any(|c| matches!(c.as_str(), "9942" | "9931")),
            });
        }
        Ok(Scenario {
            id: string(&json, "id")?,
            blz: string(&json["bank"], "blz")?,
            user: string(&json["credentials"], "user")?,
            pin: string(&json["credentials"], "pin")?,
            expected_error: !json["expected_error"].is_null(),
            exchanges,
        })
    }
}

// ------------------------------------------------------------------------------- the bank

/// What the bank saw, as [`ReplayBank::log`] returns it.
#[derive(Debug, Clone, Default)]
pub struct ReplayLog {
    pub scenario: String,
    /// Every required (non-optional) exchange was answered.
    pub complete: bool,
    /// Complete, and no mismatch, no failed client check, no wrong PIN.
    pub clean: bool,
    /// Requests that matched no exchange (or sent a wrong user/PIN/TAN, or did not parse):
    /// expected vs received segments.
    pub mismatches: Vec<String>,
    /// Failed client checks: HNHBK size, message numbers, dialog id.
    pub checks: Vec<String>,
    /// Wrong PINs answered with the recording's PIN error (scenarios about a PIN error).
    pub wrong_pins: usize,
    pub steps_answered: usize,
    pub steps_total: usize,
    /// Labels of the required exchanges still unanswered.
    pub required_left: Vec<String>,
    /// Labels of the optional exchanges the client skipped.
    pub skipped_optional: Vec<String>,
    pub requests: usize,
    /// One line per request: what it was and how it was answered.
    pub exchanges: Vec<String>,
    /// TANs the client sent (HNSHA), in order.
    pub tans: Vec<String>,
}

#[derive(Debug)]
struct BankState {
    scenario: Scenario,
    answered: Vec<bool>,
    skipped: Vec<bool>,
    cursor: usize,
    dialog_id: Option<Vec<u8>>,
    next_number: u32,
    log: ReplayLog,
}

impl BankState {
    fn new(scenario: Scenario) -> BankState {
        let n = scenario.exchanges.len();
        BankState {
            log: ReplayLog {
                scenario: scenario.id.clone(),
                steps_total: n,
                ..ReplayLog::default()
            },
            scenario,
            answered: vec![false; n],
            skipped: vec![false; n],
            cursor: 0,
            dialog_id: None,
            next_number: 1,
        }
    }

    fn summary(&self) -> ReplayLog {
        let mut log = self.log.clone();
        let exchanges = &self.scenario.exchanges;
        log.steps_answered = self.answered.iter().filter(|&&a| a).count();
        log.required_left = exchanges
            .iter()
            .zip(&self.answered)
            .filter(|(e, a)| !e.optional && !**a)
            .map(|(e, _)| e.label.clone())
            .collect();
        log.skipped_optional = exchanges
            .iter()
            .zip(&self.skipped)
            .filter(|(_, s)| **s)
            .map(|(e, _)| e.label.clone())
            .collect();
        log.complete = log.required_left.is_empty();
        log.clean = log.complete
            && log.mismatches.is_empty()
            && log.checks.is_empty()
            && log.wrong_pins == 0;
        log
    }

    fn handle(&mut self, raw: &[u8]) -> Vec<u8> {
        self.log.requests += 1;
        let n = self.log.requests;
        let message = match Message::parse(raw) {
            Ok(message) => message,
            Err(e) => {
                self.log
                    .mismatches
                    .push(format!("request {n}: unparseable: {e}"));
                self.log.exchanges.push(format!("#{n} unparseable: {e}"));
                return error_message(
                    b"0",
                    1,
                    &[
                        ("9010", "unexpected request"),
                        ("9050", "message not readable"),
                    ],
                );
            }
        };
        let number = message.message_number().unwrap_or(0);
        let dialog_id = message.dialog_id().into_bytes();
        let business = message.business();
        let keys: Vec<String> = business.iter().map(|s| segment_key(s)).collect();
        let is_init = keys.iter().any(|k| k.starts_with("HKIDN:"));
        let ends_dialog = keys.iter().any(|k| k.starts_with("HKEND:"));

        // client checks
        if message.declared_size() != Some(raw.len()) {
            self.log.checks.push(format!(
                "request {n}: HNHBK size {:?} != actual {}",
                message.header().text(1, 0),
                raw.len()
            ));
        }
        if is_init {
            if number != 1 {
                self.log.checks.push(format!(
                    "request {n}: dialog initialisation with message number {number} (expected 1)"
                ));
            }
        } else if dialog_id == b"0" {
            self.log.checks.push(format!(
                "request {n}: message {number} in dialog '0': no dialog is open"
            ));
        } else {
            if let Some(expected) = &self.dialog_id
                && *expected != dialog_id
            {
                self.log.checks.push(format!(
                    "request {n}: dialog id {:?} is not the one the bank assigned ({:?})",
                    latin1(&dialog_id),
                    latin1(expected)
                ));
            }
            if number != self.next_number {
                self.log.checks.push(format!(
                    "request {n}: message number {number}, expected {}",
                    self.next_number
                ));
            }
        }
        let pin_tan = message.pin_tan();
        if let Some((_, Some(tan))) = &pin_tan {
            self.log.tans.push(tan.clone());
        }

        // user and PIN of a signed message
        if let Some((pin, _)) = &pin_tan {
            let user = message.user();
            let user_ok = user.as_deref().is_none_or(|u| u == self.scenario.user);
            if !user_ok || *pin != self.scenario.pin {
                let what = if user_ok {
                    "wrong PIN".to_string()
                } else {
                    format!("wrong user {user:?}")
                };
                let recorded = self
                    .scenario
                    .exchanges
                    .iter()
                    .position(|e| e.error_codes)
                    .filter(|_| self.scenario.expected_error);
                if let Some(k) = recorded {
                    self.log.wrong_pins += 1;
                    self.answered[k] = true;
                    self.cursor = self.cursor.max(k + 1);
                    self.log.exchanges.push(format!(
                        "#{n} {what}: answered with the recorded error of {}",
                        self.scenario.exchanges[k].label
                    ));
                    let answer = rewrite_header(&self.scenario.exchanges[k].response, None, number);
                    self.end_dialog();
                    return answer;
                }
                self.log.mismatches.push(format!(
                    "request {n}: {what} (scenario {}: user {:?}) with {keys:?}",
                    self.scenario.id, self.scenario.user
                ));
                self.log.exchanges.push(format!("#{n} {what}: {keys:?}"));
                self.end_dialog();
                return error_message(
                    &dialog_id,
                    number,
                    &[("9800", "Dialog abgebrochen"), ("9942", "PIN falsch")],
                );
            }
        }

        // the next unanswered exchange, optional ones may be skipped
        let mut found = None;
        for k in self.cursor..self.scenario.exchanges.len() {
            if self.answered[k] {
                continue;
            }
            let exchange = &self.scenario.exchanges[k];
            if keys_match(&keys, exchange) {
                found = Some(k);
                break;
            }
            if !exchange.optional {
                break;
            }
        }
        // A skipped optional exchange may still come later (a client that fetches the BPD
        // anonymously only when the personal dialog did not bring it).
        let out_of_order = found.is_none().then(|| {
            (0..self.cursor).find(|&k| {
                !self.answered[k]
                    && self.scenario.exchanges[k].optional
                    && keys_match(&keys, &self.scenario.exchanges[k])
            })
        });
        if let Some(Some(k)) = out_of_order {
            self.skipped[k] = false;
            let note = format!(
                "#{n} {} (out of order): {keys:?}",
                self.scenario.exchanges[k].label
            );
            return self.play(k, note, number, is_init, ends_dialog);
        }
        let tan_problem = found.and_then(|k| {
            let recorded = self.scenario.exchanges[k].recorded_tan.as_ref()?;
            let sent = pin_tan.as_ref().and_then(|(_, t)| t.as_ref());
            (sent != Some(recorded)).then(|| format!("TAN {sent:?}, recorded {recorded:?}"))
        });
        let Some(k) = found.filter(|_| tan_problem.is_none()) else {
            // the optional exchanges up to the first required one, and that one
            let mut candidates = Vec::new();
            for (exchange, _) in self.scenario.exchanges[self.cursor..]
                .iter()
                .zip(&self.answered[self.cursor..])
                .filter(|(_, answered)| !**answered)
            {
                let optional = if exchange.optional { " (optional)" } else { "" };
                candidates.push(format!("{} {:?}{optional}", exchange.label, exchange.keys));
                if !exchange.optional {
                    break;
                }
            }
            let expected = if candidates.is_empty() {
                "nothing (all exchanges answered)".to_string()
            } else {
                candidates.join(" or ")
            };
            let reason = tan_problem.map(|t| format!(" ({t})")).unwrap_or_default();
            self.log.mismatches.push(format!(
                "request {n}: expected {expected}, received {keys:?}{reason}"
            ));
            self.log
                .exchanges
                .push(format!("#{n} mismatch: {keys:?}{reason}"));
            self.next_number = number.saturating_add(1);
            return error_message(&dialog_id, number, &[("9010", "unexpected request")]);
        };
        for j in self.cursor..k {
            if !self.answered[j] {
                self.skipped[j] = true;
            }
        }
        self.cursor = k + 1;
        let note = format!("#{n} {}: {keys:?}", self.scenario.exchanges[k].label);
        self.play(k, note, number, is_init, ends_dialog)
    }

    fn end_dialog(&mut self) {
        self.dialog_id = None;
        self.next_number = 1;
    }

    /// Answers with exchange `k`'s recorded response, renumbered.
    fn play(
        &mut self,
        k: usize,
        note: String,
        number: u32,
        is_init: bool,
        ends_dialog: bool,
    ) -> Vec<u8> {
        self.answered[k] = true;
        self.log.exchanges.push(note);
        let answer = rewrite_header(&self.scenario.exchanges[k].response, None, number);
        let reply = Message::parse(&answer).ok();
        if is_init {
            self.dialog_id = reply.as_ref().map(|m| m.dialog_id().into_bytes());
            self.next_number = 2;
        } else {
            self.next_number = number.saturating_add(1);
        }
        let aborted = reply.is_some_and(|m| m.return_codes().iter().any(|c| c == "9800"));
        if ends_dialog || aborted {
            self.end_dialog();
        }
        answer
    }
}

/// Business keys equal, but an anonymous dialog initialisation may come with or without HKTAN.
fn keys_match(received: &[String], exchange: &Exchange) -> bool {
    if received == exchange.keys.as_slice() {
        return true;
    }
    let anonymous = |keys: &[String]| keys.iter().any(|k| k.ends_with("[anonymous]"));
    if anonymous(received) && exchange.is_anonymous_init() {
        let strip = |keys: &[String]| -> Vec<String> {
            keys.iter()
                .filter(|k| !k.starts_with("HKTAN:"))
                .cloned()
                .collect()
        };
        return strip(received) == strip(&exchange.keys);
    }
    false
}

type Shared = Arc<Mutex<BankState>>;

/// A replay bank serving one scenario on `127.0.0.1`, on its own thread and runtime (so
/// tests may be synchronous or `#[tokio::test]`). Dropping it stops the server.
pub struct ReplayBank {
    addr: SocketAddr,
    state: Shared,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl ReplayBank {
    /// Starts a bank for a scenario file (path) or scenario JSON text. Panics when the
    /// scenario does not load or the port cannot be bound: this is test support.
    pub fn start(scenario_path_or_json: impl AsRef<str>) -> ReplayBank {
        let scenario = Scenario::load(scenario_path_or_json.as_ref())
            .unwrap_or_else(|e| panic!("replay bank: {e}"));
        let state: Shared = Arc::new(Mutex::new(BankState::new(scenario)));
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("replay bank: bind");
        listener
            .set_nonblocking(true)
            .expect("replay bank: non-blocking");
        let addr = listener.local_addr().expect("replay bank: address");
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let app = axum::Router::new()
            .fallback(serve)
            .with_state(state.clone());
        let thread = std::thread::Builder::new()
            .name("fints-replay-bank".into())
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("replay bank: runtime");
                runtime.block_on(async move {
                    let listener =
                        tokio::net::TcpListener::from_std(listener).expect("replay bank: listener");
                    tokio::select! {
                        result = axum::serve(listener, app) => {
                            if let Err(e) = result {
                                eprintln!("replay bank: {e}");
                            }
                        }
                        _ = stopped => {}
                    }
                });
                runtime.shutdown_timeout(Duration::from_secs(1));
            })
            .expect("replay bank: thread");
        ReplayBank {
            addr,
            state,
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    /// A bank for a scenario of the fixtures folder, by name (`"dkb_full"`).
    pub fn start_fixture(name: &str) -> ReplayBank {
        ReplayBank::start(fixture(name).to_string_lossy())
    }

    /// `http://127.0.0.1:PORT/`
    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    pub fn log(&self) -> ReplayLog {
        lock(&self.state).summary()
    }

    /// The loaded scenario (credentials, BLZ, exchanges).
    pub fn scenario(&self) -> Scenario {
        lock(&self.state).scenario.clone()
    }
}

impl Drop for ReplayBank {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn lock(state: &Shared) -> std::sync::MutexGuard<'_, BankState> {
    // a panic elsewhere must not hide the log
    state
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

async fn serve(State(state): State<Shared>, method: Method, body: Bytes) -> Response {
    if method != Method::POST {
        let log = lock(&state).summary();
        let text = format!(
            "FinTS replay bank, scenario {}. POST FinTS messages here.\n{log:#?}\n",
            log.scenario
        );
        return (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            text,
        )
            .into_response();
    }
    let trimmed = body.trim_ascii();
    let (request, base64) = if trimmed.starts_with(b"HNHBK") {
        (trimmed.to_vec(), false)
    } else {
        let compact: Vec<u8> = trimmed
            .iter()
            .copied()
            .filter(|b| !b.is_ascii_whitespace())
            .collect();
        match BASE64.decode(&compact) {
            Ok(decoded) => (decoded, true),
            Err(_) => (trimmed.to_vec(), false),
        }
    };
    let answer = lock(&state).handle(&request);
    let answer = if base64 {
        BASE64.encode(answer).into_bytes()
    } else {
        answer
    };
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/plain; charset=iso-8859-1")],
        answer,
    )
        .into_response()
}
