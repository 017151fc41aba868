//! The first transition, before any message: how the page was opened.

use kontolink_api::ChallengeResponse;

use super::messages::Command;
use super::model::{Launch, Model, Step};

/// The first transition, from how the page was opened.
pub fn launch(model: &mut Model, how: Launch) -> Vec<Command> {
    match how {
        Launch::Token => {
            model.step = Step::Starting;
            vec![Command::OpenSession]
        }
        Launch::Resume(record) => {
            let record = *record;
            model.language = record.flow.language;
            model.provider_preset = record.flow.provider_id.is_some();
            model.session_token = Some(record.session_token);
            model.flow = Some(record.flow);
            model.provider = record.provider;
            model.access_id = Some(record.access_id.clone());
            model.access_method_id = record.access_method_id;
            model.upgrade = record.upgrade;
            model.sync_id = Some(record.sync_id.clone());
            model.sync_state = record.state;
            model.progress = Some("AUTH".to_owned());
            model.step = Step::Progress;
            vec![Command::Respond {
                access_id: record.access_id,
                sync_id: record.sync_id,
                challenge_id: record.challenge_id,
                response: ChallengeResponse::default(),
            }]
        }
        Launch::PopupReturn => {
            model.step = Step::PopupDone;
            Vec::new()
        }
        Launch::Nothing => {
            model.step = Step::MissingToken;
            Vec::new()
        }
    }
}
