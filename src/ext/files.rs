//! Which inputs a scan reads and how their bytes are opened.
//!
//! Local paths and globs are expanded with DuckDB's glob rules (`ext::glob`), relative paths
//! also against the `file_search_path` setting, `~` as the home directory. Paths with a URL
//! scheme (`s3://`, `https://`, ...) are opened through DuckDB's own file system (C API, stable
//! since v1.5.6), so they work wherever `httpfs` is loaded; the C API has no glob, so remote
//! globs are expanded by the caller with DuckDB's `glob()` (see the reference).
//!
//! Only regular files are read locally: a FIFO, a socket or a device (`/dev/stdin` when it is a
//! pipe, `/dev/urandom`) is refused at once, by name, and is opened without blocking so that a
//! FIFO without a writer cannot hang the query. Such a stream can be read neither twice (bind
//! reads a file's header, the scan reads it again) nor in ranges, and it may never end, which
//! no interrupt could stop (see `ext::read_cloudfront` on interrupts).

use std::ffi::{c_void, CStr};
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use libduckdb_sys as ffi;

use super::capi::{client_context_setting, cstring};
use super::glob::{display, expand_local, has_glob};

/// Whether `path` names a remote object (`scheme://...`) rather than a local file.
pub fn is_remote(path: &str) -> bool {
    match path.find("://") {
        Some(i) => i > 1 && path[..i].chars().all(|c| c.is_ascii_alphanumeric() || c == '+' || c == '-' || c == '.'),
        None => false,
    }
}

/// One input of a scan.
#[derive(Clone, Debug, PartialEq)]
pub enum Input {
    /// A local file, by its real name (which need not be UTF-8).
    Local(PathBuf),
    /// A URL opened through DuckDB's file system.
    Remote(String),
}

impl Input {
    /// The name shown in the `filename` column and in messages: the path as written, with
    /// bytes that are not UTF-8 as `\xNN`.
    pub fn shown(&self) -> String {
        match self {
            Input::Local(p) => display(p),
            Input::Remote(u) => u.clone(),
        }
    }

    pub fn is_remote(&self) -> bool {
        matches!(self, Input::Remote(_))
    }

    /// Size in bytes of a local file (None for remote inputs or when it cannot be read).
    pub fn local_size(&self) -> Option<u64> {
        match self {
            Input::Local(p) => std::fs::metadata(p).ok().map(|m| m.len()),
            Input::Remote(_) => None,
        }
    }
}

/// Settings of the user's session that change how local paths are found.
#[derive(Default, Clone)]
pub struct PathSettings {
    /// `file_search_path`: comma-separated directories for relative paths.
    pub search_path: Vec<String>,
    /// `home_directory` (or `$HOME`) for a leading `~`.
    pub home: Option<String>,
}

impl PathSettings {
    /// Reads the settings from the client context of a bind.
    pub fn from_context(ctx: &ClientContext) -> Self {
        let text = |name: &str| ctx.setting(name).filter(|s| !s.is_empty());
        let search_path = text("file_search_path").map(|s| s.split(',').map(|p| p.trim().to_string()).filter(|p| !p.is_empty()).collect()).unwrap_or_default();
        let home = text("home_directory").or_else(|| std::env::var("HOME").ok().filter(|h| !h.is_empty()));
        Self { search_path, home }
    }
}

/// How to call a reader again with its remote globs listed by DuckDB's `glob()`: the function
/// and its named arguments as SQL (`, since := TIMESTAMPTZ '...'`), for the error's recipe.
#[derive(Default, Clone)]
pub struct Recipe {
    pub function: &'static str,
    pub named_args: String,
}

/// The error for remote globs: DuckDB's C API gives an extension no glob, so the message is
/// the two statements to type instead (every pattern listed by `glob()`, then read as a list).
pub fn remote_glob_error(patterns: &[String], recipe: &Recipe) -> String {
    let quote = |p: &str| format!("'{}'", p.replace('\'', "''"));
    let globs: Vec<&String> = patterns.iter().filter(|p| is_remote(p) && has_glob(p)).collect();
    let listing = match patterns {
        [one] => format!("SELECT list(file) FROM glob({})", quote(one)),
        many => format!(
            "SELECT list(file) FROM ({})",
            many.iter().map(|p| format!("SELECT file FROM glob({})", quote(p))).collect::<Vec<_>>().join(" UNION ALL ")
        ),
    };
    let function = if recipe.function.is_empty() { "read_cloudfront" } else { recipe.function };
    format!(
        "{function} cannot expand the remote glob \"{}\" itself: DuckDB's C API gives extensions no glob. \
         List the files with DuckDB's glob() (it uses your secrets), then read the list:\n  \
         SET VARIABLE cloudfront_files = ({listing});\n  \
         FROM {function}(getvariable('cloudfront_files'){});\n\
         (from Python: cloudfront.read(con, paths, ...) does both; make hunt LOGS='s3://...' too)",
        globs.first().map(|s| s.as_str()).unwrap_or_default(),
        recipe.named_args
    )
}

/// Expands the user's paths (each a path or a glob) into the inputs to read, in order.
/// Errors name the pattern; a pattern that matches nothing is an error, as in DuckDB's readers.
/// A remote glob is an error giving the `glob()` recipe for `recipe`'s call.
pub fn expand(patterns: &[String], settings: &PathSettings, recipe: &Recipe) -> Result<Vec<Input>, String> {
    if patterns.iter().any(|p| is_remote(p) && has_glob(p)) {
        return Err(remote_glob_error(patterns, recipe));
    }
    let mut inputs = Vec::new();
    for pattern in patterns {
        if is_remote(pattern) {
            inputs.push(Input::Remote(pattern.clone()));
            continue;
        }
        let pattern_home = match (pattern.strip_prefix('~'), &settings.home) {
            (Some(rest), Some(home)) if rest.is_empty() || rest.starts_with('/') => format!("{home}{rest}"),
            _ => pattern.clone(),
        };
        let mut found = expand_local(&pattern_home)?;
        if found.is_empty() && !pattern_home.starts_with('/') {
            for dir in &settings.search_path {
                found.extend(expand_local(&format!("{}/{pattern_home}", dir.trim_end_matches('/')))?);
            }
        }
        if found.is_empty() {
            return Err(if has_glob(pattern) {
                format!("No files found that match the pattern \"{pattern}\"")
            } else {
                format!("cannot open \"{pattern}\": No such file or directory")
            });
        }
        if !has_glob(pattern) && found.len() == 1 && found[0].is_dir() {
            let dir = pattern.trim_end_matches('/');
            return Err(format!("\"{pattern}\" is a directory, not a log file (use a glob such as '{dir}/**/*.gz')"));
        }
        inputs.extend(found.into_iter().map(Input::Local));
    }
    if inputs.is_empty() {
        return Err("read_cloudfront needs at least one file".into());
    }
    Ok(inputs)
}

/// What a path is, when it is not a regular file we can read.
fn not_a_file(meta: &std::fs::Metadata) -> Option<&'static str> {
    use std::os::unix::fs::FileTypeExt;
    let t = meta.file_type();
    if t.is_file() {
        None
    } else if t.is_dir() {
        Some("is a directory")
    } else if t.is_fifo() {
        Some("is a FIFO (a named pipe, e.g. /dev/stdin fed by a pipe), not a regular file")
    } else if t.is_socket() {
        Some("is a socket, not a regular file")
    } else if t.is_char_device() || t.is_block_device() {
        Some("is a device, not a regular file")
    } else {
        Some("is not a regular file")
    }
}

/// Opens a local file for reading, refusing anything but a regular file without blocking on
/// it: the open itself does not wait for a FIFO's writer, and what was opened is checked.
pub fn open_local(path: &Path) -> Result<File, String> {
    use std::os::unix::fs::OpenOptionsExt;
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
        .map_err(|e| e.to_string())?;
    let meta = file.metadata().map_err(|e| e.to_string())?;
    if let Some(what) = not_a_file(&meta) {
        return Err(if meta.is_dir() {
            what.to_string()
        } else {
            format!("{what}: read_cloudfront reads regular files only (a stream cannot be read twice, nor split, nor stopped when it never ends); save it to a file first")
        });
    }
    Ok(file)
}

/// Owned client context from a bind, destroyed with the bind data.
pub struct ClientContext(pub ffi::duckdb_client_context);

// The context is a handle on DuckDB's ClientContext, which lives for the whole query and is
// used here only to obtain a file system per scanning thread and to read settings.
unsafe impl Send for ClientContext {}
unsafe impl Sync for ClientContext {}

impl ClientContext {
    /// A setting of the session as text (None when unknown or NULL).
    pub fn setting(&self, name: &str) -> Option<String> {
        client_context_setting(self.0, name)
    }
}

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

    fn rewind(&mut self) -> io::Result<()> {
        if unsafe { ffi::duckdb_file_handle_seek(self.handle, 0) } != ffi::duckdb_state_DuckDBSuccess {
            return Err(io::Error::other(take_error(unsafe { ffi::duckdb_file_handle_error_data(self.handle) })));
        }
        Ok(())
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

/// An input's raw bytes, opened once: bind reads the header through it and the scan then reads
/// the same open file from its start (`rewind`).
pub enum RawFile {
    Local(File),
    Remote(DuckFile),
}

impl RawFile {
    /// Opens `input`: locally (regular files only, see `open_local`), remotely through DuckDB.
    pub fn open(input: &Input, context: Option<&ClientContext>) -> Result<RawFile, String> {
        match input {
            Input::Local(path) => open_local(path).map(RawFile::Local),
            Input::Remote(url) => {
                let ctx = context.ok_or("no client context to open remote files")?;
                DuckFile::open(ctx, url).map(RawFile::Remote)
            }
        }
    }

    /// Back to the first byte, to read the file again from its start.
    pub fn rewind(&mut self) -> io::Result<()> {
        match self {
            RawFile::Local(f) => f.seek(SeekFrom::Start(0)).map(|_| ()),
            RawFile::Remote(f) => f.rewind(),
        }
    }
}

impl Read for RawFile {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            RawFile::Local(f) => f.read(buf),
            RawFile::Remote(f) => f.read(buf),
        }
    }
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
        let dir = std::env::temp_dir().join(format!("cf-files-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("2026/11")).unwrap();
        std::fs::write(dir.join("2026/11/a.gz"), b"").unwrap();
        std::fs::write(dir.join("2026/11/b.log"), b"").unwrap();
        std::fs::write(dir.join("top.gz"), b"").unwrap();
        let d = dir.to_string_lossy();
        let none = PathSettings::default();
        let expand = |p: &[String], s: &PathSettings| expand(p, s, &Recipe::default());
        let all = expand(&[format!("{d}/**/*.gz")], &none).unwrap();
        assert_eq!(all.len(), 2);
        assert!(expand(&[format!("{d}/*.nothing")], &none).unwrap_err().contains("No files found"));
        assert!(expand(&[d.to_string()], &none).unwrap_err().contains("is a directory"));
        assert!(expand(&[format!("{d}/missing.gz")], &none).unwrap_err().contains("No such file"));
        assert!(expand(&["s3://b/*.gz".to_string()], &none).unwrap_err().contains("glob()"));
        // The recipe repeats the call's named arguments and lists every pattern.
        let recipe = Recipe { function: "read_cloudfront", named_args: ", since := TIMESTAMPTZ '2026-11-20 10:00:00+00'".into() };
        let e = super::expand(&["s3://b/it's/*.gz".to_string(), "/local/x.gz".to_string()], &none, &recipe).unwrap_err();
        assert!(e.contains("SET VARIABLE cloudfront_files = (SELECT list(file) FROM (SELECT file FROM glob('s3://b/it''s/*.gz') UNION ALL SELECT file FROM glob('/local/x.gz')));"), "{e}");
        assert!(e.contains("FROM read_cloudfront(getvariable('cloudfront_files'), since := TIMESTAMPTZ '2026-11-20 10:00:00+00');"), "{e}");
        assert_eq!(expand(&["s3://b/x.gz".to_string()], &none).unwrap(), vec![Input::Remote("s3://b/x.gz".to_string())]);
        // file_search_path: a relative name found in one of the directories.
        let search = PathSettings { search_path: vec!["/nonexistent".into(), format!("{d}/2026")], home: None };
        assert_eq!(expand(&["11/a.gz".to_string()], &search).unwrap(), vec![Input::Local(dir.join("2026/11/a.gz"))]);
        assert_eq!(expand(&["11/*.log".to_string()], &search).unwrap(), vec![Input::Local(dir.join("2026/11/b.log"))]);
        // ~ is the home directory.
        let home = PathSettings { search_path: vec![], home: Some(d.to_string()) };
        assert_eq!(expand(&["~/top.gz".to_string()], &home).unwrap(), vec![Input::Local(dir.join("top.gz"))]);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// Issue 11: a FIFO is refused at once (no open that waits for a writer), as are devices.
    #[test]
    fn only_regular_files_are_opened() {
        let dir = std::env::temp_dir().join(format!("cf-fifo-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let fifo = dir.join("f.gz");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let t = std::time::Instant::now();
        let e = open_local(&fifo).unwrap_err();
        assert!(e.starts_with("is a FIFO"), "{e}");
        assert!(t.elapsed() < std::time::Duration::from_secs(5));
        assert!(open_local(Path::new("/dev/null")).unwrap_err().starts_with("is a device"));
        assert_eq!(open_local(&dir).unwrap_err(), "is a directory");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
