//! Opening a log's bytes: gzip is recognised by its magic bytes, not the file name, and
//! concatenated gzip members (several deliveries appended together) are read whole. Zero
//! padding after the last member (left by some copy tools and object stores; gzip(1) reads
//! such files and exits 0) ends the stream; other trailing bytes are an error. Input in another
//! compression format is named as such instead of being read as text.

use std::io::{self, BufRead, BufReader, Read};

use flate2::bufread::GzDecoder;

/// The first two bytes of every gzip member (RFC 1952).
pub const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// Buffer between the file and the decompressor.
const IO_BUFFER: usize = 256 << 10;

/// Compression formats we do not read, by their magic bytes (from each format's
/// specification: bzip2 "BZh" + block size + the block or end-of-stream magic; xz (the
/// .xz file format 1.0.4, 2.1.1.1); zstd frame (RFC 8878, 3.1.1); LZ4 frame; zip local file
/// header; 7z signature), with the tool that decompresses them.
const OTHER_FORMATS: &[(&str, &str, &[u8])] = &[
    ("xz", "unxz", b"\xFD7zXZ\x00"),
    ("zstd", "unzstd", b"\x28\xB5\x2F\xFD"),
    ("LZ4", "unlz4", b"\x04\x22\x4D\x18"),
    ("zip", "unzip", b"PK\x03\x04"),
    ("7z", "7z x", b"7z\xBC\xAF\x27\x1C"),
];

/// Names the compression format of `head` when it is one we do not read.
pub fn other_compression(head: &[u8]) -> Option<(&'static str, &'static str)> {
    let bzip2 = head.len() >= 10
        && head.starts_with(b"BZh")
        && (b'1'..=b'9').contains(&head[3])
        && (head[4..10] == *b"\x31\x41\x59\x26\x53\x59" || head[4..10] == *b"\x17\x72\x45\x38\x50\x90");
    if bzip2 {
        return Some(("bzip2", "bunzip2"));
    }
    OTHER_FORMATS.iter().find(|(_, _, magic)| head.starts_with(magic)).map(|(name, tool, _)| (*name, *tool))
}

/// Wraps `raw` so that reading yields the log text, decompressing when it starts with gzip's
/// magic bytes. A truncated or corrupt stream surfaces as an `io::Error` while reading; input
/// in another compression format is an error at once.
pub fn open_text<'a, R: Read + Send + 'a>(raw: R) -> io::Result<Box<dyn Read + Send + 'a>> {
    // The first bytes, read whole (a read may return fewer), then put back in front.
    let mut head = [0u8; 16];
    let mut raw = Counting { inner: raw, count: 0 };
    let mut n = 0;
    while n < head.len() {
        match raw.read(&mut head[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    if let Some((format, tool)) = other_compression(&head[..n]) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("is {format}-compressed, not gzip or plain text: decompress it first (e.g. with {tool})"),
        ));
    }
    let buffered = BufReader::with_capacity(IO_BUFFER, Prefixed { head, pos: 0, len: n, inner: raw });
    if n >= 2 && head[..2] == GZIP_MAGIC {
        Ok(Box::new(GzipMembers { member: Some(GzDecoder::new(buffered)) }))
    } else {
        Ok(Box::new(buffered))
    }
}

/// Counts the bytes read from the raw input (for error positions).
struct Counting<R> {
    inner: R,
    count: u64,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count += n as u64;
        Ok(n)
    }
}

/// The bytes read ahead, then the rest of the input.
struct Prefixed<R> {
    head: [u8; 16],
    pos: usize,
    len: usize,
    inner: Counting<R>,
}

impl<R: Read> Read for Prefixed<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.pos < self.len {
            let n = buf.len().min(self.len - self.pos);
            buf[..n].copy_from_slice(&self.head[self.pos..self.pos + n]);
            self.pos += n;
            return Ok(n);
        }
        self.inner.read(buf)
    }
}

/// One gzip member after another until the input ends (or only zero bytes remain).
struct GzipMembers<R: Read> {
    member: Option<GzDecoder<BufReader<Prefixed<R>>>>,
}

impl<R: Read> Read for GzipMembers<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            let Some(member) = self.member.as_mut() else { return Ok(0) };
            let n = member.read(buf)?;
            if n > 0 || buf.is_empty() {
                return Ok(n);
            }
            // This member ended (its CRC and length checked): what follows?
            let mut input = self.member.take().expect("member present").into_inner();
            if after_member(&mut input)? {
                self.member = Some(GzDecoder::new(input));
            }
        }
    }
}

/// After a member: true when another member starts; false at the end of the input or when
/// only zero bytes remain; an error for anything else.
fn after_member<R: Read>(input: &mut BufReader<Prefixed<R>>) -> io::Result<bool> {
    let mut zeros = false;
    loop {
        let buf = input.fill_buf()?;
        let Some(&first) = buf.first() else { return Ok(false) };
        if first == GZIP_MAGIC[0] && !zeros {
            return Ok(true);
        }
        let run = buf.iter().take_while(|&&b| b == 0).count();
        if run == 0 {
            let offset = input.get_ref().inner.count - input.buffer().len() as u64;
            let what = if zeros { "after the zero padding" } else { "after the last gzip member" };
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("trailing data {what}, at byte {offset}: not gzip (invalid gzip header)"),
            ));
        }
        zeros = true;
        input.consume(run);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::{write::GzEncoder, Compression};
    use std::io::{Cursor, Write};

    fn gz(data: &[u8]) -> Vec<u8> {
        let mut e = GzEncoder::new(Vec::new(), Compression::default());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    fn read_all(bytes: Vec<u8>) -> io::Result<Vec<u8>> {
        let mut out = vec![];
        open_text(Cursor::new(bytes))?.read_to_end(&mut out)?;
        Ok(out)
    }

    /// Hands out one byte per read: magic bytes and member boundaries cross every read.
    struct OneByte(Cursor<Vec<u8>>);
    impl Read for OneByte {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = buf.len().min(1);
            self.0.read(&mut buf[..n])
        }
    }

    fn read_slowly(bytes: Vec<u8>) -> io::Result<Vec<u8>> {
        let mut out = vec![];
        open_text(OneByte(Cursor::new(bytes)))?.read_to_end(&mut out)?;
        Ok(out)
    }

    #[test]
    fn plain_and_gzip_and_multi_member() {
        assert_eq!(read_all(b"plain\n".to_vec()).unwrap(), b"plain\n");
        assert_eq!(read_all(gz(b"one\n")).unwrap(), b"one\n");
        let mut two = gz(b"first\n");
        two.extend(gz(b"second\n"));
        assert_eq!(read_all(two.clone()).unwrap(), b"first\nsecond\n");
        assert_eq!(read_slowly(two).unwrap(), b"first\nsecond\n");
        assert_eq!(read_all(vec![]).unwrap(), b"");
        assert_eq!(read_all(b"x".to_vec()).unwrap(), b"x");
    }

    #[test]
    fn truncated_and_corrupt_gzip_are_errors() {
        let whole = gz(&b"x".repeat(10_000));
        assert!(read_all(whole[..whole.len() / 2].to_vec()).is_err());
        let mut corrupt = whole.clone();
        corrupt[20] ^= 0xff;
        corrupt[21] ^= 0xff;
        assert!(read_all(corrupt).is_err());
    }

    /// Every cut of a member (from its second byte on: one byte is not yet gzip's magic) is an
    /// error, never a shorter text or a hang; so is a wrong CRC-32 or length in the trailer.
    #[test]
    fn every_cut_and_a_bad_trailer_are_errors() {
        let whole = gz(b"2019-12-04\t21:02:31\t192.0.2.1\t200\n".repeat(50).as_slice());
        for cut in 2..whole.len() {
            assert!(read_all(whole[..cut].to_vec()).is_err(), "cut at {cut} read");
            assert!(read_slowly(whole[..cut].to_vec()).is_err(), "cut at {cut} read slowly");
        }
        let n = whole.len();
        for at in [n - 8, n - 5, n - 4, n - 1] {
            // CRC-32 (n-8..n-4) and ISIZE (n-4..n), RFC 1952 2.3.1.
            let mut bad = whole.clone();
            bad[at] ^= 0x01;
            assert!(read_all(bad.clone()).is_err(), "trailer byte {at} changed, read");
            assert!(read_slowly(bad).is_err(), "trailer byte {at} changed, read slowly");
        }
    }

    /// Optional header fields (RFC 1952 2.3.1: FEXTRA, FNAME, FCOMMENT) are skipped.
    #[test]
    fn optional_header_fields_are_skipped() {
        let mut e = flate2::GzBuilder::new()
            .extra(b"xx".to_vec())
            .filename("E2EXAMPLE.2026-11-20-00.abcd.gz")
            .comment("a comment")
            .write(Vec::new(), Compression::default());
        e.write_all(b"line\n").unwrap();
        let mut two = e.finish().unwrap();
        two.extend(gz(b"next\n"));
        assert_eq!(read_all(two.clone()).unwrap(), b"line\nnext\n");
        assert_eq!(read_slowly(two).unwrap(), b"line\nnext\n");
    }

    /// Issue 11: zero padding after the last member ends the stream (as gzip(1) reads it);
    /// anything else after a member, or after the padding, is an error naming the offset.
    #[test]
    fn zero_padding_ends_the_stream_other_trailing_data_does_not() {
        let mut padded = gz(b"a\n");
        padded.extend(gz(b"b\n"));
        let members = padded.len();
        padded.extend(std::iter::repeat_n(0u8, 300_000)); // longer than the read buffer
        assert_eq!(read_all(padded.clone()).unwrap(), b"a\nb\n");
        assert_eq!(read_slowly(padded.clone()).unwrap(), b"a\nb\n");

        let mut garbage = gz(b"a\n");
        let at = garbage.len();
        garbage.extend_from_slice(b"this is not gzip\n");
        let e = read_all(garbage).unwrap_err().to_string();
        assert_eq!(e, format!("trailing data after the last gzip member, at byte {at}: not gzip (invalid gzip header)"));

        padded.push(b'x');
        let e = read_slowly(padded).unwrap_err().to_string();
        assert_eq!(e, format!("trailing data after the zero padding, at byte {}: not gzip (invalid gzip header)", members + 300_000));
    }

    /// Issue 11: another compression format is named, whatever the file is called.
    #[test]
    fn other_compression_formats_are_named() {
        let cases: &[(&[u8], &str)] = &[
            (b"BZh91AY&SY\x01\x02", "bzip2"),
            (b"BZh9\x17\x72\x45\x38\x50\x90\x00\x00\x00\x00", "bzip2"),
            (b"\xFD7zXZ\x00\x00\x04", "xz"),
            (b"\x28\xB5\x2F\xFD\x24\x05", "zstd"),
            (b"\x04\x22\x4D\x18\x64\x40", "LZ4"),
            (b"PK\x03\x04\x14\x00", "zip"),
            (b"7z\xBC\xAF\x27\x1C\x00\x04", "7z"),
        ];
        for (bytes, name) in cases {
            let e = read_slowly(bytes.to_vec()).err().unwrap_or_else(|| panic!("{name} was read"));
            assert!(e.to_string().starts_with(&format!("is {name}-compressed")), "{e}");
        }
        // Text that merely starts like one is text.
        assert_eq!(read_all(b"BZh is not bzip2\n".to_vec()).unwrap(), b"BZh is not bzip2\n");
        assert_eq!(read_all(b"PK\n".to_vec()).unwrap(), b"PK\n");
    }
}
