//! The scripted FinTS test bank (`kontolink_fints::testbank`) over HTTP on loopback, for
//! the browser tests and the demo: POST base64 FinTS messages, get base64 answers.
//!
//! ```sh
//! cargo run -p kontolink-server --example fints_test_bank   # -> LISTENING http://127.0.0.1:PORT/
//! ```
//!
//! Login: anything; PIN: anything but `wrong` (9931) and `locked` (3938); TAN methods:
//! `972` chipTAN optical (TAN 123456) and `921` pushTAN (approved on the second poll).

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::routing::post;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use kontolink_fints::testbank::TestBank;

async fn answer(State(bank): State<Arc<Mutex<TestBank>>>, body: Bytes) -> String {
    let compact: Vec<u8> = body
        .iter()
        .copied()
        .filter(|b| !b.is_ascii_whitespace())
        .collect();
    let message = STANDARD.decode(&compact).unwrap_or_else(|_| body.to_vec());
    let reply = bank
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .answer(&message);
    STANDARD.encode(reply)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let listen = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:0".to_owned());
    let listener = tokio::net::TcpListener::bind(&listen).await?;
    println!("LISTENING http://{}/", listener.local_addr()?);
    let bank = Arc::new(Mutex::new(TestBank::new()));
    let app = Router::new().fallback(post(answer)).with_state(bank);
    axum::serve(listener, app).await?;
    Ok(())
}
