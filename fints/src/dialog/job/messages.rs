//! The messages of a job: anonymous or signed, the dialog initialisation.

use secrecy::SecretString;

use super::{Job, ONE_STEP, Sent, Step};
use crate::codec::Segment;
use crate::envelope::{self, Header, Signer};
use crate::segments::requests;

/// The header fields of the next message, owned (the job changes while it is sent).
pub(super) struct NextHeader {
    dialog_id: String,
    message_number: u32,
    date: String,
    time: String,
}

impl NextHeader {
    fn header(&self) -> Header<'_> {
        Header {
            dialog_id: &self.dialog_id,
            message_number: self.message_number,
            date: &self.date,
            time: &self.time,
        }
    }
}

impl Job {
    pub(super) fn new_dialog(&mut self) {
        self.state.dialog_id = "0".into();
        self.state.message_number = 1;
    }

    pub(super) fn header(&self) -> NextHeader {
        NextHeader {
            dialog_id: self.state.dialog_id.clone(),
            message_number: self.state.message_number,
            date: self.state.date.clone(),
            time: self.state.time.clone(),
        }
    }

    pub(super) fn anonymous(&mut self, segments: Vec<Segment>, sent: Sent) -> Step {
        let next = self.header();
        self.state.sent = Some(sent);
        Step::Send(envelope::anonymous(&next.header(), segments))
    }

    pub(super) fn signed(
        &mut self,
        pin: &SecretString,
        segments: Vec<Segment>,
        sent: Sent,
        one_step: bool,
    ) -> Step {
        let next = self.header();
        let function = if one_step {
            ONE_STEP.to_owned()
        } else {
            self.state.method.clone().unwrap_or_else(|| ONE_STEP.into())
        };
        let tan = self.tan.take();
        let system_id = self.system_id();
        let signer = Signer {
            blz: &self.state.params.blz,
            user_id: &self.state.params.user_id,
            system_id: &system_id,
            security_function: &function,
            pin,
            tan: tan.as_ref(),
        };
        self.state.sent = Some(sent);
        Step::Send(envelope::signed(&next.header(), &signer, segments))
    }

    /// The customer system id, `0` before `HKSYN` gave one.
    fn system_id(&self) -> String {
        self.state
            .cache
            .system_id
            .clone()
            .unwrap_or_else(|| "0".into())
    }

    pub(super) fn init_segments(
        &mut self,
        tan_reference: Option<&str>,
        medium: Option<String>,
    ) -> Vec<Segment> {
        let params = &self.state.params;
        let system_id = self.system_id();
        let bpd_version = self.state.cache.bpd.as_ref().map_or(0, |b| b.version);
        let upd_version = self.state.cache.upd.as_ref().map_or(0, |u| u.version);
        let mut segments = vec![
            requests::hkidn(&params.blz, &params.customer_id, &system_id, true),
            requests::hkvvb(bpd_version, upd_version, &params.product),
        ];
        if let Some(reference) = tan_reference {
            let version = self.hktan_version();
            segments.push(requests::hktan_process4(
                version,
                reference,
                medium.as_deref(),
            ));
        }
        segments
    }

    pub(super) fn hktan_version(&mut self) -> u32 {
        if let Some(method) = self.method() {
            return method.hktan_version;
        }
        self.bpd()
            .and_then(|b| b.best_version("HKTAN", &crate::segments::bpd::HKTAN_VERSIONS))
            .unwrap_or(6)
    }

    pub(super) fn two_step(&self) -> bool {
        self.state.method.as_deref().is_some_and(|m| m != ONE_STEP)
    }
}
