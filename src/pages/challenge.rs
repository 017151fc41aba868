//! The bank asks for something: one view per challenge type.

use kontolink_api::{Challenge, ChallengeResponse, ChallengeType};
use leptos::prelude::*;

use crate::components::choice_list::{ChoiceKind, ChoiceList};
use crate::components::heading::StepHeading;
use crate::components::notice::NoticeView;
use crate::components::spinner::Spinner;
use crate::components::tan_form::TanForm;
use crate::controller::Controller;
use crate::flow::{Msg, Notice};

#[component]
pub fn ChallengePage(
    challenge: Challenge,
    notice: Option<Notice>,
    popup_open: bool,
) -> impl IntoView {
    match challenge.challenge_type {
        ChallengeType::Embedded => view! { <TanForm challenge=challenge notice=notice /> }.into_any(),
        ChallengeType::AuthMethodSelect => view! {
            <ChoiceList kind=ChoiceKind::Method options=challenge.auth_methods label=challenge.label notice=notice />
        }
        .into_any(),
        ChallengeType::AuthMediumSelect => view! {
            <ChoiceList kind=ChoiceKind::Medium options=challenge.auth_methods label=challenge.label notice=notice />
        }
        .into_any(),
        ChallengeType::Decoupled => view! { <Decoupled challenge=challenge notice=notice /> }.into_any(),
        ChallengeType::Redirect => view! { <Redirect notice=notice popup_open=popup_open /> }.into_any(),
    }
}

/// Approve in the banking app; the widget polls, and "I have approved" checks at once.
#[component]
fn Decoupled(challenge: Challenge, notice: Option<Notice>) -> impl IntoView {
    let controller = Controller::get();
    let texts = controller.texts();
    let busy = controller.busy();
    let bank_texts: Vec<String> = [challenge.label, challenge.data, challenge.additional_info]
        .into_iter()
        .flatten()
        .filter(|t| !t.trim().is_empty())
        .collect();
    view! {
        <section data-testid="challenge-decoupled">
            <StepHeading text=texts.decoupled_title />
            <NoticeView notice=notice texts=texts />
            <p>{texts.decoupled_text}</p>
            {bank_texts.into_iter().map(|t| view! { <p class="kl-challenge-text">{t}</p> }).collect_view()}
            <Spinner label=Signal::stored(texts.waiting_for_approval.to_owned()) testid="waiting" />
            <button type="button" class="kl-button kl-button-primary" data-testid="decoupled-check"
                disabled=move || busy.get()
                on:click=move |_| controller.dispatch(Msg::Answer(ChallengeResponse::default()))>
                {texts.decoupled_check}
            </button>
        </section>
    }
}

/// Confirm on the bank's own page: in this window (top level) or in a popup (iframe).
#[component]
fn Redirect(notice: Option<Notice>, popup_open: bool) -> impl IntoView {
    let controller = Controller::get();
    let texts = controller.texts();
    let busy = controller.busy();
    view! {
        <section data-testid="challenge-redirect">
            <StepHeading text=texts.redirect_title />
            <NoticeView notice=notice texts=texts />
            <p>{texts.redirect_text}</p>
            <button type="button" class="kl-button kl-button-primary" data-testid="redirect-continue"
                disabled=move || busy.get()
                on:click=move |_| controller.dispatch(Msg::OpenRedirect)>
                {texts.redirect_continue}
            </button>
            {popup_open.then(|| view! {
                <p>{texts.redirect_popup_text}</p>
                <Spinner label=Signal::stored(texts.waiting_for_approval.to_owned()) testid="waiting" />
                <button type="button" class="kl-button" data-testid="redirect-done"
                    disabled=move || busy.get()
                    on:click=move |_| controller.dispatch(Msg::Answer(ChallengeResponse::default()))>
                    {texts.redirect_done}
                </button>
            })}
        </section>
    }
}
