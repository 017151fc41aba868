//! Runs the flow: applies [`Msg`]s to the model with [`flow::update`] and carries out the
//! [`Command`]s it returns (HTTP calls, timers, navigation), feeding their outcome back.

use std::cell::RefCell;
use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::Client;
use crate::flow::{self, Command, Model, Msg};
use crate::i18n::{self, Texts};
use crate::{finish, resume};

/// The flow's handle, shared with every page through context.
#[derive(Clone, Copy)]
pub struct Controller {
    pub model: RwSignal<Model>,
    token: StoredValue<Option<String>>,
}

thread_local! {
    static POPUP: RefCell<Option<(web_sys::Window, IntervalHandle)>> = const { RefCell::new(None) };
}

impl Controller {
    /// A controller for this page; reads how the page was opened and starts the flow.
    pub fn start() -> Controller {
        let embedded = finish::is_embedded();
        let mut model = Model::new(embedded, resume::return_url(), resume::new_state(embedded));
        model.language = crate::i18n::preferred(&crate::i18n::browser_languages());
        let (launch, token) = resume::detect();
        let controller = Controller {
            model: RwSignal::new(model),
            token: StoredValue::new(token),
        };
        let commands = controller
            .model
            .try_update(|m| flow::launch(m, launch))
            .unwrap_or_default();
        controller.run_all(commands);
        controller
    }

    /// The controller of the surrounding app.
    pub fn get() -> Controller {
        expect_context::<Controller>()
    }

    /// The strings of the flow's language.
    pub fn texts(self) -> &'static Texts {
        i18n::texts(self.model.with_untracked(|m| m.language))
    }

    /// Whether a request of the end-user is under way.
    pub fn busy(self) -> Signal<bool> {
        let model = self.model;
        Signal::derive(move || model.with(|m| m.busy))
    }

    pub fn dispatch(self, msg: Msg) {
        let commands = self
            .model
            .try_update(|m| flow::update(m, msg))
            .unwrap_or_default();
        self.run_all(commands);
    }

    fn run_all(self, commands: Vec<Command>) {
        for command in commands {
            self.run(command);
        }
    }

    fn client(self) -> Client {
        Client::from_window().with_session(self.model.with_untracked(|m| m.session_token.clone()))
    }

    /// Runs `future` and dispatches the message it yields.
    fn spawn<F>(self, future: F)
    where
        F: std::future::Future<Output = Msg> + 'static,
    {
        spawn_local(async move { self.dispatch(future.await) });
    }

    fn run(self, command: Command) {
        let client = self.client();
        match command {
            Command::OpenSession => {
                let token = self.token.get_value().unwrap_or_default();
                self.spawn(async move {
                    let outcome = client.open_session(&token).await;
                    resume::forget_query();
                    Msg::SessionOpened(outcome)
                });
            }
            Command::LoadProvider(id) => {
                self.spawn(async move { Msg::ProviderLoaded(client.provider(&id).await) })
            }
            Command::CreateAccess(body) => {
                self.spawn(async move { Msg::AccessCreated(client.create_access(&body).await) })
            }
            Command::StartSync { access_id, request } => self.spawn(async move {
                Msg::SyncStarted(client.start_sync(&access_id, &request).await)
            }),
            Command::PollSync {
                access_id,
                sync_id,
                seq,
                delay_ms,
            } => self.spawn(async move {
                gloo_timers::future::sleep(Duration::from_millis(delay_ms.into())).await;
                let result = client.sync(&access_id, &sync_id).await;
                Msg::SyncPolled { seq, result }
            }),
            Command::Respond {
                access_id,
                sync_id,
                challenge_id,
                response,
            } => self.spawn(async move {
                let result = client
                    .respond(&access_id, &sync_id, &challenge_id, &response)
                    .await;
                Msg::Answered(result)
            }),
            Command::GoToBank { location, record } => {
                resume::save(&record);
                if let Some(window) = web_sys::window() {
                    let _ = window.location().assign(&location);
                }
            }
            Command::OpenPopup { location } => self.open_popup(&location),
            Command::LoadAccounts => {
                self.spawn(async move { Msg::AccountsLoaded(client.accounts().await) })
            }
            Command::Complete(ids) => {
                self.spawn(async move { Msg::Finished(client.complete(ids).await) })
            }
            Command::Cancel => self.spawn(async move { Msg::Finished(client.cancel().await) }),
            Command::Fail(code) => {
                self.spawn(async move { Msg::Finished(client.fail(code).await) })
            }
            Command::Deliver(redirect) => {
                close_popup();
                finish::deliver(self.model.with_untracked(|m| m.embedded), &redirect);
            }
        }
    }

    /// Opens the bank's page in a popup and reports when the end-user closes it.
    fn open_popup(self, location: &str) {
        close_popup();
        let popup = web_sys::window()
            .and_then(|w| w.open_with_url_and_target(location, "kontolink_bank").ok())
            .flatten();
        let Some(popup) = popup else {
            self.dispatch(Msg::PopupBlocked);
            return;
        };
        let watched = popup.clone();
        let handle = set_interval_with_handle(
            move || {
                if watched.closed().unwrap_or(true) {
                    close_popup();
                    self.dispatch(Msg::PopupClosed);
                }
            },
            Duration::from_millis(500),
        );
        if let Ok(handle) = handle {
            POPUP.with(|p| *p.borrow_mut() = Some((popup, handle)));
        }
    }
}

/// Stops watching the popup (and closes it if it is still open).
fn close_popup() {
    if let Some((popup, handle)) = POPUP.with(|p| p.borrow_mut().take()) {
        handle.clear();
        if !popup.closed().unwrap_or(true) {
            let _ = popup.close();
        }
    }
}
