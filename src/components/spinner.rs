use leptos::prelude::*;

/// A busy indicator; its text goes to an `aria-live` region.
#[component]
pub fn Spinner(
    #[prop(into)] label: Signal<String>,
    #[prop(optional, into)] testid: Option<String>,
) -> impl IntoView {
    view! {
        <div class="kl-status" role="status" aria-live="polite" data-testid=testid>
            <span class="kl-spinner" aria-hidden="true"></span>
            <span>{move || label.get()}</span>
        </div>
    }
}
