//! One page per [`Step`].

mod accounts;
mod bank_search;
mod challenge;
mod credentials;
mod finish;
mod problem;
mod progress;
mod start;

use leptos::prelude::*;

use crate::components::cancel::CancelButton;
use crate::flow::Step;

pub fn render(step: Step) -> AnyView {
    let cancellable = step.offers_cancel();
    let page = match step {
        Step::Starting => start::Starting().into_any(),
        Step::MissingToken => start::MissingToken().into_any(),
        Step::LinkInvalid => start::LinkInvalid().into_any(),
        Step::PopupDone => start::PopupDone().into_any(),
        Step::BankSearch => view! { <bank_search::BankSearch /> }.into_any(),
        Step::Credentials { provider, notice } => {
            view! { <credentials::CredentialsPage provider=*provider notice=notice /> }.into_any()
        }
        Step::Progress => view! { <progress::ProgressPage /> }.into_any(),
        Step::Challenge {
            challenge,
            notice,
            popup_open,
        } => view! { <challenge::ChallengePage challenge=*challenge notice=notice popup_open=popup_open /> }
            .into_any(),
        Step::Accounts { accounts } => view! { <accounts::AccountsPage accounts=accounts /> }.into_any(),
        Step::Finished(_) => view! { <finish::FinishPage /> }.into_any(),
        Step::Problem(problem) => view! { <problem::ProblemPage problem=problem /> }.into_any(),
    };
    view! {
        {page}
        {cancellable.then(|| view! { <CancelButton /> })}
    }
    .into_any()
}
