//! One page per [`Step`].

use leptos::prelude::*;

use crate::flow::Step;

pub fn render(step: RwSignal<Step>) -> AnyView {
    match step.get() {
        Step::Starting => view! {
            <p class="kl-progress" aria-live="polite" data-testid="starting">"Verbindung wird aufgebaut …"</p>
        }
        .into_any(),
        Step::MissingToken => view! {
            <section data-testid="error-missing-token">
                <h1 tabindex="-1">"Link unvollständig"</h1>
                <p>"Diese Seite wurde ohne gültigen Link geöffnet."</p>
            </section>
        }
        .into_any(),
        Step::LinkInvalid => view! {
            <section data-testid="error-link-invalid">
                <h1 tabindex="-1">"Link abgelaufen"</h1>
                <p>"Dieser Link wurde bereits verwendet oder ist abgelaufen. Bitte starten Sie den Vorgang in der App neu."</p>
            </section>
        }
        .into_any(),
        Step::Ready(session) => view! {
            <section data-testid="ready">
                <h1 tabindex="-1">"Bank verbinden"</h1>
                <p data-testid="flow-id">{session.flow.id.clone()}</p>
            </section>
        }
        .into_any(),
        Step::Failed(error) => view! {
            <section data-testid="error-failed">
                <h1 tabindex="-1">"Es ist ein Fehler aufgetreten"</h1>
                <p>{error.to_string()}</p>
            </section>
        }
        .into_any(),
    }
}
