use leptos::prelude::*;

use crate::components::heading::StepHeading;
use crate::controller::Controller;
use crate::flow::{Msg, Problem, ProblemKind};
use crate::i18n::format::format_timestamp;
use crate::i18n::{Texts, fill};

/// What the end-user reads about a problem.
pub fn problem_text(texts: &Texts, problem: &Problem, when: Option<String>) -> String {
    match problem.kind {
        ProblemKind::TanInvalid => texts.error_tan_invalid_text.to_owned(),
        ProblemKind::TooManySyncs => match when {
            Some(when) => fill(texts.error_too_many_syncs, &when),
            None => texts.error_too_many_syncs_later.to_owned(),
        },
        ProblemKind::Locked => texts.error_locked.to_owned(),
        ProblemKind::BankUnavailable => match when {
            Some(when) => fill(texts.error_bank_unavailable_until, &when),
            None => texts.error_bank_unavailable.to_owned(),
        },
        ProblemKind::Network => texts.error_network.to_owned(),
        ProblemKind::NoAccounts => texts.error_no_accounts.to_owned(),
        ProblemKind::Generic => texts.error_generic.to_owned(),
    }
}

/// An error the end-user can retry (when it makes sense) or end (`POST /widget/fail`).
#[component]
pub fn ProblemPage(problem: Problem) -> impl IntoView {
    let controller = Controller::get();
    let texts = controller.texts();
    let busy = controller.busy();
    let language = controller.model.with_untracked(|m| m.language);
    let when = problem
        .next_sync_possible_at
        .as_deref()
        .map(|at| format_timestamp(language, at));
    let text = problem_text(texts, &problem, when);
    // "Close" is the page's one way out: the main button unless "Try again" is offered.
    let close_class = if problem.retry.is_some() {
        "kl-button"
    } else {
        "kl-button kl-button-primary"
    };
    view! {
        <section data-testid=format!("error-{}", problem.kind.id()) data-code=problem.code>
            <StepHeading text=texts.error_title />
            <p role="alert">{text}</p>
            {problem.code.map(|code| view! {
                <p class="kl-muted" data-testid="error-code">{fill(texts.error_code, &code.to_string())}</p>
            })}
            <div class="kl-actions">
                {problem.retry.is_some().then(|| view! {
                    <button type="button" class="kl-button kl-button-primary" data-testid="retry"
                        disabled=move || busy.get() on:click=move |_| controller.dispatch(Msg::Retry)>
                        {texts.retry}
                    </button>
                })}
                {problem.closable.then(|| view! {
                    <button type="button" class=close_class data-testid="close"
                        disabled=move || busy.get() on:click=move |_| controller.dispatch(Msg::Close)>
                        {texts.close}
                    </button>
                })}
            </div>
        </section>
    }
}
