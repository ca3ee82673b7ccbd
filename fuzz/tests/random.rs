//! The fuzz checks as a bounded random-input loop, for machines without cargo-fuzz or a
//! libFuzzer-capable toolchain: `cd fuzz && cargo test --release --test random`.
//! CF_FUZZ_SECONDS (default 5) bounds each target's time, CF_FUZZ_SEED picks the run.
//!
//! Inputs are mutations (byte flips, insertions of interesting tokens, splices, truncation) of
//! the test fixtures and committed seeds, so most reach deep into the parsers. A failure prints
//! the input as hex; save it under fuzz/seeds/<target>/ to keep it as a regression test.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

const TOKENS: &[&[u8]] = &[
    b"\t",
    b"\n",
    b"\r\n",
    b"-",
    b"%",
    b"%25",
    b"%2e%2e%2f",
    b"%c0%ae",
    b"%u002e",
    b"\\x20",
    b"\xff",
    b"\xc3",
    b"\xe2\x82",
    b"\0",
    b"#Fields: ",
    b"#Version: 1.0\n",
    b"{",
    b"}",
    b"\"",
    b"\\u",
    b"\\ud83d",
    b"\\\\",
    b":",
    b",",
    b"null",
    b"2026-02-30",
    b"23:59:59",
    b"18446744073709551616",
    b"-9223372036854775808",
    b"1598574722.1234567",
    b"1e309",
    b"NaN",
    b"::ffff:192.0.2.1",
    b"2001:db8::1",
    b"Mozilla/5.0",
    b"sqlmap",
    b"/.env",
    b"/.git/config",
    b"Error",
    b"403",
    b"LimitExceeded",
    b"IAD89-C1",
    b"c-ip",
    b"cs(User-Agent)",
    b"timestamp",
    b"date",
    b"time",
];

fn corpus(target: &str) -> Vec<Vec<u8>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<PathBuf> = vec![];
    let mut stack = vec![root.join("../test/data"), root.join("seeds").join(target)];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if std::fs::metadata(&p).map(|m| m.len() < 200_000).unwrap_or(false) {
                files.push(p);
            }
        }
    }
    files.sort();
    let mut out: Vec<Vec<u8>> = files.iter().filter_map(|p| std::fs::read(p).ok()).collect();
    if target != "scan" {
        // Field-sized pieces of the fixtures suit the per-value checks better than whole files.
        let pieces: Vec<Vec<u8>> =
            out.iter().flat_map(|f| f.split(|&b| b == b'\t' || b == b'\n').map(|s| s.to_vec()).collect::<Vec<_>>()).collect();
        out = pieces;
    }
    out.retain(|s| !s.is_empty());
    out.push(vec![]);
    out
}

fn mutate(rng: &mut Rng, pool: &[Vec<u8>]) -> Vec<u8> {
    let mut d = pool[rng.below(pool.len())].clone();
    for _ in 0..1 + rng.below(8) {
        let at = rng.below(d.len() + 1);
        match rng.below(7) {
            0 if !d.is_empty() => {
                let i = rng.below(d.len());
                d[i] ^= 1 << rng.below(8);
            }
            1 | 2 => {
                let t = TOKENS[rng.below(TOKENS.len())];
                let times = if rng.below(10) == 0 { 1 + rng.below(200) } else { 1 };
                for _ in 0..times {
                    d.splice(at..at, t.iter().copied());
                }
            }
            3 if !d.is_empty() => {
                let end = (at + rng.below(64)).min(d.len());
                d.drain(at.min(end)..end);
            }
            4 => {
                let other = &pool[rng.below(pool.len())];
                let a = rng.below(other.len() + 1);
                let b = (a + rng.below(256)).min(other.len());
                d.splice(at..at, other[a..b].iter().copied());
            }
            5 => d.truncate(at),
            _ => d.insert(at, rng.next() as u8),
        }
    }
    d
}

fn run(target: &str, prefix_len: usize, check: fn(&[u8])) {
    let secs: u64 = std::env::var("CF_FUZZ_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(5);
    let seed: u64 = std::env::var("CF_FUZZ_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(0x5EED_CAFE);
    let pool = corpus(target);
    let mut rng = Rng(seed ^ target.len() as u64 ^ 0x9E37_79B9_7F4A_7C15);
    let deadline = Instant::now() + Duration::from_secs(secs);
    let mut n = 0u64;
    while Instant::now() < deadline {
        let mut input: Vec<u8> = (0..prefix_len).map(|_| rng.next() as u8).collect();
        input.extend(mutate(&mut rng, &pool));
        let outcome = std::panic::catch_unwind(|| check(&input));
        if outcome.is_err() {
            let hex: String = input.iter().map(|b| format!("{b:02x}")).collect();
            panic!("{target}: check failed after {n} inputs (seed {seed}) on input (hex): {hex}");
        }
        n += 1;
    }
    eprintln!("{target}: {n} random inputs in {secs} s, no failure");
}

#[test]
fn header_random() {
    run("header", 0, cloudfront_fuzz::header);
}

#[test]
fn scan_random() {
    run("scan", 3, cloudfront_fuzz::scan);
}

#[test]
fn decode_random() {
    run("decode", 1, cloudfront_fuzz::decode_all);
}

#[test]
fn scalars_random() {
    run("scalars", 4, cloudfront_fuzz::scalars);
}

#[test]
fn glob_random() {
    run("glob", 1, cloudfront_fuzz::glob);
}
