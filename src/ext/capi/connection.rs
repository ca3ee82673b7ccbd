//! The connection the extension registers its functions on and runs its own statements with.

use std::ffi::{c_void, CStr};

use libduckdb_sys as ffi;

use super::cstring;
use super::error::Error;

/// A connection opened by the extension at LOAD (see `entry`), borrowed by the registration
/// functions; it is closed when LOAD is done.
pub struct Connection {
    raw: ffi::duckdb_connection,
}

impl Connection {
    /// # Safety
    /// `raw` must be a live connection for the lifetime of the returned value.
    pub(super) unsafe fn from_raw(raw: ffi::duckdb_connection) -> Self {
        Self { raw }
    }

    pub(super) fn raw(&self) -> ffi::duckdb_connection {
        self.raw
    }

    /// Runs `sql` and returns the first column of the first row as text: None when there is no
    /// row or the value is NULL; DuckDB's message when the statement fails.
    pub fn query_first_text(&self, sql: &str) -> Result<Option<String>, Error> {
        let c = cstring(sql);
        // SAFETY: a live connection; the result is initialised by duckdb_query (also on
        // failure), read within its bounds and destroyed once; strings DuckDB allocates for us
        // are freed with duckdb_free.
        unsafe {
            let mut result: ffi::duckdb_result = std::mem::zeroed();
            let state = ffi::duckdb_query(self.raw, c.as_ptr(), &mut result);
            let outcome = if state != ffi::duckdb_state_DuckDBSuccess {
                let e = ffi::duckdb_result_error(&mut result);
                Err(Error::Query(if e.is_null() { "unknown error".into() } else { CStr::from_ptr(e).to_string_lossy().into_owned() }))
            } else if ffi::duckdb_column_count(&mut result) == 0
                || ffi::duckdb_row_count(&mut result) == 0
                || ffi::duckdb_value_is_null(&mut result, 0, 0)
            {
                Ok(None)
            } else {
                let p = ffi::duckdb_value_varchar(&mut result, 0, 0);
                if p.is_null() {
                    Ok(None)
                } else {
                    let text = CStr::from_ptr(p).to_string_lossy().into_owned();
                    ffi::duckdb_free(p as *mut c_void);
                    Ok(Some(text))
                }
            };
            ffi::duckdb_destroy_result(&mut result);
            outcome
        }
    }

    /// Runs one statement; DuckDB's message when it fails.
    pub fn execute(&self, sql: &str) -> Result<(), Error> {
        self.query_first_text(sql).map(|_| ())
    }
}
