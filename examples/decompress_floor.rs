//! The benchmark's floor: only decompress the given gzip files with flate2 on N threads (one
//! file per thread at a time, as read_cloudfront does) and count newlines. No reader can be
//! faster than this on the same machine.
//! Usage: decompress_floor THREADS FILE...

use std::io::Read;
use std::sync::atomic::{AtomicUsize, Ordering};

fn main() {
    let mut args = std::env::args().skip(1);
    let threads: usize = args.next().and_then(|t| t.parse().ok()).expect("usage: decompress_floor THREADS FILE...");
    let files: Vec<String> = args.collect();
    let next = AtomicUsize::new(0);
    let total = AtomicUsize::new(0);
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                let mut buf = vec![0u8; 1 << 20];
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(path) = files.get(i) else { break };
                    let file = std::io::BufReader::with_capacity(256 << 10, std::fs::File::open(path).unwrap());
                    let mut d = flate2::bufread::MultiGzDecoder::new(file);
                    let mut lines = 0;
                    loop {
                        let n = d.read(&mut buf).unwrap();
                        if n == 0 {
                            break;
                        }
                        lines += memchr::memchr_iter(b'\n', &buf[..n]).count();
                    }
                    total.fetch_add(lines, Ordering::Relaxed);
                }
            });
        }
    });
    println!("{}", total.load(Ordering::Relaxed));
}
