//! `cloudfront-core`: everything about CloudFront logs that does not need DuckDB.
//!
//! - [`format`]: the log format (field catalogue, headers and layouts, line and field splitting,
//!   value conversion into a [`format::row::Sink`], decoding), a pull scanner per file.
//! - [`hunt`]: hunting primitives (entropy, attack payloads, user agents, WAF result types, edge
//!   locations, IP prefixes, crawler verification).
//! - [`glob`]: local path expansion with DuckDB's glob rules.
//!
//! The DuckDB extension (`cloudfront`), the log generator (`cfgen`) and the fuzz targets all use
//! this crate, so what they test is what the extension runs. No `unsafe` here except the SIMD
//! loop in `format::lines` and the ASCII-to-`str` step in `format::cell`, each saying why it is
//! sound.
#![deny(unsafe_code)]

pub mod format;
pub mod generated;
pub mod glob;
pub mod hunt;
