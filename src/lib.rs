//! `cloudfront`: a DuckDB extension for reading and hunting in Amazon CloudFront logs.
//!
//! Layout: `format` is the pure-Rust CloudFront log format (no DuckDB), `hunt` the pure-Rust
//! hunting primitives, `ext` the DuckDB glue. This file only registers things.

pub mod ext;
pub mod format;
pub mod hunt;
pub mod playbook;

use libduckdb_sys as ffi;

/// Entry point DuckDB looks up when loading `cloudfront.duckdb_extension`.
///
/// # Safety
/// Called by DuckDB with valid `info` and `access` pointers.
#[no_mangle]
pub unsafe extern "C" fn cloudfront_init_c_api(
    info: ffi::duckdb_extension_info,
    access: *const ffi::duckdb_extension_access,
) -> bool {
    ext::entry::load(info, access, |_db, con| {
        ext::version::register_version(con)?;
        ext::read_cloudfront::register_read_cloudfront(con)?;
        ext::read_cloudfront_files::register_read_cloudfront_files(con)?;
        ext::scalars::register_scalars(con)?;
        ext::enriched::register_listing(con)?;
        ext::function_docs::register_function_docs(con)?;
        // Last: the macros may call every function above. What cannot be installed is reported
        // by cloudfront_playbook(), never a failed LOAD (see ext::playbook).
        ext::playbook::install_and_register_listing(con)
    })
}
