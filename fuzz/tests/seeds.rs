//! Replays every committed seed (`fuzz/seeds/<target>/*`, crashers found by fuzzing and kept as
//! regression inputs) through its check, on the stable toolchain: `cd fuzz && cargo test`.

use std::path::Path;

fn replay(target: &str, check: fn(&[u8])) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds").join(target);
    let Ok(entries) = std::fs::read_dir(&dir) else { return };
    let mut n = 0;
    for entry in entries {
        let path = entry.unwrap().path();
        let data = std::fs::read(&path).unwrap();
        eprintln!("{target}: {}", path.display());
        check(&data);
        n += 1;
    }
    eprintln!("{target}: {n} seeds");
}

#[test]
fn header_seeds() {
    replay("header", cloudfront_fuzz::header);
}

#[test]
fn scan_seeds() {
    replay("scan", cloudfront_fuzz::scan);
}

#[test]
fn decode_seeds() {
    replay("decode", cloudfront_fuzz::decode_all);
}

#[test]
fn scalars_seeds() {
    replay("scalars", cloudfront_fuzz::scalars);
}

#[test]
fn glob_seeds() {
    replay("glob", cloudfront_fuzz::glob);
}
