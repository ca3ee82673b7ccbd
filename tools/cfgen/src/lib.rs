//! `cfgen`: a deterministic generator of realistic synthetic Amazon CloudFront
//! standard (legacy) access logs, with injectable threats and ground truth.
//!
//! Why it exists: real CloudFront logs are sensitive (client IPs, URLs,
//! cookies) and never contain a known, labelled attack, so the `cloudfront`
//! DuckDB extension cannot be benchmarked, tested, or demonstrated on them.
//! `cfgen` produces files that look like real S3 deliveries (hourly gzip files
//! in the 33-field tab-separated format, `#Version`/`#Fields` headers,
//! percent-encoded user agents, best-effort time order) from a seeded model of
//! benign traffic (browsers, crawlers, monitors with a diurnal curve), injects
//! eleven kinds of threat at seeded windows, and writes a `truth.json` naming
//! the entities (IPs, paths, windows, edge locations, exact line counts) so a
//! detector's findings can be checked.
//!
//! Same arguments give byte-identical output: every random choice comes from
//! the crate's own PRNG ([`rng`]) with per-file and per-threat streams derived
//! from the master seed, independent of the number of worker threads.

pub mod attacks;
pub mod benign;
pub mod encode;
pub mod event;
pub mod features;
pub mod gen;
pub mod model;
pub mod population;
pub mod rng;
pub mod threats;

pub use features::FEATURES;
pub use gen::{run, Config, Summary};
pub use threats::THREATS;
