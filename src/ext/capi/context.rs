//! A query's client context: the user's settings, and DuckDB's file system (remote files through
//! whatever file systems are loaded, e.g. httpfs for `s3://`).

use std::ffi::{c_void, CStr};
use std::io::{self, Read};

use libduckdb_sys as ffi;

use super::cstring;
use super::error::Error;
use super::value::Value;

/// An owned client context, obtained at bind and kept for the scan.
pub struct ClientContext(ffi::duckdb_client_context);

// The context is a handle on DuckDB's ClientContext, which lives for the whole query; it is only
// used to read settings and to obtain a file system, both of which DuckDB allows from any thread.
unsafe impl Send for ClientContext {}
unsafe impl Sync for ClientContext {}

impl ClientContext {
    /// Takes ownership of a context DuckDB handed out (None when null).
    ///
    /// # Safety
    /// `raw` must be null or a context the caller owns.
    pub(super) unsafe fn from_owned(raw: ffi::duckdb_client_context) -> Option<Self> {
        (!raw.is_null()).then_some(Self(raw))
    }

    /// A setting of the session as text (None when unknown or NULL).
    pub fn setting(&self, name: &str) -> Option<String> {
        let c = cstring(name);
        // SAFETY: a live context; the value returned is ours.
        let v = unsafe { Value::from_owned(ffi::duckdb_client_context_get_config_option(self.0, c.as_ptr(), std::ptr::null_mut())) };
        (!v.is_null()).then(|| v.to_text())
    }

    /// Opens `path` for reading through DuckDB's file system.
    pub fn open(&self, path: &str) -> Result<DuckFile, Error> {
        DuckFile::open(self, path)
    }
}

impl Drop for ClientContext {
    fn drop(&mut self) {
        // SAFETY: we own the context and destroy it once.
        unsafe { ffi::duckdb_destroy_client_context(&mut self.0) }
    }
}

/// The message of an error DuckDB reported, destroying the error object.
///
/// # Safety
/// `err` must be an error data object the caller owns.
unsafe fn take_error(mut err: ffi::duckdb_error_data) -> String {
    let msg = ffi::duckdb_error_data_message(err);
    let text = if msg.is_null() { "unknown error".to_string() } else { CStr::from_ptr(msg).to_string_lossy().into_owned() };
    ffi::duckdb_destroy_error_data(&mut err);
    text
}

/// A file opened through DuckDB's file system.
pub struct DuckFile {
    fs: ffi::duckdb_file_system,
    handle: ffi::duckdb_file_handle,
}

// A DuckFile is used by one thread at a time (it moves between the scanning threads with the
// work unit); DuckDB's file handles may be used from any thread.
unsafe impl Send for DuckFile {}

impl DuckFile {
    fn open(context: &ClientContext, path: &str) -> Result<DuckFile, Error> {
        let cpath = cstring(path);
        // SAFETY: a live context; every object created here is destroyed here or owned by the
        // returned DuckFile.
        unsafe {
            let fs = ffi::duckdb_client_context_get_file_system(context.0);
            if fs.is_null() {
                return Err(Error::File("DuckDB's file system is not available".into()));
            }
            let mut options = ffi::duckdb_create_file_open_options();
            ffi::duckdb_file_open_options_set_flag(options, ffi::duckdb_file_flag_DUCKDB_FILE_FLAG_READ, true);
            let mut handle: ffi::duckdb_file_handle = std::ptr::null_mut();
            let state = ffi::duckdb_file_system_open(fs, cpath.as_ptr(), options, &mut handle);
            ffi::duckdb_destroy_file_open_options(&mut options);
            if state != ffi::duckdb_state_DuckDBSuccess || handle.is_null() {
                let msg = take_error(ffi::duckdb_file_system_error_data(fs));
                let mut fs = fs;
                ffi::duckdb_destroy_file_system(&mut fs);
                return Err(Error::File(msg));
            }
            Ok(DuckFile { fs, handle })
        }
    }

    /// Back to the first byte.
    pub fn rewind(&mut self) -> io::Result<()> {
        // SAFETY: a live handle; on failure its error object is ours.
        unsafe {
            if ffi::duckdb_file_handle_seek(self.handle, 0) != ffi::duckdb_state_DuckDBSuccess {
                return Err(io::Error::other(take_error(ffi::duckdb_file_handle_error_data(self.handle))));
            }
        }
        Ok(())
    }
}

impl Read for DuckFile {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        // SAFETY: a live handle; DuckDB writes at most buf.len() bytes into buf.
        let n = unsafe { ffi::duckdb_file_handle_read(self.handle, buf.as_mut_ptr() as *mut c_void, buf.len() as i64) };
        if n < 0 {
            // SAFETY: the handle's error object is ours.
            return Err(io::Error::other(unsafe { take_error(ffi::duckdb_file_handle_error_data(self.handle)) }));
        }
        Ok(n as usize)
    }
}

impl Drop for DuckFile {
    fn drop(&mut self) {
        // SAFETY: we own both and destroy them once.
        unsafe {
            ffi::duckdb_destroy_file_handle(&mut self.handle);
            ffi::duckdb_destroy_file_system(&mut self.fs);
        }
    }
}
