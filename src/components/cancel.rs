use leptos::ev::KeyboardEvent;
use leptos::html::Button;
use leptos::prelude::*;

use crate::controller::Controller;
use crate::flow::Msg;

/// "Cancel", with a confirmation dialog; confirming ends the flow (`POST /widget/cancel`).
#[component]
pub fn CancelButton() -> impl IntoView {
    let controller = Controller::get();
    let texts = controller.texts();
    let busy = controller.busy();
    let open = RwSignal::new(false);
    let opener = NodeRef::<Button>::new();
    let confirm = NodeRef::<Button>::new();
    let dismiss = NodeRef::<Button>::new();
    let close = move || {
        open.set(false);
        if let Some(button) = opener.get_untracked() {
            let _ = button.focus();
        }
    };
    Effect::new(move |_| {
        if open.get()
            && let Some(button) = dismiss.get()
        {
            let _ = button.focus();
        }
    });
    // Escape anywhere asks to cancel: the keyboard's way out, also in the overlay, where the
    // focus is inside the widget and the embedding page never sees the key. Keys a field or
    // the dialog already handled (default prevented) are left alone.
    let escape = window_event_listener(leptos::ev::keydown, move |event| {
        if event.key() == "Escape"
            && !event.default_prevented()
            && !open.get_untracked()
            && !busy.get_untracked()
        {
            event.prevent_default();
            open.set(true);
        }
    });
    on_cleanup(move || escape.remove());
    // Escape closes; Tab stays inside the dialog.
    let on_keydown = move |event: KeyboardEvent| match event.key().as_str() {
        "Escape" => {
            event.prevent_default();
            close();
        }
        "Tab" => {
            let (Some(first), Some(last)) = (confirm.get_untracked(), dismiss.get_untracked())
            else {
                return;
            };
            let active = document().active_element();
            let on = |b: &web_sys::HtmlButtonElement| {
                active.as_ref().is_some_and(|a| js_sys::Object::is(a, b))
            };
            if event.shift_key() && on(&first) {
                event.prevent_default();
                let _ = last.focus();
            } else if !event.shift_key() && on(&last) {
                event.prevent_default();
                let _ = first.focus();
            }
        }
        _ => {}
    };
    view! {
        <div class="kl-cancel">
            <button
                type="button"
                class="kl-button kl-button-quiet"
                data-testid="cancel"
                node_ref=opener
                disabled=move || busy.get()
                on:click=move |_| open.set(true)
            >
                {texts.cancel}
            </button>
            <Show when=move || open.get()>
                <div class="kl-backdrop">
                    <div
                        class="kl-dialog"
                        role="alertdialog"
                        aria-modal="true"
                        aria-labelledby="kl-cancel-title"
                        aria-describedby="kl-cancel-text"
                        data-testid="cancel-dialog"
                        on:keydown=on_keydown
                    >
                        <h2 id="kl-cancel-title">{texts.cancel_title}</h2>
                        <p id="kl-cancel-text">{texts.cancel_text}</p>
                        <div class="kl-actions">
                            <button
                                type="button"
                                class="kl-button kl-button-danger"
                                data-testid="cancel-confirm"
                                node_ref=confirm
                                disabled=move || busy.get()
                                on:click=move |_| controller.dispatch(Msg::CancelConfirmed)
                            >
                                {texts.cancel_confirm}
                            </button>
                            <button
                                type="button"
                                class="kl-button"
                                data-testid="cancel-dismiss"
                                node_ref=dismiss
                                on:click=move |_| close()
                            >
                                {texts.cancel_dismiss}
                            </button>
                        </div>
                    </div>
                </div>
            </Show>
        </div>
    }
}
