//! Kontolink run as a service, through the real binary: one file that carries the widget,
//! a config file, JSON logs, metrics, and a clean stop.

mod config;
#[path = "../api/database.rs"]
#[allow(dead_code)]
mod database;
mod logs;
mod metrics;
mod process;
mod shutdown;
mod single_binary;
