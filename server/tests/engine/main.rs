//! Integration tests of the sync engine, through the HTTP API of a real server on port 0
//! with a fresh database each: SQLite by default, PostgreSQL when
//! `KONTOLINK_TEST_DATABASE_URL` names a server (the mechanism of the API suite).

mod claims;
mod credential_attempts;
#[path = "../api/database.rs"]
#[allow(dead_code)]
mod database;
mod errors;
mod events;
mod fints;
mod grant_reach;
mod helpers;
#[path = "../fints/peer_process.rs"]
mod peer_process;
#[path = "../service/process.rs"]
#[allow(dead_code)]
mod process;
mod psd2;
mod recovery;
#[path = "../fints/replay.rs"]
mod replay;
mod resume;
mod scenarios;
mod scopes;
mod secrets;
mod shared_queue;
mod strict_json;
mod upgrades;
mod vault;
