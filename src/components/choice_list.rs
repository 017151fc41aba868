use kontolink_api::{AuthMethod, ChallengeResponse};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use crate::components::heading::StepHeading;
use crate::components::notice::{FormError, NoticeView};
use crate::controller::Controller;
use crate::flow::{Msg, Notice};

/// Which choice the bank asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChoiceKind {
    Method,
    Medium,
}

/// TAN method or TAN medium selection: a radio group, answered with `{method_id}` or
/// `{medium_id}`.
#[component]
pub fn ChoiceList(
    kind: ChoiceKind,
    options: Vec<AuthMethod>,
    label: Option<String>,
    notice: Option<Notice>,
) -> impl IntoView {
    let controller = Controller::get();
    let texts = controller.texts();
    let busy = controller.busy();
    let chosen = RwSignal::new(None::<String>);
    let error = RwSignal::new(None);
    let (title, prefix) = match kind {
        ChoiceKind::Method => (texts.method_title, "method"),
        ChoiceKind::Medium => (texts.medium_title, "medium"),
    };
    let on_submit = move |event: SubmitEvent| {
        event.prevent_default();
        let Some(id) = chosen.get_untracked() else {
            error.set(Some(texts.choice_required));
            return;
        };
        error.set(None);
        let response = match kind {
            ChoiceKind::Method => ChallengeResponse {
                method_id: Some(id),
                ..ChallengeResponse::default()
            },
            ChoiceKind::Medium => ChallengeResponse {
                medium_id: Some(id),
                ..ChallengeResponse::default()
            },
        };
        controller.dispatch(Msg::Answer(response));
    };
    let items = options
        .into_iter()
        .map(|option| {
            let id = option.id.clone();
            let input_id = format!("kl-{prefix}-{id}");
            let name = option
                .medium_name
                .clone()
                .or_else(|| option.method_type.clone())
                .unwrap_or_else(|| option.id.clone());
            let detail = option.additional_info.clone().filter(|d| *d != name);
            let value = id.clone();
            view! {
                <li class="kl-choice">
                    <input
                        type="radio"
                        name=format!("kl-{prefix}")
                        id=input_id.clone()
                        data-testid=format!("{prefix}-{id}")
                        on:change=move |_| chosen.set(Some(value.clone()))
                    />
                    <label for=input_id>
                        <span class="kl-choice-name">{name}</span>
                        {detail.map(|d| view! { <span class="kl-muted">{d}</span> })}
                    </label>
                </li>
            }
        })
        .collect_view();
    view! {
        <section data-testid=format!("challenge-auth_{prefix}_select")>
            <StepHeading text=title />
            <NoticeView notice=notice texts=texts />
            {label.map(|l| view! { <p>{l}</p> })}
            <form on:submit=on_submit novalidate>
                <fieldset>
                    <legend class="kl-visually-hidden">{title}</legend>
                    <ul class="kl-choices">{items}</ul>
                </fieldset>
                <FormError message=error />
                <button type="submit" class="kl-button kl-button-primary" data-testid="submit" disabled=move || busy.get()>
                    {texts.choice_submit}
                </button>
            </form>
        </section>
    }
}
