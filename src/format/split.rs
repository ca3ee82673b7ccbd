//! Splitting one large uncompressed log into byte ranges that threads read in parallel.
//!
//! A range owns the lines that start inside it. To read a range on its own a thread needs three
//! facts that depend on everything before it: where its first line starts, that line's number
//! (for error messages), and which `#Fields:` header is in force there (headers may reappear
//! mid-file). Where a range starts is found by reading from its nominal start to the next
//! newline. The other two are sums over the ranges before it, so each range's own facts (how
//! many lines start in it, its last `#Fields:` header) are learned once, by one pass over that
//! range only, when a later range first needs them (`RangeIndex`). Threads claim ranges in
//! order, so claiming a range usually costs one pass over the range before it: the work done
//! between two chunks of rows handed to DuckDB stays bounded by a range's size, however large
//! the file (a whole-file pre-pass could not be interrupted).

use std::io::{self, Read};
use std::sync::OnceLock;

use super::lines::{LineError, LineReader};
use super::scan::parse_fields_header;

/// Files smaller than this are read by one thread: splitting costs an extra pass.
pub const SPLIT_BYTES: u64 = 32 << 20;

/// The UTF-8 byte order mark the scanner skips before a file's first line.
const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Where a range starts.
#[derive(Debug, Clone, PartialEq)]
pub struct RangeStart {
    /// Byte offset of the first line that starts at or after the range's nominal start.
    pub offset: u64,
    /// Number of lines before that line (so its number is `lines_before + 1`).
    pub lines_before: u64,
    /// The `#Fields:` header in force at that line, if any.
    pub fields: Option<Vec<String>>,
}

/// Nominal range boundaries for a file of `size` bytes: `[0, s), [s, 2s), ...`.
pub fn nominal_ranges(size: u64) -> Vec<u64> {
    if size <= SPLIT_BYTES {
        return vec![0];
    }
    (0..size.div_ceil(SPLIT_BYTES)).map(|i| i * SPLIT_BYTES).collect()
}

/// Bytes of a file from an offset on.
pub trait Source {
    type Reader: Read;
    /// A reader of the bytes from `offset` to the end of the file.
    fn read_from(&self, offset: u64) -> io::Result<Self::Reader>;
}

/// What one range contributes to the ranges after it.
#[derive(Debug, Clone, PartialEq)]
struct RangeFacts {
    /// Lines that start in the range.
    lines: u64,
    /// The last `#Fields:` header among them.
    last_fields: Option<Vec<String>>,
}

/// The index of one split file, learned lazily and shared by the threads reading its ranges.
pub struct RangeIndex {
    nominal: Vec<u64>,
    size: u64,
    /// Longest line the scanner reads; a longer `#` line is not a header to it.
    max_line: usize,
    starts: Vec<OnceLock<Result<u64, String>>>,
    facts: Vec<OnceLock<Result<RangeFacts, String>>>,
}

impl RangeIndex {
    /// The ranges of a file of `size` bytes (`nominal_ranges`).
    pub fn new(size: u64, max_line: usize) -> Self {
        Self::with_starts(nominal_ranges(size), size, max_line)
    }

    /// Ranges with the given nominal starts (ascending, the first 0), for tests and fuzzing.
    pub fn with_starts(nominal: Vec<u64>, size: u64, max_line: usize) -> Self {
        let n = nominal.len();
        Self {
            nominal,
            size,
            max_line,
            starts: (0..n).map(|_| OnceLock::new()).collect(),
            facts: (0..n).map(|_| OnceLock::new()).collect(),
        }
    }

    /// Number of ranges.
    pub fn len(&self) -> usize {
        self.nominal.len()
    }

    pub fn is_empty(&self) -> bool {
        self.nominal.is_empty()
    }

    /// Range `k`: where it starts, with its line count and header, and where it ends.
    pub fn range<S: Source>(&self, src: &S, k: usize) -> Result<(RangeStart, u64), String> {
        let offset = self.start(src, k)?;
        let end = self.end(src, k)?;
        // A sum over the ranges before (references, nothing cloned but the one header).
        let mut lines_before = 0;
        let mut fields: Option<&Vec<String>> = None;
        for j in (0..k).rev() {
            let facts = self.facts(src, j)?;
            lines_before += facts.lines;
            if fields.is_none() {
                fields = facts.last_fields.as_ref();
            }
        }
        Ok((RangeStart { offset, lines_before, fields: fields.cloned() }, end))
    }

    /// Where range `k` ends: the next range's start, or the end of the file.
    fn end<S: Source>(&self, src: &S, k: usize) -> Result<u64, String> {
        if k + 1 < self.len() {
            self.start(src, k + 1)
        } else {
            Ok(self.size)
        }
    }

    fn start<S: Source>(&self, src: &S, k: usize) -> Result<u64, String> {
        self.starts[k].get_or_init(|| first_line_start(src, self.nominal[k], self.size).map_err(|e| e.to_string())).clone()
    }

    fn facts<S: Source>(&self, src: &S, j: usize) -> Result<&RangeFacts, String> {
        self.facts[j]
            .get_or_init(|| {
                let start = self.start(src, j)?;
                let end = self.end(src, j)?;
                range_facts(src, start, end, j == 0, self.max_line).map_err(|e| e.to_string())
            })
            .as_ref()
            .map_err(|e| e.clone())
    }
}

/// The first line start at or after `nominal`: `nominal` itself when it is 0 or follows a
/// newline, else the byte after the next newline (the end of the file when there is none).
fn first_line_start<S: Source>(src: &S, nominal: u64, size: u64) -> io::Result<u64> {
    if nominal == 0 {
        return Ok(0);
    }
    if nominal >= size {
        return Ok(size);
    }
    let mut r = src.read_from(nominal - 1)?;
    let mut buf = vec![0u8; 64 << 10];
    let mut pos = nominal - 1;
    loop {
        let n = match r.read(&mut buf) {
            Ok(0) => return Ok(pos.min(size)),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if let Some(i) = memchr::memchr(b'\n', &buf[..n]) {
            return Ok((pos + i as u64 + 1).min(size));
        }
        pos += n as u64;
    }
}

/// Counts the lines starting in `[start, end)` and finds the last `#Fields:` header among them
/// exactly as the scanner reads them: a `#` line longer than `max_line` is skipped by the
/// scanner, so it is no header here either, and a byte order mark before the file's first line
/// is not part of it.
fn range_facts<S: Source>(src: &S, start: u64, end: u64, at_file_start: bool, max_line: usize) -> io::Result<RangeFacts> {
    let mut facts = RangeFacts { lines: 0, last_fields: None };
    if start >= end {
        return Ok(facts);
    }
    let mut lines = LineReader::new(src.read_from(start)?, max_line);
    // Every line starting before `end` ends before it (`end` is a line start) or at the end.
    while lines.consumed() < end - start {
        match lines.next_line() {
            Ok(Some(range)) => {
                facts.lines += 1;
                let mut line = &lines.buf()[range];
                if at_file_start && facts.lines == 1 {
                    line = line.strip_prefix(UTF8_BOM).unwrap_or(line);
                }
                if line.first() == Some(&b'#') {
                    if let Some(names) = parse_fields_header(line) {
                        facts.last_fields = Some(names);
                    }
                }
            }
            Ok(None) => break,
            Err(LineError::TooLong { .. }) => facts.lines += 1,
            Err(LineError::Io(e)) => return Err(e),
        }
    }
    Ok(facts)
}

/// Every range start for the given nominal starts of the bytes `src` holds (`size` of them),
/// then a sentinel for the end: what `RangeIndex` gives, all at once.
pub fn index_ranges<S: Source>(src: &S, size: u64, nominal: &[u64], max_line: usize) -> Result<Vec<RangeStart>, String> {
    let index = RangeIndex::with_starts(nominal.to_vec(), size, max_line);
    let mut out = Vec::with_capacity(nominal.len() + 1);
    for k in 0..index.len() {
        out.push(index.range(src, k)?.0);
    }
    let last = index.len() - 1;
    let end = index.end(src, last)?;
    let facts = index.facts(src, last)?;
    let before = &out[last];
    let sentinel = RangeStart {
        offset: end,
        lines_before: before.lines_before + facts.lines,
        fields: facts.last_fields.clone().or_else(|| before.fields.clone()),
    };
    out.push(sentinel);
    Ok(out)
}

/// A byte slice as a `Source`.
impl Source for &[u8] {
    type Reader = io::Cursor<Vec<u8>>;
    fn read_from(&self, offset: u64) -> io::Result<Self::Reader> {
        let at = (offset as usize).min(self.len());
        Ok(io::Cursor::new(self[at..].to_vec()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::lines::DEFAULT_MAX_LINE;

    #[test]
    fn nominal() {
        assert_eq!(nominal_ranges(10), vec![0]);
        assert_eq!(nominal_ranges(SPLIT_BYTES * 2 + 1), vec![0, SPLIT_BYTES, SPLIT_BYTES * 2]);
    }

    fn index(data: &[u8], starts: &[u64], max_line: usize) -> Vec<RangeStart> {
        index_ranges(&data, data.len() as u64, starts, max_line).unwrap()
    }

    #[test]
    fn starts_move_to_the_next_line_and_carry_header_and_count() {
        let data = b"#Fields: a b\n1\t2\n#Fields: b a\n3\t4\n5\t6\n";
        // offsets: line0 0..13, line1 13..17, line2 17..30, line3 30..34, line4 34..38
        let idx = index(data, &[0, 14, 30, 31], DEFAULT_MAX_LINE);
        assert_eq!(idx[0], RangeStart { offset: 0, lines_before: 0, fields: None });
        assert_eq!(idx[1].offset, 17);
        assert_eq!(idx[1].lines_before, 2);
        assert_eq!(idx[1].fields, Some(vec!["a".to_string(), "b".to_string()]));
        assert_eq!(idx[2].offset, 30);
        assert_eq!(idx[2].lines_before, 3);
        assert_eq!(idx[2].fields, Some(vec!["b".to_string(), "a".to_string()]));
        assert_eq!(idx[3].offset, 34);
        assert_eq!(idx[3].lines_before, 4);
        // Sentinel: the end of the file.
        assert_eq!(idx[4].offset, data.len() as u64);
        assert_eq!(idx[4].lines_before, 5);
    }

    /// Hostile-input review: a 2.2 MiB `#Fields:` line whose names sit after its first MiB
    /// was indexed without them (the index kept 1 MiB of a header line), so the ranges after
    /// it disagreed with a whole-file read about the fields.
    #[test]
    fn long_header_lines_are_indexed_whole() {
        let mut header = b"#Fields: ".to_vec();
        header.extend(std::iter::repeat_n(b' ', 1_200_000));
        header.extend_from_slice(b"date time c-ip");
        header.extend(std::iter::repeat_n(b' ', 1_000_000));
        let mut data = header.clone();
        data.extend_from_slice(b"\n2026-11-20\t10:00:00\t192.0.2.1\n");
        let start = header.len() as u64 + 1;
        let idx = index(&data, &[0, start], DEFAULT_MAX_LINE);
        assert_eq!(idx[1].offset, start);
        assert_eq!(idx[1].fields, parse_fields_header(&header));
        assert_eq!(idx[1].fields.as_ref().map(|f| f.len()), Some(3));
        // A header longer than max_line_size is skipped by the scanner: not a header here either
        // (found by the fuzz target once over-long lines became bad lines, issue 11).
        let idx = index(&data, &[0, start], 1000);
        assert_eq!(idx[1].fields, None);
        assert_eq!(idx[1].lines_before, 1);
    }

    /// A byte order mark before the first line does not hide a header (as in the scanner).
    #[test]
    fn byte_order_mark_before_a_header() {
        let data = b"\xEF\xBB\xBF#Fields: x y\n1\t2\n3\t4\n"; // lines at 0, 16, 20
        let idx = index(data, &[0, 17], DEFAULT_MAX_LINE);
        assert_eq!(idx[1].offset, 20);
        assert_eq!(idx[1].fields, Some(vec!["x".to_string(), "y".to_string()]));
        assert_eq!(idx[1].lines_before, 2);
    }

    /// Issue 11: the index is learned range by range; a range's facts are read once and only
    /// when a later range needs them, so claiming a range reads at most the ranges before it
    /// that nobody read yet.
    #[test]
    fn facts_are_learned_lazily_one_range_at_a_time() {
        use std::cell::Cell;
        struct Counting<'a> {
            data: &'a [u8],
            bytes: Cell<u64>,
        }
        struct R<'a, 'b>(&'b Counting<'a>, usize);
        impl Read for R<'_, '_> {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                let n = buf.len().min(self.0.data.len() - self.1).min(4096);
                buf[..n].copy_from_slice(&self.0.data[self.1..self.1 + n]);
                self.1 += n;
                self.0.bytes.set(self.0.bytes.get() + n as u64);
                Ok(n)
            }
        }
        impl<'a> Counting<'a> {
            fn reader(&self, offset: u64) -> R<'a, '_> {
                R(self, offset as usize)
            }
        }
        struct Src<'a, 'b>(&'b Counting<'a>);
        impl<'a, 'b> Source for Src<'a, 'b> {
            type Reader = R<'a, 'b>;
            fn read_from(&self, offset: u64) -> io::Result<Self::Reader> {
                Ok(self.0.reader(offset))
            }
        }
        let mut data = Vec::new();
        for i in 0..100_000 {
            data.extend_from_slice(format!("line {i:08}\n").as_bytes()); // 14 bytes a line
        }
        let counting = Counting { data: &data, bytes: Cell::new(0) };
        let src = Src(&counting);
        let part = 140_000u64;
        let nominal: Vec<u64> = (0..10).map(|k| k * part).collect();
        let index = RangeIndex::with_starts(nominal, data.len() as u64, DEFAULT_MAX_LINE);
        let (first, end) = index.range(&src, 0).unwrap();
        assert_eq!((first.offset, first.lines_before, end), (0, 0, part));
        // Range 0 needs nothing before it: only range 1's start was looked for (a few KiB).
        assert!(counting.bytes.get() < 20_000, "{}", counting.bytes.get());
        for k in 1..10 {
            let before = counting.bytes.get();
            let (start, _) = index.range(&src, k).unwrap();
            assert_eq!(start.lines_before, 10_000 * k as u64);
            assert_eq!(start.offset, part * k as u64);
            // One new range read (with the line reader's read-ahead), not the file.
            let read = counting.bytes.get() - before;
            assert!(read < part + (2 << 20), "range {k}: {read} bytes read");
        }
    }

    #[test]
    fn reading_in_small_chunks_gives_the_same_index() {
        struct Trickle<'a>(&'a [u8]);
        impl Read for Trickle<'_> {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                let n = buf.len().min(3).min(self.0.len());
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        struct Slow<'a>(&'a [u8]);
        impl<'a> Source for Slow<'a> {
            type Reader = Trickle<'a>;
            fn read_from(&self, offset: u64) -> io::Result<Self::Reader> {
                Ok(Trickle(&self.0[offset as usize..]))
            }
        }
        let data = b"#Version: 1.0\n#Fields: x y z\n1\t2\t3\n4\t5\t6\n#Fields: z\n7\n";
        let starts = [0, 5, 20, 40, 48];
        let slow = index_ranges(&Slow(data), data.len() as u64, &starts, DEFAULT_MAX_LINE).unwrap();
        assert_eq!(slow, index(data, &starts, DEFAULT_MAX_LINE));
    }
}
