//! Which inputs a scan reads and how their bytes are opened.
//!
//! Local paths and globs are expanded with DuckDB's glob rules (`cloudfront_core::glob`), relative paths
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

use std::fmt;
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use super::capi::{ClientContext, DuckFile};
use crate::glob::{display, expand_local, has_glob, GlobError};

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
        let search_path = text("file_search_path")
            .map(|s| s.split(',').map(|p| p.trim().to_string()).filter(|p| !p.is_empty()).collect())
            .unwrap_or_default();
        let home = text("home_directory").or_else(|| std::env::var("HOME").ok().filter(|h| !h.is_empty()));
        Self { search_path, home }
    }
}

/// How to call a reader again with its remote globs listed by DuckDB's `glob()`: the function
/// and its named arguments as SQL (`, since := TIMESTAMPTZ '...'`), for the error's recipe.
#[derive(Default, Clone, Debug)]
pub struct Recipe {
    pub function: &'static str,
    pub named_args: String,
}

/// Why the user's paths give no inputs to read.
#[derive(Debug)]
pub enum ExpandError {
    /// Remote globs, which the C API cannot expand: every pattern, and how the call was made.
    RemoteGlob {
        patterns: Vec<String>,
        recipe: Recipe,
    },
    /// A glob that matches nothing.
    NoMatch(String),
    /// A path that does not exist.
    NotFound(String),
    /// A directory named without a glob.
    Directory(String),
    Glob(GlobError),
    /// An empty list of paths.
    Nothing,
}

impl fmt::Display for ExpandError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExpandError::RemoteGlob { patterns, recipe } => f.write_str(&remote_glob_error(patterns, recipe)),
            ExpandError::NoMatch(pattern) => write!(f, "No files found that match the pattern \"{pattern}\""),
            ExpandError::NotFound(pattern) => write!(f, "cannot open \"{pattern}\": No such file or directory"),
            ExpandError::Directory(pattern) => {
                let dir = pattern.trim_end_matches('/');
                write!(f, "\"{pattern}\" is a directory, not a log file (use a glob such as '{dir}/**/*.gz')")
            }
            ExpandError::Glob(e) => e.fmt(f),
            ExpandError::Nothing => f.write_str("read_cloudfront needs at least one file"),
        }
    }
}

impl From<GlobError> for ExpandError {
    fn from(e: GlobError) -> Self {
        ExpandError::Glob(e)
    }
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
pub fn expand(patterns: &[String], settings: &PathSettings, recipe: &Recipe) -> Result<Vec<Input>, ExpandError> {
    if patterns.iter().any(|p| is_remote(p) && has_glob(p)) {
        return Err(ExpandError::RemoteGlob { patterns: patterns.to_vec(), recipe: recipe.clone() });
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
            return Err(if has_glob(pattern) { ExpandError::NoMatch(pattern.clone()) } else { ExpandError::NotFound(pattern.clone()) });
        }
        if !has_glob(pattern) && found.len() == 1 && found[0].is_dir() {
            return Err(ExpandError::Directory(pattern.clone()));
        }
        inputs.extend(found.into_iter().map(Input::Local));
    }
    if inputs.is_empty() {
        return Err(ExpandError::Nothing);
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

/// Why an input could not be opened.
#[derive(Debug)]
pub enum OpenError {
    Io(io::Error),
    /// A directory where a file was expected.
    Directory,
    /// A FIFO, socket or device: what it is.
    NotAFile(&'static str),
    /// A remote input without the query's client context.
    NoContext,
    /// DuckDB's file system refused a remote input.
    Remote(super::capi::Error),
}

impl fmt::Display for OpenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OpenError::Io(e) => e.fmt(f),
            OpenError::Directory => f.write_str("is a directory"),
            OpenError::NotAFile(what) => write!(
                f,
                "{what}: read_cloudfront reads regular files only (a stream cannot be read twice, nor split, nor stopped \
                 when it never ends); save it to a file first"
            ),
            OpenError::NoContext => f.write_str("no client context to open remote files"),
            OpenError::Remote(e) => e.fmt(f),
        }
    }
}

/// Opens a local file for reading, refusing anything but a regular file without blocking on
/// it: the open itself does not wait for a FIFO's writer, and what was opened is checked.
pub fn open_local(path: &Path) -> Result<File, OpenError> {
    use std::os::unix::fs::OpenOptionsExt;
    let file = std::fs::OpenOptions::new().read(true).custom_flags(libc::O_NONBLOCK).open(path).map_err(OpenError::Io)?;
    let meta = file.metadata().map_err(OpenError::Io)?;
    match not_a_file(&meta) {
        None => Ok(file),
        Some(_) if meta.is_dir() => Err(OpenError::Directory),
        Some(what) => Err(OpenError::NotAFile(what)),
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
    pub fn open(input: &Input, context: Option<&ClientContext>) -> Result<RawFile, OpenError> {
        match input {
            Input::Local(path) => open_local(path).map(RawFile::Local),
            Input::Remote(url) => {
                let ctx = context.ok_or(OpenError::NoContext)?;
                ctx.open(url).map(RawFile::Remote).map_err(OpenError::Remote)
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
        let err = |p: String| expand(&[p], &none).unwrap_err().to_string();
        assert!(err(format!("{d}/*.nothing")).contains("No files found"));
        assert!(err(d.to_string()).contains("is a directory"));
        assert!(err(format!("{d}/missing.gz")).contains("No such file"));
        assert!(err("s3://b/*.gz".to_string()).contains("glob()"));
        // The recipe repeats the call's named arguments and lists every pattern.
        let recipe = Recipe { function: "read_cloudfront", named_args: ", since := TIMESTAMPTZ '2026-11-20 10:00:00+00'".into() };
        let e = super::expand(&["s3://b/it's/*.gz".to_string(), "/local/x.gz".to_string()], &none, &recipe).unwrap_err().to_string();
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
        // mkfifo has no safe wrapper in std; a valid C string and mode are all it needs.
        #[allow(unsafe_code)]
        let made = unsafe { libc::mkfifo(c.as_ptr(), 0o600) };
        assert_eq!(made, 0);
        let t = std::time::Instant::now();
        let e = open_local(&fifo).unwrap_err().to_string();
        assert!(e.starts_with("is a FIFO"), "{e}");
        assert!(t.elapsed() < std::time::Duration::from_secs(5));
        assert!(open_local(Path::new("/dev/null")).unwrap_err().to_string().starts_with("is a device"));
        assert_eq!(open_local(&dir).unwrap_err().to_string(), "is a directory");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
