//! A FinTS 3.0 PIN/TAN client without I/O.
//!
//! The protocol is plain data in, plain data out: [`codec`] turns bytes into segments and
//! back (exactly), [`segments`] gives the segments Kontolink speaks their types,
//! [`envelope`] wraps business segments into a signed and "encrypted" PIN/TAN message,
//! [`dialog`] is the state machine of one synchronisation, and [`statements`] reads the
//! bank statements (MT940/MT942, camt.052). Sockets, timers and retries live in the
//! caller (Kontolink's server).

pub mod codec;

pub mod dialog;
pub mod envelope;
pub mod segments;
pub mod statements;
#[cfg(any(test, feature = "testbank"))]
pub mod testbank;
