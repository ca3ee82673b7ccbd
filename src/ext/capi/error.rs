//! The one error sink: every callback DuckDB makes into the extension runs through [`contain`],
//! so that neither an error nor a panic crosses the FFI boundary. Both become the message DuckDB
//! shows for the query (or for LOAD).

use std::fmt;
use std::panic::{catch_unwind, AssertUnwindSafe};

use libduckdb_sys as ffi;

use super::cstring;

/// A failure of the C API itself (as opposed to the extension's own errors, which are typed
/// where they arise and only need `Display` here).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// DuckDB refused to register a function (its name).
    Register(String),
    /// DuckDB refused an operation on a vector, e.g. growing a list result.
    Vector(&'static str),
    /// A statement the extension ran failed: DuckDB's message.
    Query(String),
    /// DuckDB's file system failed: its message.
    File(String),
    /// A function's own failure, as its message (e.g. rules that did not compile).
    Function(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Register(name) => write!(f, "could not register {name}"),
            Error::Vector(what) => write!(f, "cloudfront: {what}"),
            Error::Query(m) | Error::File(m) | Error::Function(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for Error {}

/// Where DuckDB wants the error of the callback it is running.
#[derive(Clone, Copy)]
pub(super) enum Sink {
    Bind(ffi::duckdb_bind_info),
    Init(ffi::duckdb_init_info),
    /// A table function's scan; the output chunk is emptied too.
    Scan(ffi::duckdb_function_info, ffi::duckdb_data_chunk),
    Scalar(ffi::duckdb_function_info),
}

impl Sink {
    fn report(self, message: &str) {
        let c = cstring(message);
        // SAFETY: each handle is the live info object of the callback being run, which is where
        // DuckDB reads the error after the callback returns; the message is copied.
        unsafe {
            match self {
                Sink::Bind(info) => ffi::duckdb_bind_set_error(info, c.as_ptr()),
                Sink::Init(info) => ffi::duckdb_init_set_error(info, c.as_ptr()),
                Sink::Scan(info, chunk) => {
                    ffi::duckdb_data_chunk_set_size(chunk, 0);
                    ffi::duckdb_function_set_error(info, c.as_ptr());
                }
                Sink::Scalar(info) => ffi::duckdb_scalar_function_set_error(info, c.as_ptr()),
            }
        }
    }
}

/// The text of a panic payload.
pub(super) fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_string())
}

/// Runs a callback body; its error, or a panic, is reported to `sink` and gives `None`.
pub(super) fn contain<T, E: fmt::Display>(sink: Sink, body: impl FnOnce() -> Result<T, E>) -> Option<T> {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(value)) => Some(value),
        Ok(Err(e)) => {
            sink.report(&e.to_string());
            None
        }
        Err(panic) => {
            sink.report(&format!("cloudfront: internal error (please report): {}", panic_message(&*panic)));
            None
        }
    }
}
