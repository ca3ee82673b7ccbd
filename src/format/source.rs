//! Opening a log's bytes: gzip is recognised by its magic bytes, not the file name, and
//! concatenated gzip members (several deliveries appended together) are read whole.

use std::io::{self, BufRead, BufReader, Read};

use flate2::bufread::MultiGzDecoder;

/// The first two bytes of every gzip member (RFC 1952).
pub const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// Buffer between the file and the decompressor.
const IO_BUFFER: usize = 256 << 10;

/// Wraps `raw` so that reading yields the log text, decompressing when it starts with gzip's
/// magic bytes. A truncated or corrupt stream surfaces as an `io::Error` while reading.
pub fn open_text<R: Read + Send + 'static>(raw: R) -> io::Result<Box<dyn Read + Send>> {
    let mut buffered = BufReader::with_capacity(IO_BUFFER, raw);
    let head = buffered.fill_buf()?;
    if head.len() >= 2 && head[..2] == GZIP_MAGIC {
        Ok(Box::new(MultiGzDecoder::new(buffered)))
    } else {
        Ok(Box::new(buffered))
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

    #[test]
    fn plain_and_gzip_and_multi_member() {
        assert_eq!(read_all(b"plain\n".to_vec()).unwrap(), b"plain\n");
        assert_eq!(read_all(gz(b"one\n")).unwrap(), b"one\n");
        let mut two = gz(b"first\n");
        two.extend(gz(b"second\n"));
        assert_eq!(read_all(two).unwrap(), b"first\nsecond\n");
        assert_eq!(read_all(vec![]).unwrap(), b"");
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
}
