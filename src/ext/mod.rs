//! The thin DuckDB layer: C API glue, scalar and table function registration, playbook
//! installation. CloudFront knowledge lives in `crate::format` and `crate::hunt`.
//!
//! The registration functions take DuckDB's raw `duckdb_connection`; their only caller is
//! `entry::load`, which passes the connection it just opened, so they stay safe functions.
#![allow(clippy::not_unsafe_ptr_arg_deref)]

pub mod capi;
pub mod entry;
pub mod scalar;
pub mod version;
pub mod files;
pub mod glob;
pub mod read_cloudfront;
pub mod enriched;
pub mod read_cloudfront_files;
pub mod playbook;
pub mod static_table;
pub mod scalars;
pub mod function_docs;
