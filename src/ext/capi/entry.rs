//! The C entry point DuckDB calls on LOAD: API table initialisation, a connection for
//! registration, and any failure (or panic) turned into DuckDB's load error instead of a crash.
//!
//! We do not use `duckdb_entrypoint_c_api` from `duckdb-loadable-macros` because it only hands
//! out a `duckdb::Connection`, which does not expose the raw `duckdb_connection` that the C API
//! registration functions (table functions with local state, LIST parameters) need. This mirrors
//! what that macro generates, with the same minimum version.

use std::panic::{catch_unwind, AssertUnwindSafe};

use libduckdb_sys as ffi;

use super::connection::Connection;
use super::cstring;
use super::error::panic_message;

/// The oldest DuckDB C API this binary asks for: everything we use is stable since v1.5.6.
pub const MIN_DUCKDB_VERSION: &str = "v1.5.6";

/// Entry point DuckDB looks up when loading `cloudfront.duckdb_extension`: registers everything
/// `crate::register` lists.
///
/// # Safety
/// Called by DuckDB with valid `info` and `access` pointers.
#[no_mangle]
pub unsafe extern "C" fn cloudfront_init_c_api(info: ffi::duckdb_extension_info, access: *const ffi::duckdb_extension_access) -> bool {
    load(info, access, |con| crate::register(con).map_err(|e| e.to_string()))
}

/// Initialises the API table, opens a connection and runs `register` with it. Returns whether
/// loading succeeded; on failure DuckDB shows the error.
///
/// # Safety
/// Must be called with the pointers DuckDB passes to the extension's init function.
unsafe fn load(
    info: ffi::duckdb_extension_info,
    access: *const ffi::duckdb_extension_access,
    register: impl FnOnce(&Connection) -> Result<(), String>,
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
        let mut con: ffi::duckdb_connection = std::ptr::null_mut();
        if ffi::duckdb_connect(*db_ptr, &mut con) != ffi::duckdb_state_DuckDBSuccess {
            return Err("cloudfront: could not open a connection to register functions".into());
        }
        let result = register(&Connection::from_raw(con));
        ffi::duckdb_disconnect(&mut con);
        result.map(|_| true)
    }));
    let error = match outcome {
        Ok(Ok(ok)) => return ok,
        Ok(Err(e)) => e,
        Err(panic) => format!("cloudfront: internal error while loading: {}", panic_message(&*panic)),
    };
    if let Some(set_error) = (*access).set_error {
        let c = cstring(&error);
        set_error(info, c.as_ptr());
    }
    false
}
