//! Splitting one large uncompressed log into byte ranges that threads read in parallel.
//!
//! A range owns the lines that start inside it. To read a range on its own a thread needs three
//! facts that depend on everything before it: where its first line starts, that line's number
//! (for error messages), and which `#Fields:` header is in force there (headers may reappear
//! mid-file). `index_file` learns them in one sequential pass (newline counting with `memchr`,
//! far cheaper than parsing), done once per file by whichever thread needs it first.

use std::io::{self, Read};

use super::scan::parse_fields_header;

/// Longest `#` line whose field names the index keeps (the default `max_line_size`).
const MAX_HEADER_LINE: usize = super::lines::DEFAULT_MAX_LINE;

/// Files smaller than this are read by one thread: splitting costs an extra pass.
pub const SPLIT_BYTES: u64 = 32 << 20;

/// Where each range of a file starts.
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

/// One pass over the file: for each nominal start (ascending, the first 0), the actual start.
/// The last entry is a sentinel for the end of the file.
pub fn index_file<R: Read>(mut reader: R, starts: &[u64]) -> io::Result<Vec<RangeStart>> {
    let mut out = Vec::with_capacity(starts.len() + 1);
    let mut buf = vec![0u8; 1 << 20];
    let mut pos: u64 = 0; // offset of buf[0]
    let mut lines: u64 = 0;
    let mut fields: Option<Vec<String>> = None;
    let mut header_line: Vec<u8> = Vec::new(); // a '#' line in progress
    let mut in_header = false;
    let mut next = 0usize; // next nominal start to resolve
    let mut line_fresh = true; // at the first byte of a line
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        let chunk = &buf[..n];
        let mut i = 0usize;
        while i < n {
            if line_fresh {
                // A line starts at pos + i: resolve every nominal start up to here.
                while next < starts.len() && starts[next] <= pos + i as u64 {
                    out.push(RangeStart { offset: pos + i as u64, lines_before: lines, fields: fields.clone() });
                    next += 1;
                }
                in_header = chunk[i] == b'#';
                header_line.clear();
                line_fresh = false;
            }
            match memchr::memchr(b'\n', &chunk[i..]) {
                Some(off) => {
                    if in_header {
                        header_line.extend_from_slice(&chunk[i..i + off]);
                        if let Some(names) = parse_fields_header(header_line.strip_suffix(b"\r").unwrap_or(&header_line)) {
                            fields = Some(names);
                        }
                    }
                    lines += 1;
                    i += off + 1;
                    line_fresh = true;
                }
                None => {
                    // Bounded (a '#' line may never end), but by the default longest line, not
                    // 1 MiB: a longer `#Fields:` line, which the scanner reads whole, lost its
                    // middle here, so ranges after it used other fields than a whole-file read
                    // and their lines were refused (hostile-input review). Longer headers only
                    // read with a raised max_line_size.
                    if in_header && header_line.len() < MAX_HEADER_LINE {
                        header_line.extend_from_slice(&chunk[i..]);
                    }
                    i = n;
                }
            }
        }
        pos += n as u64;
    }
    // Nominal starts past the last line start (or of an empty file) begin at the end.
    while out.len() < starts.len() {
        out.push(RangeStart { offset: pos, lines_before: lines, fields: fields.clone() });
    }
    out.push(RangeStart { offset: pos, lines_before: lines, fields });
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nominal() {
        assert_eq!(nominal_ranges(10), vec![0]);
        assert_eq!(nominal_ranges(SPLIT_BYTES * 2 + 1), vec![0, SPLIT_BYTES, SPLIT_BYTES * 2]);
    }

    #[test]
    fn starts_move_to_the_next_line_and_carry_header_and_count() {
        let data = b"#Fields: a b\n1\t2\n#Fields: b a\n3\t4\n5\t6\n";
        // offsets: line0 0..13, line1 13..17, line2 17..30, line3 30..34, line4 34..38
        let idx = index_file(&data[..], &[0, 14, 30, 31]).unwrap();
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
        let idx = index_file(&data[..], &[0, start]).unwrap();
        assert_eq!(idx[1].offset, start);
        assert_eq!(idx[1].fields, parse_fields_header(&header));
        assert_eq!(idx[1].fields.as_ref().map(|f| f.len()), Some(3));
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
        let data = b"#Version: 1.0\n#Fields: x y z\n1\t2\t3\n4\t5\t6\n#Fields: z\n7\n";
        let starts = [0, 5, 20, 40, 48];
        assert_eq!(index_file(Trickle(data), &starts).unwrap(), index_file(&data[..], &starts).unwrap());
    }
}
