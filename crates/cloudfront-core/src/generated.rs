//! Files in the repository that are generated from the Rust tables (the field catalogue, the
//! function metadata), and the check that keeps them up to date: a test renders each file and
//! compares; `make generated` (which sets `CF_UPDATE_GENERATED=1`) writes them instead.

use std::path::Path;

/// Environment variable that makes [`check`] write the file instead of comparing.
pub const UPDATE: &str = "CF_UPDATE_GENERATED";

/// Compares the file at `path` with `want` (panicking with a hint when they differ), or writes
/// `want` there when `CF_UPDATE_GENERATED=1`.
pub fn check(path: &Path, want: &str) {
    if std::env::var(UPDATE).is_ok_and(|v| v == "1") {
        std::fs::write(path, want).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
        return;
    }
    let have = std::fs::read_to_string(path).unwrap_or_default();
    if have != want {
        let line = have.lines().zip(want.lines()).position(|(a, b)| a != b).unwrap_or(have.lines().count().min(want.lines().count()));
        panic!(
            "{} is out of date (first difference at line {}): it is generated from the Rust tables; run `make generated` \
             and commit the result",
            path.display(),
            line + 1
        );
    }
}
