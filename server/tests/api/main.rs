//! Integration tests: every test spawns the real server on port 0 with a fresh database,
//! SQLite by default or PostgreSQL when `KONTOLINK_TEST_DATABASE_URL` names a server
//! (`scripts/test.sh` runs the suite both ways).

mod api_client;
mod bearer;
mod clients;
mod database;
mod flows;
mod health;
mod helpers;
mod hygiene;
mod processes;
mod security;
mod token;
mod widget_page;
mod widget_session;
