//! The CloudFront log format, in pure Rust (no DuckDB): the field catalogue, headers and layouts,
//! line and field splitting, value conversion, decoding. Unit-tested with `cargo test`.

pub mod cell;
pub mod decode;
pub mod fields;
pub mod json;
pub mod lines;
pub mod options;
pub mod reject;
pub mod row;
pub mod scan;
pub mod schema;
pub mod source;
pub mod split;
pub mod value;
pub mod window;
