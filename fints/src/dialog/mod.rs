//! One synchronisation with a bank as a state machine without I/O.
//!
//! [`Job::next`] says what to do: send a message ([`Step::Send`], then hand the bank's
//! answer to [`Job::receive`]), ask the end-user ([`Step::Ask`], then hand the answer to
//! [`Job::reply`]) or stop ([`Step::Done`], the results are in [`Job::results`]).
//! The whole state but the PIN and TAN is plain data ([`Job::snapshot`] /
//! [`Job::restore`]), so a job parked while the end-user fetches a TAN can continue the
//! same bank dialog in another process.
//!
//! The order of a synchronisation:
//! 1. `HKSYN` for a customer system id when the access has none (also yields `3920`, the
//!    TAN methods the user may use, and usually the BPD, since `HKVVB` names none);
//! 2. an anonymous dialog for the BPD when none is cached and the personal dialog did not
//!    bring it (a bank that refuses anonymous dialogs is asked nothing more);
//! 3. TAN method (asked when several), TAN medium (`HKTAB`, asked when several and the
//!    bank needs one);
//! 4. the personal dialog: `HKIDN` + `HKVVB` + `HKTAN` process 4 (SCA when the bank asks:
//!    `0030`, answered by `HKTAN` process 2, or polled with process `S` for decoupled
//!    methods until `3956` stops);
//! 5. `HKSPA` (accounts), `HKSAL` per account, `HKCAZ` or `HKKAZ` per account over every
//!    page (`3040` touchdown), each with `HKTAN` process 4 where `HIPINS` asks for it;
//! 6. `HKEND`.

mod error;
mod job;
mod state;

pub use error::FintsError;
pub use job::{Job, Question, Reply, Step};
pub use state::{AccountResult, Cache, Params, Results, StatementFormat};
