//! Choosing the accounts to share (`allow_multi_selection`: checkboxes, else radios).

use kontolink_api::Account;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use crate::components::heading::StepHeading;
use crate::components::notice::FormError;
use crate::controller::Controller;
use crate::flow::Msg;
use crate::i18n::account_type_label;
use crate::i18n::format::{format_amount, format_date, format_iban};

fn compact(iban: &str) -> String {
    iban.chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_uppercase()
}

#[component]
pub fn AccountsPage(accounts: Vec<Account>) -> impl IntoView {
    let controller = Controller::get();
    let texts = controller.texts();
    let busy = controller.busy();
    let (multi, language, prefilled) = controller.model.with_untracked(|m| {
        let flow = m.flow.as_ref();
        let prefilled: Vec<String> = flow
            .map(|f| f.accounts.iter().map(|a| compact(&a.id)).collect())
            .unwrap_or_default();
        (
            flow.is_none_or(|f| f.allow_multi_selection),
            m.language,
            prefilled,
        )
    });
    // The integrator's IBANs come preselected; else every account (multi) or the first.
    let named: Vec<String> = accounts
        .iter()
        .filter(|a| {
            a.iban
                .as_deref()
                .is_some_and(|iban| prefilled.contains(&compact(iban)))
        })
        .map(|a| a.id.clone())
        .collect();
    let initial: Vec<String> = match (named.is_empty(), multi) {
        (false, true) => named,
        (false, false) => named.into_iter().take(1).collect(),
        (true, true) => accounts.iter().map(|a| a.id.clone()).collect(),
        (true, false) => accounts.iter().take(1).map(|a| a.id.clone()).collect(),
    };
    let selected = RwSignal::new(initial);
    let error = RwSignal::new(None);
    let on_submit = move |event: SubmitEvent| {
        event.prevent_default();
        let ids = selected.get_untracked();
        if ids.is_empty() {
            error.set(Some(texts.accounts_required));
            return;
        }
        error.set(None);
        controller.dispatch(Msg::AccountsChosen(ids));
    };
    let items = accounts
        .into_iter()
        .map(|account| {
            let id = account.id.clone();
            let input_id = format!("kl-account-{id}");
            let (checked_id, toggle_id) = (id.clone(), id.clone());
            let balance = account.balance.as_ref().map(|b| {
                format!(
                    "{}: {} ({})",
                    texts.balance,
                    format_amount(language, &b.balance, &b.currency),
                    format_date(language, &b.balance_date)
                )
            });
            let details = [account.iban.as_deref().map(format_iban), Some(account_type_label(texts, &account.account_type))]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" · ");
            view! {
                <li class="kl-choice">
                    <input
                        type=if multi { "checkbox" } else { "radio" }
                        name="kl-accounts"
                        id=input_id.clone()
                        data-testid=format!("account-{id}")
                        prop:checked=move || selected.with(|s| s.contains(&checked_id))
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            selected.update(|s| {
                                if !multi {
                                    s.clear();
                                }
                                s.retain(|x| *x != toggle_id);
                                if on {
                                    s.push(toggle_id.clone());
                                }
                            });
                        }
                    />
                    <label for=input_id>
                        <span class="kl-choice-name">{account.name.clone()}</span>
                        <span class="kl-muted" data-testid="account-details">{details}</span>
                        {balance.map(|b| view! { <span class="kl-muted" data-testid="account-balance">{b}</span> })}
                    </label>
                </li>
            }
        })
        .collect_view();
    view! {
        <section data-testid="accounts">
            <StepHeading text=texts.accounts_title />
            <form on:submit=on_submit novalidate>
                <fieldset>
                    <legend>{if multi { texts.accounts_intro_multi } else { texts.accounts_intro_single }}</legend>
                    <ul class="kl-choices">{items}</ul>
                </fieldset>
                <FormError message=error />
                <button type="submit" class="kl-button kl-button-primary" data-testid="complete" disabled=move || busy.get()>
                    {texts.accounts_submit}
                </button>
            </form>
        </section>
    }
}
