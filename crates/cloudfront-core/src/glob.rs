//! Local path expansion with the semantics of DuckDB's own `glob()` (LocalFileSystem's glob
//! in DuckDB 1.5/2.0), so `read_cloudfront('dir/**')` reads what `FROM glob('dir/**')` lists.
//!
//! The C API has no glob, and a connection kept from LOAD to run `glob()` would either dangle
//! (the `duckdb_database` handed to an extension dies when LOAD returns) or keep the database
//! alive forever; so the rules are implemented here, on bytes, from DuckDB's source:
//! - `*` matches any bytes (a leading dot too), `?` any one byte, `[...]` a set or range
//!   (`[!...]` negated, `]` first is literal), `\` escapes the next byte; per path segment.
//! - `**` as a whole segment matches zero or more directories; it may appear once. Symbolic
//!   links are not followed by `**` (neither links to files nor to directories), so a link
//!   loop can neither repeat files nor recurse forever.
//! - Other segments follow links. A segment without glob characters is taken literally.
//! - The last segment matches non-directories; earlier ones match directories.
//! - A pattern that matches nothing is tried as a literal path (a file named `a[1].log`).
//!
//! Where DuckDB's `glob()` silently leaves out an entry, this expansion never does: a matched
//! name that is not a regular file (a FIFO, a device, a dangling link) is returned for the
//! caller to refuse with its name, a directory that cannot be listed is an error naming it, and
//! names that are not valid UTF-8 are returned as they are (DuckDB's `glob()` fails on them).

use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};

/// Whether `s` has glob characters (as DuckDB decides it).
pub fn has_glob(s: &str) -> bool {
    s.contains(['*', '?', '['])
}

/// DuckDB's `Glob(string, pattern)` over bytes: does `name` match `pattern`?
pub fn glob_match(name: &[u8], pattern: &[u8]) -> bool {
    let (mut s, mut p) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None; // (pattern after '*', string position)
    while s < name.len() {
        let mut matched = false;
        let mut next_p = p;
        if p < pattern.len() {
            match pattern[p] {
                b'*' => {
                    while p < pattern.len() && pattern[p] == b'*' {
                        p += 1;
                    }
                    if p == pattern.len() {
                        return true;
                    }
                    star = Some((p, s));
                    continue;
                }
                b'?' => {
                    matched = true;
                    next_p = p + 1;
                }
                b'[' => {
                    next_p = p + 1;
                    match bracket(name[s], pattern, &mut next_p) {
                        Some(m) => matched = m,
                        None => return false,
                    }
                }
                b'\\' => {
                    if p + 1 == pattern.len() {
                        return false;
                    }
                    matched = name[s] == pattern[p + 1];
                    next_p = p + 2;
                }
                c => {
                    matched = name[s] == c;
                    next_p = p + 1;
                }
            }
        }
        if matched {
            s += 1;
            p = next_p;
            continue;
        }
        let Some((star_p, star_s)) = star else { return false };
        // Backtrack: the last '*' takes one more byte.
        star = Some((star_p, star_s + 1));
        s = star_s + 1;
        p = star_p;
    }
    while p < pattern.len() && pattern[p] == b'*' {
        p += 1;
    }
    p == pattern.len()
}

/// A `[...]` set starting at `pattern[*p]` (just after the `[`): whether `c` is in it, with
/// `*p` moved past the `]`; None for a set without its `]` (the pattern matches nothing).
fn bracket(c: u8, pattern: &[u8], p: &mut usize) -> Option<bool> {
    let mut invert = false;
    if pattern.get(*p) == Some(&b'!') {
        invert = true;
        *p += 1;
    }
    let start = *p;
    let mut found = invert;
    while *p < pattern.len() {
        let x = pattern[*p];
        if x == b']' && *p > start {
            *p += 1;
            return Some(found);
        }
        if *p + 1 == pattern.len() {
            return None;
        }
        let hit = if pattern[*p + 1] == b'-' && *p + 2 < pattern.len() && pattern[*p + 2] != b']' {
            let hi = pattern[*p + 2];
            *p += 3;
            (x..=hi).contains(&c)
        } else {
            *p += 1;
            x == c
        };
        if found == invert && hit {
            found = !invert;
        }
    }
    None
}

/// Why a pattern could not be expanded.
#[derive(Debug)]
pub enum GlobError {
    /// More than one `**` segment (DuckDB refuses them too).
    MultipleRecursive(String),
    /// A directory on the way could not be listed (skipping it would hide its files).
    List { dir: String, error: std::io::Error },
    /// An entry of a listed directory could not be examined.
    Entry { path: String, error: std::io::Error },
}

impl std::fmt::Display for GlobError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            GlobError::MultipleRecursive(pattern) => write!(f, "Cannot use multiple '**' in one path (\"{pattern}\")"),
            GlobError::List { dir, error } => write!(f, "cannot list directory \"{dir}\": {error}"),
            GlobError::Entry { path, error } => write!(f, "cannot read \"{path}\": {error}"),
        }
    }
}

impl std::error::Error for GlobError {}

/// Expands one local pattern into paths, sorted. `Ok(vec![])` when nothing matches.
/// Non-regular matches are included (see the module documentation).
pub fn expand_local(pattern: &str) -> Result<Vec<PathBuf>, GlobError> {
    if !has_glob(pattern) {
        return Ok(if Path::new(pattern).symlink_metadata().is_ok() { vec![PathBuf::from(pattern)] } else { vec![] });
    }
    let absolute = pattern.starts_with('/');
    let segments: Vec<&str> = pattern.split('/').filter(|s| !s.is_empty()).collect();
    if segments.iter().filter(|s| **s == "**").count() > 1 {
        return Err(GlobError::MultipleRecursive(pattern.to_string()));
    }
    // A trailing '/' asks for directories: an empty last segment.
    let mut segments = segments;
    if pattern.ends_with('/') {
        segments.push("");
    }
    let root = if absolute { PathBuf::from("/") } else { PathBuf::new() };
    let mut found = Vec::new();
    // (directory, index of the segment to match in it). Depth-first; sorted at the end.
    let mut work = vec![(root, 0usize)];
    while let Some((dir, i)) = work.pop() {
        let seg = segments[i];
        let last = i + 1 == segments.len();
        if !has_glob(seg) {
            let path = join(&dir, seg);
            if last {
                if path.symlink_metadata().is_ok() {
                    found.push(path);
                }
            } else {
                work.push((path, i + 1));
            }
            continue;
        }
        if seg == "**" {
            if !last {
                // Zero directories ...
                work.push((dir.clone(), i + 1));
            }
            // ... or any number: crawl without following links.
            for (path, kind) in list(&dir)? {
                match kind {
                    Kind::Link => {}
                    Kind::Dir => work.push((path, i)),
                    Kind::Other if last => found.push(path),
                    Kind::Other => {}
                }
            }
            continue;
        }
        for (path, _) in list(&dir)? {
            let Some(name) = path.file_name() else { continue };
            if !glob_match(name.as_encoded_bytes(), seg.as_bytes()) {
                continue;
            }
            // Links are followed here: a link to a directory is a directory.
            let is_dir = fs::metadata(&path).map(|m| m.is_dir()).unwrap_or(false);
            if last && !is_dir {
                found.push(path);
            } else if !last && is_dir {
                work.push((path, i + 1));
            }
        }
    }
    if found.is_empty() && Path::new(pattern).symlink_metadata().is_ok() {
        // Nothing matched the pattern: a file literally named like it (DuckDB does the same).
        found.push(PathBuf::from(pattern));
    }
    found.sort_by(|a, b| a.as_os_str().as_encoded_bytes().cmp(b.as_os_str().as_encoded_bytes()));
    found.dedup();
    Ok(found)
}

fn join(dir: &Path, name: &str) -> PathBuf {
    if dir.as_os_str().is_empty() {
        PathBuf::from(name)
    } else {
        dir.join(name)
    }
}

#[derive(Clone, Copy, PartialEq, Debug)]
enum Kind {
    /// A symbolic link (not followed by `**`).
    Link,
    Dir,
    /// A file, or anything else that is not a directory.
    Other,
}

/// The entries of `dir` (the current directory when empty), with what each is without
/// following links. A directory that cannot be listed is an error naming it: skipping it would
/// hide its files.
fn list(dir: &Path) -> Result<Vec<(PathBuf, Kind)>, GlobError> {
    let shown = if dir.as_os_str().is_empty() { Path::new(".") } else { dir };
    let entries = match fs::read_dir(shown) {
        Ok(e) => e,
        // Not a directory (or gone): nothing in it matches, as in DuckDB.
        Err(e) if matches!(e.kind(), std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory) => return Ok(vec![]),
        Err(error) => return Err(GlobError::List { dir: display(shown), error }),
    };
    let mut out = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|error| GlobError::List { dir: display(shown), error })?;
        let kind = match entry.file_type() {
            Ok(t) if t.is_symlink() => Kind::Link,
            Ok(t) if t.is_dir() => Kind::Dir,
            Ok(_) => Kind::Other,
            Err(error) => return Err(GlobError::Entry { path: display(&entry.path()), error }),
        };
        let name = entry.file_name();
        out.push((if dir.as_os_str().is_empty() { PathBuf::from(&name) } else { dir.join(&name) }, kind));
    }
    Ok(out)
}

/// A path as text: valid UTF-8 as it is, each invalid byte as `\xNN` (so a file whose name
/// is not UTF-8 can be named in output and errors; it is still opened by its real name).
pub fn display(path: &Path) -> String {
    display_bytes(path.as_os_str())
}

fn display_bytes(s: &OsStr) -> String {
    let bytes = s.as_encoded_bytes();
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        out.push_str(chunk.valid());
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02x}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matching_follows_duckdb() {
        let m = |n: &str, p: &str| glob_match(n.as_bytes(), p.as_bytes());
        assert!(m("a.gz", "*.gz") && m(".dot.gz", "*.gz") && m("x", "*") && m("", "*"));
        assert!(m("ab", "a?") && !m("a", "a?") && m("abc", "a*c") && m("abxbc", "a*bc"));
        assert!(m("a1", "a[0-9]") && !m("ax", "a[0-9]") && m("ax", "a[!0-9]") && !m("a1", "a[!0-9]"));
        assert!(m("a]", "a[]]") && m("a-", "a[a-]") && m("a*", "a\\*") && !m("ab", "a\\*"));
        assert!(!m("a1", "a[0-9") && !m("a", "a\\"));
        assert!(m("x.log.gz", "*.gz") && !m("x.gz.log", "*.gz") && m("aaa", "*a*a*"));
        // Bytes, not characters: 'é' is two bytes.
        assert!(m("é", "??") && !m("é", "?"));
        assert!(glob_match(b"bad\xffname.gz", b"*.gz"));
    }

    #[test]
    fn display_escapes_invalid_bytes_only() {
        use std::os::unix::ffi::OsStrExt;
        assert_eq!(display(Path::new(OsStr::from_bytes(b"a/bad\xffname.gz"))), "a/bad\\xffname.gz");
        assert_eq!(display(Path::new("café/x.gz")), "café/x.gz");
    }

    /// The tree of test/python/test_hostile.py's glob test, in small: links are not crawled
    /// by `**`, a loop neither repeats nor hangs, '**' last finds files at every depth.
    #[test]
    fn expansion_and_links() {
        use std::os::unix::fs::symlink;
        let dir = std::env::temp_dir().join(format!("cf-glob-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(dir.join("a/b")).unwrap();
        for f in ["z.gz", "a/x.gz", "a/b/y.gz", "a/b/c.log", ".dot.gz"] {
            fs::write(dir.join(f), b"").unwrap();
        }
        symlink("..", dir.join("a/b/up")).unwrap();
        symlink("../..", dir.join("a/b/up2")).unwrap();
        symlink("z.gz", dir.join("link.gz")).unwrap();
        let d = dir.to_str().unwrap();
        let rel = |v: Vec<PathBuf>| v.iter().map(|p| p.strip_prefix(&dir).unwrap().to_str().unwrap().to_string()).collect::<Vec<_>>();
        assert_eq!(rel(expand_local(&format!("{d}/**")).unwrap()), [".dot.gz", "a/b/c.log", "a/b/y.gz", "a/x.gz", "z.gz"]);
        assert_eq!(rel(expand_local(&format!("{d}/**/*.gz")).unwrap()), [".dot.gz", "a/b/y.gz", "a/x.gz", "link.gz", "z.gz"]);
        assert_eq!(rel(expand_local(&format!("{d}/*/b/*.gz")).unwrap()), ["a/b/y.gz"]);
        assert_eq!(rel(expand_local(&format!("{d}/a/b/up/*.gz")).unwrap()), ["a/b/up/x.gz"]);
        assert!(expand_local(&format!("{d}/**/x/**")).unwrap_err().to_string().contains("multiple '**'"));
        assert!(expand_local(&format!("{d}/*.nothing")).unwrap().is_empty());
        fs::remove_dir_all(&dir).unwrap();
    }
}
