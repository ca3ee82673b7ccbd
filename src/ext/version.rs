//! `cloudfront_version()`: the extension's own version, so users and bug reports can tell
//! which build is loaded (DuckDB's `duckdb_extensions()` shows it too, from the footer).

use libduckdb_sys as ffi;

use super::capi::{InVector, LogicalType, OutVector};
use super::scalar::{register, NullInput, Overload, Scalar};

/// The version from Cargo.toml, the same string the metadata footer carries.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

fn kernel(_args: &[InVector], rows: usize, out: &mut OutVector) -> Result<(), String> {
    for row in 0..rows {
        out.set_str(row, VERSION.as_bytes());
    }
    Ok(())
}

pub fn register_version(con: ffi::duckdb_connection) -> Result<(), String> {
    let overloads = vec![Overload::new(vec![], LogicalType::varchar(), kernel)];
    register(con, Scalar { name: "cloudfront_version", null_input: NullInput::GivesNull, overloads })
}
