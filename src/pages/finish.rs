use leptos::prelude::*;

use crate::components::heading::StepHeading;
use crate::controller::Controller;

/// The flow has ended; the controller navigates away or has told the parent window.
#[component]
pub fn FinishPage() -> impl IntoView {
    let controller = Controller::get();
    let texts = controller.texts();
    let embedded = controller.model.with_untracked(|m| m.embedded);
    view! {
        <section data-testid="finish">
            <StepHeading text=texts.finish_title />
            <p role="status">{if embedded { texts.finish_embedded } else { texts.finish_redirecting }}</p>
        </section>
    }
}
