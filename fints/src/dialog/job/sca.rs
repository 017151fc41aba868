//! Strong customer authentication: which TAN method, what to ask, what the bank's answer
//! to a TAN or a poll means.

use std::collections::VecDeque;

use super::{Job, ONE_STEP, Order, Pending, Phase, Question};
use crate::codec::Segment;
use crate::dialog::error::{FintsError, classify};
use crate::segments::bpd::TanMethod;
use crate::segments::returns::{Return, Returns};
use crate::segments::tan;

impl Job {
    /// Picks the TAN method when it needs no question; else asks.
    pub(super) fn choose_method(&mut self) -> Result<Option<Question>, FintsError> {
        if self.state.method.is_some() {
            return Ok(None);
        }
        let allowed = self.state.cache.allowed_methods.clone().unwrap_or_default();
        let described = self.bpd().map(|b| b.tan_methods()).unwrap_or_default();
        let candidates: Vec<TanMethod> = described
            .into_iter()
            .filter(|m| m.security_function != ONE_STEP)
            .filter(|m| allowed.is_empty() || allowed.contains(&m.security_function))
            .collect();
        if candidates.is_empty() {
            // One-step PIN (999): banks without PSD2 two-step methods for this user.
            self.state.method = Some(ONE_STEP.into());
            return Ok(None);
        }
        let preferred = self.state.params.preferred_method.clone();
        if let Some(found) = candidates
            .iter()
            .find(|m| Some(&m.security_function) == preferred.as_ref())
        {
            self.state.method = Some(found.security_function.clone());
            return Ok(None);
        }
        if candidates.len() == 1 {
            self.state.method = Some(candidates[0].security_function.clone());
            return Ok(None);
        }
        Ok(Some(Question::Method(candidates)))
    }

    pub(super) fn sca_question(&mut self, pending: &Pending) -> Question {
        let method = self.method();
        if pending.decoupled {
            let wait = method
                .as_ref()
                .and_then(|m| m.decoupled)
                .map(|d| {
                    if pending.polls == 0 {
                        d.first_wait_secs
                    } else {
                        d.next_wait_secs
                    }
                })
                .unwrap_or(5);
            Question::Decoupled {
                challenge: pending.challenge.clone(),
                method,
                wait_secs: wait,
            }
        } else {
            Question::Tan {
                challenge: pending.challenge.clone(),
                method,
            }
        }
    }

    pub(super) fn after_main_init(
        &mut self,
        segments: &[Segment],
        codes: &[Return],
    ) -> Result<(), FintsError> {
        if let Some(error) = classify(codes) {
            let needs_medium = self.method().is_some_and(|m| m.needs_medium);
            let can_list = self.bpd().is_some_and(|b| !b.versions("HKTAB").is_empty());
            if matches!(error, FintsError::Bank { .. })
                && needs_medium
                && self.state.medium.is_none()
                && !self.state.media_tried
                && can_list
            {
                // The bank wants a TAN medium named: list them and ask.
                self.state.media_tried = true;
                self.state.phase = Phase::MediaInit;
                return Ok(());
            }
            return Err(error);
        }
        if let Some(hitan) = crate::segments::first(segments, "HITAN")
            && self.state.medium.is_none()
        {
            self.state.medium = hitan.text(7, 0);
        }
        self.state.orders = VecDeque::from([Order::Accounts]);
        self.sca_or(segments, codes, None, Phase::Work);
        Ok(())
    }

    /// Parks the job for SCA when the answer carries a challenge (`0030`), else moves on.
    pub(super) fn sca_or(
        &mut self,
        segments: &[Segment],
        codes: &[Return],
        order: Option<Order>,
        next: Phase,
    ) -> bool {
        let challenge = tan::challenge(segments);
        match challenge {
            Some(challenge) if codes.has("0030") || codes.has("3955") => {
                let decoupled =
                    codes.has("3955") || self.method().is_some_and(|m| m.decoupled.is_some());
                self.state.pending = Some(Pending {
                    challenge,
                    order,
                    decoupled,
                    polls: 0,
                    answered: false,
                });
                self.state.phase = Phase::Sca;
                true
            }
            _ => {
                self.state.phase = next;
                false
            }
        }
    }

    pub(super) fn after_followup(
        &mut self,
        segments: &[Segment],
        codes: &[Return],
    ) -> Result<(), FintsError> {
        let mut pending = self
            .state
            .pending
            .take()
            .ok_or_else(|| FintsError::Protocol("no SCA in progress".into()))?;
        if let Some(error) = classify(codes) {
            return Err(error);
        }
        if pending.decoupled && codes.has("3956") {
            pending.polls += 1;
            pending.answered = false;
            let limit = self
                .method()
                .and_then(|m| m.decoupled)
                .and_then(|d| d.max_polls);
            if limit.is_some_and(|max| pending.polls >= max) {
                return Err(FintsError::ApprovalTimeout);
            }
            self.state.pending = Some(pending);
            self.state.phase = Phase::Sca;
            return Ok(());
        }
        match pending.order {
            None => {
                self.state.phase = Phase::Work;
                Ok(())
            }
            Some(order) => self.after_order(order, segments, codes),
        }
    }
}
