//! The Kontolink widget: the end-user's bank-connection flow as a Leptos CSR app.
//!
//! [`App`] reads the flow token from `?token=`, exchanges it for a widget session and then
//! renders one page per [`flow::Step`].

pub mod api;
pub mod flow;
mod pages;

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::flow::Step;

/// The root component.
#[component]
pub fn App() -> impl IntoView {
    let step = RwSignal::new(Step::Starting);
    spawn_local(async move {
        step.set(flow::start(api::Client::from_window()).await);
    });
    view! {
        <main class="kl-widget" data-testid="widget">
            {move || pages::render(step)}
        </main>
    }
}
