//! Line and field splitting over a byte stream, without per-line allocation.
//!
//! `LineReader` keeps one growing buffer per file: lines are handed out as ranges into it, a
//! line that crosses the end of the buffer is moved to the front before the next read, and a
//! line longer than `max_line` is skipped (reported as `TooLong`, its head kept) rather than
//! buffered (log lines are attacker-controlled). `split_fields` records field spans into a reused vector with `memchr`.

use std::io::{self, Read};
use std::ops::Range;

/// Initial buffer size (it grows only for longer lines): a scan thread's memory stays at a few
/// megabytes.
pub const READ_CHUNK: usize = 1 << 20;

/// Most bytes asked of the reader at a time (the buffer stays `READ_CHUNK`): text inflated
/// into the buffer is searched for lines and split into fields while it is still in the
/// core's L2 cache (512 KiB on the machines we measure on), where a whole `READ_CHUNK` per read
/// had been evicted to L3 by the time the line search reached it.
pub const READ_STEP: usize = 256 << 10;

/// Default longest accepted line (bytes). CloudFront itself refuses URLs over 8 KB and headers
/// over 20 KB, so a real line is far shorter; the bound protects memory against hostile input.
pub const DEFAULT_MAX_LINE: usize = 16 << 20;

/// Why `next_line` produced no line text.
#[derive(Debug)]
pub enum LineError {
    /// The stream could not be read: fatal for the file.
    Io(io::Error),
    /// Line `line` (1-based) is `len` bytes, more than `limit`. Not fatal: the line was skipped
    /// without buffering it and the reader continues after it; its first bytes are in
    /// `LineReader::long_line_head`.
    TooLong { line: u64, len: u64, limit: usize },
}

impl From<io::Error> for LineError {
    fn from(e: io::Error) -> Self {
        LineError::Io(e)
    }
}

/// How many bytes of an over-long line are kept to show it.
pub const LONG_LINE_HEAD: usize = 512;

/// Splits a byte stream into lines (`\n`, with a trailing `\r` removed).
pub struct LineReader<R> {
    inner: R,
    buf: Vec<u8>,
    /// Start of unconsumed data.
    pos: usize,
    /// End of valid data.
    end: usize,
    eof: bool,
    line_no: u64,
    max_line: usize,
    /// Bytes of input handed out so far (lines, newlines, skipped lines): progress.
    consumed: u64,
    /// The first bytes of the last over-long line.
    long_head: Vec<u8>,
}

impl<R: Read> LineReader<R> {
    pub fn new(inner: R, max_line: usize) -> Self {
        Self { inner, buf: vec![0; READ_CHUNK], pos: 0, end: 0, eof: false, line_no: 0, max_line, consumed: 0, long_head: Vec::new() }
    }

    /// The underlying reader (any buffered data is dropped).
    pub fn into_inner(self) -> R {
        self.inner
    }

    /// Numbers lines as if `lines_before` lines came before this stream (a range of a file).
    pub fn starting_after(mut self, lines_before: u64) -> Self {
        self.line_no = lines_before;
        self
    }

    /// Number of the line most recently returned (1-based).
    pub fn line_no(&self) -> u64 {
        self.line_no
    }

    /// Bytes of the stream consumed so far: every line returned or skipped, with its newline.
    pub fn consumed(&self) -> u64 {
        self.consumed
    }

    /// The first bytes (at most `LONG_LINE_HEAD`) of the line of the last `TooLong`.
    pub fn long_line_head(&self) -> &[u8] {
        &self.long_head
    }

    /// The buffer that ranges returned by `next_line` index into.
    #[inline]
    pub fn buf(&self) -> &[u8] {
        &self.buf
    }

    /// The next line as a range into `buf()`, or None at the end of the stream. A final line
    /// without a newline is returned too. A line longer than `max_line` is `TooLong`, after
    /// which reading continues with the next line.
    pub fn next_line(&mut self) -> Result<Option<Range<usize>>, LineError> {
        let mut searched = self.pos;
        loop {
            if let Some(i) = memchr::memchr(b'\n', &self.buf[searched..self.end]) {
                let nl = searched + i;
                let start = self.pos;
                self.pos = nl + 1;
                self.line_no += 1;
                self.consumed += (nl + 1 - start) as u64;
                let mut stop = nl;
                if stop > start && self.buf[stop - 1] == b'\r' {
                    stop -= 1;
                }
                if stop - start > self.max_line {
                    return Err(self.too_long(start, stop));
                }
                return Ok(Some(start..stop));
            }
            searched = self.end;
            if self.eof {
                if self.pos == self.end {
                    return Ok(None);
                }
                let start = self.pos;
                self.pos = self.end;
                self.line_no += 1;
                self.consumed += (self.end - start) as u64;
                let mut stop = self.end;
                if self.buf[stop - 1] == b'\r' {
                    stop -= 1;
                }
                if stop - start > self.max_line {
                    return Err(self.too_long(start, stop));
                }
                return Ok(Some(start..stop));
            }
            if self.end - self.pos > self.max_line {
                return self.skip_long_line();
            }
            // Make room: move the partial line to the front, grow only when it fills the buffer.
            if self.pos > 0 {
                self.buf.copy_within(self.pos..self.end, 0);
                searched -= self.pos;
                self.end -= self.pos;
                self.pos = 0;
            }
            if self.end == self.buf.len() {
                let grown = (self.buf.len() * 2).min(self.max_line + READ_CHUNK);
                self.buf.resize(grown.max(self.buf.len() + READ_CHUNK), 0);
            }
            let step = (self.end + READ_STEP).min(self.buf.len());
            let n = read_retrying(&mut self.inner, &mut self.buf[self.end..step])?;
            if n == 0 {
                self.eof = true;
            }
            self.end += n;
        }
    }

    /// A complete line `buf[start..stop]` that is too long.
    fn too_long(&mut self, start: usize, stop: usize) -> LineError {
        self.long_head.clear();
        self.long_head.extend_from_slice(&self.buf[start..stop.min(start + LONG_LINE_HEAD)]);
        LineError::TooLong { line: self.line_no, len: (stop - start) as u64, limit: self.max_line }
    }

    /// The partial line in the buffer (no newline in it yet) is already longer than the limit:
    /// keep its head, then read on without buffering until its newline (or the end of the
    /// stream), counting its length. Memory stays at the buffer's size however long it is.
    fn skip_long_line(&mut self) -> Result<Option<Range<usize>>, LineError> {
        self.long_head.clear();
        self.long_head.extend_from_slice(&self.buf[self.pos..self.end.min(self.pos + LONG_LINE_HEAD)]);
        let mut len = (self.end - self.pos) as u64;
        let mut last = self.buf[self.end - 1];
        self.consumed += len;
        self.pos = 0;
        self.end = 0;
        self.line_no += 1;
        let line = self.line_no;
        loop {
            let n = read_retrying(&mut self.inner, &mut self.buf[..])?;
            if n == 0 {
                self.eof = true;
                let len = len - u64::from(last == b'\r');
                return Err(LineError::TooLong { line, len, limit: self.max_line });
            }
            if let Some(i) = memchr::memchr(b'\n', &self.buf[..n]) {
                let before = if i > 0 { self.buf[i - 1] } else { last };
                len += i as u64;
                self.consumed += i as u64 + 1;
                self.pos = i + 1;
                self.end = n;
                let len = len - u64::from(before == b'\r');
                return Err(LineError::TooLong { line, len, limit: self.max_line });
            }
            len += n as u64;
            self.consumed += n as u64;
            last = self.buf[n - 1];
        }
    }

    /// Reads up to `n` bytes ahead without consuming them (for layout detection).
    pub fn peek(&mut self, n: usize) -> io::Result<&[u8]> {
        while self.end - self.pos < n && !self.eof {
            if self.end == self.buf.len() {
                self.buf.resize(self.buf.len() + READ_CHUNK, 0);
            }
            let got = read_retrying(&mut self.inner, &mut self.buf[self.end..])?;
            if got == 0 {
                self.eof = true;
            }
            self.end += got;
        }
        let stop = self.end.min(self.pos + n);
        Ok(&self.buf[self.pos..stop])
    }
}

fn read_retrying<R: Read>(r: &mut R, buf: &mut [u8]) -> io::Result<usize> {
    loop {
        match r.read(buf) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            other => return other,
        }
    }
}

/// Splits `line` on `delimiter` into `spans` (cleared first), as (start, end) offsets relative
/// to `offset`, and returns the number of fields. A single trailing empty field (a line ending in
/// the delimiter, which real deliveries contain) is kept; callers decide whether it is tolerated.
///
/// At most `max_fields + 1` spans are stored (enough to tell "one too many"); the rest of a line
/// with more fields is only counted, so a hostile line of millions of tabs costs no memory.
///
/// Fields average a dozen bytes, too short for `memchr`'s per-call setup to pay off, so on
/// x86_64 the line is compared 16 bytes at a time (SSE2, part of the x86_64 baseline) and the
/// delimiter positions are read off the comparison bit mask.
#[inline]
pub fn split_fields(line: &[u8], offset: usize, delimiter: u8, spans: &mut Vec<(u32, u32)>, max_fields: usize) -> usize {
    spans.clear();
    let mut start = 0usize;
    let mut i = 0usize;
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{__m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_set1_epi8};
        // SAFETY: SSE2 is always available on x86_64; loads stay within `line` (i + 16 <= len).
        #[allow(unsafe_code)]
        unsafe {
            let needle = _mm_set1_epi8(delimiter as i8);
            while i + 16 <= line.len() && spans.len() <= max_fields {
                let chunk = _mm_loadu_si128(line.as_ptr().add(i) as *const __m128i);
                let mut mask = _mm_movemask_epi8(_mm_cmpeq_epi8(chunk, needle)) as u32;
                while mask != 0 {
                    let pos = i + mask.trailing_zeros() as usize;
                    spans.push(((offset + start) as u32, (offset + pos) as u32));
                    start = pos + 1;
                    mask &= mask - 1;
                }
                i += 16;
            }
        }
    }
    while i < line.len() && spans.len() <= max_fields {
        if line[i] == delimiter {
            spans.push(((offset + start) as u32, (offset + i) as u32));
            start = i + 1;
        }
        i += 1;
    }
    if spans.len() > max_fields {
        // Too many fields: count the rest without storing them.
        // Fields so far end at the delimiters seen; bytes from `i` on are not examined yet.
        return spans.len() + 1 + memchr::memchr_iter(delimiter, &line[i.min(line.len())..]).count();
    }
    spans.push(((offset + start) as u32, (offset + line.len()) as u32));
    spans.len()
}

/// [`split_fields`] for a scan that reads only the first `keep` fields: their spans are stored
/// and the other delimiters only counted, which costs a fraction of storing every span (a
/// narrow query reading `c_ip`, field 5 of 33, or `count(*)`, which reads none). The count is
/// the same as `split_fields` gives (exact up to `max_fields + 1`), so a line with the wrong
/// number of fields is refused whatever the query reads.
#[inline]
pub fn split_fields_upto(line: &[u8], offset: usize, delimiter: u8, spans: &mut Vec<(u32, u32)>, max_fields: usize, keep: usize) -> usize {
    if keep > max_fields {
        return split_fields(line, offset, delimiter, spans, max_fields);
    }
    spans.clear();
    let mut start = 0usize;
    let mut i = 0usize;
    // As in `split_fields`: 16 bytes at a time on x86_64 (`memchr_iter` cost a tenth of a
    // full-width scan here, where every field is kept), stopping once `keep` spans are stored.
    #[cfg(target_arch = "x86_64")]
    'simd: {
        use std::arch::x86_64::{__m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_set1_epi8};
        // SAFETY: SSE2 is always available on x86_64; loads stay within `line` (i + 16 <= len).
        #[allow(unsafe_code)]
        unsafe {
            let needle = _mm_set1_epi8(delimiter as i8);
            while i + 16 <= line.len() {
                let chunk = _mm_loadu_si128(line.as_ptr().add(i) as *const __m128i);
                let mut mask = _mm_movemask_epi8(_mm_cmpeq_epi8(chunk, needle)) as u32;
                while mask != 0 {
                    if spans.len() == keep {
                        break 'simd;
                    }
                    let pos = i + mask.trailing_zeros() as usize;
                    spans.push(((offset + start) as u32, (offset + pos) as u32));
                    start = pos + 1;
                    mask &= mask - 1;
                }
                i += 16;
            }
        }
    }
    while i < line.len() && spans.len() < keep {
        if line[i] == delimiter {
            spans.push(((offset + start) as u32, (offset + i) as u32));
            start = i + 1;
        }
        i += 1;
    }
    if spans.len() < keep {
        // The line has fewer fields than `keep`: all of them are stored.
        spans.push(((offset + start) as u32, (offset + line.len()) as u32));
        return spans.len();
    }
    // `keep` fields stored; the field starting at `start` and the delimiters after it remain.
    keep + 1 + count_byte(&line[start..], delimiter)
}

/// How many times `needle` occurs in `hay`: on x86_64, 16 bytes at a time (SSE2), without
/// `memchr_iter`'s per-occurrence work. Matches are summed in 16 byte-wide counters (a compare
/// gives -1 per match, subtracted) that are added up every 255 blocks (`_mm_sad_epu8`): the
/// x86_64 baseline has no `popcnt`, and the software popcount of a mask per block was a third
/// of a narrow scan's own work outside inflating.
#[inline]
pub fn count_byte(hay: &[u8], needle: u8) -> usize {
    let mut count = 0usize;
    let mut i = 0usize;
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{
            __m128i, _mm_and_si128, _mm_cmpeq_epi8, _mm_cvtsi128_si64, _mm_loadu_si128, _mm_sad_epu8, _mm_set1_epi8, _mm_setzero_si128,
            _mm_sub_epi8, _mm_unpackhi_epi64,
        };
        /// The sum of the 16 bytes of `v` as unsigned counts.
        #[inline(always)]
        fn byte_sum(v: __m128i) -> usize {
            // SAFETY: SSE2 is always available on x86_64; no memory is touched.
            #[allow(unsafe_code)]
            unsafe {
                let sums = _mm_sad_epu8(v, _mm_setzero_si128());
                _mm_cvtsi128_si64(sums) as usize + _mm_cvtsi128_si64(_mm_unpackhi_epi64(sums, sums)) as usize
            }
        }
        // SAFETY: SSE2 is always available on x86_64; loads stay within `hay` (i + 16 <= len, and
        // the tail's block starts at len - 16 >= 0) and within `LAST_LANES` (rest + 16 <= 32).
        #[allow(unsafe_code)]
        unsafe {
            let n = _mm_set1_epi8(needle as i8);
            let zero = _mm_setzero_si128();
            while i + 16 <= hay.len() {
                let mut counters = zero;
                let mut blocks = 0;
                while blocks < 255 && i + 16 <= hay.len() {
                    let chunk = _mm_loadu_si128(hay.as_ptr().add(i) as *const __m128i);
                    counters = _mm_sub_epi8(counters, _mm_cmpeq_epi8(chunk, n));
                    i += 16;
                    blocks += 1;
                }
                count += byte_sum(counters);
            }
            // The last `rest` bytes (fewer than 16): one block ending at the end of `hay`, its
            // lanes already counted masked off, instead of a byte-by-byte loop (which cost as
            // much as the blocks on CloudFront's lines).
            let rest = hay.len() - i;
            if rest > 0 && hay.len() >= 16 {
                let chunk = _mm_loadu_si128(hay.as_ptr().add(hay.len() - 16) as *const __m128i);
                // Lanes 16 - rest .. 16 are all ones: the bytes not counted yet.
                let fresh = _mm_loadu_si128(LAST_LANES.as_ptr().add(rest) as *const __m128i);
                count += byte_sum(_mm_sub_epi8(zero, _mm_and_si128(_mm_cmpeq_epi8(chunk, n), fresh)));
                i = hay.len();
            }
        }
    }
    count + hay[i..].iter().filter(|&&b| b == needle).count()
}

/// 16 zero bytes then 16 bytes of all ones: the 16 bytes from offset `r` (1 to 15) select the
/// last `r` lanes of a block (`count_byte`'s tail).
#[cfg(target_arch = "x86_64")]
static LAST_LANES: [u8; 32] = {
    let mut t = [0u8; 32];
    let mut k = 16;
    while k < 32 {
        t[k] = 0xFF;
        k += 1;
    }
    t
};

#[cfg(test)]
mod tests {
    use super::*;

    fn lines_of(data: &[u8], max: usize) -> Vec<Result<Vec<u8>, String>> {
        let mut r = LineReader::new(data, max);
        let mut out = vec![];
        loop {
            match r.next_line() {
                Ok(Some(range)) => out.push(Ok(r.buf()[range].to_vec())),
                Ok(None) => break,
                Err(LineError::TooLong { line, len, .. }) => {
                    out.push(Err(format!("too long at {line}: {len} bytes, {:?}", String::from_utf8_lossy(r.long_line_head()))));
                }
                Err(LineError::Io(e)) => {
                    out.push(Err(e.to_string()));
                    break;
                }
            }
        }
        out
    }

    #[test]
    fn splits_lines_with_crlf_and_missing_final_newline() {
        let got = lines_of(b"a\r\nbb\n\nccc", 100);
        let want: Vec<Result<Vec<u8>, String>> = vec![Ok(b"a".to_vec()), Ok(b"bb".to_vec()), Ok(b"".to_vec()), Ok(b"ccc".to_vec())];
        assert_eq!(got, want);
    }

    #[test]
    fn lines_longer_than_the_buffer_are_reassembled() {
        let long = vec![b'x'; READ_CHUNK * 3 + 17];
        let mut data = b"head\n".to_vec();
        data.extend_from_slice(&long);
        data.extend_from_slice(b"\ntail\n");
        let got = lines_of(&data, DEFAULT_MAX_LINE);
        assert_eq!(got.len(), 3);
        assert_eq!(got[1].as_ref().unwrap().len(), long.len());
        assert_eq!(got[2].as_ref().unwrap(), b"tail");
    }

    #[test]
    fn too_long_line_is_an_error_with_its_number() {
        let mut data = b"ok\n".to_vec();
        data.extend(vec![b'y'; 5000]);
        data.push(b'\n');
        let got = lines_of(&data, 1000);
        assert_eq!(got.last().unwrap(), &Err(format!("too long at 2: 5000 bytes, {:?}", "y".repeat(LONG_LINE_HEAD))));
    }

    /// Issue 11: an over-long line is skipped, not fatal: the lines after it are read, and
    /// its length is counted without buffering it (here 5 MiB with a 1000-byte limit, across
    /// many reads; with CRLF, a lone CR, and at the end of the stream without a newline).
    #[test]
    fn over_long_lines_are_skipped_and_measured() {
        let mut data = b"ok\n".to_vec();
        data.extend(std::iter::repeat_n(b'z', 5 << 20));
        data.extend_from_slice(b"\r\nafter\n");
        data.extend(std::iter::repeat_n(b'w', 3000));
        data.extend_from_slice(b"\nend\n");
        data.extend(std::iter::repeat_n(b'v', 1500));
        data.push(b'\r');
        let head = |c: &str| format!("{:?}", c.repeat(LONG_LINE_HEAD));
        let got = lines_of(&data, 1000);
        let want: Vec<Result<Vec<u8>, String>> = vec![
            Ok(b"ok".to_vec()),
            Err(format!("too long at 2: {} bytes, {}", 5 << 20, head("z"))),
            Ok(b"after".to_vec()),
            Err(format!("too long at 4: 3000 bytes, {}", head("w"))),
            Ok(b"end".to_vec()),
            Err(format!("too long at 6: 1500 bytes, {}", head("v"))),
        ];
        assert_eq!(got, want);
        let mut r = LineReader::new(&data[..], 1000);
        while !matches!(r.next_line(), Ok(None)) {}
        assert_eq!(r.consumed(), data.len() as u64);
        assert!(r.buf().len() <= 1000 + 2 * READ_CHUNK, "the long line was buffered");
    }

    #[test]
    fn field_spans() {
        let mut spans = vec![];
        split_fields(b"a\tbb\t\t-", 10, b'\t', &mut spans, 100);
        assert_eq!(spans, vec![(10, 11), (12, 14), (15, 15), (16, 17)]);
        split_fields(b"x\t", 0, b'\t', &mut spans, 100);
        assert_eq!(spans, vec![(0, 1), (2, 2)]);
    }

    #[test]
    fn field_spans_agree_with_a_plain_split_on_long_lines() {
        let mut spans = vec![];
        for n in [0usize, 1, 15, 16, 17, 31, 33, 100, 1000] {
            let line: Vec<u8> = (0..n).map(|i| if i % 7 == 3 || i % 13 == 0 { b'\t' } else { b'a' + (i % 26) as u8 }).collect();
            split_fields(&line, 5, b'\t', &mut spans, usize::MAX - 1);
            let mut want = vec![];
            let mut start = 0;
            for (i, &b) in line.iter().enumerate() {
                if b == b'\t' {
                    want.push((5 + start as u32, 5 + i as u32));
                    start = i + 1;
                }
            }
            want.push((5 + start as u32, 5 + n as u32));
            assert_eq!(spans, want, "length {n}");
        }
    }

    /// Storing only the first fields gives the same count and the same first spans as storing
    /// all, for every `keep`, on lines of every length around the SIMD block size, with too
    /// many and too few fields, empty fields and a trailing delimiter.
    #[test]
    fn first_fields_only_agree_with_all_fields() {
        let mut all = vec![];
        let mut first = vec![];
        for n in [0usize, 1, 2, 15, 16, 17, 31, 33, 64, 100, 1000] {
            for pattern in [3usize, 7, 13] {
                let mut line: Vec<u8> =
                    (0..n).map(|i| if i % pattern == 1 || i % 11 == 0 { b'\t' } else { b'a' + (i % 26) as u8 }).collect();
                for trailing in [false, true] {
                    if trailing {
                        line.push(b'\t');
                    }
                    for max_fields in [0usize, 1, 5, 33, 200] {
                        let want = split_fields(&line, 7, b'\t', &mut all, max_fields);
                        for keep in 0..=max_fields.min(40) + 1 {
                            let got = split_fields_upto(&line, 7, b'\t', &mut first, max_fields, keep);
                            let exact = want.min(max_fields + 1);
                            assert_eq!(got.min(max_fields + 1), exact, "n {n} keep {keep} max {max_fields}");
                            assert_eq!(got > max_fields, want > max_fields, "n {n} keep {keep} max {max_fields}");
                            let stored = first.len().min(keep).min(all.len());
                            assert_eq!(first[..stored], all[..stored], "n {n} keep {keep} max {max_fields}");
                            assert!(first.len() >= keep.min(want), "n {n} keep {keep}: {} stored", first.len());
                        }
                    }
                }
            }
        }
        assert_eq!(count_byte(&b"\ta\t".repeat(20), b'\t'), 40);
        assert_eq!(count_byte(b"", b'\t'), 0);
        // Past the 255 blocks a byte-wide counter can hold: all tabs, and a mixed pattern
        // against a plain count.
        assert_eq!(count_byte(&b"\t".repeat(16 * 600 + 5), b'\t'), 16 * 600 + 5);
        let mixed: Vec<u8> = (0..20_000u32).map(|i| if i % 3 == 0 || i % 7 == 0 { b'\t' } else { b'x' }).collect();
        for len in [0, 15, 16, 17, 4079, 4080, 4081, 8160, 20_000] {
            let want = mixed[..len].iter().filter(|&&b| b == b'\t').count();
            assert_eq!(count_byte(&mixed[..len], b'\t'), want, "len {len}");
        }
    }

    /// The tail after the last whole block (counted with an overlapping, masked block) counts
    /// each byte once: every length and start around the block size, the needle in every
    /// position, against a plain count.
    #[test]
    fn count_byte_counts_every_tail_once() {
        let buf: Vec<u8> = (0..200u32).map(|i| if i % 5 == 0 || i % 9 == 4 { b'\t' } else { b'a' }).collect();
        for start in 0..17 {
            for len in 0..=(buf.len() - start) {
                let hay = &buf[start..start + len];
                let want = hay.iter().filter(|&&b| b == b'\t').count();
                assert_eq!(count_byte(hay, b'\t'), want, "start {start} len {len}");
            }
        }
        for len in 16..50 {
            let mut hay = vec![b'x'; len];
            for at in 0..len {
                hay[at] = b'\t';
                assert_eq!(count_byte(&hay, b'\t'), 1, "len {len} at {at}");
                hay[at] = b'x';
            }
            assert_eq!(count_byte(&vec![b'\t'; len], b'\t'), len);
        }
    }

    #[test]
    fn many_fields_are_counted_not_stored() {
        let mut spans = vec![];
        let line = vec![b'\t'; 100_000]; // 100,001 empty fields
        assert_eq!(split_fields(&line, 0, b'\t', &mut spans, 33), 100_001);
        assert!(spans.len() <= 33 + 17, "{}", spans.len());
        let short = b"a\tb\tc";
        assert_eq!(split_fields(short, 0, b'\t', &mut spans, 33), 3);
        assert_eq!(split_fields(b"a\tb\tc\td", 0, b'\t', &mut spans, 2), 4);
        let mut long = b"x\t".repeat(40);
        long.push(b'y'); // 41 fields, tabs spread across SIMD chunks
        assert_eq!(split_fields(&long, 0, b'\t', &mut spans, 33), 41);
    }

    #[test]
    fn unterminated_short_last_line_still_checks_the_limit() {
        let got = lines_of(b"0123456789", 5);
        assert_eq!(got, vec![Err("too long at 1: 10 bytes, \"0123456789\"".to_string())]);
    }

    #[test]
    fn peek_does_not_consume() {
        let mut r = LineReader::new(&b"#Version: 1.0\nx\n"[..], 100);
        assert_eq!(r.peek(4).unwrap(), b"#Ver");
        let first = r.next_line().unwrap().unwrap();
        assert_eq!(&r.buf()[first], b"#Version: 1.0");
    }
}
