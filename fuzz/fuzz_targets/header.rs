#![no_main]
//! See `cloudfront_fuzz::header` (fuzz/src/lib.rs) for what this target checks.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| cloudfront_fuzz::header(data));
