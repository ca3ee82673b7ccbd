//! `read_cloudfront_rejects`: its columns, and one refused line written as one row of them.
//!
//! `error_type` is the [`ErrorKind`](crate::format::reject::ErrorKind) name (`missing_fields`,
//! `bad_integer`, ...: docs/reference.md lists them), stable for filtering; `reason` is the same
//! problem for people, with the column and value.

use crate::ext::capi::{OutVector, Type};
use crate::format::reject::BadLine;

/// The result columns, in order.
pub const COLUMNS: &[(&str, Type)] = &[
    ("filename", Type::Varchar),
    ("line", Type::BigInt),
    ("error_type", Type::Varchar),
    ("reason", Type::Varchar),
    ("text", Type::Varchar),
];

/// Writes `bad` (of the file shown as `path`) into row `row` of the projected columns
/// (`projection[i]`: which of [`COLUMNS`] output `i` is).
pub fn write(out: &mut [OutVector<'_>], projection: &[usize], row: usize, path: &str, bad: &BadLine) {
    for (v, &column) in out.iter_mut().zip(projection) {
        match column {
            0 => v.set_str(row, path),
            1 => v.set(row, bad.line as i64),
            2 => v.set_str(row, bad.kind.name()),
            3 => v.set_str(row, &bad.reason),
            4 => v.set_str(row, &bad.text),
            _ => v.set_null(row),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::format::reject::ErrorKind;

    /// docs/reference.md documents every error_type the scanner can give.
    #[test]
    fn every_error_type_is_documented() {
        let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/reference.md")).unwrap();
        for kind in ErrorKind::ALL {
            assert!(doc.contains(&format!("| `{}` |", kind.name())), "docs/reference.md does not document error_type {kind}");
        }
    }
}
