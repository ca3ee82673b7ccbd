//! Where a full-width scan's time goes, stage by stage, on one thread (for `make bench`'s
//! analysis; no DuckDB): each stage runs over the same files and includes the ones before it,
//! so the differences are the stages' own costs.
//!
//!   inflate   decompress (flate2 with zlib-rs, through `source::open_text`), bytes only
//!   lines     + split into lines (`LineReader`)
//!   fields    + find the fields of each line (`FileScanner::next_event`)
//!   convert   + convert every column of every row (the reader's `row::RowWriter`, into a sink
//!             that keeps nothing)
//!   store     + write the values into column arrays as DuckDB vectors hold them: numbers in
//!             place, strings as 16-byte entries with those longer than 12 bytes copied to a heap
//!   narrow    (apart) a narrow scan: the scanner told to read only `c_ip`, which is stored as in
//!             `store` (the benchmark's `c_ip` top 10 without DuckDB's aggregate)
//!
//! Usage: cargo run --release -p cloudfront-core --example scan_profile -- FILE...
//! Prints CPU seconds per stage (best of `PROFILE_REPEAT`, default 3) and MB/s of text.

use std::hint::black_box;
use std::io::Read;
use std::sync::Arc;
use std::time::Instant;

use cloudfront_core::format::fields::Family;
use cloudfront_core::format::lines::LineReader;
use cloudfront_core::format::row::{Check, Discard, Output, RowWriter, Sink};
use cloudfront_core::format::scan::{parse_fields_header, Event, FileScanner, ScanOptions};
use cloudfront_core::format::schema::Schema;
use cloudfront_core::format::source::open_text;

const VECTOR: usize = 2048;

fn cpu_seconds() -> f64 {
    // The thread's CPU time: steadier than wall time on a shared machine.
    let mut ts = libc_timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: clock_gettime writes one timespec.
    #[allow(unsafe_code)]
    unsafe {
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &mut ts)
    };
    ts.tv_sec as f64 + ts.tv_nsec as f64 * 1e-9
}

#[cfg(target_os = "macos")]
const CLOCK_THREAD_CPUTIME_ID: i32 = 16;
#[cfg(not(target_os = "macos"))]
const CLOCK_THREAD_CPUTIME_ID: i32 = 3;

#[repr(C)]
struct libc_timespec {
    tv_sec: i64,
    tv_nsec: i64,
}

extern "C" {
    fn clock_gettime(clock: i32, ts: *mut libc_timespec) -> i32;
}

fn open(path: &str) -> Box<dyn Read + Send> {
    open_text(std::fs::File::open(path).expect("open")).expect("gzip or text")
}

/// Column arrays as a DuckDB vector holds them: 8 bytes per number, 16 per string.
struct Columns {
    nums: Vec<Vec<i64>>,
    strs: Vec<Vec<[u64; 2]>>,
    heap: Vec<u8>,
}

fn main() {
    let files: Vec<String> = std::env::args().skip(1).collect();
    assert!(!files.is_empty(), "usage: scan_profile FILE...");
    let repeat: usize = std::env::var("PROFILE_REPEAT").ok().and_then(|s| s.parse().ok()).unwrap_or(3);
    let mut text_bytes = 0u64;
    let stages = ["inflate", "lines", "fields", "convert", "store", "narrow"];
    let mut best = [f64::MAX; 6];
    // PROFILE_STAGES=inflate,narrow: only those stages, each printed on its own.
    let only: Option<Vec<String>> = std::env::var("PROFILE_STAGES").ok().map(|s| s.split(',').map(str::to_string).collect());
    for _ in 0..repeat {
        for (i, stage) in stages.iter().enumerate() {
            if only.as_ref().is_some_and(|o| !o.iter().any(|s| s == stage)) {
                continue;
            }
            let (cpu, w0) = (cpu_seconds(), Instant::now());
            let n = run(stage, &files);
            let (c, _w) = (cpu_seconds() - cpu, w0.elapsed().as_secs_f64());
            best[i] = best[i].min(c);
            if i == 0 {
                text_bytes = n;
            }
        }
    }
    let mb = text_bytes as f64 / 1e6;
    if let Some(only) = only {
        for (i, stage) in stages.iter().enumerate().filter(|(_, s)| only.iter().any(|o| o == *s)) {
            println!("  {stage:8} {:6.3} s CPU, one thread (best of {repeat})", best[i]);
        }
        return;
    }
    println!("{} files, {:.0} MB of text, one thread, CPU seconds (best of {repeat}):", files.len(), mb);
    let mut prev = 0.0;
    for (i, stage) in stages.iter().enumerate().take(5) {
        println!(
            "  {stage:8} {:6.2} s cumulative ({:7.0} MB/s)  stage's own {:6.2} s ({:4.1}% of store)",
            best[i],
            mb / best[i],
            best[i] - prev,
            (best[i] - prev) / best[4] * 100.0
        );
        prev = best[i];
    }
    println!("  narrow   {:6.2} s ({:7.0} MB/s)  {:.2}x inflate", best[5], mb / best[5], best[5] / best[0]);
    if std::env::var_os("PROFILE_COLUMNS").is_some() {
        // Each column converted alone: its own cost above `fields`.
        println!("per column (convert only this column; its own CPU seconds above `fields`):");
        let names = schema_of(&files[0]).columns.iter().map(|c| c.name.clone()).collect::<Vec<_>>();
        for (c, name) in names.iter().enumerate() {
            let cpu = cpu_seconds();
            for path in &files {
                scan_only(path, Some(c));
            }
            let own = cpu_seconds() - cpu - best[2];
            println!("  {name:28} {own:6.3} s");
        }
    }
}

fn run(stage: &str, files: &[String]) -> u64 {
    let mut total = 0u64;
    let mut buf = vec![0u8; 1 << 20];
    for path in files {
        match stage {
            "inflate" => {
                let mut r = open(path);
                loop {
                    let n = r.read(&mut buf).unwrap();
                    if n == 0 {
                        break;
                    }
                    total += n as u64;
                }
            }
            "lines" => {
                let mut lines = LineReader::new(open(path), 16 << 20);
                while let Some(r) = lines.next_line().unwrap() {
                    total += black_box(r.len()) as u64;
                }
            }
            _ => total += scan(stage, path),
        }
    }
    total
}

fn scan(stage: &str, path: &str) -> u64 {
    scan_columns(stage, path, None)
}

fn scan_only(path: &str, column: Option<usize>) -> u64 {
    scan_columns("convert", path, column)
}

/// The schema from the file's own header, as read_cloudfront builds it.
fn schema_of(path: &str) -> Schema {
    let mut head = String::new();
    {
        let mut lines = LineReader::new(open(path), 16 << 20);
        while let Some(r) = lines.next_line().unwrap() {
            let line = &lines.buf()[r];
            if line.starts_with(b"#Fields:") {
                head = String::from_utf8_lossy(line).into_owned();
                break;
            }
        }
    }
    let fields = parse_fields_header(head.as_bytes()).expect("#Fields: line");
    Schema::from_field_lists([(fields.as_slice(), Family::Standard)])
}

fn scan_columns(stage: &str, path: &str, only: Option<usize>) -> u64 {
    let schema = Arc::new(schema_of(path));
    let c_ip = schema.column_named("c_ip").expect("a c_ip column");
    let outputs: Vec<Output> = match (only, stage) {
        (_, "narrow") => vec![Output::Column(c_ip)],
        (Some(c), _) => vec![Output::Column(c)],
        (None, _) => (0..schema.columns.len()).map(Output::Column).collect(),
    };
    let mut writer = RowWriter::new(schema.clone(), outputs, Check::Shown, true);
    let mut scanner = FileScanner::new(open(path), schema.clone(), Arc::new(ScanOptions::default()));
    if stage == "narrow" {
        scanner.read_only(Some(Arc::from([c_ip])));
    }
    let width = schema.columns.len();
    let mut cols =
        Columns { nums: vec![vec![0; VECTOR]; width], strs: vec![vec![[0; 2]; VECTOR]; width], heap: Vec::with_capacity(1 << 20) };
    let mut rows = 0u64;
    let mut slot = 0usize;
    while let Event::Row(r) = scanner.next_event().unwrap() {
        rows += 1;
        match stage {
            "fields" => {
                black_box(r.field(0));
                continue;
            }
            // The reader's own conversion path, into a sink that keeps nothing.
            "convert" => writer.write(&r, path, &mut Discard, slot).unwrap(),
            _ => writer.write(&r, path, &mut cols, slot).unwrap(),
        }
        slot += 1;
        if slot == VECTOR {
            black_box(&cols);
            slot = 0;
            cols.heap.clear();
        }
    }
    rows
}

/// DuckDB's layout: numbers in place, strings as 16-byte `string_t` (inlined up to 12 bytes,
/// else a pointer into the vector's heap, where the bytes are copied).
impl Sink for Columns {
    fn null(&mut self, out: usize, row: usize) {
        self.nums[out][row] = 0;
    }
    fn int32(&mut self, out: usize, row: usize, value: i32) {
        self.nums[out][row] = value as i64;
    }
    fn int64(&mut self, out: usize, row: usize, value: i64) {
        self.nums[out][row] = value;
    }
    fn float64(&mut self, out: usize, row: usize, value: f64) {
        self.nums[out][row] = value.to_bits() as i64;
    }
    fn date(&mut self, out: usize, row: usize, days: i32) {
        self.nums[out][row] = days as i64;
    }
    fn time(&mut self, out: usize, row: usize, micros: i64) {
        self.nums[out][row] = micros;
    }
    fn timestamp(&mut self, out: usize, row: usize, micros: i64) {
        self.nums[out][row] = micros;
    }
    fn text(&mut self, out: usize, row: usize, value: &str) {
        let s = value.as_bytes();
        let mut e = [s.len() as u64, 0];
        if s.len() > 12 {
            let at = self.heap.len();
            self.heap.extend_from_slice(s);
            e[1] = at as u64;
        } else {
            let mut inline = [0u8; 12];
            inline[..s.len()].copy_from_slice(s);
            e[0] |= (u32::from_le_bytes(inline[..4].try_into().unwrap()) as u64) << 32;
            e[1] = u64::from_le_bytes(inline[4..].try_into().unwrap());
        }
        self.strs[out][row] = e;
    }
}
