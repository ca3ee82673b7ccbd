//! Measurement (kept in history only): does converting column by column, a batch of rows at a
//! time, beat the reader's row-by-row order? Same in-memory text and field spans, the same
//! conversion (`cell::convert_with`) into the same DuckDB-like column storage; the batch's
//! text is touched first, as splitting it would. Only the order of the loops differs.
//!   row   each row, then each column (as `format::row::RowWriter`)
//!   col   each column, then each row of the batch
//!   colk  as col, with the column's kind fixed outside the row loop (one loop per kind)
//! Usage: cargo run --release -p cloudfront-core --example convert_order -- MODE BATCH FILE...
use std::hint::black_box;
use std::io::Read;

use cloudfront_core::format::cell::{convert_with, Receive, Scratch};
use cloudfront_core::format::fields::{Family, Kind};
use cloudfront_core::format::lines::split_fields;
use cloudfront_core::format::scan::parse_fields_header;
use cloudfront_core::format::schema::Schema;
use cloudfront_core::format::source::open_text;

struct Cols {
    nums: Vec<Vec<i64>>,
    strs: Vec<Vec<[u64; 2]>>,
    heap: Vec<u8>,
}

struct IntoCols<'c> {
    c: &'c mut Cols,
    out: usize,
    row: usize,
}

impl<'a> Receive<'a> for IntoCols<'_> {
    type Out = ();
    #[inline(always)]
    fn null(self) {
        self.c.nums[self.out][self.row] = 0
    }
    #[inline(always)]
    fn int32(self, v: i32) {
        self.c.nums[self.out][self.row] = v as i64
    }
    #[inline(always)]
    fn int64(self, v: i64) {
        self.c.nums[self.out][self.row] = v
    }
    #[inline(always)]
    fn float64(self, v: f64) {
        self.c.nums[self.out][self.row] = v.to_bits() as i64
    }
    #[inline(always)]
    fn date(self, v: i32) {
        self.c.nums[self.out][self.row] = v as i64
    }
    #[inline(always)]
    fn time(self, v: i64) {
        self.c.nums[self.out][self.row] = v
    }
    #[inline(always)]
    fn timestamp(self, v: i64) {
        self.c.nums[self.out][self.row] = v
    }
    #[inline(always)]
    fn text(self, value: &'a str) {
        let s = value.as_bytes();
        let mut e = [s.len() as u64, 0];
        if s.len() > 12 {
            let at = self.c.heap.len();
            self.c.heap.extend_from_slice(s);
            e[1] = at as u64;
        } else {
            let mut inline = [0u8; 12];
            inline[..s.len()].copy_from_slice(s);
            e[0] |= (u32::from_le_bytes(inline[..4].try_into().unwrap()) as u64) << 32;
            e[1] = u64::from_le_bytes(inline[4..].try_into().unwrap());
        }
        self.c.strs[self.out][self.row] = e;
    }
}

/// The thread's CPU seconds (CLOCK_THREAD_CPUTIME_ID, Linux).
fn cpu() -> f64 {
    let mut t = [0i64; 2];
    extern "C" {
        fn clock_gettime(c: i32, t: *mut [i64; 2]) -> i32;
    }
    // SAFETY: clock_gettime writes one timespec (two 64-bit words on x86_64 Linux).
    #[allow(unsafe_code)]
    unsafe {
        clock_gettime(3, &mut t)
    };
    t[0] as f64 + t[1] as f64 * 1e-9
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mode = args[0].clone();
    let batch: usize = args[1].parse().unwrap();
    let mut text = Vec::new();
    for f in &args[2..] {
        open_text(std::fs::File::open(f).unwrap()).unwrap().read_to_end(&mut text).unwrap();
    }
    let mut header = None;
    let mut spans_all: Vec<(u32, u32)> = Vec::new();
    let mut spans = Vec::new();
    let mut nfields = 0;
    let mut rows = 0usize;
    let mut start = 0usize;
    for nl in memchr::memchr_iter(b'\n', &text) {
        let line = &text[start..nl];
        if line.starts_with(b"#Fields:") && header.is_none() {
            header = parse_fields_header(line);
            nfields = header.as_ref().unwrap().len();
        } else if !line.starts_with(b"#") && !line.is_empty() {
            let n = split_fields(line, start, b'\t', &mut spans, nfields);
            assert_eq!(n, nfields);
            spans_all.extend_from_slice(&spans);
            rows += 1;
        }
        start = nl + 1;
    }
    let names = header.unwrap();
    let schema = Schema::from_field_lists([(names.as_slice(), Family::Standard)]);
    let map = schema.field_map(&names, Family::Standard);
    // (output column, field position, kind) of every column read from a field.
    let plan: Vec<(usize, usize, Kind)> =
        (0..schema.columns.len()).filter_map(|c| map.sources.get(c).copied().flatten().map(|p| (c, p, schema.columns[c].kind))).collect();
    let width = schema.columns.len();
    let mut cols = Cols { nums: vec![vec![0; batch]; width], strs: vec![vec![[0; 2]; batch]; width], heap: Vec::with_capacity(8 << 20) };
    let mut scratch = Scratch::default();
    let mut best = f64::MAX;
    for _ in 0..3 {
        let t0 = cpu();
        let mut b0 = 0;
        while b0 < rows {
            let b1 = (b0 + batch).min(rows);
            cols.heap.clear();
            // The reader converts text that was just inflated and split (in cache): touch the
            // batch's text first, in both modes.
            let (t0b, t1b) = (spans_all[b0 * nfields].0 as usize, spans_all[(b1 - 1) * nfields + nfields - 1].1 as usize);
            black_box(memchr::memchr_iter(b'\t', &text[t0b..t1b]).count());
            match mode.as_str() {
                "row" => {
                    for r in b0..b1 {
                        let sp = &spans_all[r * nfields..(r + 1) * nfields];
                        for &(c, p, k) in &plan {
                            let (a, b) = sp[p];
                            convert_with(
                                k,
                                &text[a as usize..b as usize],
                                true,
                                &mut scratch,
                                IntoCols { c: &mut cols, out: c, row: r - b0 },
                            )
                            .unwrap();
                        }
                    }
                }
                "col" => {
                    for &(c, p, k) in &plan {
                        for r in b0..b1 {
                            let (a, b) = spans_all[r * nfields + p];
                            convert_with(
                                k,
                                &text[a as usize..b as usize],
                                true,
                                &mut scratch,
                                IntoCols { c: &mut cols, out: c, row: r - b0 },
                            )
                            .unwrap();
                        }
                    }
                }
                _ => {
                    // Kind hoisted out of the row loop: one monomorphic loop per kind.
                    macro_rules! per_kind {
                        ($($k:path),*) => {
                            for &(c, p, k) in &plan {
                                match k {
                                    $($k => for r in b0..b1 {
                                        let (a, b) = spans_all[r * nfields + p];
                                        convert_with($k, &text[a as usize..b as usize], true, &mut scratch, IntoCols { c: &mut cols, out: c, row: r - b0 }).unwrap();
                                    },)*
                                }
                            }
                        };
                    }
                    per_kind!(
                        Kind::Text,
                        Kind::DecodedText,
                        Kind::Int64,
                        Kind::Int32,
                        Kind::Double,
                        Kind::Date,
                        Kind::Time,
                        Kind::Timestamp
                    );
                }
            }
            black_box(&cols);
            b0 = b1;
        }
        best = best.min(cpu() - t0);
    }
    println!(
        "{mode} batch {batch}: {rows} rows, {} columns, {:.3} s CPU (best of 3), {:.1} ns/row",
        plan.len(),
        best,
        best * 1e9 / rows as f64
    );
}
