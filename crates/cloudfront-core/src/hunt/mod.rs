//! Pure-Rust computations that threat hunting in CloudFront logs needs and
//! SQL does not offer: Shannon entropy of tokens, "does this look machine
//! generated", repeated percent-decoding and encoding depth, WAF / cache /
//! origin classification of CloudFront result types, user-agent categories,
//! well-known probe paths, edge-location geography, IP network prefixes and
//! search-engine crawler verification.
//!
//! Nothing here knows about DuckDB: every function works on byte slices (log
//! fields are not guaranteed to be UTF-8) and plain Rust types, so it can be
//! unit-tested directly and wrapped by thin scalar-function glue elsewhere.
//! The functions run once per row on millions of rows and on attacker-chosen
//! text, so they avoid per-call allocation (string outputs go into a
//! caller-provided `Vec<u8>`), compile their patterns once, use only
//! linear-time matching, and never panic on any input.

pub mod attack;
pub mod crawler;
pub mod edge;
pub mod entropy;
pub mod ip;
pub mod scanner_path;
pub mod url;
pub mod user_agent;
pub mod waf;

/// Runs `f` with this thread's scratch buffer: taken out of the cell for the call and put back
/// afterwards, so no borrow is held across `f` and a re-entrant or late (thread teardown) call
/// just gets a fresh buffer. Lets the convenience wrappers (`is_scanner_path`,
/// `encoding_depth`) avoid allocating per call.
pub(crate) fn with_scratch<R>(f: impl FnOnce(&mut Vec<u8>) -> R) -> R {
    use std::cell::RefCell;
    thread_local! {
        static SCRATCH: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
    }
    let mut buf = SCRATCH.try_with(|c| c.try_borrow_mut().map(|mut b| std::mem::take(&mut *b)).unwrap_or_default()).unwrap_or_default();
    let r = f(&mut buf);
    let _ = SCRATCH.try_with(|c| {
        if let Ok(mut b) = c.try_borrow_mut() {
            *b = buf;
        }
    });
    r
}
