//! The bank parameter data (BPD): `HIBPA` and every `HI…S` parameter segment, kept as the
//! bank sent them (so they can be cached and re-read) and read on demand.

use serde::{Deserialize, Serialize};

use crate::codec::{self, Segment};

/// The segment versions of the HKTAN parameters Kontolink speaks.
pub const HKTAN_VERSIONS: [u32; 2] = [7, 6];

/// The BPD of one bank.
#[derive(Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Bpd {
    pub version: u32,
    /// The BPD segments, ISO-8859-1 wire bytes read as text (so they survive JSON).
    wire: String,
    #[serde(skip)]
    parsed: Option<Vec<Segment>>,
}

impl std::fmt::Debug for Bpd {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Bpd(version {})", self.version)
    }
}

/// A two-step TAN method (security function) as the bank describes it in `HITANS`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TanMethod {
    /// The security function code, e.g. `921`.
    pub security_function: String,
    pub name: String,
    pub technical_id: String,
    /// The `HKTAN`/`HITANS` version the bank described it in.
    pub hktan_version: u32,
    /// `2`: a TAN medium must be named (`TAN-Medium-Anzeige erforderlich`).
    pub needs_medium: bool,
    pub max_tan_length: Option<u32>,
    /// `1` numeric, `2` alphanumeric.
    pub tan_format: Option<String>,
    /// Decoupled (push-TAN in the app) with the bank's polling limits, HITANS v7 only.
    pub decoupled: Option<Decoupled>,
}

/// The bank's rules for polling a decoupled approval (HKTAN process `S`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decoupled {
    pub max_polls: Option<u32>,
    pub first_wait_secs: u32,
    pub next_wait_secs: u32,
    pub automated_polling_allowed: bool,
}

impl Bpd {
    /// The BPD in an answer (`HIBPA` and the parameter segments), if it carries one.
    pub fn from_answer(segments: &[Segment]) -> Option<Bpd> {
        let hibpa = super::first(segments, "HIBPA")?;
        let version = hibpa.number_at(1, 0).unwrap_or(0);
        let kept: Vec<Segment> = segments
            .iter()
            .filter(|s| {
                let kind = s.kind();
                kind == "HIBPA"
                    || kind == "HIKOM"
                    || kind == "HISHV"
                    || kind == "HIPINS"
                    || (kind.len() == 6 && kind.ends_with('S') && kind.starts_with(['H', 'D']))
            })
            .cloned()
            .collect();
        Some(Bpd {
            version,
            wire: codec::decode_latin1(&codec::write(&kept)),
            parsed: Some(kept),
        })
    }

    pub fn segments(&mut self) -> &[Segment] {
        if self.parsed.is_none() {
            let parsed = codec::parse(&codec::encode_latin1(&self.wire)).unwrap_or_default();
            self.parsed = Some(parsed);
        }
        self.parsed.as_deref().unwrap_or_default()
    }

    fn parameter_segments(&mut self, request: &str) -> Vec<Segment> {
        let kind = format!("HI{}S", &request[2..]);
        self.segments()
            .iter()
            .filter(|s| s.kind() == kind)
            .cloned()
            .collect()
    }

    /// The versions of a business transaction (e.g. `HKKAZ`) the bank supports.
    pub fn versions(&mut self, request: &str) -> Vec<u32> {
        let mut versions: Vec<u32> = self
            .parameter_segments(request)
            .iter()
            .map(Segment::version)
            .collect();
        versions.sort_unstable();
        versions.dedup();
        versions
    }

    /// The highest version of `request` that both the bank and Kontolink speak.
    pub fn best_version(&mut self, request: &str, ours: &[u32]) -> Option<u32> {
        self.versions(request)
            .into_iter()
            .filter(|v| ours.contains(v))
            .max()
    }

    pub fn bank_name(&mut self) -> Option<String> {
        super::first(self.segments(), "HIBPA")?.text(3, 0)
    }

    /// `HIPINS`: whether a business transaction needs a TAN (`J`). Unknown: no.
    pub fn needs_tan(&mut self, request: &str) -> bool {
        let Some(hipins) = super::first(self.segments(), "HIPINS").cloned() else {
            return false;
        };
        let Some(group) = hipins.element(4) else {
            return false;
        };
        let texts: Vec<String> = group
            .0
            .iter()
            .map(|v| codec::decode_latin1(v.bytes()))
            .collect();
        texts.get(5..).unwrap_or_default().chunks(2).any(|pair| {
            pair.first().map(String::as_str) == Some(request)
                && pair.get(1).map(String::as_str) == Some("J")
        })
    }

    /// The camt formats the bank offers for `HKCAZ` (URNs such as
    /// `urn:iso:std:iso:20022:tech:xsd:camt.052.001.02`).
    pub fn camt_formats(&mut self) -> Vec<String> {
        self.parameter_segments("HKCAZ")
            .iter()
            .flat_map(|s| {
                s.element(4)
                    .map(|e| {
                        e.0.iter()
                            .map(|v| codec::decode_latin1(v.bytes()))
                            .filter(|t| t.contains("camt.052"))
                            .collect::<Vec<_>>()
                    })
                    .unwrap_or_default()
            })
            .collect()
    }

    /// The two-step TAN methods of the highest `HITANS` version Kontolink speaks.
    pub fn tan_methods(&mut self) -> Vec<TanMethod> {
        let Some(version) = self.best_version("HKTAN", &HKTAN_VERSIONS) else {
            return Vec::new();
        };
        let stride = if version == 7 { 26 } else { 21 };
        let mut methods = Vec::new();
        for segment in self.parameter_segments("HKTAN") {
            if segment.version() != version {
                continue;
            }
            let Some(group) = segment.element(4) else {
                continue;
            };
            let texts: Vec<String> = group
                .0
                .iter()
                .map(|v| codec::decode_latin1(v.bytes()))
                .collect();
            // one-step allowed, several tasks allowed, hash algorithm, then the methods.
            for fields in texts.get(3..).unwrap_or_default().chunks(stride) {
                if fields.len() < 21 || fields[0].is_empty() {
                    continue;
                }
                let number = |i: usize| fields.get(i).and_then(|t| t.trim().parse::<u32>().ok());
                let decoupled = (version == 7 && !fields.get(21).is_none_or(|t| t.is_empty()))
                    .then(|| Decoupled {
                        max_polls: number(21),
                        first_wait_secs: number(22).unwrap_or(5).clamp(1, 600),
                        next_wait_secs: number(23).unwrap_or(2).clamp(1, 600),
                        automated_polling_allowed: fields.get(25).is_none_or(|t| t != "N"),
                    });
                if methods
                    .iter()
                    .any(|m: &TanMethod| m.security_function == fields[0])
                {
                    continue;
                }
                methods.push(TanMethod {
                    security_function: fields[0].clone(),
                    technical_id: fields[2].clone(),
                    name: fields[5].clone(),
                    hktan_version: version,
                    max_tan_length: number(6),
                    tan_format: Some(fields[7].clone()).filter(|t| !t.is_empty()),
                    needs_medium: fields[18] == "2",
                    decoupled,
                });
            }
        }
        methods
    }
}
