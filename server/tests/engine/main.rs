//! Integration tests of the sync engine, through the HTTP API of a real server on port 0
//! with a fresh SQLite file each.

mod errors;
mod events;
mod helpers;
mod psd2;
mod recovery;
mod scenarios;
mod scopes;
mod secrets;
mod upgrades;
mod vault;
