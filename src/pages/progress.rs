use leptos::prelude::*;

use crate::components::heading::StepHeading;
use crate::controller::Controller;
use crate::i18n::Texts;

/// The text for the engine's step (`sync.step`).
pub fn step_label(texts: &Texts, step: Option<&str>) -> &'static str {
    let Some(step) = step.map(str::to_ascii_uppercase) else {
        return texts.step_working;
    };
    match step.as_str() {
        "QUEUED" => texts.step_queued,
        s if s.contains("AUTH") || s.contains("SCA") || s.contains("TAN") => texts.step_auth,
        s if s.contains("ACCOUNT") => texts.step_accounts,
        s if s.contains("TRANSACTION") => texts.step_transactions,
        s if s.contains("LOGIN") || s.contains("CONNECT") || s.contains("DIALOG") => {
            texts.step_login
        }
        _ => texts.step_working,
    }
}

/// While the sync runs: the engine's step in an `aria-live` region.
#[component]
pub fn ProgressPage() -> impl IntoView {
    let controller = Controller::get();
    let texts = controller.texts();
    let model = controller.model;
    let step = Memo::new(move |_| model.with(|m| m.progress.clone()));
    view! {
        <section>
            <StepHeading text=texts.progress_title />
            <div
                class="kl-status"
                role="status"
                aria-live="polite"
                data-testid="progress"
                data-step=move || step.get().unwrap_or_default()
            >
                <span class="kl-spinner" aria-hidden="true"></span>
                <span>{move || step_label(texts, step.get().as_deref())}</span>
            </div>
        </section>
    }
}
