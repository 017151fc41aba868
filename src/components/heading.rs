use leptos::html::H1;
use leptos::prelude::*;

/// The step's heading. It takes the focus when the step appears, so screen readers announce
/// the new step and keyboard users continue from its top.
#[component]
pub fn StepHeading(#[prop(into)] text: String) -> impl IntoView {
    let heading = NodeRef::<H1>::new();
    Effect::new(move |_| {
        if let Some(element) = heading.get() {
            let _ = element.focus();
        }
    });
    view! {
        <h1 tabindex="-1" node_ref=heading data-testid="step-heading">{text}</h1>
    }
}
