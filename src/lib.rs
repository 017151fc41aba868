//! The Kontolink widget: the end-user's bank-connection flow as a Leptos CSR app.
//!
//! [`App`] reads how the page was opened (`?token=`, or back from the bank), and renders one
//! page per [`flow::Step`]. The flow itself is the pure state machine in [`flow`]; the
//! [`controller::Controller`] runs its commands against the server through [`api`].

pub mod api;
mod components;
pub mod controller;
pub mod finish;
pub mod flow;
pub mod hhd;
pub mod i18n;
mod pages;
pub mod resume;
pub mod sanitize;

use leptos::prelude::*;

use crate::controller::Controller;

/// The root component.
#[component]
pub fn App() -> impl IntoView {
    let controller = Controller::start();
    provide_context(controller);
    let model = controller.model;
    let step = Memo::new(move |_| model.with(|m| m.step.clone()));
    Effect::new(move |_| {
        let language = model.with(|m| m.language);
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("lang", language.code());
        }
    });
    view! {
        <main class="kl-widget" data-testid="widget">
            {move || pages::render(step.get())}
        </main>
    }
}
