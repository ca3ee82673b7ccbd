//! Installing the hunting playbook at `LOAD cloudfront`, and `cloudfront_playbook()`.
//!
//! The C API cannot register macros, so the extension executes each playbook file's
//! `CREATE OR REPLACE MACRO` on its own connection: the macros land in the instance's default
//! database, where every connection finds them unqualified, and a re-load or upgrade replaces
//! them. On a read-only database that is refused; LOAD still succeeds, and
//! `cloudfront_playbook()` hands out `temp_sql` (the same macros as TEMP, which read-only
//! connections may create) for the documented one-line install.

use std::ffi::CStr;

use libduckdb_sys as ffi;

use super::capi::cstring;
use super::static_table::{register, Cell, ColumnType};
use crate::playbook::macros;

/// Runs one statement on `con`; the error text on failure.
fn execute(con: ffi::duckdb_connection, sql: &str) -> Result<(), String> {
    let c = cstring(sql);
    unsafe {
        let mut result: ffi::duckdb_result = std::mem::zeroed();
        let state = ffi::duckdb_query(con, c.as_ptr(), &mut result);
        let outcome = if state == ffi::duckdb_state_DuckDBSuccess {
            Ok(())
        } else {
            let e = ffi::duckdb_result_error(&mut result);
            Err(if e.is_null() { "unknown error".into() } else { CStr::from_ptr(e).to_string_lossy().into_owned() })
        };
        ffi::duckdb_destroy_result(&mut result);
        outcome
    }
}

/// Creates every playbook macro in the default database. Returns how many were installed;
/// stops quietly at the first refusal (a read-only database refuses them all).
pub fn install_playbook(con: ffi::duckdb_connection) -> usize {
    let mut installed = 0;
    for m in macros() {
        if execute(con, m.sql).is_err() {
            break;
        }
        installed += 1;
    }
    installed
}

fn rows() -> Vec<Vec<Cell>> {
    macros()
        .into_iter()
        .map(|m| {
            let temp = m.temp_sql();
            vec![Cell::Text(m.name), Cell::Text(m.question), Cell::Text(m.parameters), Cell::Text(m.sql.to_string()), Cell::Text(temp)]
        })
        .collect()
}

/// `cloudfront_playbook()`: name, question, parameters, sql, temp_sql of every hunt.
pub fn register_playbook_listing(con: ffi::duckdb_connection) -> Result<(), String> {
    register(
        con,
        "cloudfront_playbook",
        vec![
            ("name", ColumnType::Text),
            ("question", ColumnType::Text),
            ("parameters", ColumnType::Text),
            ("sql", ColumnType::Text),
            ("temp_sql", ColumnType::Text),
        ],
        rows,
    )
}
