//! Before the flow: opening the session, and the pages of a link that cannot be used.

use std::time::Duration;

use leptos::prelude::*;

use crate::components::heading::StepHeading;
use crate::components::spinner::Spinner;
use crate::controller::Controller;

#[component]
pub fn Starting() -> impl IntoView {
    let texts = Controller::get().texts();
    view! {
        <section data-testid="starting">
            <Spinner label=Signal::stored(texts.starting.to_owned()) />
        </section>
    }
}

#[component]
pub fn MissingToken() -> impl IntoView {
    let texts = Controller::get().texts();
    view! {
        <section data-testid="error-missing-token">
            <StepHeading text=texts.missing_token_title />
            <p>{texts.missing_token_text}</p>
        </section>
    }
}

#[component]
pub fn LinkInvalid() -> impl IntoView {
    let texts = Controller::get().texts();
    view! {
        <section data-testid="error-link-invalid">
            <StepHeading text=texts.link_invalid_title />
            <p>{texts.link_invalid_text}</p>
        </section>
    }
}

/// The bank's popup came back to the widget's address: tell the end-user and close it.
#[component]
pub fn PopupDone() -> impl IntoView {
    let texts = Controller::get().texts();
    set_timeout(
        || {
            let _ = window().close();
        },
        Duration::from_millis(800),
    );
    view! {
        <section data-testid="popup-done">
            <StepHeading text=texts.popup_done_title />
            <p>{texts.popup_done_text}</p>
        </section>
    }
}
