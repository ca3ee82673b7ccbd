#![no_main]
//! See `cloudfront_fuzz::glob` (fuzz/src/lib.rs) for what this target checks.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| cloudfront_fuzz::glob(data));
