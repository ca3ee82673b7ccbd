#![no_main]
//! See `cloudfront_fuzz::scalars` (fuzz/src/lib.rs) for what this target checks.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| cloudfront_fuzz::scalars(data));
