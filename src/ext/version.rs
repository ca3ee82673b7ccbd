//! `cloudfront_version()`: the extension's own version, so users and bug reports can tell which
//! build is loaded (DuckDB's `duckdb_extensions()` shows it too, from the footer).

use super::capi::{Error, InVector, NullInput, OutVector, Overload, Scalar, Type};

/// The version from Cargo.toml, the same string the metadata footer carries.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

fn kernel(_args: &[InVector<'_>], rows: usize, mut out: OutVector<'_>) -> Result<(), Error> {
    for row in 0..rows {
        out.set_str(row, VERSION);
    }
    Ok(())
}

pub const SCALAR: Scalar = Scalar {
    name: "cloudfront_version",
    null_input: NullInput::GivesNull,
    overloads: &[Overload { params: &[], returns: Type::Varchar, kernel }],
    description: "The extension's version.",
    example: "SELECT cloudfront_version()",
};
