//! Planning a scan: the units of work the threads claim (whole files, or byte ranges of large
//! plain local files, `format::split`), and opening a unit as a scanner.

use std::io::{Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use crate::ext::files::{open_local, Input, RawFile};
use crate::format::scan::{detect, FileScanner, Layout, ScanOptions};
use crate::format::source::{open_text, GZIP_MAGIC};
use crate::format::split::{RangeIndex, Source as RangeSource};

use super::error::{FileError, ReadError};
use super::Bind;

/// A scanner over one unit's text.
pub type Scanner = FileScanner<Box<dyn Read + Send>>;

/// One unit of scanning work.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Unit {
    /// Index of the input.
    pub file: usize,
    /// For a range of a split file: which range, and the file's layout.
    pub range: Option<(usize, Layout)>,
}

/// The units of one scan, claimed in order by the scanning threads.
pub struct Units {
    units: Vec<Unit>,
    next: AtomicUsize,
    /// Per input: the index of its ranges when it is split, learned as threads need it.
    ranges: Vec<Option<RangeIndex>>,
}

impl Units {
    /// Splits large uncompressed local files into ranges (`format::split`); everything else is
    /// one unit per file. Gzip cannot be entered mid-stream, and remote files are read once.
    pub fn plan(inputs: &[Input], opts: &ScanOptions) -> Units {
        let mut units = Vec::with_capacity(inputs.len());
        let mut ranges = Vec::with_capacity(inputs.len());
        for (file, input) in inputs.iter().enumerate() {
            let index = RangeIndex::new(input.local_size().unwrap_or(0), opts.max_line);
            let layout = match input {
                Input::Local(path) if index.len() > 1 => plain_layout(path, opts),
                _ => None,
            };
            match layout {
                Some(layout) => {
                    units.extend((0..index.len()).map(|k| Unit { file, range: Some((k, layout)) }));
                    ranges.push(Some(index));
                }
                None => {
                    units.push(Unit { file, range: None });
                    ranges.push(None);
                }
            }
        }
        Units { units, next: AtomicUsize::new(0), ranges }
    }

    /// How many units there are (the most threads that can scan at once).
    pub fn len(&self) -> usize {
        self.units.len()
    }

    pub fn is_empty(&self) -> bool {
        self.units.is_empty()
    }

    /// The next unclaimed unit, None when all are claimed.
    pub fn claim(&self) -> Option<Unit> {
        self.units.get(self.next.fetch_add(1, Ordering::Relaxed)).copied()
    }

    /// Opens `unit` as a scanner.
    pub fn open(&self, bind: &Bind, unit: Unit) -> Result<Scanner, ReadError> {
        match unit.range {
            Some((k, layout)) => self.open_range(bind, unit.file, k, layout),
            None => open_whole(bind, unit.file),
        }
    }

    /// Opens range `k` of a split file: seeks to its first line and stops at the next range's.
    fn open_range(&self, bind: &Bind, file: usize, k: usize, layout: Layout) -> Result<Scanner, ReadError> {
        let shown = &bind.shown[file];
        let fail = |cause| ReadError::file(shown, cause);
        let (Input::Local(path), Some(index)) = (&bind.inputs[file], self.ranges[file].as_ref()) else {
            return Err(fail(FileError::Range("internal error: only local files are split".into())));
        };
        let src = LocalRanges(path);
        let (start, end) = index.range(&src, k).map_err(|e| fail(FileError::Range(e)))?;
        let f = src.read_from(start.offset).map_err(|e| fail(FileError::Io(e)))?;
        let reader: Box<dyn Read + Send> = Box::new(f.take(end.saturating_sub(start.offset)));
        Ok(FileScanner::for_range(reader, bind.schema.clone(), bind.scan.clone(), layout, start.fields, start.lines_before))
    }
}

/// Opens a whole input: the file bind opened when it is still there, else anew.
fn open_whole(bind: &Bind, file: usize) -> Result<Scanner, ReadError> {
    let fail = |cause| ReadError::file(&bind.shown[file], cause);
    let parked = bind.opened[file].lock().unwrap_or_else(|poisoned| poisoned.into_inner()).take();
    let raw = match parked {
        Some(mut raw) => {
            raw.rewind().map_err(|e| fail(FileError::Io(e)))?;
            raw
        }
        None => RawFile::open(&bind.inputs[file], bind.context.as_ref()).map_err(|e| fail(FileError::Open(e)))?,
    };
    let text = open_text(raw).map_err(|e| fail(FileError::Io(e)))?;
    Ok(FileScanner::new(text, bind.schema.clone(), bind.scan.clone()))
}

/// The files bind opened to read their headers, kept for the scan so that each is opened once
/// (taken by the first scan of the file; a later scan opens it again).
pub type Parked = Vec<Mutex<Option<RawFile>>>;

/// The layout of an uncompressed local file, None for gzip or undetectable files (those are
/// read whole, which reports their errors the usual way).
fn plain_layout(path: &Path, opts: &ScanOptions) -> Option<Layout> {
    let mut head = [0u8; 256];
    let mut f = open_local(path).ok()?;
    let n = f.read(&mut head).ok()?;
    if n >= 2 && head[..2] == GZIP_MAGIC {
        return None;
    }
    detect(&head[..n], opts).ok()
}

/// A split local file, opened (regular files only) at an offset for each range.
struct LocalRanges<'a>(&'a Path);

impl RangeSource for LocalRanges<'_> {
    type Reader = std::fs::File;
    fn read_from(&self, offset: u64) -> std::io::Result<std::fs::File> {
        let mut f = open_local(self.0).map_err(|e| std::io::Error::other(e.to_string()))?;
        f.seek(SeekFrom::Start(offset))?;
        Ok(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::split::SPLIT_BYTES;

    #[test]
    fn large_plain_files_are_split_and_gzip_is_not() {
        let dir = std::env::temp_dir().join(format!("cf-plan-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        // Sparse files: planning reads only their first bytes and their size.
        let sized = |name: &str, head: &[u8], len: u64| {
            let p = dir.join(name);
            std::fs::write(&p, head).unwrap();
            std::fs::OpenOptions::new().write(true).open(&p).unwrap().set_len(len).unwrap();
            p
        };
        let plain = sized("big.log", b"#Version: 1.0\n#Fields: date time c-ip\n", 2 * SPLIT_BYTES + 10);
        let gz = sized("big.gz", &GZIP_MAGIC, 2 * SPLIT_BYTES + 10);
        let small = sized("small.log", b"#Fields: c-ip\n", 100);

        let inputs = [Input::Local(plain), Input::Local(gz), Input::Local(small), Input::Remote("s3://b/k.log".into())];
        let units = Units::plan(&inputs, &ScanOptions::default());
        let split: Vec<Unit> = units.units.iter().copied().filter(|u| u.file == 0).collect();
        assert_eq!(split.len(), 3, "{split:?}");
        assert!(split.iter().enumerate().all(|(k, u)| u.range == Some((k, Layout::W3c))));
        let whole: Vec<Unit> = units.units.iter().copied().filter(|u| u.file != 0).collect();
        assert_eq!(whole, (1..4).map(|file| Unit { file, range: None }).collect::<Vec<_>>());
        // Claimed once each, in order.
        let claimed: Vec<Unit> = std::iter::from_fn(|| units.claim()).collect();
        assert_eq!(claimed, units.units);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
