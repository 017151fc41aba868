use kontolink_api::{Challenge, ChallengeFormat, ChallengeResponse};
use leptos::ev::SubmitEvent;
use leptos::html::Input;
use leptos::prelude::*;

use crate::components::flicker_code::FlickerCode;
use crate::components::heading::StepHeading;
use crate::components::notice::{FormError, NoticeView};
use crate::components::rich_text::RichText;
use crate::controller::Controller;
use crate::flow::{Msg, Notice};
use crate::sanitize::safe_image_data_uri;

/// An EMBEDDED challenge: what the bank shows (text, HTML, photo, flicker code) and the TAN
/// field under it.
#[component]
pub fn TanForm(challenge: Challenge, notice: Option<Notice>) -> impl IntoView {
    let controller = Controller::get();
    let texts = controller.texts();
    let busy = controller.busy();
    let tan = RwSignal::new(String::new());
    let error = RwSignal::new(None);
    let input = NodeRef::<Input>::new();
    let on_submit = move |event: SubmitEvent| {
        event.prevent_default();
        let value = tan.get_untracked().trim().to_owned();
        if value.is_empty() {
            error.set(Some(texts.tan_required));
            if let Some(input) = input.get_untracked() {
                let _ = input.focus();
            }
            return;
        }
        error.set(None);
        controller.dispatch(Msg::Answer(ChallengeResponse {
            value: Some(value),
            ..ChallengeResponse::default()
        }));
    };
    let data = challenge.data.clone().unwrap_or_default();
    let visual = match challenge.format {
        Some(ChallengeFormat::Text) | None => (!data.is_empty()).then(|| {
            view! { <p class="kl-challenge-text" data-testid="challenge-text">{data}</p> }.into_any()
        }),
        Some(ChallengeFormat::Html) => Some(
            view! { <div class="kl-challenge-text" data-testid="challenge-html"><RichText html=data /></div> }
                .into_any(),
        ),
        Some(ChallengeFormat::Photo) => Some(match safe_image_data_uri(&data) {
            Some(src) => view! {
                <img class="kl-photo" src=src.to_owned() alt=texts.photo_alt data-testid="challenge-photo" />
            }
            .into_any(),
            None => view! { <p class="kl-notice" role="alert" data-testid="error-photo">{texts.photo_invalid}</p> }
                .into_any(),
        }),
        Some(ChallengeFormat::Hhd) => Some(
            view! { <div data-testid="challenge-hhd"><FlickerCode data=data /></div> }.into_any(),
        ),
    };
    let numeric = challenge.input_format.as_deref() == Some("NUMERIC");
    let label = challenge.label.clone().filter(|l| !l.is_empty());
    view! {
        <section data-testid="challenge-embedded">
            <StepHeading text=texts.challenge_title />
            <NoticeView notice=notice texts=texts />
            {label.map(|l| view! { <p>{l}</p> })}
            {visual}
            {challenge.additional_info.clone().map(|info| view! { <p class="kl-muted">{info}</p> })}
            <form on:submit=on_submit novalidate>
                <div class="kl-field">
                    <label for="kl-tan">{texts.tan_label}</label>
                    <input
                        id="kl-tan"
                        type="text"
                        data-testid="tan-input"
                        autocomplete="one-time-code"
                        inputmode=if numeric { "numeric" } else { "text" }
                        maxlength=challenge.max_length.map(|m| m.to_string())
                        minlength=challenge.min_length.map(|m| m.to_string())
                        required=true
                        node_ref=input
                        prop:value=move || tan.get()
                        on:input=move |ev| tan.set(event_target_value(&ev))
                    />
                </div>
                <FormError message=error />
                <button type="submit" class="kl-button kl-button-primary" data-testid="submit" disabled=move || busy.get()>
                    {texts.tan_submit}
                </button>
            </form>
        </section>
    }
}
