//! The login form, built from the provider's access method.

use std::collections::BTreeMap;

use kontolink_api::{CredentialField, Provider};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use crate::components::heading::StepHeading;
use crate::components::notice::{FormError, NoticeView};
use crate::controller::Controller;
use crate::flow::{Credentials, Msg, Notice};
use crate::i18n::{Texts, credential_label, fill};

/// The ids of required fields left empty.
pub fn missing_fields(
    fields: &[CredentialField],
    values: &BTreeMap<String, String>,
) -> Vec<String> {
    fields
        .iter()
        .filter(|f| !f.is_optional)
        .filter(|f| values.get(&f.id).is_none_or(|v| v.trim().is_empty()))
        .map(|f| f.id.clone())
        .collect()
}

fn field_view(
    texts: &'static Texts,
    field: CredentialField,
    values: RwSignal<BTreeMap<String, String>>,
) -> impl IntoView {
    let input_id = format!("kl-credential-{}", field.id);
    let label = credential_label(texts, &field.id, &field.label);
    let id = field.id.clone();
    let read_id = field.id.clone();
    view! {
        <div class="kl-field">
            <label for=input_id.clone()>
                {label}
                {field.is_optional.then(|| view! { " " <span class="kl-muted">{texts.optional}</span> })}
            </label>
            <input
                id=input_id
                type=if field.is_secret { "password" } else { "text" }
                autocomplete=if field.is_secret { "current-password" } else { "username" }
                autocapitalize="none"
                spellcheck="false"
                required=!field.is_optional
                data-testid=format!("credential-{}", field.id)
                prop:value=move || values.with(|v| v.get(&read_id).cloned().unwrap_or_default())
                on:input=move |ev| {
                    let value = event_target_value(&ev);
                    values.update(|v| {
                        v.insert(id.clone(), value);
                    });
                }
            />
        </div>
    }
}

#[component]
pub fn CredentialsPage(provider: Provider, notice: Option<Notice>) -> impl IntoView {
    let controller = Controller::get();
    let texts = controller.texts();
    let busy = controller.busy();
    let (save_allowed, preset, current_method) = controller.model.with_untracked(|m| {
        (
            m.flow.as_ref().is_some_and(|f| f.save_secrets_allowed),
            m.provider_preset,
            m.access_method_id.clone(),
        )
    });
    let methods = provider.access_methods.clone();
    let initial = current_method
        .and_then(|id| methods.iter().position(|m| m.id == id))
        .unwrap_or(0);
    let method = RwSignal::new(initial);
    // After refused credentials the form keeps what was typed, except the secrets.
    let kept: BTreeMap<String, String> = controller.model.with_untracked(|m| {
        let secret = |id: &String| {
            methods
                .iter()
                .flat_map(|m| &m.credentials)
                .any(|f| &f.id == id && f.is_secret)
        };
        let mut kept = m.credentials.0.clone();
        kept.retain(|id, _| !secret(id));
        kept
    });
    let values = RwSignal::new(kept);
    let consent = RwSignal::new(controller.model.with_untracked(|m| m.save_secrets));
    let error = RwSignal::new(None);
    let fields_of = {
        let methods = methods.clone();
        move |index: usize| {
            methods
                .get(index)
                .map(|m| m.credentials.clone())
                .unwrap_or_default()
        }
    };
    let submit_methods = methods.clone();
    let submit_fields = fields_of.clone();
    let on_submit = move |event: SubmitEvent| {
        event.prevent_default();
        let index = method.get_untracked();
        let Some(access_method) = submit_methods.get(index) else {
            return;
        };
        let fields = submit_fields(index);
        let entered = values.get_untracked();
        let missing = missing_fields(&fields, &entered);
        if let Some(first) = missing.first() {
            error.set(Some(texts.required_missing));
            if let Some(input) = document().get_element_by_id(&format!("kl-credential-{first}")) {
                use wasm_bindgen::JsCast;
                if let Ok(input) = input.dyn_into::<web_sys::HtmlElement>() {
                    let _ = input.focus();
                }
            }
            return;
        }
        error.set(None);
        // Inserted one by one: collecting into a BTreeMap would sort, and a sort is ~1 KB
        // of wasm per element type.
        let mut credentials = BTreeMap::new();
        for f in &fields {
            if let Some(v) = entered.get(&f.id).filter(|v| !v.is_empty()) {
                credentials.insert(f.id.clone(), v.clone());
            }
        }
        controller.dispatch(Msg::CredentialsSubmitted {
            access_method_id: access_method.id.clone(),
            credentials: Credentials(credentials),
            save_secrets: save_allowed && consent.get_untracked(),
        });
    };
    let method_choice = (methods.len() > 1).then(|| {
        let options = methods
            .iter()
            .enumerate()
            .map(|(i, m)| view! { <option value=i.to_string() selected=i == initial>{m.name.clone()}</option> })
            .collect_view();
        view! {
            <div class="kl-field">
                <label for="kl-access-method">{texts.access_method_label}</label>
                <select id="kl-access-method" data-testid="access-method"
                    on:change=move |ev| method.set(event_target_value(&ev).parse().unwrap_or(0))>
                    {options}
                </select>
            </div>
        }
    });
    view! {
        <section data-testid="credentials">
            <StepHeading text=fill(texts.credentials_title, &provider.name) />
            <NoticeView notice=notice texts=texts />
            <p>{texts.credentials_intro}</p>
            <form on:submit=on_submit novalidate>
                {method_choice}
                {move || fields_of(method.get()).into_iter().map(|f| field_view(texts, f, values)).collect_view()}
                {save_allowed.then(|| view! {
                    <div class="kl-check">
                        <input type="checkbox" id="kl-consent" data-testid="consent"
                            prop:checked=move || consent.get()
                            on:change=move |ev| consent.set(event_target_checked(&ev)) />
                        <label for="kl-consent">{texts.consent_label}</label>
                    </div>
                })}
                <FormError message=error />
                <button type="submit" class="kl-button kl-button-primary" data-testid="submit" disabled=move || busy.get()>
                    {texts.login_submit}
                </button>
            </form>
            {(!preset).then(|| view! {
                <button type="button" class="kl-button kl-button-quiet" data-testid="change-bank"
                    on:click=move |_| controller.dispatch(Msg::ChangeBank)>
                    {texts.back}
                </button>
            })}
        </section>
    }
}
