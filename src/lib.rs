//! `cloudfront`: a DuckDB extension for reading and hunting in Amazon CloudFront logs.
//!
//! Layout (see ARCHITECTURE.md): the pure-Rust core lives in the `cloudfront-core` crate
//! (`format`, `hunt`, `glob`, re-exported here), `ext` is the DuckDB layer, whose `unsafe` lives
//! in `ext::capi`. This file only registers things.

pub mod ext;
pub mod playbook;

pub use cloudfront_core::{format, glob, hunt};

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
        ext::scalars::register_scalars(con)?;
        ext::function_docs::register_function_docs(con)?;
        // Last: the macros may call every function above. What cannot be installed is reported
        // by cloudfront_playbook(), never a failed LOAD (see ext::playbook).
        ext::playbook::install_and_register_listing(con)
    })
}
