//! The safe core over DuckDB's C API (through `libduckdb-sys`): the only module of the extension
//! with `unsafe` code (the crate denies it elsewhere).
//!
//! - [`types`]: SQL types ([`Type`], constant, for the metadata tables) and owned logical types.
//! - [`vector`]: checked vector access (row within bounds, Rust type matching the vector's
//!   type), with `unsafe fn ..._unchecked` variants for hot loops that checked already.
//! - [`table`]: the [`TableFunction`] trait (bind, global and local state as associated types),
//!   typed [`BindInfo`]/[`InitInfo`], generic `extern "C"` trampolines.
//! - [`scalar`]: scalar functions from a table of [`Scalar`]s (name, NULL contract, overloads).
//! - [`error`]: the one error sink: every callback's error or panic becomes DuckDB's error.
//! - [`connection`], [`context`], [`value`], [`entry`]: owned handles (the LOAD connection, a
//!   query's client context and DuckDB's file system, parameter values) and the entry point.
//!
//! The `duckdb` crate's `VTab`/`VScalar` traits hide parts of the C API this extension needs
//! (local init state for parallel scans, projection pushdown, LIST named parameters, the client
//! context's file system, per-row NULL handling), so this module follows their design over the
//! C API directly. No CloudFront knowledge lives here.

pub mod connection;
pub mod context;
pub mod entry;
pub mod error;
pub mod scalar;
pub mod table;
pub mod types;
pub mod value;
pub mod vector;

use std::ffi::{c_void, CString};

pub use connection::Connection;
pub use context::{ClientContext, DuckFile};
pub use error::Error;
pub use scalar::{register_scalar, Kernel, NullInput, Overload, Scalar};
pub use table::{register_table, BindInfo, InitInfo, Signature, TableFunction};
pub use types::{Param, Type};
pub use value::Value;
pub use vector::{InVector, ListOut, LongStrings, OutVector, OutputChunk, StructOut};

/// A C string for the C API; interior NULs (never present in our own names) become spaces.
pub(crate) fn cstring(s: &str) -> CString {
    CString::new(s.replace('\0', " ")).unwrap_or_default()
}

/// Frees a `Box<T>` handed to DuckDB as bind, init or extra data (DuckDB calls it once).
///
/// # Safety
/// `p` must come from `Box::<T>::into_raw` and be freed once.
unsafe extern "C" fn drop_box<T>(p: *mut c_void) {
    drop(Box::from_raw(p as *mut T));
}
