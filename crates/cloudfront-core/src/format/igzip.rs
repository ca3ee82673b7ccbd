//! One gzip member inflated by Intel ISA-L's igzip (cargo feature `isal`), which spends about a
//! third less CPU than zlib-rs on CloudFront's logs (`make bench`, README). Same contract as
//! flate2's `bufread::GzDecoder`, which it replaces: reads one member from a `BufRead`, checks
//! its CRC-32 and length, and leaves the reader just after the member, so
//! [`super::source`] handles concatenated members and trailing bytes the same way for both.
//!
//! igzip is a C library: this module is the only place in the core with `unsafe`, and it is
//! limited to handing igzip buffers that outlive the call.

use std::io::{self, BufRead, Read};

use isal_sys::igzip_lib as isal;

/// Inflates one gzip member read from `inner`.
pub struct IgzipMember<R> {
    inner: R,
    // Boxed: the state is about 40 KB and igzip keeps no pointer into it between calls.
    state: Box<isal::inflate_state>,
    // The member's header, parsed here rather than inside `isal_inflate`: that one starts from a
    // fresh header on every call, so a header split across reads loses its flags (a name
    // followed by a comment was then inflated as data).
    header: Box<isal::isal_gzip_header>,
    finished: bool,
}

// SAFETY: the state's raw pointers are set before and cleared after every `isal_inflate` call,
// so between calls it owns no borrowed memory and may move to another thread.
unsafe impl<R: Send> Send for IgzipMember<R> {}

impl<R: BufRead> IgzipMember<R> {
    pub fn new(inner: R) -> Self {
        // SAFETY: `inflate_state` is plain data (integers, arrays, raw pointers) for which all
        // zero bytes is a valid value; `isal_inflate_init` then sets it up.
        let mut state: Box<isal::inflate_state> = Box::new(unsafe { std::mem::zeroed() });
        // SAFETY: `state` is a valid, exclusively borrowed `inflate_state`.
        unsafe { isal::isal_inflate_init(&mut *state) };
        state.crc_flag = isal::ISAL_GZIP; // verify CRC-32 and length
                                          // SAFETY: as for the state; `isal_gzip_header_init` sets every field (no buffers: the
                                          // optional fields are skipped).
        let mut header: Box<isal::isal_gzip_header> = Box::new(unsafe { std::mem::zeroed() });
        unsafe { isal::isal_gzip_header_init(&mut *header) };
        Self { inner, state, header, finished: false }
    }

    /// The reader, positioned just after the member once it has been read to its end.
    pub fn into_inner(self) -> R {
        self.inner
    }
}

impl<R: BufRead> Read for IgzipMember<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.finished || buf.is_empty() {
            return Ok(0);
        }
        // igzip counts in u32.
        let out_len = buf.len().min(u32::MAX as usize);
        loop {
            let input = self.inner.fill_buf()?;
            let in_len = input.len().min(u32::MAX as usize);
            let state = &mut *self.state;
            state.next_in = input.as_ptr().cast_mut(); // igzip only reads through next_in
            state.avail_in = in_len as u32;
            state.next_out = buf.as_mut_ptr();
            state.avail_out = out_len as u32;
            // Until the header is whole (igzip then sets `wrapper_flag`), only the header is read.
            let in_header = state.wrapper_flag == 0;
            // SAFETY: next_in/avail_in describe `input` and next_out/avail_out describe `buf`,
            // both alive and not otherwise borrowed for the duration of the call; the header
            // has no buffers for igzip to write into.
            let ret = unsafe {
                if in_header {
                    isal::isal_read_gzip_header(state, &mut *self.header)
                } else {
                    isal::isal_inflate(state)
                }
            };
            let consumed = in_len - state.avail_in as usize;
            let produced = out_len - state.avail_out as usize;
            state.next_in = std::ptr::null_mut();
            state.avail_in = 0;
            state.next_out = std::ptr::null_mut();
            state.avail_out = 0;
            let finished = !in_header && state.block_state == isal::isal_block_state_ISAL_BLOCK_FINISH;
            self.inner.consume(consumed);
            if ret < 0 {
                return Err(io::Error::new(io::ErrorKind::InvalidData, describe(ret)));
            }
            if finished {
                self.finished = true;
                return Ok(produced);
            }
            if produced > 0 {
                return Ok(produced);
            }
            if in_len == 0 && consumed == 0 {
                // The input ended inside the member.
                return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "incomplete deflate stream"));
            }
        }
    }
}

/// igzip's error codes (`igzip_lib.h`) in words.
fn describe(ret: i32) -> &'static str {
    match ret {
        isal::ISAL_INVALID_BLOCK | isal::ISAL_INVALID_SYMBOL | isal::ISAL_INVALID_LOOKBACK => "corrupt deflate stream",
        isal::ISAL_INVALID_WRAPPER => "invalid gzip header",
        isal::ISAL_UNSUPPORTED_METHOD => "unsupported gzip compression method",
        isal::ISAL_INCORRECT_CHECKSUM => "gzip checksum or length mismatch",
        _ => "gzip decompression failed",
    }
}
