//! Bank selection: search as you type over the catalog (name, BLZ, BIC, city), as an ARIA
//! combobox with a listbox, usable with arrow keys and Enter.

use std::time::Duration;

use kontolink_api::Provider;
use leptos::ev::KeyboardEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::Client;
use crate::components::heading::StepHeading;
use crate::controller::Controller;
use crate::flow::Msg;
use crate::i18n::bank_search_count;

/// Shorter queries are not sent.
pub const MIN_QUERY: usize = 2;
/// Debounce of input that comes in a burst: an input event within this time of the previous
/// one waits until the input has been quiet this long (key repeat, a fast typist, an IME).
/// An input after a quiet moment (a paste, autofill, a keystroke) is sent at once. Answers
/// to older queries are dropped (`generation`); the server answers in a few ms.
const DEBOUNCE: Duration = Duration::from_millis(50);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Search {
    Idle,
    Searching,
    Done,
    Failed,
}

/// The active option after a key press (`None`: no option active).
pub fn move_active(active: Option<usize>, len: usize, key: &str) -> Option<usize> {
    if len == 0 {
        return None;
    }
    match key {
        "ArrowDown" => Some(active.map_or(0, |i| (i + 1).min(len - 1))),
        "ArrowUp" => Some(active.map_or(len - 1, |i| i.saturating_sub(1))),
        "Home" => Some(0),
        "End" => Some(len - 1),
        _ => active,
    }
}

fn option_id(index: usize) -> String {
    format!("kl-bank-option-{index}")
}

#[component]
pub fn BankSearch() -> impl IntoView {
    let controller = Controller::get();
    let texts = controller.texts();
    let busy = controller.busy();
    let token = controller.model.with_untracked(|m| m.session_token.clone());
    let results = RwSignal::new(Vec::<Provider>::new());
    // How many banks match in all (the server shows the best `results` of them).
    let total = RwSignal::new(None::<u64>);
    let state = RwSignal::new(Search::Idle);
    let active = RwSignal::new(None::<usize>);
    let generation = StoredValue::new(0u32);
    // When the previous input event came (`Date.now()`, ms).
    let last_input = StoredValue::new(f64::NEG_INFINITY);
    let choose =
        move |provider: Provider| controller.dispatch(Msg::ProviderChosen(Box::new(provider)));
    let on_input = move |ev| {
        let query = event_target_value(&ev).trim().to_owned();
        let now = js_sys::Date::now();
        let burst = now - last_input.get_value() < DEBOUNCE.as_millis() as f64;
        last_input.set_value(now);
        generation.update_value(|g| *g += 1);
        let current = generation.get_value();
        active.set(None);
        if query.chars().count() < MIN_QUERY {
            results.set(Vec::new());
            state.set(Search::Idle);
            return;
        }
        state.set(Search::Searching);
        let token = token.clone();
        let search = move || {
            if generation.get_value() != current {
                return;
            }
            spawn_local(async move {
                let found = Client::from_window()
                    .with_session(token)
                    .search_providers(&query)
                    .await;
                if generation.get_value() != current {
                    return;
                }
                match found {
                    Ok(list) => {
                        total.set(list.total);
                        results.set(list.providers);
                        state.set(Search::Done);
                    }
                    Err(_) => state.set(Search::Failed),
                }
            });
        };
        if burst {
            set_timeout(search, DEBOUNCE);
        } else {
            search();
        }
    };
    let on_keydown = move |ev: KeyboardEvent| {
        let key = ev.key();
        match key.as_str() {
            "ArrowDown" | "ArrowUp" | "Home" | "End" if !results.with_untracked(Vec::is_empty) => {
                ev.prevent_default();
                let next = move_active(
                    active.get_untracked(),
                    results.with_untracked(Vec::len),
                    &key,
                );
                active.set(next);
                if let Some(element) =
                    next.and_then(|i| document().get_element_by_id(&option_id(i)))
                {
                    element.scroll_into_view_with_bool(false);
                }
            }
            "Enter" => {
                ev.prevent_default();
                let picked = active
                    .get_untracked()
                    .and_then(|i| results.with_untracked(|r| r.get(i).cloned()));
                if let Some(provider) = picked {
                    choose(provider);
                }
            }
            // Escape first closes the open result list; with none open it asks to cancel.
            "Escape" if active.get_untracked().is_some() => {
                ev.prevent_default();
                active.set(None);
            }
            _ => {}
        }
    };
    let expanded = move || state.get() == Search::Done && !results.with(Vec::is_empty);
    let status = move || match state.get() {
        Search::Idle => texts.bank_search_hint.to_owned(),
        Search::Searching => texts.bank_search_searching.to_owned(),
        Search::Failed => texts.error_network.to_owned(),
        Search::Done if results.with(Vec::is_empty) => texts.bank_search_no_results.to_owned(),
        Search::Done => bank_search_count(texts, results.with(Vec::len), total.get()),
    };
    let status_testid = move || match state.get() {
        Search::Done if results.with(Vec::is_empty) => "bank-no-results",
        Search::Failed => "error-network",
        _ => "bank-search-status",
    };
    view! {
        <section data-testid="bank-search">
            <StepHeading text=texts.bank_search_title />
            <div class="kl-field">
                <label for="kl-bank-search">{texts.bank_search_label}</label>
                <input
                    id="kl-bank-search"
                    type="search"
                    role="combobox"
                    autocomplete="off"
                    spellcheck="false"
                    aria-autocomplete="list"
                    aria-controls="kl-bank-results"
                    aria-describedby="kl-bank-status"
                    aria-expanded=move || expanded().to_string()
                    aria-activedescendant=move || active.get().map(option_id)
                    data-testid="bank-search-input"
                    disabled=move || busy.get()
                    on:input=on_input
                    on:keydown=on_keydown
                />
            </div>
            <p id="kl-bank-status" class="kl-muted" role="status" aria-live="polite" data-testid=status_testid>
                {status}
            </p>
            <ul id="kl-bank-results" role="listbox" class="kl-results" aria-label=texts.bank_search_title
                hidden=move || !expanded()>
                <For
                    each=move || results.get().into_iter().enumerate()
                    key=|(i, p)| (*i, p.id.clone())
                    children=move |(i, provider)| {
                        let picked = provider.clone();
                        let details = [
                            provider.blz.as_ref().map(|b| format!("{} {b}", texts.blz)),
                            provider.bic.as_ref().map(|b| format!("{} {b}", texts.bic)),
                            provider.city.clone(),
                        ]
                        .into_iter()
                        .flatten()
                        .collect::<Vec<_>>()
                        .join(" · ");
                        view! {
                            <li
                                id=option_id(i)
                                role="option"
                                class="kl-result"
                                class:kl-active=move || active.get() == Some(i)
                                aria-selected=move || (active.get() == Some(i)).to_string()
                                data-testid=format!("bank-result-{}", provider.id)
                                on:mousedown=|ev| ev.prevent_default()
                                on:click=move |_| choose(picked.clone())
                            >
                                <span class="kl-choice-name">{provider.name.clone()}</span>
                                <span class="kl-muted">{details}</span>
                            </li>
                        }
                    }
                />
            </ul>
        </section>
    }
}
