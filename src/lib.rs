//! `cloudfront`: a DuckDB extension for reading and hunting in Amazon CloudFront logs.
//!
//! Layout (see ARCHITECTURE.md): the pure-Rust core lives in the `cloudfront-core` crate
//! (`format`, `hunt`, `glob`, re-exported here), `ext` is the DuckDB layer, whose `unsafe` lives
//! in `ext::capi` (the entry point DuckDB calls is `ext::capi::entry::cloudfront_init_c_api`).
//! This file only registers things.
#![deny(unsafe_code)]

pub mod ext;
pub mod playbook;

pub use cloudfront_core::{format, glob, hunt};

use ext::capi::{Connection, Error};

/// Registers everything the extension provides on the connection LOAD opened.
pub fn register(con: &Connection) -> Result<(), Error> {
    ext::capi::register_scalar(con, &ext::version::SCALAR)?;
    ext::read_cloudfront::register(con)?;
    ext::read_cloudfront_files::register(con)?;
    ext::scalars::register_scalars(con)?;
    ext::catalog::register_listing(con)?;
    // Last: the macros may call every function above. What cannot be installed is reported by
    // cloudfront_playbook(), never a failed LOAD (see ext::playbook).
    ext::playbook::install_and_register_listing(con)
}
