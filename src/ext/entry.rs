//! The C entry point's plumbing: API table initialisation, a connection for registration,
//! and turning any failure (or panic) into DuckDB's load error instead of a crash.
//!
//! We do not use `duckdb_entrypoint_c_api` from `duckdb-loadable-macros` because it only hands
//! out a `duckdb::Connection`, which does not expose the raw `duckdb_connection` that the
//! C API registration functions (table functions with local state, LIST parameters) need.
//! This mirrors what that macro generates, with the same minimum version.

use std::panic::{catch_unwind, AssertUnwindSafe};

use libduckdb_sys as ffi;

use super::capi::cstring;

/// The oldest DuckDB C API this binary asks for: everything we use is stable since v1.5.6.
pub const MIN_DUCKDB_VERSION: &str = "v1.5.6";

/// Initialises the API table, opens a connection and runs `register` with the database and
/// connection. Returns whether loading succeeded; on failure DuckDB shows the error.
///
/// # Safety
/// Must be called with the pointers DuckDB passes to the extension's init function.
pub unsafe fn load(
    info: ffi::duckdb_extension_info,
    access: *const ffi::duckdb_extension_access,
    register: impl FnOnce(ffi::duckdb_database, ffi::duckdb_connection) -> Result<(), String>,
) -> bool {
    let outcome = catch_unwind(AssertUnwindSafe(|| -> Result<bool, String> {
        let have_api = ffi::duckdb_rs_extension_api_init(info, access, MIN_DUCKDB_VERSION).map_err(|e| e.to_string())?;
        if !have_api {
            // DuckDB has already recorded why (usually a version mismatch).
            return Ok(false);
        }
        let get_database = (*access).get_database.ok_or("DuckDB did not provide get_database")?;
        let db_ptr = get_database(info);
        if db_ptr.is_null() {
            return Ok(false);
        }
        let db = *db_ptr;
        let mut con: ffi::duckdb_connection = std::ptr::null_mut();
        if ffi::duckdb_connect(db, &mut con) != ffi::duckdb_state_DuckDBSuccess {
            return Err("cloudfront: could not open a connection to register functions".into());
        }
        let result = register(db, con);
        ffi::duckdb_disconnect(&mut con);
        result.map(|_| true)
    }));
    let error = match outcome {
        Ok(Ok(ok)) => return ok,
        Ok(Err(e)) => e,
        Err(_) => "cloudfront: internal error while loading (panic)".to_string(),
    };
    if let Some(set_error) = (*access).set_error {
        let c = cstring(&error);
        set_error(info, c.as_ptr());
    }
    false
}
