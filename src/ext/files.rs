//! Which files a scan reads and how their bytes are opened.
//!
//! Local paths and globs (`*`, `**`, `?`, `[...]`) are expanded here, like DuckDB's readers.
//! Paths with a URL scheme (`s3://`, `https://`, ...) are opened through DuckDB's own file
//! system (C API, stable since v1.5.6), so they work wherever `httpfs` is loaded; the C API
//! has no glob, so remote globs are expanded by the caller with DuckDB's `glob()` (see README).

use std::ffi::{c_void, CStr};
use std::io::{self, Read};

use libduckdb_sys as ffi;

use super::capi::cstring;

/// Whether `path` names a remote object (`scheme://...`) rather than a local file.
pub fn is_remote(path: &str) -> bool {
    match path.find("://") {
        Some(i) => i > 1 && path[..i].chars().all(|c| c.is_ascii_alphanumeric() || c == '+' || c == '-' || c == '.'),
        None => false,
    }
}

fn has_glob(path: &str) -> bool {
    path.contains(['*', '?', '['])
}

/// Expands the user's paths (each a path or a glob) into the files to read, in order.
pub fn expand(patterns: &[String]) -> Result<Vec<String>, String> {
    let mut files = Vec::new();
    for pattern in patterns {
        if is_remote(pattern) {
            if has_glob(pattern) {
                return Err(format!(
                    "read_cloudfront cannot expand the remote glob \"{pattern}\" itself (DuckDB's C API has no glob); \
                     pass the list DuckDB's glob() returns, e.g. \
                     SET VARIABLE files = (SELECT list(file) FROM glob('{pattern}')); \
                     FROM read_cloudfront(getvariable('files'))"
                ));
            }
            files.push(pattern.clone());
            continue;
        }
        if !has_glob(pattern) {
            let meta = std::fs::metadata(pattern).map_err(|e| format!("cannot open \"{pattern}\": {e}"))?;
            if meta.is_dir() {
                let dir = pattern.trim_end_matches('/');
                return Err(format!("\"{pattern}\" is a directory, not a log file (use a glob such as '{dir}/**/*.gz')"));
            }
            files.push(pattern.clone());
            continue;
        }
        let options = glob::MatchOptions { case_sensitive: true, require_literal_separator: true, require_literal_leading_dot: false };
        let matches = glob::glob_with(pattern, options).map_err(|e| format!("invalid glob pattern \"{pattern}\": {e}"))?;
        let mut found = 0;
        for entry in matches {
            let path = entry.map_err(|e| format!("cannot read {}: {}", e.path().display(), e.error()))?;
            if path.is_file() {
                files.push(path.to_string_lossy().into_owned());
                found += 1;
            }
        }
        if found == 0 {
            return Err(format!("No files found that match the pattern \"{pattern}\""));
        }
    }
    if files.is_empty() {
        return Err("read_cloudfront needs at least one file".into());
    }
    Ok(files)
}

/// Owned client context from a bind, destroyed with the bind data.
pub struct ClientContext(pub ffi::duckdb_client_context);

// The context is a handle on DuckDB's ClientContext, which lives for the whole query and is
// used here only to obtain a file system per scanning thread.
unsafe impl Send for ClientContext {}
unsafe impl Sync for ClientContext {}

impl Drop for ClientContext {
    fn drop(&mut self) {
        if !self.0.is_null() {
            unsafe { ffi::duckdb_destroy_client_context(&mut self.0) }
        }
    }
}

fn take_error(err: ffi::duckdb_error_data) -> String {
    let mut err = err;
    unsafe {
        let msg = ffi::duckdb_error_data_message(err);
        let text = if msg.is_null() { "unknown error".to_string() } else { CStr::from_ptr(msg).to_string_lossy().into_owned() };
        ffi::duckdb_destroy_error_data(&mut err);
        text
    }
}

/// A file opened through DuckDB's file system.
pub struct DuckFile {
    fs: ffi::duckdb_file_system,
    handle: ffi::duckdb_file_handle,
}

// One DuckFile is used by one thread at a time; DuckDB file handles are not shared.
unsafe impl Send for DuckFile {}

impl DuckFile {
    pub fn open(context: &ClientContext, path: &str) -> Result<DuckFile, String> {
        unsafe {
            let fs = ffi::duckdb_client_context_get_file_system(context.0);
            if fs.is_null() {
                return Err("DuckDB's file system is not available".into());
            }
            let mut options = ffi::duckdb_create_file_open_options();
            ffi::duckdb_file_open_options_set_flag(options, ffi::duckdb_file_flag_DUCKDB_FILE_FLAG_READ, true);
            let cpath = cstring(path);
            let mut handle: ffi::duckdb_file_handle = std::ptr::null_mut();
            let state = ffi::duckdb_file_system_open(fs, cpath.as_ptr(), options, &mut handle);
            ffi::duckdb_destroy_file_open_options(&mut options);
            if state != ffi::duckdb_state_DuckDBSuccess || handle.is_null() {
                let msg = take_error(ffi::duckdb_file_system_error_data(fs));
                let mut fs = fs;
                ffi::duckdb_destroy_file_system(&mut fs);
                return Err(msg);
            }
            Ok(DuckFile { fs, handle })
        }
    }
}

impl Read for DuckFile {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = unsafe { ffi::duckdb_file_handle_read(self.handle, buf.as_mut_ptr() as *mut c_void, buf.len() as i64) };
        if n < 0 {
            return Err(io::Error::other(take_error(unsafe { ffi::duckdb_file_handle_error_data(self.handle) })));
        }
        Ok(n as usize)
    }
}

impl Drop for DuckFile {
    fn drop(&mut self) {
        unsafe {
            ffi::duckdb_destroy_file_handle(&mut self.handle);
            ffi::duckdb_destroy_file_system(&mut self.fs);
        }
    }
}

/// Opens `path`'s raw bytes: locally with std, remotely through DuckDB.
pub fn open_raw(path: &str, context: Option<&ClientContext>) -> Result<Box<dyn Read + Send>, String> {
    if is_remote(path) {
        let ctx = context.ok_or("no client context to open remote files")?;
        return Ok(Box::new(DuckFile::open(ctx, path)?));
    }
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    if file.metadata().map(|m| m.is_dir()).unwrap_or(false) {
        return Err("is a directory".into());
    }
    Ok(Box::new(file))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remote_detection() {
        assert!(is_remote("s3://bucket/key.gz"));
        assert!(is_remote("https://example.com/x"));
        assert!(!is_remote("/tmp/x.gz"));
        assert!(!is_remote("C://x"));
        assert!(!is_remote("logs/a://b"));
    }

    #[test]
    fn glob_expansion_and_errors() {
        let dir = std::env::temp_dir().join(format!("cf-glob-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("2026/11")).unwrap();
        std::fs::write(dir.join("2026/11/a.gz"), b"").unwrap();
        std::fs::write(dir.join("2026/11/b.log"), b"").unwrap();
        std::fs::write(dir.join("top.gz"), b"").unwrap();
        let d = dir.to_string_lossy();
        let all = expand(&[format!("{d}/**/*.gz")]).unwrap();
        assert_eq!(all.len(), 2);
        assert!(expand(&[format!("{d}/*.nothing")]).unwrap_err().contains("No files found"));
        assert!(expand(&[d.to_string()]).unwrap_err().contains("is a directory"));
        assert!(expand(&["s3://b/*.gz".to_string()]).unwrap_err().contains("glob()"));
        assert_eq!(expand(&["s3://b/x.gz".to_string()]).unwrap(), vec!["s3://b/x.gz".to_string()]);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
