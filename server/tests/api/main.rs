//! Integration tests: every test spawns the real server on port 0 with a fresh SQLite file.

mod bearer;
mod clients;
mod flows;
mod health;
mod helpers;
mod security;
mod token;
mod widget_page;
mod widget_session;
