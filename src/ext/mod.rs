//! The thin DuckDB layer: the safe C API core (`capi`, the only module with `unsafe`), the table
//! and scalar functions, the function catalogue and the playbook installer. CloudFront knowledge
//! lives in the core crate (`crate::format`, `crate::hunt`).

#[allow(unsafe_code)]
pub mod capi;
pub mod catalog;
pub mod files;
pub mod playbook;
pub mod read_cloudfront;
pub mod read_cloudfront_files;
pub mod scalars;
pub mod static_table;
pub mod version;
